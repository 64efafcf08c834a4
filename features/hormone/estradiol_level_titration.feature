Feature: HR-LAB-014 MHT dose changed after a serum estradiol level

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Estradiol dose increased 10 days after a serum estradiol fires at low
    Given a female patient aged 52
    And the patient's uterus is absent
    And the patient takes:
      | name      | dose | dose_unit | frequency | route       | start  | last_dose_change |
      | estradiol | 75   | ug        | daily     | transdermal | 1y ago | 20d ago          |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2243-4 | 28    | pg/mL | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-014 fires with severity low

  Scenario: A dose change 31 days after the level is not titration to the level (boundary)
    Given a female patient aged 52
    And the patient's uterus is absent
    And the patient takes:
      | name      | dose | dose_unit | frequency | route       | start  | last_dose_change |
      | estradiol | 75   | ug        | daily     | transdermal | 1y ago | 19d ago          |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2243-4 | 28    | pg/mL | 50d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-014 does not fire

  Scenario: Under 45 (possible premature ovarian insufficiency) stays silent
    Given a female patient aged 38
    And the patient's uterus is absent
    And the patient takes:
      | name      | dose | dose_unit | frequency | route       | start  | last_dose_change |
      | estradiol | 75   | ug        | daily     | transdermal | 1y ago | 20d ago          |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2243-4 | 28    | pg/mL | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-014 does not fire

  Scenario: Gender-affirming estrogen therapy has specialist targets
    Given a female patient aged 50
    And the patient's uterus is absent
    And the patient has conditions:
      | icd10cm | status |
      | F64.0   | active |
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  | last_dose_change |
      | estradiol | 4    | mg        | daily     | oral  | 3y ago | 20d ago          |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2243-4 | 90    | pg/mL | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-014 does not fire

  Scenario: Age not recorded when the pattern is present gives a cannot-assess finding
    Given a female patient of unknown age
    And the patient's uterus is absent
    And the patient takes:
      | name      | dose | dose_unit | frequency | route       | start  | last_dose_change |
      | estradiol | 75   | ug        | daily     | transdermal | 1y ago | 20d ago          |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2243-4 | 28    | pg/mL | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-014 is reported as cannot assess
    And the cannot-assess reason mentions "age"
