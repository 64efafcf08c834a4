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

  Scenario: An uncomplicated delivery 10 days ago fires at critical (MEC category 4 before 21 days postpartum)
    Given the patient has conditions:
      | icd10cm | status  | onset   |
      | O80     | history | 10d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical

  Scenario: A caesarean section procedure 10 days ago fires at critical
    Given the patient has conditions:
      | snomed   | text             | status  | onset   |
      | 11466000 | Cesarean section | history | 10d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical

  Scenario: A birth 20 days ago still fires (the 20th day after childbirth is < 21 days)
    Given the patient has conditions:
      | icd10cm | status  | onset   |
      | Z37.0   | history | 20d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical

  Scenario: A birth 21 days ago stays silent (boundary: the 21st day after childbirth is not < 21 days)
    Given the patient has conditions:
      | icd10cm | status  | onset   |
      | O80     | history | 21d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-060 does not fire

  Scenario: A birth 30 days ago stays silent (21-42 days with other risk factors is category 3, not assessed)
    Given the patient has conditions:
      | snomed   | text             | status  | onset   |
      | 11466000 | Cesarean section | history | 30d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-060 does not fire

  Scenario: A postpartum follow-up visit 5 days ago is not read as a birth (Z39.2 is dated at the visit)
    Given the patient has conditions:
      | icd10cm | status  | onset  |
      | Z39.2   | history | 5d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-060 does not fire

  Scenario: A caesarean section with no date is not an alert: the rule is listed as not assessed
    Given the patient has conditions:
      | text                         | status  |
      | history of caesarean section | history |
    When the engine evaluates the patient
    Then rule HR-CHC-060 cannot be assessed
    And the cannot-assess reason mentions "onset date"
    And there are no findings

  Scenario: An undated caesarean does not hide a category 4 condition that is on record
    Given the patient has conditions:
      | icd10cm | text                         | status  |
      |         | history of caesarean section | history |
      | G43.109 | Migraine with aura           | active  |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical
