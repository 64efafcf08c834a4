Feature: HR-EST-010 Systemic MHT started at 60 or over, or more than 10 years after menopause

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Estradiol started 60 days ago at age 62 (birth date recorded) fires at moderate
    Given a female patient aged 62
    And the patient's birth date is 1964-03-01
    And the patient takes:
      | name      | dose | dose_unit | frequency | route       | start   |
      | estradiol | 50   | ug        | daily     | transdermal | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-010 fires with severity moderate

  Scenario: Turning 60 on the start date counts (boundary)
    Given a female patient aged 60
    And the patient's birth date is 1966-09-22
    And the patient takes:
      | name      | dose | dose_unit | frequency | route       | start   |
      | estradiol | 50   | ug        | daily     | transdermal | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-010 fires with severity moderate

  Scenario: Aged 59 at the start and 5 years after menopause stays silent (boundary)
    Given a female patient aged 60
    And the patient's birth date is 1966-09-23
    And the patient's menopause date is 2021-09-01
    And the patient takes:
      | name      | dose | dose_unit | frequency | route       | start   |
      | estradiol | 50   | ug        | daily     | transdermal | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-010 does not fire

  Scenario: More than 10 years after menopause fires even before age 60
    Given a female patient aged 56
    And the patient's menopause date is 2015-06-01
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 30d ago |
    When the engine evaluates the patient
    Then rule HR-EST-010 fires with severity moderate

  Scenario: Started 181 days ago is not a new initiation (boundary)
    Given a female patient aged 66
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start    |
      | estradiol | 1    | mg        | daily     | oral  | 181d ago |
    When the engine evaluates the patient
    Then rule HR-EST-010 does not fire

  Scenario: Age 60 now without a birth date: the age at start (59 or 60) cannot be decided
    Given a female patient aged 60
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 30d ago |
    When the engine evaluates the patient
    Then rule HR-EST-010 is reported as cannot assess
    And the cannot-assess reason mentions "birth date not recorded"

  Scenario: Aged 52 with no menopause date: reported as cannot assess at low severity
    Given a female patient aged 52
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 30d ago |
    When the engine evaluates the patient
    Then rule HR-EST-010 is reported as cannot assess
    And the cannot-assess reason mentions "menopause date not recorded"
