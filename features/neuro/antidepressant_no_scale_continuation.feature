Feature: NC-AD-077 No symptom scale during the continuation phase of an antidepressant

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 44

  Scenario: Sertraline started 150 days ago with no PHQ-9 or GAD-7 since fires at info
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 50   | mg        | daily     | 150d ago |
    And the patient has scores:
      | scale | total | item9 | date     |
      | phq9  | 17    | 0     | 155d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 fires with severity info
    And rule NC-AD-039 does not fire

  Scenario: A PHQ-9 30 days ago stays silent
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 50   | mg        | daily     | 150d ago |
    And the patient has scores:
      | scale | total | item9 | date    |
      | phq9  | 4     | 0     | 30d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 does not fire

  Scenario: A GAD-7 during the continuation phase also counts
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 50   | mg        | daily     | 150d ago |
    And the patient has scores:
      | scale | total | date    |
      | gad7  | 6     | 90d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 does not fire

  Scenario: 60 days after the start it is NC-AD-039's acute-phase reminder, not this one
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 60d ago |
    When the engine evaluates the patient
    Then rule NC-AD-039 fires with severity low
    And rule NC-AD-077 does not fire

  Scenario: 84 days after the start NC-AD-039 still speaks and this rule is silent (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 84d ago |
    When the engine evaluates the patient
    Then rule NC-AD-039 fires with severity low
    And rule NC-AD-077 does not fire

  Scenario: 85 days after the start this rule takes over from NC-AD-039 (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 85d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 fires with severity info
    And rule NC-AD-039 does not fire

  Scenario: 365 days after the start it still fires (upper boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 50   | mg        | daily     | 365d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 fires with severity info

  Scenario: 366 days after the start the continuation phase is over (upper boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 50   | mg        | daily     | 366d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 does not fire

  Scenario: An antidepressant started 400 days ago is maintenance treatment, not asked about
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 50   | mg        | daily     | 400d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 does not fire

  Scenario: A stopped antidepressant stays silent
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    | end     |
      | sertraline | 50   | mg        | daily     | 150d ago | 20d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 does not fire

  Scenario: A PHQ-9 at the end of the acute phase covers the next 6 months (182 days, boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 50   | mg        | daily     | 238d ago |
    And the patient has scores:
      | scale | total | item9 | date     |
      | phq9  | 3     | 0     | 182d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 does not fire

  Scenario: Nothing for more than 6 months after the acute-phase PHQ-9 fires (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 50   | mg        | daily     | 239d ago |
    And the patient has scores:
      | scale | total | item9 | date     |
      | phq9  | 3     | 0     | 183d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 fires with severity info

  Scenario: A dose change 120 days ago on a long-standing antidepressant opens a new continuation phase
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | last_dose_change |
      | sertraline | 100  | mg        | daily     | 20y ago | 120d ago         |
    And the patient has scores:
      | scale | total | item9 | date     |
      | phq9  | 14    | 0     | 125d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 fires with severity info

  Scenario: Bipolar disorder is left out (the depression guidelines' continuation advice does not apply)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    |
      | sertraline | 50   | mg        | daily     | 150d ago |
      | lithium    | 800  | mg        | daily     | 2y ago   |
    And the patient has conditions:
      | icd10cm | status |
      | F31.81  | active |
    When the engine evaluates the patient
    Then rule NC-AD-077 does not fire

  Scenario: St John's wort alone is not a course of antidepressant treatment here
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start    |
      | St John's wort  | 300  | mg        | daily     | 150d ago |
    When the engine evaluates the patient
    Then rule NC-AD-077 does not fire

  Scenario: An antidepressant without a start date cannot be assessed, and is only a coverage note here
    Given the patient takes:
      | name       | dose | dose_unit | frequency |
      | sertraline | 50   | mg        | daily     |
    When the engine evaluates the patient
    Then rule NC-AD-077 cannot be assessed
    And rule NC-AD-039 is reported as cannot assess
