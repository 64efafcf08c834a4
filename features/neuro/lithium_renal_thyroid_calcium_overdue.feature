Feature: NC-LI-025 Renal, thyroid or calcium monitoring overdue on lithium

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 48
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |

  Scenario: All tests within 6 months stay silent
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 85    | mL/min/1.73m2 | 100d ago  |
      | 3016-3  | 2.1   | mIU/L         | 100d ago  |
      | 17861-6 | 9.5   | mg/dL         | 100d ago  |
    When the engine evaluates the patient
    Then rule NC-LI-025 does not fire

  Scenario: A TSH 214 days old is overdue
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 85    | mL/min/1.73m2 | 100d ago  |
      | 3016-3  | 2.1   | mIU/L         | 214d ago  |
      | 17861-6 | 9.5   | mg/dL         | 100d ago  |
    When the engine evaluates the patient
    Then rule NC-LI-025 fires with severity moderate

  Scenario: A TSH 213 days old is not yet overdue (boundary)
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 85    | mL/min/1.73m2 | 100d ago  |
      | 3016-3  | 2.1   | mIU/L         | 213d ago  |
      | 17861-6 | 9.5   | mg/dL         | 100d ago  |
    When the engine evaluates the patient
    Then rule NC-LI-025 does not fire

  Scenario: A creatinine stands in for a missing eGFR
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 2160-0  | 1.0   | mg/dL         | 100d ago  |
      | 3016-3  | 2.1   | mIU/L         | 100d ago  |
      | 17861-6 | 9.5   | mg/dL         | 100d ago  |
    When the engine evaluates the patient
    Then rule NC-LI-025 does not fire

  Scenario: A calcium with an unrecognised unit does not count as done
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 85    | mL/min/1.73m2 | 100d ago  |
      | 3016-3  | 2.1   | mIU/L         | 100d ago  |
      | 17861-6 | 9.5   | mg%x          | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-025 fires with severity moderate

  Scenario: No results at all fires
    When the engine evaluates the patient
    Then rule NC-LI-025 fires with severity moderate
