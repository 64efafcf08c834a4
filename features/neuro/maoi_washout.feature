Feature: NC-SER-002 MAOI washout not observed

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 40

  Scenario: Phenelzine started 15 days after stopping fluoxetine fires at critical
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | fluoxetine | 20   | mg        | daily     | 2y ago  | 20d ago |
      | phenelzine | 15   | mg        | tid       | 5d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 fires with severity critical

  Scenario: An MAOI started 35 days after stopping fluoxetine is inside the 5-week washout (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | fluoxetine | 20   | mg        | daily     | 2y ago  | 40d ago |
      | phenelzine | 15   | mg        | tid       | 5d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 fires with severity critical

  Scenario: An MAOI started 36 days after stopping fluoxetine is outside the washout (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | fluoxetine | 20   | mg        | daily     | 2y ago  | 41d ago |
      | phenelzine | 15   | mg        | tid       | 5d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 does not fire

  Scenario: An MAOI started 18 days after stopping vortioxetine is inside its 21-day label washout
    Given the patient takes:
      | name         | dose | dose_unit | frequency | start   | end     |
      | vortioxetine | 10   | mg        | daily     | 2y ago  | 23d ago |
      | phenelzine   | 15   | mg        | tid       | 5d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 fires with severity critical

  Scenario: An MAOI started 22 days after stopping vortioxetine is outside its washout (boundary)
    Given the patient takes:
      | name         | dose | dose_unit | frequency | start   | end     |
      | vortioxetine | 10   | mg        | daily     | 2y ago  | 27d ago |
      | phenelzine   | 15   | mg        | tid       | 5d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 does not fire

  Scenario: An MAOI started 14 days after stopping sertraline is inside its washout (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | sertraline | 50   | mg        | daily     | 2y ago  | 19d ago |
      | phenelzine | 15   | mg        | tid       | 5d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 fires with severity critical

  Scenario: An MAOI started 15 days after stopping sertraline is outside its washout (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | sertraline | 50   | mg        | daily     | 2y ago  | 20d ago |
      | phenelzine | 15   | mg        | tid       | 5d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 does not fire

  Scenario: Sertraline started 7 days after stopping an MAOI fires
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   | end     |
      | tranylcypromine | 10   | mg        | bid       | 1y ago  | 10d ago |
      | sertraline      | 50   | mg        | daily     | 3d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 fires with severity critical

  Scenario: An MAOI stopped 14 days ago while sertraline continues is inside the washout today (boundary)
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   | end     |
      | tranylcypromine | 10   | mg        | bid       | 1y ago  | 14d ago |
      | sertraline      | 50   | mg        | daily     | 30d ago |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 fires with severity critical

  Scenario: An MAOI stopped 15 days ago while sertraline continues is outside the washout (boundary)
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   | end     |
      | tranylcypromine | 10   | mg        | bid       | 1y ago  | 15d ago |
      | sertraline      | 50   | mg        | daily     | 30d ago |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 does not fire

  Scenario: Rasagiline started after stopping sertraline is rated high (MAO-B inhibitor)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | sertraline | 50   | mg        | daily     | 2y ago  | 15d ago |
      | rasagiline | 1    | mg        | daily     | 5d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 fires with severity high

  Scenario: Bupropion started after an MAOI is one finding led by the washout rule
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | phenelzine | 15   | mg        | tid       | 1y ago  | 10d ago |
      | bupropion  | 150  | mg        | daily     | 2d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 fires with severity critical
    And finding NC-SER-010 is grouped under NC-SER-002

  Scenario: No MAOI at all stays silent
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | fluoxetine | 20   | mg        | daily     | 2y ago  | 20d ago |
      | sertraline | 50   | mg        | daily     | 10d ago |         |
    When the engine evaluates the patient
    Then rule NC-SER-002 does not fire

  Scenario: An MAOI without a start date after a recent stop cannot be assessed
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end      |
      | sertraline | 50   | mg        | daily     | 2y ago  | 100d ago |
      | phenelzine | 15   | mg        | tid       |         |          |
    When the engine evaluates the patient
    Then rule NC-SER-002 is reported as cannot assess
    And the cannot-assess reason mentions "start date of phenelzine"
