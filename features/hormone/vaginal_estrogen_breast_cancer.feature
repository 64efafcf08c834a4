Feature: HR-EST-002 Low-dose vaginal estrogen after breast cancer
  Not an absolute contraindication: a shared decision with the oncologist (high on an aromatase inhibitor).

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 61

  Scenario: Estradiol 10 ug vaginal tablets twice weekly fire at moderate
    Given the patient has conditions:
      | icd10cm | status  |
      | Z85.3   | history |
    And the patient takes:
      | name      | dose | dose_unit | frequency    | route   | start   |
      | estradiol | 10   | ug        | twice weekly | vaginal | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-002 fires with severity moderate
    And rule HR-EST-001 does not fire

  Scenario: With an aromatase inhibitor the severity is raised to high
    Given the patient has conditions:
      | icd10cm | status  |
      | C50.912 | active  |
    And the patient takes:
      | name        | dose | dose_unit | frequency    | route   | start   |
      | estradiol   | 10   | ug        | twice weekly | vaginal | 90d ago |
      | anastrozole | 1    | mg        | daily        | oral    | 2y ago  |
    When the engine evaluates the patient
    Then rule HR-EST-002 fires with severity high

  Scenario: A 50 ug/day vaginal ring is systemic estrogen, not low dose (boundary)
    Given the patient has conditions:
      | icd10cm | status  |
      | Z85.3   | history |
    And the patient takes:
      | name    | dose | dose_unit | frequency | route   | start   |
      | Femring | 50   | ug        | daily     | vaginal | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-002 does not fire
    And rule HR-EST-001 fires with severity critical

  Scenario: Without a breast cancer history the rule stays silent
    Given the patient has conditions:
      | icd10cm | status |
      | N95.2   | active |
    And the patient takes:
      | name      | dose | dose_unit | frequency    | route   | start   |
      | estradiol | 10   | ug        | twice weekly | vaginal | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-002 does not fire

  Scenario: No dose recorded: the product may be systemic, so the absolute contraindication leads
    Given the patient has conditions:
      | icd10cm | status  |
      | Z85.3   | history |
    And the patient takes:
      | name      | route   | start   |
      | estradiol | vaginal | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-001 fires with severity critical
    And finding HR-EST-002 is grouped under HR-EST-001
