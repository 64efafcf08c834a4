Feature: HR-EST-005 Hormone therapy with undiagnosed abnormal genital bleeding

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 57
    And the patient's uterus is present

  Scenario: Estradiol with active postmenopausal bleeding fires at high
    Given the patient takes:
      | name         | dose | dose_unit | frequency | route | start   |
      | estradiol    | 1    | mg        | daily     | oral  | 1y ago  |
      | progesterone | 100  | mg        | daily     | oral  | 1y ago  |
    And the patient has conditions:
      | icd10cm | status | onset   |
      | N95.0   | active | 10d ago |
    When the engine evaluates the patient
    Then rule HR-EST-005 fires with severity high

  Scenario: A progestogen alone with unexplained bleeding also fires
    Given the patient takes:
      | name                        | dose | dose_unit | frequency | route | start   |
      | medroxyprogesterone acetate | 10   | mg        | daily     | oral  | 60d ago |
    And the patient has conditions:
      | icd10cm | status |
      | N93.9   | active |
    When the engine evaluates the patient
    Then rule HR-EST-005 fires with severity high

  Scenario: Bleeding recorded as resolved does not fire
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route       | start  |
      | estradiol | 50   | ug        | daily     | transdermal | 1y ago |
      | Mirena    |      |           |           | intrauterine | 1y ago |
    And the patient has conditions:
      | icd10cm | status   |
      | N95.0   | resolved |
    When the engine evaluates the patient
    Then rule HR-EST-005 does not fire

  Scenario: Progesterone with no route recorded counts as a progestogen (missing route never hides it)
    Given the patient takes:
      | name         | start   |
      | progesterone | 60d ago |
    And the patient has conditions:
      | text                      | status |
      | postmenopausal bleeding   | active |
    When the engine evaluates the patient
    Then rule HR-EST-005 fires with severity high
