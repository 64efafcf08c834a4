Feature: HR-TST-029 Testosterone in a woman outside the supported indication

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Testosterone cream for fatigue without HSDD fires at moderate
    Given a female patient aged 45
    And the patient takes:
      | name               | dose | dose_unit | frequency | route   | start   | indication |
      | testosterone cream | 2    | mg        | daily     | topical | 90d ago | fatigue    |
    When the engine evaluates the patient
    Then rule HR-TST-029 fires with severity moderate

  Scenario: Postmenopausal HSDD at a female dose with a level in range stays silent
    Given a female patient aged 58
    And the patient's menopause date is 2019-01-01
    And the patient has conditions:
      | icd10cm | status |
      | F52.0   | active |
    And the patient takes:
      | name         | dose | dose_unit | frequency | route       | start   |
      | testosterone | 5    | mg        | daily     | transdermal | 90d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 45    | ng/dL | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-029 does not fire

  Scenario: The same treatment from a compounding pharmacy fires
    Given a female patient aged 58
    And the patient's menopause date is 2019-01-01
    And the patient has conditions:
      | icd10cm | status |
      | F52.0   | active |
    And the patient takes:
      | name         | dose | dose_unit | frequency | route       | start   | compounded |
      | testosterone | 5    | mg        | daily     | transdermal | 90d ago | yes        |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 45    | ng/dL | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-029 fires with severity moderate

  Scenario: A level above the premenopausal range (androgen excess) fires
    Given a female patient aged 58
    And the patient's menopause date is 2019-01-01
    And the patient has conditions:
      | icd10cm | status |
      | F52.0   | active |
    And the patient takes:
      | name         | dose | dose_unit | frequency | route       | start   |
      | testosterone | 5    | mg        | daily     | transdermal | 90d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 95    | ng/dL | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-029 fires with severity moderate

  Scenario: No testosterone level in 6 months gives a cannot-assess finding
    Given a female patient aged 58
    And the patient's menopause date is 2019-01-01
    And the patient has conditions:
      | icd10cm | status |
      | F52.0   | active |
    And the patient takes:
      | name         | dose | dose_unit | frequency | route       | start   |
      | testosterone | 5    | mg        | daily     | transdermal | 90d ago |
    When the engine evaluates the patient
    Then rule HR-TST-029 is reported as cannot assess
    And the cannot-assess reason mentions "testosterone"
