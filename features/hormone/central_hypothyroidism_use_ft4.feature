Feature: HR-THY-037 Central hypothyroidism on thyroid hormone

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 47

  Scenario: Levothyroxine with central hypothyroidism gives the free T4 advice at info
    Given the patient has conditions:
      | text                        | status |
      | secondary hypothyroidism    | active |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 2y ago |
    When the engine evaluates the patient
    Then rule HR-THY-037 fires with severity info
    And rule HR-THY-035 does not fire

  Scenario: Primary hypothyroidism keeps the TSH rules
    Given the patient has conditions:
      | icd10cm | status |
      | E03.9   | active |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 2y ago |
    When the engine evaluates the patient
    Then rule HR-THY-037 does not fire
    And rule HR-THY-035 fires with severity moderate

  Scenario: Central hypothyroidism without thyroid hormone stays silent
    Given the patient has conditions:
      | icd10cm | status |
      | E23.0   | active |
    When the engine evaluates the patient
    Then rule HR-THY-037 does not fire
