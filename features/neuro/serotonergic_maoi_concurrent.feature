Feature: NC-SER-001 MAOI with a serotonergic drug

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 45

  Scenario: Phenelzine with sertraline fires at critical
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | phenelzine | 15   | mg        | tid       | 1y ago  |
      | sertraline | 50   | mg        | daily     | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-001 fires with severity critical

  Scenario: Rasagiline (MAO-B inhibitor) with sertraline is rated high, not critical
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | rasagiline | 1    | mg        | daily     | 1y ago  |
      | sertraline | 50   | mg        | daily     | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-001 fires with severity high

  Scenario: Oral selegiline 10 mg/day is still MAO-B selective (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | route | start   |
      | selegiline | 5    | mg        | bid       | oral  | 1y ago  |
      | sertraline | 50   | mg        | daily     |       | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-001 fires with severity high

  Scenario: Oral selegiline 15 mg/day is no longer selective and stays critical (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | route | start   |
      | selegiline | 5    | mg        | tid       | oral  | 1y ago  |
      | sertraline | 50   | mg        | daily     |       | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-001 fires with severity critical

  Scenario: Transdermal selegiline (Emsam) is non-selective and stays critical
    Given the patient takes:
      | name              | dose | dose_unit | frequency | route       | start   |
      | selegiline (Emsam) | 6    | mg        | daily     | transdermal | 1y ago  |
      | sertraline        | 50   | mg        | daily     |             | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-001 fires with severity critical

  Scenario: Selegiline without a recorded route keeps the critical severity (no guess)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | selegiline | 5    | mg        | daily     | 1y ago  |
      | sertraline | 50   | mg        | daily     | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-001 fires with severity critical

  Scenario: Tramadol with sertraline and an MAOI gives one lead finding
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | phenelzine | 15   | mg        | tid       | 1y ago  |
      | sertraline | 50   | mg        | daily     | 10d ago |
      | tramadol   | 50   | mg        | qid       | 3d ago  |
    When the engine evaluates the patient
    Then rule NC-SER-001 fires with severity critical
    And finding NC-SER-004 is grouped under NC-SER-001

  Scenario: An MAOI whose serotonergic partner was stopped is not concurrent use
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | phenelzine | 15   | mg        | tid       | 5d ago  |         |
      | sertraline | 50   | mg        | daily     | 1y ago  | 20d ago |
    When the engine evaluates the patient
    Then rule NC-SER-001 does not fire

  Scenario: Lithium is not counted as an MAOI partner (uncertain in the catalogue)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | tranylcypromine   | 10   | mg        | bid       | 1y ago |
      | lithium carbonate | 400  | mg        | bid       | 1y ago |
    When the engine evaluates the patient
    Then rule NC-SER-001 does not fire
