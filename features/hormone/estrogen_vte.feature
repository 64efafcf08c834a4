Feature: HR-EST-003 Systemic estrogen with prior venous thromboembolism or thrombophilia

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 54

  Scenario: Oral estradiol after a deep vein thrombosis fires at critical
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 30d ago |
    And the patient has conditions:
      | icd10cm | status  |
      | Z86.718 | history |
    When the engine evaluates the patient
    Then rule HR-EST-003 fires with severity critical

  Scenario: Transdermal estradiol with factor V Leiden (free text) still fires
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route       | start   |
      | estradiol | 50   | ug        | daily     | transdermal | 30d ago |
    And the patient has conditions:
      | text                    |
      | factor V Leiden carrier |
    When the engine evaluates the patient
    Then rule HR-EST-003 fires with severity critical

  Scenario: Low-dose vaginal estradiol is not systemic estrogen
    Given the patient takes:
      | name      | dose | dose_unit | frequency    | route   | start   |
      | estradiol | 10   | ug        | twice weekly | vaginal | 30d ago |
    And the patient has conditions:
      | icd10cm | status  |
      | I26.99  | history |
    When the engine evaluates the patient
    Then rule HR-EST-003 does not fire

  Scenario: Contraceptive ethinylestradiol is not menopausal estrogen
    Given the patient takes:
      | name                                | route | start   |
      | ethinyl estradiol / levonorgestrel  | oral  | 30d ago |
    And the patient has conditions:
      | icd10cm | status  |
      | Z86.718 | history |
    When the engine evaluates the patient
    Then rule HR-EST-003 does not fire

  Scenario: Vaginal estradiol with no dose recorded is treated as systemic
    Given the patient takes:
      | name      | route   | start   |
      | estradiol | vaginal | 30d ago |
    And the patient has conditions:
      | icd10cm | status  |
      | Z86.718 | history |
    When the engine evaluates the patient
    Then rule HR-EST-003 fires with severity critical
