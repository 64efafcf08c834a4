Feature: NC-SER-004 Serotonergic antidepressant with tramadol, tapentadol or meperidine

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 55

  Scenario: Sertraline with tramadol fires at high
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 100  | mg        | daily     | 1y ago  |
      | tramadol   | 50   | mg        | qid       | 5d ago  |
    When the engine evaluates the patient
    Then rule NC-SER-004 fires with severity high

  Scenario: Bupropion adds seizure emphasis without changing the severity
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start  |
      | amitriptyline | 50 | mg        | nightly   | 1y ago |
      | tapentadol  | 50   | mg        | bid       | 5d ago |
      | bupropion   | 150  | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-SER-004 fires with severity high

  Scenario: Codeine is not a tramadol-type opioid
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | sertraline | 100  | mg        | daily     | 1y ago |
      | codeine    | 30   | mg        | qid       | 5d ago |
    When the engine evaluates the patient
    Then rule NC-SER-004 does not fire

  Scenario: Tramadol stopped before today no longer counts
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end    |
      | sertraline | 100  | mg        | daily     | 1y ago  |        |
      | tramadol   | 50   | mg        | qid       | 20d ago | 1d ago |
    When the engine evaluates the patient
    Then rule NC-SER-004 does not fire

  Scenario: Three serotonergic agents are grouped under the tramadol finding
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start  |
      | sertraline  | 100  | mg        | daily     | 1y ago |
      | tramadol    | 50   | mg        | qid       | 5d ago |
      | sumatriptan | 50   | mg        | once      | 1y ago |
    When the engine evaluates the patient
    Then rule NC-SER-004 fires with severity high
    And finding NC-SER-011 is grouped under NC-SER-004
