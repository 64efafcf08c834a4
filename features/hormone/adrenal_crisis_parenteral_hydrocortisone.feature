Feature: HR-ADR-043 Possible adrenal crisis

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 38
    And the patient has conditions:
      | icd10cm | status |
      | E27.1   | active |
    And the patient takes:
      | name           | dose | dose_unit | frequency | route | start  |
      | hydrocortisone | 10   | mg        | bid       | oral  | 5y ago |

  Scenario: Vomiting today fires at critical
    Given the patient has notes:
      | kind     | date  |
      | vomiting | today |
    When the engine evaluates the patient
    Then rule HR-ADR-043 fires with severity critical

  Scenario: Fever with vomiting: the crisis leads and the sick-day finding is grouped under it
    Given the patient has notes:
      | kind     | date  |
      | vomiting | today |
    And the patient has vital signs:
      | kind        | value | unit | taken |
      | temperature | 38.9  | Cel  | today |
    When the engine evaluates the patient
    Then rule HR-ADR-043 fires with severity critical
    And finding HR-ADR-042 is grouped under HR-ADR-043

  Scenario: Systolic blood pressure 85 today fires
    Given the patient has vital signs:
      | kind        | value | unit | taken |
      | systolic_bp | 85    | mmHg | today |
    When the engine evaluates the patient
    Then rule HR-ADR-043 fires with severity critical

  Scenario: Systolic blood pressure 90 is not below the threshold (boundary)
    Given the patient has vital signs:
      | kind        | value | unit | taken |
      | systolic_bp | 90    | mmHg | today |
    When the engine evaluates the patient
    Then rule HR-ADR-043 does not fire

  Scenario: Sodium 128 with potassium 5.9 today fires
    Given the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 128   | mmol/L | today     |
      | 2823-3 | 5.9   | mmol/L | today     |
    When the engine evaluates the patient
    Then rule HR-ADR-043 fires with severity critical

  Scenario: Low sodium alone, without high potassium, stays silent
    Given the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 128   | mmol/L | today     |
      | 2823-3 | 4.6   | mmol/L | today     |
    When the engine evaluates the patient
    Then rule HR-ADR-043 does not fire

  Scenario: Vomiting recorded as a condition without an onset date cannot be assessed
    Given the patient has conditions:
      | icd10cm | status |
      | R11.10  | active |
    When the engine evaluates the patient
    Then rule HR-ADR-043 is reported as cannot assess
    And the cannot-assess reason mentions "onset date"
