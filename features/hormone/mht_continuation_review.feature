Feature: HR-EST-078 Continuing systemic MHT at an older age with no recorded review or dose change for a year
  Issue 11: a lowest-effective-dose review, asked only where it is pertinent (65 or over, or 60 or over by
  mouth), only after a year with no start or dose change, and silenced by a recorded review. Complementary to
  HR-EST-010 (started late), which looks at the first 180 days of a course.

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: A woman of 66 on oral estradiol for 3 years, no dose change and no review, fires at info
    Given a female patient aged 66
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 fires with severity info
    And rule HR-EST-010 does not fire

  Scenario: Transdermal estradiol at 70 fires too (65 or over on any systemic route)
    Given a female patient aged 70
    And the patient takes:
      | name      | dose | dose_unit | frequency   | route       | start  |
      | estradiol | 50   | ug        | twice weekly | transdermal | 5y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 fires with severity info

  Scenario: A medication review procedure 100 days ago silences it
    Given a female patient aged 66
    And the patient has conditions:
      | snomed    | text                   | status  | onset    |
      | 314530002 | Medication review done | history | 100d ago |
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: An uncoded HRT review recorded 200 days ago silences it
    Given a female patient aged 66
    And the patient has conditions:
      | text       | status  | onset    |
      | HRT review | history | 200d ago |
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: A structured MHT review note 300 days ago silences it
    Given a female patient aged 66
    And the patient has notes:
      | kind       | value                           | date     |
      | mht_review | benefits and risks reviewed     | 300d ago |
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: A structured medication review note 30 days ago silences it
    Given a female patient aged 66
    And the patient has notes:
      | kind              | value                       | date    |
      | medication_review | all medicines reviewed      | 30d ago |
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: A review 365 days ago still silences it (boundary)
    Given a female patient aged 66
    And the patient has conditions:
      | snomed    | status  | onset    |
      | 182836005 | history | 365d ago |
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: A review 366 days ago no longer silences it (boundary)
    Given a female patient aged 66
    And the patient has conditions:
      | snomed    | status  | onset    |
      | 182836005 | history | 366d ago |
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 fires with severity info

  Scenario: A medication review that is only due does not silence it
    Given a female patient aged 66
    And the patient has conditions:
      | text                  | status | onset   |
      | Medication review due | active | 10d ago |
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 fires with severity info

  Scenario: A dose change 3 months ago is a review that happened
    Given a female patient aged 66
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  | last_dose_change |
      | estradiol | 0.5  | mg        | daily     | oral  | 3y ago | 90d ago          |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: Last start or dose change 365 days ago stays silent (boundary)
    Given a female patient aged 66
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start    |
      | estradiol | 1    | mg        | daily     | oral  | 365d ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: Last start or dose change 366 days ago fires (boundary)
    Given a female patient aged 66
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start    |
      | estradiol | 1    | mg        | daily     | oral  | 366d ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 fires with severity info

  Scenario: A woman of 52 on transdermal estradiol is not asked about
    Given a female patient aged 52
    And the patient takes:
      | name      | dose | dose_unit | frequency    | route       | start  |
      | estradiol | 50   | ug        | twice weekly | transdermal | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: A woman of 62 on transdermal estradiol is not asked about (the route is already transdermal)
    Given a female patient aged 62
    And the patient takes:
      | name      | dose | dose_unit | frequency    | route       | start  |
      | estradiol | 50   | ug        | twice weekly | transdermal | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: Oral estradiol at 60 fires (boundary)
    Given a female patient aged 60
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 fires with severity info

  Scenario: Oral estradiol at 59 stays silent (boundary)
    Given a female patient aged 59
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: Transdermal estradiol at 65 fires (boundary)
    Given a female patient aged 65
    And the patient takes:
      | name      | dose | dose_unit | frequency    | route       | start  |
      | estradiol | 50   | ug        | twice weekly | transdermal | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 fires with severity info

  Scenario: Transdermal estradiol at 64 stays silent (boundary)
    Given a female patient aged 64
    And the patient takes:
      | name      | dose | dose_unit | frequency    | route       | start  |
      | estradiol | 50   | ug        | twice weekly | transdermal | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: Low-dose vaginal estradiol is not systemic MHT
    Given a female patient aged 70
    And the patient takes:
      | name      | dose | dose_unit | frequency    | route   | start  |
      | estradiol | 10   | ug        | twice weekly | vaginal | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: Combined hormonal contraception is not MHT
    Given a female patient aged 61
    And the patient takes:
      | name                                           | start  |
      | levonorgestrel / ethinyl estradiol oral tablet | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: A man on transdermal estradiol (prostate cancer therapy) is not asked about MHT
    Given a male patient aged 70
    And the patient takes:
      | name      | dose | dose_unit | frequency    | route       | start  |
      | estradiol | 100  | ug        | twice weekly | transdermal | 2y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: Gender-affirming estradiol is left to specialist care
    Given a female patient aged 66
    And the patient has conditions:
      | icd10cm | status |
      | F64.0   | active |
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 2    | mg        | daily     | oral  | 3y ago |
    When the engine evaluates the patient
    Then rule HR-EST-078 does not fire

  Scenario: Started 60 days ago at 66 is HR-EST-010's late initiation, not this review
    Given a female patient aged 66
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start   |
      | estradiol | 1    | mg        | daily     | oral  | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-010 fires with severity moderate
    And rule HR-EST-078 does not fire

  Scenario: An undated estradiol is a coverage note, not a finding
    Given a female patient aged 66
    And the patient takes:
      | name      | dose | dose_unit | frequency | route |
      | estradiol | 1    | mg        | daily     | oral  |
    When the engine evaluates the patient
    Then rule HR-EST-078 cannot be assessed
    And the cannot-assess reason mentions "dose-change date of estradiol not recorded"
    And the findings are exactly:
      | rule       | severity | outcome       |
      | HR-EST-007 | high     | fired         |
      | HR-EST-010 | low      | cannot_assess |
