Feature: HR-EST-001 Systemic estrogen with a history of breast cancer
  Systemic estrogen is contraindicated with a personal history of breast cancer.

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Oral estradiol with a history of breast cancer fires at critical
    Given a female patient aged 58
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start    |
      | estradiol | 1    | mg        | daily     | oral  | 60d ago  |
    And the patient has conditions:
      | icd10cm | status  |
      | Z85.3   | history |
    When the engine evaluates the patient
    Then rule HR-EST-001 fires with severity critical

  Scenario: Low-dose vaginal estradiol is not systemic estrogen
    Given a female patient aged 58
    And the patient takes:
      | name      | dose | dose_unit | frequency     | route   | start   |
      | estradiol | 10   | ug        | twice weekly  | vaginal | 60d ago |
    And the patient has conditions:
      | icd10cm | status  |
      | Z85.3   | history |
    When the engine evaluates the patient
    Then rule HR-EST-001 does not fire

  Scenario: Contraceptive ethinylestradiol is not menopausal estrogen
    Given a female patient aged 30
    And the patient takes:
      | name                                   | route       | start   |
      | norelgestromin / ethinyl estradiol patch | transdermal | 60d ago |
    And the patient has conditions:
      | icd10cm | status  |
      | Z85.3   | history |
    When the engine evaluates the patient
    Then rule HR-EST-001 does not fire

  Scenario: Estrogen stopped yesterday is no longer active
    Given a female patient aged 58
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   | end     |
      | estradiol | 1    | mg        | daily     | oral  | 1y ago  | 1d ago  |
    And the patient has conditions:
      | icd10cm | status  |
      | C50.911 | active  |
    When the engine evaluates the patient
    Then rule HR-EST-001 does not fire

  Scenario: Estrogen ending today still counts as active (boundary)
    Given a female patient aged 58
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   | end   |
      | estradiol | 1    | mg        | daily     | oral  | 1y ago  | today |
    And the patient has conditions:
      | text                         |
      | history of breast carcinoma |
    When the engine evaluates the patient
    Then rule HR-EST-001 fires with severity critical

  Scenario: Vaginal estradiol with no dose recorded is treated as systemic (missing data never hides it)
    Given a female patient aged 58
    And the patient takes:
      | name      | route   | start   |
      | estradiol | vaginal | 60d ago |
    And the patient has conditions:
      | icd10cm | status  |
      | Z85.3   | history |
    When the engine evaluates the patient
    Then rule HR-EST-001 fires with severity critical
    And finding HR-EST-002 is grouped under HR-EST-001
