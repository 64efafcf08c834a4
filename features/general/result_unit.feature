Feature: GN-DQ-001 Result with a missing or unrecognised unit, or an implausible value

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 50

  Scenario: A TSH without a unit fires the data-quality finding
    Given the patient has results:
      | loinc  | value | collected |
      | 3016-3 | 3.1   | 3d ago    |
    When the engine evaluates the patient
    Then rule GN-DQ-001 fires with severity moderate

  Scenario: An unrecognised unit fires the data-quality finding
    Given the patient has results:
      | loinc   | value | unit     | collected |
      | 14334-7 | 0.7   | mg/dL    | 3d ago    |
    When the engine evaluates the patient
    Then rule GN-DQ-001 fires with severity moderate

  Scenario: An implausible converted value fires the data-quality finding
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 85    | %    | 3d ago    |
    When the engine evaluates the patient
    Then rule GN-DQ-001 fires with severity moderate

  Scenario: A result with a recognised unit alias stays silent
    Given the patient has results:
      | loinc  | value | unit    | collected |
      | 3016-3 | 3.1   | uIU/mL  | 3d ago    |
    When the engine evaluates the patient
    Then rule GN-DQ-001 does not fire

  Scenario: A unit-less result older than a year is outside the window (boundary)
    Given the patient has results:
      | loinc  | value | collected |
      | 3016-3 | 3.1   | 366d ago  |
    When the engine evaluates the patient
    Then rule GN-DQ-001 does not fire

  Scenario: A urinary neurotransmitter value in an unlisted unit is never interpreted, so its unit is not reported
    Given the patient has results:
      | name | value | unit          | specimen | collected |
      | GABA | 1.4   | umol/g{creat} | urine    | 3d ago    |
    When the engine evaluates the patient
    Then rule GN-DQ-001 does not fire
