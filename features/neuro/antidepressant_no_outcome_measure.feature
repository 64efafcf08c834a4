Feature: NC-AD-039 No symptom scale since an antidepressant was started or changed

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 44

  Scenario: Sertraline started 60 days ago with no PHQ-9 fires at low
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 60d ago |
    And the patient has scores:
      | scale | total | item9 | date    |
      | phq9  | 17    | 0     | 65d ago |
    When the engine evaluates the patient
    Then rule NC-AD-039 fires with severity low

  Scenario: A GAD-7 after the start stays silent
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 60d ago |
    And the patient has scores:
      | scale | total | date    |
      | gad7  | 9     | 20d ago |
    When the engine evaluates the patient
    Then rule NC-AD-039 does not fire

  Scenario: 42 days after the start it is not yet due (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 42d ago |
    When the engine evaluates the patient
    Then rule NC-AD-039 does not fire

  Scenario: 43 days after the start it fires (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 43d ago |
    When the engine evaluates the patient
    Then rule NC-AD-039 fires with severity low

  Scenario: An antidepressant without a start date cannot be assessed
    Given the patient takes:
      | name       | dose | dose_unit | frequency |
      | sertraline | 50   | mg        | daily     |
    When the engine evaluates the patient
    Then rule NC-AD-039 is reported as cannot assess

  Scenario: 84 days (12 weeks) after the start it still fires (upper boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 84d ago |
    When the engine evaluates the patient
    Then rule NC-AD-039 fires with severity low

  Scenario: 85 days after the start the reminder has lapsed (upper boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 85d ago |
    When the engine evaluates the patient
    Then rule NC-AD-039 does not fire

  Scenario: An antidepressant started decades ago is not a new antidepressant
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 50   | mg        | daily     | 20y ago  |
    When the engine evaluates the patient
    Then rule NC-AD-039 does not fire

  Scenario: A dose change 8 weeks ago on a long-standing antidepressant fires again
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | last_dose_change |
      | sertraline | 100  | mg        | daily     | 20y ago | 56d ago          |
    When the engine evaluates the patient
    Then rule NC-AD-039 fires with severity low
