Feature: NC-AD-073 Antidepressant stopped abruptly or reduced too fast after regular use

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

  Scenario: Venlafaxine cut from 150 to 37.5 mg within 2 weeks fires at low
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start    | end     |
      | venlafaxine | 150  | mg        | daily     | 300d ago | 10d ago |
      | venlafaxine | 37.5 | mg        | daily     | 9d ago   |         |
    When the engine evaluates the patient
    Then rule NC-AD-073 fires with severity low

  Scenario: Halving the dose is a guideline-sized step (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    | end     |
      | sertraline | 100  | mg        | daily     | 300d ago | 10d ago |
      | sertraline | 50   | mg        | daily     | 9d ago   |         |
    When the engine evaluates the patient
    Then rule NC-AD-073 does not fire

  Scenario: A step more than 2 weeks after the previous one is not counted
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start    | end     |
      | sertraline | 100  | mg        | daily     | 300d ago | 40d ago |
      | sertraline | 50   | mg        | daily     | 39d ago  | 20d ago |
      | sertraline | 25   | mg        | daily     | 19d ago  |         |
    When the engine evaluates the patient
    Then rule NC-AD-073 does not fire

  Scenario: A reduction whose earlier dose is not recorded cannot be assessed (a coverage note)
    Given the patient takes:
      | name       | start    | end     |
      | sertraline | 300d ago | 10d ago |
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | sertraline | 25   | mg        | daily     | 9d ago |
    When the engine evaluates the patient
    Then rule NC-AD-073 cannot be assessed
