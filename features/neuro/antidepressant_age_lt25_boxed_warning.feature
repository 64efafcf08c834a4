Feature: NC-AD-036 Antidepressant under age 25 without close suicidality monitoring

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Sertraline started 30 days ago at 19 fires at high
    Given a female patient aged 19
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 30d ago |
    And the patient has notes:
      | kind               | date   |
      | suicidality_review | 7d ago |
    When the engine evaluates the patient
    Then rule NC-AD-036 fires with severity high

  Scenario: Stable treatment with a recent suicidality review stays silent
    Given a male patient aged 22
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | fluoxetine | 20   | mg        | daily     | 1y ago |
    And the patient has notes:
      | kind               | date    |
      | suicidality_review | 30d ago |
    When the engine evaluates the patient
    Then rule NC-AD-036 does not fire

  Scenario: A year of stable treatment is past the boxed-warning window, whatever the review date
    Given a male patient aged 22
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | fluoxetine | 20   | mg        | daily     | 1y ago |
    And the patient has notes:
      | kind               | date    |
      | suicidality_review | 31d ago |
    When the engine evaluates the patient
    Then rule NC-AD-036 does not fire

  Scenario: A start 90 days ago still counts (boundary)
    Given a male patient aged 22
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | fluoxetine | 20   | mg        | daily     | 90d ago |
    When the engine evaluates the patient
    Then rule NC-AD-036 fires with severity high

  Scenario: A dose change 90 days ago still counts (boundary)
    Given a female patient aged 20
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  | last_dose_change |
      | sertraline | 100  | mg        | daily     | 1y ago | 90d ago          |
    And the patient has notes:
      | kind               | date   |
      | suicidality_review | 5d ago |
    When the engine evaluates the patient
    Then rule NC-AD-036 fires with severity high

  Scenario: A dose change 91 days ago with a recent review stays silent (boundary)
    Given a female patient aged 20
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  | last_dose_change |
      | sertraline | 100  | mg        | daily     | 1y ago | 91d ago          |
    And the patient has notes:
      | kind               | date   |
      | suicidality_review | 5d ago |
    When the engine evaluates the patient
    Then rule NC-AD-036 does not fire

  Scenario: Age 25 is outside the boxed warning (boundary)
    Given a female patient aged 25
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 30d ago |
    When the engine evaluates the patient
    Then rule NC-AD-036 does not fire

  Scenario: St John's wort is excluded from the boxed-warning rule
    Given a female patient aged 19
    And the patient takes:
      | name           | dose | dose_unit | frequency | start   |
      | St John's wort | 300  | mg        | tid       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-AD-036 does not fire

  Scenario: Unknown age cannot be assessed
    Given a female patient of unknown age
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 30d ago |
    When the engine evaluates the patient
    Then rule NC-AD-036 is reported as cannot assess
