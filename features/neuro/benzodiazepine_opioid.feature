Feature: NC-BZD-032 Benzodiazepine with an opioid

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Lorazepam with oxycodone at 50 fires at high
    Given a male patient aged 50
    And the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | lorazepam | 1    | mg        | bid       | 90d ago |
      | oxycodone | 5    | mg        | q6h       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-032 fires with severity high

  Scenario: Age 65 escalates to critical (boundary)
    Given a male patient aged 65
    And the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | lorazepam | 1    | mg        | bid       | 90d ago |
      | oxycodone | 5    | mg        | q6h       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-032 fires with severity critical

  Scenario: COPD escalates to critical
    Given a female patient aged 50
    And the patient takes:
      | name     | dose | dose_unit | frequency | start   |
      | diazepam | 5    | mg        | daily     | 90d ago |
      | tramadol | 50   | mg        | qid       | 30d ago |
    And the patient has conditions:
      | icd10cm |
      | J44.9   |
    When the engine evaluates the patient
    Then rule NC-BZD-032 fires with severity critical

  Scenario: Unknown age does not block the alert: it fires at its base severity
    Given a female patient of unknown age
    And the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | lorazepam | 1    | mg        | bid       | 90d ago |
      | oxycodone | 5    | mg        | q6h       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-032 fires with severity high

  Scenario: A benzodiazepine alone stays silent
    Given a male patient aged 70
    And the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | lorazepam | 1    | mg        | bid       | 90d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-032 does not fire
