Feature: NC-AD-072 PHQ-9 response or remission on an antidepressant

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 38

  Scenario: PHQ-9 below 5 on sertraline is remission (info)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 100  | mg        | daily     | 150d ago |
    And the patient has scores:
      | scale | total | date     |
      | phq9  | 19    | 151d ago |
      | phq9  | 4     | 10d ago  |
    When the engine evaluates the patient
    Then rule NC-AD-072 fires with severity info
    And rule NC-AD-071 does not fire

  Scenario: Remission is recognised without a baseline
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 100  | mg        | daily     | 400d ago |
    And the patient has scores:
      | scale | total | date    |
      | phq9  | 3     | 10d ago |
    When the engine evaluates the patient
    Then rule NC-AD-072 fires with severity info

  Scenario: A 49 % improvement without remission is not a response (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 100  | mg        | daily     | 60d ago |
    And the patient has scores:
      | scale | total | date    |
      | phq9  | 20    | 61d ago |
      | phq9  | 11    | 3d ago  |
    When the engine evaluates the patient
    Then rule NC-AD-072 does not fire
    And rule NC-AD-071 fires with severity moderate

  Scenario: A PHQ-9 of 5 is not remission (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 100  | mg        | daily     | 60d ago |
    And the patient has scores:
      | scale | total | date    |
      | phq9  | 7     | 61d ago |
      | phq9  | 5     | 3d ago  |
    When the engine evaluates the patient
    Then rule NC-AD-072 does not fire
    And rule NC-AD-071 fires with severity moderate

  Scenario: A low PHQ-9 before the antidepressant was started is not remission on it (no PHQ-9 since: a note)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | sertraline | 50   | mg        | daily     | 5d ago |
    And the patient has scores:
      | scale | total | date    |
      | phq9  | 4     | 20d ago |
    When the engine evaluates the patient
    Then rule NC-AD-072 cannot be assessed
    And there are no findings

  Scenario: Without a start date, response cannot be judged and only a coverage note is kept
    Given the patient takes:
      | name       | dose | dose_unit | frequency |
      | sertraline | 100  | mg        | daily     |
    And the patient has scores:
      | scale | total | date    |
      | phq9  | 8     | 10d ago |
    When the engine evaluates the patient
    Then rule NC-AD-072 cannot be assessed

  Scenario: No recent PHQ-9 says nothing about response
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 100  | mg        | daily     | 150d ago |
    And the patient has scores:
      | scale | total | date     |
      | phq9  | 19    | 151d ago |
      | phq9  | 4     | 70d ago  |
    When the engine evaluates the patient
    Then rule NC-AD-072 does not fire

  Scenario: Bipolar depression is outside the MDD response rule
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 100  | mg        | daily     | 150d ago |
      | lithium    | 800  | mg        | daily     | 2y ago   |
    And the patient has conditions:
      | icd10cm | status |
      | F31.4   | active |
    And the patient has scores:
      | scale | total | date     |
      | phq9  | 19    | 151d ago |
      | phq9  | 4     | 10d ago  |
    When the engine evaluates the patient
    Then rule NC-AD-072 does not fire
