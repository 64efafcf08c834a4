Feature: HR-LAB-015 Urine hormone metabolite panel used to change a hormone dose

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 49
    And the patient's uterus is absent

  Scenario: A dried-urine panel followed by an estradiol dose change fires at low
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route       | start  | last_dose_change |
      | estradiol | 100  | ug        | daily     | transdermal | 1y ago | 40d ago          |
    And the patient has results:
      | name          | value | unit               | specimen    | collected |
      | pregnanediol  | 150   | ng/mg creatinine   | dried_urine | 50d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-015 fires with severity low

  Scenario: A urine estradiol used to change a compounded progesterone dose fires
    Given the patient takes:
      | name               | route   | start  | last_dose_change | compounded |
      | progesterone cream | topical | 1y ago | 5d ago           | yes        |
    And the patient has results:
      | loinc  | value | unit  | specimen | collected |
      | 2243-4 | 3.2   | pg/mL | urine    | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-015 fires with severity low

  Scenario: A dose change 31 days after the panel is outside the window (boundary)
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route       | start  | last_dose_change |
      | estradiol | 100  | ug        | daily     | transdermal | 1y ago | 19d ago          |
    And the patient has results:
      | name         | value | unit             | specimen    | collected |
      | pregnanediol | 150   | ng/mg creatinine | dried_urine | 50d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-015 does not fire

  Scenario: A 24-hour urine free cortisol is a validated test, not a metabolite panel
    Given the patient takes:
      | name           | dose | dose_unit | frequency | route | start  | last_dose_change |
      | hydrocortisone | 10   | mg        | bid       | oral  | 2y ago | 10d ago          |
    And the patient has results:
      | loinc  | value | unit  | specimen | collected |
      | 2143-6 | 40    | ug/dL | urine    | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-015 does not fire

  Scenario: A panel without any recorded dose change stays silent
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route       | start  |
      | estradiol | 100  | ug        | daily     | transdermal | 1y ago |
    And the patient has results:
      | name         | value | unit             | specimen    | collected |
      | pregnanediol | 150   | ng/mg creatinine | dried_urine | 50d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-015 does not fire
