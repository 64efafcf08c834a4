Feature: NC-LI-024 Routine lithium level overdue

  Background:
    Given the evaluation date is 2026-11-21
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |

  Scenario: Standard risk: last level 214 days ago fires at moderate
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit          | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L        | 214d ago  | 12               |
      | 33914-3 | 85    | mL/min/1.73m2 | 30d ago   |                  |
    When the engine evaluates the patient
    Then rule NC-LI-024 fires with severity moderate

  Scenario: Standard risk: last level 213 days ago is not yet overdue (boundary)
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit          | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L        | 213d ago  | 12               |
      | 33914-3 | 85    | mL/min/1.73m2 | 30d ago   |                  |
    When the engine evaluates the patient
    Then rule NC-LI-024 does not fire

  Scenario: Age 70: last level 122 days ago is overdue and escalates to high
    Given a female patient aged 70
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 122d ago  | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-024 fires with severity high

  Scenario: Age 70: last level 121 days ago is not yet overdue (boundary)
    Given a female patient aged 70
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 121d ago  | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-024 does not fire

  Scenario: A last level of 0.8 mmol/L or more makes the interval 3-monthly
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit          | collected | hours_since_dose |
      | 14334-7 | 0.9   | mmol/L        | 150d ago  | 12               |
      | 33914-3 | 85    | mL/min/1.73m2 | 30d ago   |                  |
    When the engine evaluates the patient
    Then rule NC-LI-024 fires with severity high

  Scenario: The first year of therapy makes the interval 3-monthly
    Given a male patient aged 45
    And the patient takes:
      | name              | dose | dose_unit | frequency | start    |
      | lithium citrate   | 520  | mg        | bid       | 200d ago |
    And the patient has results:
      | loinc   | value | unit          | collected | hours_since_dose |
      | 14334-7 | 0.6   | mmol/L        | 130d ago  | 12               |
      | 33914-3 | 85    | mL/min/1.73m2 | 30d ago   |                  |
    When the engine evaluates the patient
    Then rule NC-LI-024 fires with severity high

  Scenario: Without an eGFR the interval cannot be chosen: cannot assess
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 150d ago  | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-024 is reported as cannot assess
    And the cannot-assess reason mentions "eGFR"

  Scenario: No lithium level on record at all fires
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 85    | mL/min/1.73m2 | 30d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-024 fires with severity moderate

  Scenario: Three days into a new course with no level yet is not "overdue" (the first level is due at 5-7 days)
    Given a male patient aged 45
    And the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 3d ago  |
    When the engine evaluates the patient
    Then rule NC-LI-024 does not fire

  Scenario: Five days into a new course with no level, the level is due and overdue is raised (first year: high)
    Given a male patient aged 45
    And the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 5d ago  |
    When the engine evaluates the patient
    Then rule NC-LI-024 fires with severity high
