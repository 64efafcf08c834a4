Feature: NC-SER-006 St John's wort with a serotonergic drug and NC-SER-106 with a CYP3A4/P-gp substrate

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 32

  Scenario: St John's wort with sertraline fires at high
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   |
      | St John's wort  | 300  | mg        | tid       | 30d ago |
      | sertraline      | 50   | mg        | daily     | 1y ago  |
    When the engine evaluates the patient
    Then rule NC-SER-006 fires with severity high

  Scenario: St John's wort with phenelzine is grouped under the MAOI finding
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   |
      | St John's wort  | 300  | mg        | tid       | 30d ago |
      | phenelzine      | 15   | mg        | tid       | 1y ago  |
    When the engine evaluates the patient
    Then rule NC-SER-001 fires with severity critical
    And finding NC-SER-006 is grouped under NC-SER-001

  Scenario: St John's wort alone stays silent
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   |
      | St John's wort  | 300  | mg        | tid       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-SER-006 does not fire
    And rule NC-SER-106 does not fire

  Scenario: St John's wort with a combined oral contraceptive fires the induction rule at high
    Given the patient takes:
      | name                               | route | start   |
      | ethinyl estradiol / levonorgestrel | oral  | 2y ago  |
      | hypericum                          |       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-SER-106 fires with severity high

  Scenario: St John's wort with warfarin fires the induction rule at high
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   |
      | St John's wort  | 300  | mg        | tid       | 30d ago |
      | warfarin        | 5    | mg        | daily     | 2y ago  |
    When the engine evaluates the patient
    Then rule NC-SER-106 fires with severity high

  Scenario: The levonorgestrel intrauterine system is not induced (local action)
    Given the patient takes:
      | name            | route        | start   |
      | Mirena          | intrauterine | 2y ago  |
      | St John's wort  |              | 30d ago |
    When the engine evaluates the patient
    Then rule NC-SER-106 does not fire

  Scenario: Levonorgestrel without a recorded route is counted (the exclusion needs the route)
    Given the patient takes:
      | name            | start   |
      | levonorgestrel  | 2y ago  |
      | St John's wort  | 30d ago |
    When the engine evaluates the patient
    Then rule NC-SER-106 fires with severity high
