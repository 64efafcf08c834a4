Feature: HR-ADR-047 Electrolytes or blood pressure suggest fludrocortisone under- or over-replacement

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 39
    And the patient has conditions:
      | icd10cm | status |
      | E27.1   | active |

  Scenario: Potassium 5.6 without fludrocortisone fires at moderate (under-replacement)
    Given the patient takes:
      | name           | dose | dose_unit | frequency | route | start  |
      | hydrocortisone | 10   | mg        | bid       | oral  | 3y ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2823-3 | 5.6   | mmol/L | 20d ago   |
      | 2951-2 | 137   | mmol/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-ADR-047 fires with severity moderate

  Scenario: Hypertension on fludrocortisone fires (over-replacement)
    Given the patient has conditions:
      | icd10cm | status |
      | I10     | active |
    And the patient takes:
      | name            | dose | dose_unit | frequency | route | start  |
      | hydrocortisone  | 10   | mg        | bid       | oral  | 3y ago |
      | fludrocortisone | 200  | ug        | daily     | oral  | 3y ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2823-3 | 4.1   | mmol/L | 20d ago   |
      | 2951-2 | 140   | mmol/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-ADR-047 fires with severity moderate

  Scenario: Potassium 5.0 and sodium 135 are within range (boundary)
    Given the patient takes:
      | name            | dose | dose_unit | frequency | route | start  |
      | fludrocortisone | 100  | ug        | daily     | oral  | 3y ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2823-3 | 5.0   | mmol/L | 20d ago   |
      | 2951-2 | 135   | mmol/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-ADR-047 does not fire

  Scenario: A documented postural blood pressure drop fires even with normal electrolytes
    Given the patient takes:
      | name            | dose | dose_unit | frequency | route | start  |
      | fludrocortisone | 50   | ug        | daily     | oral  | 3y ago |
    And the patient has notes:
      | kind                    | date    |
      | orthostatic_hypotension | 10d ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2823-3 | 4.4   | mmol/L | 20d ago   |
      | 2951-2 | 138   | mmol/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-ADR-047 fires with severity moderate

  Scenario: No electrolytes in 13 months gives a cannot-assess finding
    Given the patient takes:
      | name            | dose | dose_unit | frequency | route | start  |
      | fludrocortisone | 100  | ug        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-ADR-047 is reported as cannot assess
    And the cannot-assess reason mentions "Potassium"
