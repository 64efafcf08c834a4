Feature: HR-THY-039 Full-dose thyroid hormone start at 65 or over or with coronary disease

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Levothyroxine 100 ug started 10 days ago at 72 fires at moderate
    Given a female patient aged 72
    And the patient takes:
      | name          | dose | dose_unit | frequency | start   |
      | levothyroxine | 100  | ug        | daily     | 10d ago |
    When the engine evaluates the patient
    Then rule HR-THY-039 fires with severity moderate

  Scenario: 50 ug is not above the threshold (boundary)
    Given a female patient aged 72
    And the patient takes:
      | name          | dose | dose_unit | frequency | start   |
      | levothyroxine | 50   | ug        | daily     | 10d ago |
    When the engine evaluates the patient
    Then rule HR-THY-039 does not fire

  Scenario: Coronary artery disease at 55 fires
    Given a male patient aged 55
    And the patient has conditions:
      | icd10cm | status |
      | I25.10  | active |
    And the patient takes:
      | name          | dose  | dose_unit | frequency | start   |
      | levothyroxine | 0.1   | mg        | daily     | 10d ago |
    When the engine evaluates the patient
    Then rule HR-THY-039 fires with severity moderate

  Scenario: Started 31 days ago is no longer a new start (boundary)
    Given a female patient aged 72
    And the patient takes:
      | name          | dose | dose_unit | frequency | start   |
      | levothyroxine | 100  | ug        | daily     | 31d ago |
    When the engine evaluates the patient
    Then rule HR-THY-039 does not fire

  Scenario: A new start with no dose recorded gives a cannot-assess finding
    Given a female patient aged 72
    And the patient takes:
      | name          | start   |
      | levothyroxine | 10d ago |
    When the engine evaluates the patient
    Then rule HR-THY-039 is reported as cannot assess
    And the cannot-assess reason mentions "daily dose"
