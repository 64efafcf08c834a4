Feature: NC-AD-071 Inadequate PHQ-9 response after an adequate antidepressant trial

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 44

  Scenario: Eight weeks on sertraline with PHQ-9 18 -> 12 (33 % better) fires at moderate
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 100  | mg        | daily     | 60d ago |
    And the patient has scores:
      | scale | total | item9 | date    |
      | phq9  | 18    | 0     | 62d ago |
      | phq9  | 12    | 0     | 3d ago  |
    When the engine evaluates the patient
    Then rule NC-AD-071 fires with severity moderate
    And rule NC-AD-072 does not fire

  Scenario: 42 days on the current dose is an adequate trial (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    | last_dose_change |
      | sertraline | 100  | mg        | daily     | 120d ago | 44d ago          |
    And the patient has scores:
      | scale | total | date     |
      | phq9  | 20    | 125d ago |
      | phq9  | 14    | 2d ago   |
    When the engine evaluates the patient
    Then rule NC-AD-071 fires with severity moderate

  Scenario: 41 days on the current dose is too early to judge: no "no response" call (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    | last_dose_change |
      | sertraline | 100  | mg        | daily     | 120d ago | 43d ago          |
    And the patient has scores:
      | scale | total | date     |
      | phq9  | 20    | 125d ago |
      | phq9  | 14    | 2d ago   |
    When the engine evaluates the patient
    Then rule NC-AD-071 does not fire

  Scenario: Three weeks after the start is too early to judge, however little the PHQ-9 moved
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 21d ago |
    And the patient has scores:
      | scale | total | date    |
      | phq9  | 18    | 22d ago |
      | phq9  | 17    | 1d ago  |
    When the engine evaluates the patient
    Then rule NC-AD-071 does not fire

  Scenario: A 50 % improvement is a response, not an inadequate one (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 100  | mg        | daily     | 60d ago |
    And the patient has scores:
      | scale | total | date    |
      | phq9  | 18    | 61d ago |
      | phq9  | 9     | 3d ago  |
    When the engine evaluates the patient
    Then rule NC-AD-071 does not fire
    And rule NC-AD-072 fires with severity info

  Scenario: The switch to escitalopram starts a new trial, judged from the PHQ-9 at the switch
    Given the patient takes:
      | name         | dose | dose_unit | frequency | start    | end     |
      | sertraline   | 150  | mg        | daily     | 200d ago | 70d ago |
      | escitalopram | 10   | mg        | daily     | 70d ago  |         |
    And the patient has scores:
      | scale | total | date     |
      | phq9  | 22    | 201d ago |
      | phq9  | 15    | 72d ago  |
      | phq9  | 13    | 5d ago   |
    When the engine evaluates the patient
    Then rule NC-AD-071 fires with severity moderate

  Scenario: A recent PHQ-9 without one at the start of treatment cannot be assessed
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 100  | mg        | daily     | 90d ago |
    And the patient has scores:
      | scale | total | date   |
      | phq9  | 14    | 3d ago |
    When the engine evaluates the patient
    Then rule NC-AD-071 is reported as cannot assess
    And the cannot-assess reason mentions "no baseline PHQ-9"

  Scenario: No recent PHQ-9 is the outcome-measure rule's finding, not this one
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 100  | mg        | daily     | 70d ago |
    And the patient has scores:
      | scale | total | date    |
      | phq9  | 18    | 72d ago |
    When the engine evaluates the patient
    Then rule NC-AD-071 does not fire
    And rule NC-AD-039 fires with severity low

  Scenario: Bipolar depression is outside the MDD titration rule
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 100  | mg        | daily     | 60d ago |
      | lithium    | 800  | mg        | daily     | 2y ago  |
    And the patient has conditions:
      | icd10cm | status |
      | F31.4   | active |
    And the patient has scores:
      | scale | total | date    |
      | phq9  | 18    | 62d ago |
      | phq9  | 12    | 3d ago  |
    When the engine evaluates the patient
    Then rule NC-AD-071 does not fire

  Scenario: A course started more than a year ago is not judged as a new trial
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 100  | mg        | daily     | 400d ago |
    And the patient has scores:
      | scale | total | date     |
      | phq9  | 18    | 401d ago |
      | phq9  | 14    | 3d ago   |
    When the engine evaluates the patient
    Then rule NC-AD-071 does not fire

  Scenario: A baseline below 5 leaves no depressive symptoms to respond
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 100  | mg        | daily     | 60d ago |
    And the patient has scores:
      | scale | total | date    |
      | phq9  | 4     | 61d ago |
      | phq9  | 6     | 3d ago  |
    When the engine evaluates the patient
    Then rule NC-AD-071 does not fire

  Scenario: A product without a start date cannot be judged as an adequate trial
    Given the patient takes:
      | name       | dose | dose_unit | frequency |
      | sertraline | 100  | mg        | daily     |
    And the patient has scores:
      | scale | total | date   |
      | phq9  | 14    | 3d ago |
    When the engine evaluates the patient
    Then rule NC-AD-071 is reported as cannot assess
