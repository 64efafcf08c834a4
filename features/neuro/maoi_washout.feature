Feature: NC-SER-002 MAOI washout not observed

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 40

  Scenario: Phenelzine started 20 days after stopping fluoxetine fires at critical
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | fluoxetine | 20   | mg        | daily     | 2y ago  | 20d ago |
      | phenelzine | 15   | mg        | tid       | 5d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 fires with severity critical

  Scenario: Fluoxetine stopped 36 days ago is outside the 5-week washout (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | fluoxetine | 20   | mg        | daily     | 2y ago  | 36d ago |
      | phenelzine | 15   | mg        | tid       | 5d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 does not fire

  Scenario: Sertraline stopped 20 days ago is outside its 14-day washout
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | sertraline | 50   | mg        | daily     | 2y ago  | 20d ago |
      | phenelzine | 15   | mg        | tid       | 5d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 does not fire

  Scenario: Sertraline started 10 days after stopping an MAOI fires
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   | end     |
      | tranylcypromine | 10   | mg        | bid       | 1y ago  | 10d ago |
      | sertraline      | 50   | mg        | daily     | 3d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 fires with severity critical

  Scenario: No MAOI at all stays silent
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | fluoxetine | 20   | mg        | daily     | 2y ago  | 20d ago |
      | sertraline | 50   | mg        | daily     | 10d ago |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 does not fire
