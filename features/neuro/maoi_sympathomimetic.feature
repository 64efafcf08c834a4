Feature: NC-SER-010 Non-selective MAOI with a stimulant, bupropion, decongestant, dextromethorphan or meperidine

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 38

  Scenario: Phenelzine with methylphenidate fires at critical
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   |
      | phenelzine      | 15   | mg        | tid       | 1y ago  |
      | methylphenidate | 10   | mg        | bid       | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-010 fires with severity critical

  Scenario: Rasagiline (MAO-B) with methylphenidate stays silent
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   |
      | rasagiline      | 1    | mg        | daily     | 1y ago  |
      | methylphenidate | 10   | mg        | bid       | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-010 does not fire

  Scenario: Pseudoephedrine 14 days after stopping phenelzine fires (boundary)
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   | end     |
      | phenelzine      | 15   | mg        | tid       | 1y ago  | 14d ago |
      | pseudoephedrine | 60   | mg        | qid       | 2d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-010 fires with severity critical

  Scenario: Pseudoephedrine 15 days after stopping phenelzine stays silent (boundary)
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   | end     |
      | phenelzine      | 15   | mg        | tid       | 1y ago  | 15d ago |
      | pseudoephedrine | 60   | mg        | qid       | 2d ago  |         |
    When the engine evaluates the patient
    Then rule NC-SER-010 does not fire

  Scenario: Oral selegiline 10 mg/day (MAO-B dose) with amphetamine stays silent (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | route | start   |
      | selegiline | 10   | mg        | daily     | oral  | 1y ago  |
      | Adderall   | 10   | mg        | bid       |       | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-010 does not fire

  Scenario: Oral selegiline 20 mg/day with amphetamine fires
    Given the patient takes:
      | name       | dose | dose_unit | frequency | route | start   |
      | selegiline | 10   | mg        | bid       | oral  | 1y ago  |
      | Adderall   | 10   | mg        | bid       |       | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-010 fires with severity critical

  Scenario: Selegiline without a recorded route cannot be assessed
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | selegiline | 5    | mg        | daily     | 1y ago  |
      | Adderall   | 10   | mg        | bid       | 10d ago |
    When the engine evaluates the patient
    Then rule NC-SER-010 is reported as cannot assess

  Scenario: Dextromethorphan with phenelzine is one finding led by the MAOI rule
    Given the patient takes:
      | name             | dose | dose_unit | frequency | start  |
      | phenelzine       | 15   | mg        | tid       | 1y ago |
      | dextromethorphan | 30   | mg        | q6h       | 1d ago |
    When the engine evaluates the patient
    Then rule NC-SER-001 fires with severity critical
    And finding NC-SER-010 is grouped under NC-SER-001
