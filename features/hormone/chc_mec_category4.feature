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
