Feature: HR-EST-007 Unopposed systemic estrogen with an intact uterus

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Estradiol without a progestogen in a woman with a uterus fires at high
    Given a female patient aged 52
    And the patient's uterus is present
    And the patient takes:
      | name      | dose | dose_unit | frequency | route       | start   |
      | estradiol | 50   | ug        | daily     | transdermal | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 fires with severity high

  Scenario: Estradiol with oral micronised progesterone is opposed
    Given a female patient aged 52
    And the patient's uterus is present
    And the patient takes:
      | name         | dose | dose_unit | frequency | route       | start   |
      | estradiol    | 50   | ug        | daily     | transdermal | 90d ago |
      | progesterone | 100  | mg        | daily     | oral        | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 does not fire

  Scenario: Progesterone cream does not protect the endometrium
    Given a female patient aged 52
    And the patient's uterus is present
    And the patient takes:
      | name               | route   | start   |
      | estradiol gel      | transdermal | 90d ago |
      | progesterone cream | topical | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 fires with severity high
    And finding HR-EST-007 is grouped under HR-EST-009

  Scenario: After hysterectomy estrogen alone is appropriate
    Given a female patient aged 52
    And the patient's uterus is absent
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 does not fire

  Scenario: A woman with no hysterectomy on record is presumed to have a uterus, so it fires at high
    Given a female patient aged 52
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 fires with severity high
    And rule HR-EST-008 does not fire

  Scenario: Uterus status unknown outside that presumption is reported by HR-EST-008, not silence
    Given an other patient aged 52
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 cannot be assessed
    And the cannot-assess reason mentions "uterus status"
    And rule HR-EST-008 fires with severity moderate

  Scenario: A coded hysterectomy establishes that the uterus is absent
    Given a female patient aged 52
    And the patient has conditions:
      | icd10cm | status  |
      | Z90.710 | history |
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 does not fire
    And rule HR-EST-008 does not fire

  Scenario: Conjugated estrogens with bazedoxifene need no progestogen
    Given a female patient aged 55
    And the patient's uterus is present
    And the patient takes:
      | name   | dose | dose_unit | frequency | route | start   |
      | Duavee | 1    | mg        | daily     | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 does not fire
