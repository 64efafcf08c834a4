Feature: NC-LI-027 Declining or reduced renal function on lithium

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 55
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 5y ago |

  Scenario: eGFR 42 fires at high
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 42    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-027 fires with severity high

  Scenario: eGFR newly below 60 (previously 75) fires
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 75    | mL/min/1.73m2 | 200d ago  |
      | 33914-3 | 58    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-027 fires with severity high

  Scenario: eGFR 58 after a previous 59 is not new and has not fallen 25 %
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 59    | mL/min/1.73m2 | 200d ago  |
      | 33914-3 | 58    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-027 does not fire

  Scenario: eGFR 58 with no earlier result counts as new
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 58    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-027 fires with severity high

  Scenario: A fall of exactly 25 % within 12 months fires (boundary)
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 100   | mL/min/1.73m2 | 300d ago  |
      | 33914-3 | 75    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-027 fires with severity high

  Scenario: A fall of 24 % stays silent (boundary)
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 100   | mL/min/1.73m2 | 300d ago  |
      | 33914-3 | 76    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-027 does not fire

  Scenario: No recent eGFR: listed as not assessed, and the monitoring rule fires
    Given the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 40    | mL/min/1.73m2 | 214d ago  |
    When the engine evaluates the patient
    Then rule NC-LI-027 cannot be assessed
    And rule NC-LI-025 fires with severity moderate
