Feature: HR-EST-008 Uterus status not recorded on systemic estrogen

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Estradiol alone with the uterus status unrecorded (sex other) fires at moderate
    Given an other patient aged 51
    And the patient takes:
      | name      | dose | dose_unit | frequency | route       | start   |
      | estradiol | 50   | ug        | daily     | transdermal | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-008 fires with severity moderate

  Scenario: With an endometrial progestogen the uterus status does not matter
    Given an other patient aged 51
    And the patient takes:
      | name         | dose | dose_unit | frequency | route       | start   |
      | estradiol    | 50   | ug        | daily     | transdermal | 60d ago |
      | progesterone | 200  | mg        | daily     | oral        | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-008 does not fire

  Scenario: A recorded uterus status is not a data-quality problem
    Given a female patient aged 51
    And the patient's uterus is absent
    And the patient takes:
      | name      | dose | dose_unit | frequency | route       | start   |
      | estradiol | 50   | ug        | daily     | transdermal | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-008 does not fire

  Scenario: A progesterone cream is not protection, so the uterus status is still needed
    Given an other patient aged 51
    And the patient takes:
      | name               | route       | start   |
      | estradiol gel      | transdermal | 60d ago |
      | progesterone cream | topical     | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-008 fires with severity moderate
    And rule HR-EST-009 cannot be assessed

  Scenario: A woman with no hysterectomy on record is presumed to have a uterus: no data-quality finding
    Given a female patient aged 51
    And the patient takes:
      | name      | dose | dose_unit | frequency | route       | start   |
      | estradiol | 50   | ug        | daily     | transdermal | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-008 does not fire
    And rule HR-EST-007 fires with severity high

  Scenario: Sex not recorded either gives a cannot-assess finding, not silence
    Given an unknown-sex patient aged 51
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-008 is reported as cannot assess
    And the cannot-assess reason mentions "sex not recorded"
