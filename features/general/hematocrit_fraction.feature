Feature: GN-DQ-004 Hematocrit reported as a fraction

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 50

  Scenario: Hematocrit 0.55 reported with "%" is a fraction: info
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 0.55  | %    | 10d ago   |
    When the engine evaluates the patient
    Then rule GN-DQ-004 fires with severity info

  Scenario: Hematocrit 0.48 L/L is a fraction: info
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 0.48  | L/L  | 10d ago   |
    When the engine evaluates the patient
    Then rule GN-DQ-004 fires with severity info

  Scenario: Hematocrit 48 % stays silent
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 48    | %    | 10d ago   |
    When the engine evaluates the patient
    Then rule GN-DQ-004 does not fire

  Scenario: A fraction without a unit is not converted: the unit rule reports it instead
    Given the patient has results:
      | loinc  | value | collected |
      | 4544-3 | 0.55  | 10d ago   |
    When the engine evaluates the patient
    Then rule GN-DQ-004 does not fire
    And rule GN-DQ-001 fires with severity moderate
