Feature: NC-SER-007 5-HTP or L-tryptophan with a serotonergic drug

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 42

  Scenario: 5-HTP with sertraline fires at high
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | 5-HTP      | 100  | mg        | bid       | 20d ago |
      | sertraline | 50   | mg        | daily     | 1y ago  |
    When the engine evaluates the patient
    Then rule NC-SER-007 fires with severity high

  Scenario: L-tryptophan with sumatriptan fires at high
    Given the patient takes:
      | name         | dose | dose_unit | frequency | start   |
      | L-tryptophan | 500  | mg        | nightly   | 20d ago |
      | sumatriptan  | 50   | mg        | once      | 1y ago  |
    When the engine evaluates the patient
    Then rule NC-SER-007 fires with severity high

  Scenario: With an MAOI as well it escalates to critical, grouped under the MAOI finding
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | 5-HTP      | 100  | mg        | bid       | 20d ago |
      | sertraline | 50   | mg        | daily     | 1y ago  |
      | phenelzine | 15   | mg        | tid       | 1y ago  |
    When the engine evaluates the patient
    Then rule NC-SER-007 fires with severity critical
    And finding NC-SER-007 is grouped under NC-SER-001

  Scenario: 5-HTP with buspirone (not in the partner list) stays silent
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | 5-HTP     | 100  | mg        | bid       | 20d ago |
      | buspirone | 10   | mg        | bid       | 1y ago  |
    When the engine evaluates the patient
    Then rule NC-SER-007 does not fire

  Scenario: 5-HTP stopped yesterday no longer counts
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end    |
      | 5-HTP      | 100  | mg        | bid       | 20d ago | 1d ago |
      | sertraline | 50   | mg        | daily     | 1y ago  |        |
    When the engine evaluates the patient
    Then rule NC-SER-007 does not fire
