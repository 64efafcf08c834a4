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

  Scenario: Age 65 with 50 morphine milligram equivalents a day escalates to critical (boundary)
    Given a male patient aged 65
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | lorazepam | 1    | mg        | bid       | oral  | 90d ago |
      | morphine  | 25   | mg        | bid       | oral  | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-032 fires with severity critical

  Scenario: Age 65 with 48 MME a day stays high (boundary)
    Given a male patient aged 65
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | lorazepam | 1    | mg        | bid       | oral  | 90d ago |
      | morphine  | 24   | mg        | bid       | oral  | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-032 fires with severity high

  Scenario: MME adds across opioids with their CDC factors (oxycodone 30 + tramadol 40 = 70)
    Given a female patient aged 72
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | diazepam  | 5    | mg        | daily     | oral  | 90d ago |
      | oxycodone | 10   | mg        | bid       | oral  | 30d ago |
      | tramadol  | 50   | mg        | qid       | oral  | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-032 fires with severity critical

  Scenario: Age 64 with 60 MME stays high (age boundary)
    Given a male patient aged 64
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | lorazepam | 1    | mg        | bid       | oral  | 90d ago |
      | oxycodone | 10   | mg        | q6h       | oral  | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-032 fires with severity high

  Scenario: An opioid route that is not recorded leaves MME unknown: the base severity stays
    Given a male patient aged 70
    And the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | lorazepam | 1    | mg        | bid       | 90d ago |
      | morphine  | 30   | mg        | bid       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-032 fires with severity high

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

  Scenario: Opioid use disorder escalates to critical
    Given a male patient aged 40
    And the patient takes:
      | name          | dose | dose_unit | frequency | start   |
      | clonazepam    | 0.5  | mg        | bid       | 90d ago |
      | buprenorphine | 8    | mg        | daily     | 1y ago  |
    And the patient has conditions:
      | icd10cm |
      | F11.20  |
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

  Scenario: A gabapentinoid with the same benzodiazepine is grouped under the opioid finding
    Given a male patient aged 50
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | lorazepam  | 1    | mg        | bid       | 90d ago |
      | oxycodone  | 5    | mg        | q6h       | 30d ago |
      | pregabalin | 75   | mg        | bid       | 60d ago |
    When the engine evaluates the patient
    Then finding NC-BZD-035 is grouped under NC-BZD-032

  Scenario: A benzodiazepine alone stays silent
    Given a male patient aged 70
    And the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | lorazepam | 1    | mg        | bid       | 90d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-032 does not fire
