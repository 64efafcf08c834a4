Feature: NC-LI-028 Raised TSH and NC-LI-029 hypercalcaemia on lithium

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 58
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 5y ago |

  Scenario: TSH 6.5 on lithium fires at moderate
    Given the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 6.5   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-028 fires with severity moderate

  Scenario: TSH 4.0 is at the upper limit (boundary)
    Given the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 4.0   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-028 does not fire

  Scenario: A TSH without a unit is not interpreted: listed as not assessed, and the unit flagged
    Given the patient has results:
      | loinc  | value | collected |
      | 3016-3 | 6.5   | 20d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-028 cannot be assessed
    And rule GN-DQ-001 fires with severity moderate

  Scenario: Calcium 10.8 mg/dL on lithium fires at moderate
    Given the patient has results:
      | loinc   | value | unit  | collected |
      | 17861-6 | 10.8  | mg/dL | 20d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-029 fires with severity moderate

  Scenario: Calcium in mmol/L converts (2.7 mmol/L = 10.8 mg/dL)
    Given the patient has results:
      | loinc   | value | unit   | collected |
      | 17861-6 | 2.7   | mmol/L | 20d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-029 fires with severity moderate

  Scenario: Calcium 10.3 mg/dL is at the upper limit (boundary)
    Given the patient has results:
      | loinc   | value | unit  | collected |
      | 17861-6 | 10.3  | mg/dL | 20d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-029 does not fire

  Scenario: A calcium older than 213 days: listed as not assessed, and the monitoring rule fires
    Given the patient has results:
      | loinc   | value | unit  | collected |
      | 17861-6 | 11.0  | mg/dL | 214d ago  |
    When the engine evaluates the patient
    Then rule NC-LI-029 cannot be assessed
    And rule NC-LI-025 fires with severity moderate
