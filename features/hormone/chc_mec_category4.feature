Feature: HR-CHC-060 Combined hormonal contraception with a CDC MEC category 4 condition

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 29
    And the patient takes:
      | name                                          | start  |
      | levonorgestrel / ethinyl estradiol oral tablet | 1y ago |

  Scenario: A prior deep vein thrombosis fires at critical
    Given the patient has conditions:
      | icd10cm | status   |
      | Z86.718 | resolved |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical

  Scenario: Migraine with aura fires at critical
    Given the patient has conditions:
      | icd10cm | status |
      | G43.109 | active |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical

  Scenario: Migraine without aura is not category 4
    Given the patient has conditions:
      | icd10cm | status |
      | G43.009 | active |
    When the engine evaluates the patient
    Then rule HR-CHC-060 does not fire

  Scenario: Blood pressure of 160 systolic fires (boundary)
    Given the patient has vital signs:
      | kind        | value | unit | taken   |
      | systolic_bp | 160   | mmHg | 20d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical

  Scenario: Blood pressure of 159/99 stays silent (boundary)
    Given the patient has vital signs:
      | kind         | value | unit | taken   |
      | systolic_bp  | 159   | mmHg | 20d ago |
      | diastolic_bp | 99    | mmHg | 20d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-060 does not fire

  Scenario: No blood pressure on record is not a category 4 finding (listed as not assessed only when stale)
    When the engine evaluates the patient
    Then rule HR-CHC-060 does not fire

  Scenario: Contraceptive ethinylestradiol stays out of the menopausal-therapy rules
    Given the patient has conditions:
      | icd10cm | status |
      | C50.911 | active |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical
    And rule HR-EST-001 does not fire

  Scenario: A current every-day smoker of 38 smoking 20 a day fires at critical (MEC category 4)
    Given a female patient aged 38
    And the patient has smoking records:
      | status  | per_day | date     | answer                   |
      | current |         | 30d ago  | Current every day smoker |
      |         | 20      | 30d ago  |                          |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical
    And rule HR-CHC-079 does not fire

  Scenario: 15 cigarettes a day at 35 fires at critical (boundaries of age and amount)
    Given a female patient aged 35
    And the patient has smoking records:
      | status  | per_day | date    |
      | current | 15      | 60d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical
    And rule HR-CHC-079 does not fire

  Scenario: 14 cigarettes a day at 38 is category 3, not 4
    Given a female patient aged 38
    And the patient has smoking records:
      | status  | per_day | date    |
      | current | 14      | 60d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-060 does not fire
    And rule HR-CHC-079 fires with severity high

  Scenario: A smoker of 20 a day at 34 is not category 4
    Given a female patient aged 34
    And the patient has smoking records:
      | status  | per_day | date    |
      | current | 20      | 60d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-060 does not fire
    And rule HR-CHC-079 does not fire

  Scenario: A smoker of 38 whose amount is not recorded is not category 4 here (HR-CHC-079 reports it)
    Given a female patient aged 38
    And the patient has smoking records:
      | status  | date    | answer                  |
      | current | 60d ago | Current some day smoker |
    When the engine evaluates the patient
    Then rule HR-CHC-060 does not fire
    And rule HR-CHC-079 fires with severity high
