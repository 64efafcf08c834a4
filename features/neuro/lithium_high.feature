Feature: NC-LI-020 Lithium level 1.0 to 1.5 mmol/L

  Background:
    Given the evaluation date is 2026-11-21
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |

  Scenario: A 12-hour trough of 1.2 mmol/L at 45 fires at moderate
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 1.2   | mmol/L | 5d ago    | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-020 fires with severity moderate

  Scenario: Age 65 escalates to high
    Given a female patient aged 65
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 1.2   | mmol/L | 5d ago    | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-020 fires with severity high

  Scenario: eGFR below 60 escalates to high
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit          | collected | hours_since_dose |
      | 14334-7 | 1.1   | mmol/L        | 5d ago    | 12               |
      | 33914-3 | 55    | mL/min/1.73m2 | 5d ago    |                  |
    When the engine evaluates the patient
    Then rule NC-LI-020 fires with severity high

  Scenario: An ACE inhibitor escalates to high
    Given a male patient aged 45
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | lisinopril | 10   | mg        | daily     | 2y ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 1.1   | mmol/L | 5d ago    | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-020 fires with severity high

  Scenario: Exactly 1.0 mmol/L fires (boundary)
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 1.0   | mmol/L | 5d ago    | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-020 fires with severity moderate

  Scenario: 0.99 mmol/L stays silent (boundary)
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.99  | mmol/L | 5d ago    | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-020 does not fire

  Scenario: A sample taken 6 hours after the dose is not compared with the range
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 1.2   | mmol/L | 5d ago    | 6                |
    When the engine evaluates the patient
    Then rule NC-LI-020 does not fire
    And rule NC-LI-022 fires with severity moderate

  Scenario: A sample with unrecorded timing is still interpreted (and the timing gap reported)
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit   | collected |
      | 14334-7 | 1.2   | mmol/L | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-LI-020 fires with severity moderate
    And rule NC-LI-022 fires with severity info

  Scenario: A level older than 30 days is listed as not assessed (the monitoring rules cover it)
    Given a male patient aged 45
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 1.2   | mmol/L | 31d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-020 cannot be assessed
