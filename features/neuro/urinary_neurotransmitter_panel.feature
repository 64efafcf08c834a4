Feature: NC-UNT-055 Urinary neurotransmitter panel used to guide treatment

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 39

  Scenario: A supplement started 60 days after a urine GABA panel fires at moderate (boundary)
    Given the patient has results:
      | name | value | unit            | specimen | collected |
      | GABA | 2.1   | ug/g creatinine | urine    | 100d ago  |
    And the patient takes:
      | name  | dose | dose_unit | frequency | start   |
      | 5-HTP | 100  | mg        | bid       | 40d ago |
    When the engine evaluates the patient
    Then rule NC-UNT-055 fires with severity moderate

  Scenario: A supplement started 61 days after the panel stays silent (boundary)
    Given the patient has results:
      | name | value | unit            | specimen | collected |
      | GABA | 2.1   | ug/g creatinine | urine    | 100d ago  |
    And the patient takes:
      | name  | dose | dose_unit | frequency | start   |
      | 5-HTP | 100  | mg        | bid       | 39d ago |
    When the engine evaluates the patient
    Then rule NC-UNT-055 does not fire

  Scenario: An indication of "neurotransmitter imbalance" fires without a new medication
    Given the patient has results:
      | name      | value | unit            | specimen | collected |
      | serotonin | 80    | ug/g creatinine | urine    | 30d ago   |
    And the patient has notes:
      | kind                                  | date    |
      | neurotransmitter_imbalance_indication | 20d ago |
    When the engine evaluates the patient
    Then rule NC-UNT-055 fires with severity moderate

  Scenario: Urine catecholamines for a pheochromocytoma work-up are excluded
    Given the patient has results:
      | name           | value | unit            | specimen | collected |
      | norepinephrine | 80    | ug/g creatinine | urine    | 30d ago   |
    And the patient has conditions:
      | text                             |
      | Suspected pheochromocytoma       |
    And the patient takes:
      | name     | dose | dose_unit | frequency | start   |
      | doxazosin | 1   | mg        | daily     | 10d ago |
    When the engine evaluates the patient
    Then rule NC-UNT-055 does not fire

  Scenario: Urine 5-HIAA with a documented tumour work-up is excluded
    Given the patient has results:
      | name   | value | unit            | specimen | collected |
      | 5-HIAA | 6     | ug/g creatinine | urine    | 30d ago   |
    And the patient has notes:
      | kind          | date    |
      | tumour_workup | 31d ago |
    And the patient takes:
      | name    | start   |
      | 5-HTP   | 10d ago |
    When the engine evaluates the patient
    Then rule NC-UNT-055 does not fire

  Scenario: A panel older than a year does not count (boundary)
    Given the patient has results:
      | name | value | unit            | specimen | collected |
      | GABA | 2.1   | ug/g creatinine | urine    | 366d ago  |
    And the patient has notes:
      | kind                                  | date    |
      | neurotransmitter_imbalance_indication | 20d ago |
    When the engine evaluates the patient
    Then rule NC-UNT-055 does not fire

  Scenario: A supplement without a start date cannot be assessed
    Given the patient has results:
      | name | value | unit            | specimen | collected |
      | GABA | 2.1   | ug/g creatinine | urine    | 100d ago  |
    And the patient takes:
      | name  | dose | dose_unit | frequency |
      | 5-HTP | 100  | mg        | bid       |
    When the engine evaluates the patient
    Then rule NC-UNT-055 is reported as cannot assess
