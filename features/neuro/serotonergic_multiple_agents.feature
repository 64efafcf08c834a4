Feature: NC-SER-011 Three or more serotonergic agents

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 47

  Scenario: Sertraline, trazodone and buspirone fire at moderate
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | sertraline | 100  | mg        | daily     | 1y ago |
      | trazodone  | 50   | mg        | nightly   | 1y ago |
      | buspirone  | 10   | mg        | bid       | 1y ago |
    When the engine evaluates the patient
    Then rule NC-SER-011 fires with severity moderate

  Scenario: Two serotonergic agents stay silent (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | sertraline | 100  | mg        | daily     | 1y ago |
      | trazodone  | 50   | mg        | nightly   | 1y ago |
    When the engine evaluates the patient
    Then rule NC-SER-011 does not fire

  Scenario: A stopped agent is not counted
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  | end     |
      | sertraline | 100  | mg        | daily     | 1y ago |         |
      | trazodone  | 50   | mg        | nightly   | 1y ago |         |
      | buspirone  | 10   | mg        | bid       | 1y ago | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-011 does not fire

  Scenario: Lithium and a supplement count
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | sertraline        | 100  | mg        | daily     | 1y ago  |
      | lithium carbonate | 400  | mg        | bid       | 1y ago  |
      | SAMe              | 400  | mg        | daily     | 20d ago |
    When the engine evaluates the patient
    Then rule NC-SER-011 fires with severity moderate

  Scenario: With an MAOI the MAOI rule covers it
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | sertraline | 100  | mg        | daily     | 1y ago |
      | trazodone  | 50   | mg        | nightly   | 1y ago |
      | buspirone  | 10   | mg        | bid       | 1y ago |
      | phenelzine | 15   | mg        | tid       | 1y ago |
    When the engine evaluates the patient
    Then rule NC-SER-011 does not fire
    And rule NC-SER-001 fires with severity critical
