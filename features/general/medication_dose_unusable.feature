Feature: GN-DQ-011 Medication dose cannot be used (unknown unit or implausible amount)

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 70

  Scenario: Citalopram "40 g" daily is implausible: reported, and never read as a dose over 20 mg
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 40   | g         | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule GN-DQ-011 fires with severity moderate
    And rule NC-QT-012 cannot be assessed

  Scenario: An unknown dose unit is reported
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | sertraline | 50   | mgs/kgx   | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule GN-DQ-011 fires with severity moderate

  Scenario: A usable dose in micrograms is not reported
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule GN-DQ-011 does not fire

  Scenario: A dose in tablets is a count, not a problem
    Given the patient takes:
      | name                           | dose | dose_unit | frequency | start  |
      | Sertraline 50 MG Oral Tablet   | 1    | tablet    | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule GN-DQ-011 does not fire
