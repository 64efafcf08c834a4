Feature: NC-BZD-035 Benzodiazepine with another CNS depressant or alcohol use disorder

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 45

  Scenario: Lorazepam with pregabalin fires at moderate
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | lorazepam  | 1    | mg        | bid       | 90d ago |
      | pregabalin | 75   | mg        | bid       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-035 fires with severity moderate

  Scenario: Clonazepam with active alcohol use disorder fires
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | clonazepam | 0.5  | mg        | bid       | 90d ago |
    And the patient has conditions:
      | icd10cm | status |
      | F10.20  | active |
    When the engine evaluates the patient
    Then rule NC-BZD-035 fires with severity moderate

  Scenario: Resolved alcohol use disorder does not count
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | clonazepam | 0.5  | mg        | bid       | 90d ago |
    And the patient has conditions:
      | icd10cm | status   |
      | F10.20  | resolved |
    When the engine evaluates the patient
    Then rule NC-BZD-035 does not fire

  Scenario: A benzodiazepine alone stays silent
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | lorazepam | 1    | mg        | bid       | 90d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-035 does not fire
