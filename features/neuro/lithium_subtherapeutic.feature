Feature: NC-LI-021 Lithium level below the therapeutic range

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 50
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |

  Scenario: A trough of 0.3 mmol/L fires at low
    Given the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.3   | mmol/L | 20d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-021 fires with severity low

  Scenario: 0.4 mmol/L is the info variant (boundary)
    Given the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.4   | mmol/L | 20d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-021 fires with severity info

  Scenario: 0.6 mmol/L is at the NICE optimum (boundary)
    Given the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.6   | mmol/L | 20d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-021 does not fire

  Scenario: A low level sampled 20 hours after the dose is not interpreted
    Given the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.3   | mmol/L | 2d ago    | 20               |
    When the engine evaluates the patient
    Then rule NC-LI-021 does not fire
    And rule NC-LI-022 fires with severity moderate

  Scenario: No level within 180 days is listed as not assessed; at 214 days the overdue level is raised
    Given the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.3   | mmol/L | 214d ago  | 12               |
      | 33914-3 | 90    | mL/min/1.73m2 | 30d ago |            |
    When the engine evaluates the patient
    Then rule NC-LI-021 cannot be assessed
    And rule NC-LI-024 fires with severity moderate
