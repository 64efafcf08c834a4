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

  Scenario: After hysterectomy estrogen alone is appropriate
    Given a female patient aged 52
    And the patient's uterus is absent
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 does not fire

  Scenario: Uterus status unknown gives a cannot-assess finding, not silence
    Given a female patient aged 52
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 is reported as cannot assess
    And the cannot-assess reason mentions "uterus status"
