Feature: NC-SER-003 Linezolid or methylene blue with a serotonergic antidepressant

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 60

  Scenario: Linezolid with sertraline fires at critical
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | linezolid  | 600  | mg        | bid       | 2d ago |
      | sertraline | 100  | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-SER-003 fires with severity critical

  Scenario: IV methylene blue with venlafaxine fires at critical
    Given the patient takes:
      | name           | dose | dose_unit | frequency | route | start  |
      | methylene blue | 100  | mg        | once      | IV    | today  |
      | venlafaxine    | 75   | mg        | bid       |       | 1y ago |
    When the engine evaluates the patient
    Then rule NC-SER-003 fires with severity critical

  Scenario: Fluoxetine stopped 35 days ago still counts (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  | end     |
      | linezolid  | 600  | mg        | bid       | 2d ago |         |
      | fluoxetine | 20   | mg        | daily     | 1y ago | 35d ago |
    When the engine evaluates the patient
    Then rule NC-SER-003 fires with severity critical

  Scenario: Fluoxetine stopped 36 days ago no longer counts (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  | end     |
      | linezolid  | 600  | mg        | bid       | 2d ago |         |
      | fluoxetine | 20   | mg        | daily     | 1y ago | 36d ago |
    When the engine evaluates the patient
    Then rule NC-SER-003 does not fire

  Scenario: Sertraline stopped 14 days ago counts, 15 days ago does not (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  | end     |
      | linezolid  | 600  | mg        | bid       | 2d ago |         |
      | sertraline | 50   | mg        | daily     | 1y ago | 14d ago |
    When the engine evaluates the patient
    Then rule NC-SER-003 fires with severity critical

  Scenario: Sertraline stopped 15 days ago is outside the 2-week window (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  | end     |
      | linezolid  | 600  | mg        | bid       | 2d ago |         |
      | sertraline | 50   | mg        | daily     | 1y ago | 15d ago |
    When the engine evaluates the patient
    Then rule NC-SER-003 does not fire

  Scenario: Methylene blue without a recorded route is counted (the route is often missing)
    Given the patient takes:
      | name           | dose | dose_unit | frequency | start  |
      | methylene blue | 100  | mg        | once      | today  |
      | citalopram     | 20   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-SER-003 fires with severity critical

  Scenario: Linezolid without a serotonergic antidepressant stays silent
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start  |
      | linezolid | 600  | mg        | bid       | 2d ago |
    When the engine evaluates the patient
    Then rule NC-SER-003 does not fire
