Feature: HR-CHC-079 Combined hormonal contraception at 35 or over in a current smoker (CDC MEC category 3)

  CDC MEC 2024: combined hormonal contraception at 35 or over in a smoker of fewer than 15 cigarettes a day is
  category 3; 15 or more a day is category 4 (HR-CHC-060); under 35 it is category 2.  A smoking status counts
  when recorded in the last 2 years; with none, the rule cannot assess and says so only in the coverage section.

  Background:
    Given the evaluation date is 2026-11-21
    And the patient takes:
      | name                                           | start  |
      | levonorgestrel / ethinyl estradiol oral tablet | 1y ago |

  Scenario: A current smoker of 38 whose amount is not recorded fires at high
    Given a female patient aged 38
    And the patient has smoking records:
      | status  | date    | answer                   |
      | current | 90d ago | Current every day smoker |
    When the engine evaluates the patient
    Then rule HR-CHC-079 fires with severity high
    And rule HR-CHC-060 does not fire

  Scenario: 10 cigarettes a day at 38 fires at high
    Given a female patient aged 38
    And the patient has smoking records:
      | status  | per_day | date    |
      | current | 10      | 90d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-079 fires with severity high

  Scenario: At 35 a current smoker fires (boundary)
    Given a female patient aged 35
    And the patient has smoking records:
      | status  | date    |
      | current | 90d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-079 fires with severity high

  Scenario: At 34 a current smoker stays silent (category 2)
    Given a female patient aged 34
    And the patient has smoking records:
      | status  | date    |
      | current | 90d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-079 does not fire
    And rule HR-CHC-060 does not fire

  Scenario: 15 a day at 38 is category 4: HR-CHC-060 fires instead
    Given a female patient aged 38
    And the patient has smoking records:
      | status  | per_day | date    |
      | current | 15      | 90d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-079 does not fire
    And rule HR-CHC-060 fires with severity critical

  Scenario: A former smoker of 38 stays silent
    Given a female patient aged 38
    And the patient has smoking records:
      | status | date    | answer        |
      | former | 90d ago | Former smoker |
    When the engine evaluates the patient
    Then rule HR-CHC-079 does not fire

  Scenario: A never smoker of 38 stays silent
    Given a female patient aged 38
    And the patient has smoking records:
      | status | date    |
      | never  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-CHC-079 does not fire

  Scenario: The latest status wins: a smoker who is recorded as a former smoker since stays silent
    Given a female patient aged 38
    And the patient has smoking records:
      | status  | date     |
      | current | 400d ago |
      | former  | 30d ago  |
    When the engine evaluates the patient
    Then rule HR-CHC-079 does not fire

  Scenario: A smoking status 3 years old is not current: cannot assess, as a coverage note only
    Given a female patient aged 38
    And the patient has smoking records:
      | status  | date     |
      | current | 3y ago   |
    When the engine evaluates the patient
    Then rule HR-CHC-079 cannot be assessed
    And the cannot-assess reason mentions "no smoking status within 730 days"
    And rule HR-CHC-060 does not fire
    And no finding is above moderate

  Scenario: No smoking status at 38 on the pill: cannot assess, no finding (no alert for every woman on the pill)
    Given a female patient aged 38
    When the engine evaluates the patient
    Then rule HR-CHC-079 cannot be assessed
    And the cannot-assess reason mentions "no smoking status on record"
    And there are no findings

