Feature: HR-ADR-046 Hydrocortisone dose changed after a cortisol or ACTH result

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 44
    And the patient has conditions:
      | icd10cm | status |
      | E27.1   | active |

  Scenario: Dose increased 5 days after an ACTH result fires at low
    Given the patient takes:
      | name           | dose | dose_unit | frequency | route | start  | last_dose_change |
      | hydrocortisone | 10   | mg        | tid       | oral  | 3y ago | 15d ago          |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2141-0 | 180   | pg/mL | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-ADR-046 fires with severity low

  Scenario: A dose change before the result is not titration to it
    Given the patient takes:
      | name           | dose | dose_unit | frequency | route | start  | last_dose_change |
      | hydrocortisone | 10   | mg        | tid       | oral  | 3y ago | 25d ago          |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2143-6 | 12    | ug/dL | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-ADR-046 does not fire

  Scenario: A cortisol result older than 30 days is outside the window (boundary)
    Given the patient takes:
      | name           | dose | dose_unit | frequency | route | start  | last_dose_change |
      | hydrocortisone | 10   | mg        | tid       | oral  | 3y ago | 10d ago          |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2143-6 | 12    | ug/dL | 31d ago   |
    When the engine evaluates the patient
    Then rule HR-ADR-046 does not fire

  Scenario: No recorded dose change stays silent
    Given the patient takes:
      | name           | dose | dose_unit | frequency | route | start  |
      | hydrocortisone | 10   | mg        | tid       | oral  | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2143-6 | 12    | ug/dL | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-ADR-046 does not fire
