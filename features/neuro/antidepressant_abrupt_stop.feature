Feature: NC-AD-073 Antidepressant stopped abruptly after regular use

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 47

  Scenario: Venlafaxine taken for 8 months and stopped 6 days ago without a taper fires at moderate
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start    | end    | stopped_without_taper |
      | venlafaxine | 150  | mg        | daily     | 240d ago | 6d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-AD-073 fires with severity moderate

  Scenario: A recorded taper stays silent
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    | end    | stopped_without_taper |
      | sertraline | 100  | mg        | daily     | 240d ago | 6d ago | no                    |
    When the engine evaluates the patient
    Then rule NC-AD-073 does not fire

  Scenario: A stop whose taper is not recorded cannot be assessed, and is only a coverage note
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    | end    |
      | sertraline | 100  | mg        | daily     | 240d ago | 6d ago |
    When the engine evaluates the patient
    Then rule NC-AD-073 cannot be assessed
    And the cannot-assess reason mentions "tapered"
    And there are no findings

  Scenario: 28 days of use before the stop counts (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end    | stopped_without_taper |
      | paroxetine | 20   | mg        | daily     | 34d ago | 6d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-AD-073 fires with severity moderate

  Scenario: 27 days of use before the stop does not (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end    | stopped_without_taper |
      | paroxetine | 20   | mg        | daily     | 33d ago | 6d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-AD-073 does not fire

  Scenario: A stop more than 30 days ago is past
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    | end     | stopped_without_taper |
      | sertraline | 100  | mg        | daily     | 240d ago | 31d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-AD-073 does not fire

  Scenario: Fluoxetine's long half-life leaves it out
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    | end    | stopped_without_taper |
      | fluoxetine | 20   | mg        | daily     | 240d ago | 6d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-AD-073 does not fire

  Scenario: A direct switch to another antidepressant is not a stop
    Given the patient takes:
      | name         | dose | dose_unit | frequency | start    | end    | stopped_without_taper |
      | sertraline   | 100  | mg        | daily     | 240d ago | 6d ago | yes                   |
      | escitalopram | 10   | mg        | daily     | 5d ago   |        |                       |
    When the engine evaluates the patient
    Then rule NC-AD-073 does not fire

  Scenario: St John's wort stopped is not an antidepressant taper question
    Given the patient takes:
      | name           | dose | dose_unit | frequency | start    | end    | stopped_without_taper |
      | St John's wort | 300  | mg        | tid       | 240d ago | 6d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-AD-073 does not fire
