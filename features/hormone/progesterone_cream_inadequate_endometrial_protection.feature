Feature: HR-EST-009 Topical progesterone as the only endometrial protection
  Topical progesterone is not endometrial protection; this finding leads over unopposed estrogen (HR-EST-007).

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 53

  Scenario: Estradiol with progesterone cream and a uterus fires at high and groups HR-EST-007
    Given the patient's uterus is present
    And the patient takes:
      | name               | dose | dose_unit | frequency | route       | start   |
      | estradiol          | 1    | mg        | daily     | oral        | 60d ago |
      | progesterone cream | 20   | mg        | daily     | topical     | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-009 fires with severity high
    And finding HR-EST-007 is grouped under HR-EST-009

  Scenario: Compounded progesterone cream with a compounded Biest cream fires too
    Given the patient's uterus is present
    And the patient takes:
      | name               | route   | start   | compounded |
      | Biest cream        | topical | 60d ago | yes        |
      | progesterone cream | topical | 60d ago | yes        |
    When the engine evaluates the patient
    Then rule HR-EST-009 fires with severity high

  Scenario: Oral micronised progesterone alongside the cream gives protection
    Given the patient's uterus is present
    And the patient takes:
      | name               | dose | dose_unit | frequency | route   | start   |
      | estradiol          | 1    | mg        | daily     | oral    | 60d ago |
      | progesterone cream | 20   | mg        | daily     | topical | 60d ago |
      | progesterone       | 100  | mg        | daily     | oral    | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-009 does not fire
    And rule HR-EST-007 does not fire

  Scenario: Without a uterus the cream does not matter for the endometrium
    Given the patient's uterus is absent
    And the patient takes:
      | name               | dose | dose_unit | frequency | route   | start   |
      | estradiol          | 1    | mg        | daily     | oral    | 60d ago |
      | progesterone cream | 20   | mg        | daily     | topical | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-009 does not fire

  Scenario: Uterus status not recorded in a woman: the uterus is presumed present and it fires
    Given the patient takes:
      | name               | dose | dose_unit | frequency | route   | start   |
      | estradiol          | 1    | mg        | daily     | oral    | 60d ago |
      | progesterone cream | 20   | mg        | daily     | topical | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-009 fires with severity high
    And rule HR-EST-008 does not fire
