Feature: HR-TST-019 High hematocrit before starting testosterone

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 48

  Scenario: A pre-start hematocrit of 49 % fires at moderate
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 10d ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 49    | %    | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-019 fires with severity moderate

  Scenario: A pre-start hematocrit of exactly 48 % is not above the threshold (boundary)
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 10d ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 48    | %    | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-019 does not fire

  Scenario: At high altitude 49 % is below the 50 % threshold
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 10d ago |
    And the patient has notes:
      | kind                    | date   |
      | high_altitude_residence | 1y ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 49    | %    | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-019 does not fire

  Scenario: At high altitude 51 % fires
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 10d ago |
    And the patient has notes:
      | kind                    | date   |
      | high_altitude_residence | 1y ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 0.51  | L/L  | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-019 fires with severity moderate

  Scenario: Started 31 days ago is no longer a new start (boundary)
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 31d ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 49    | %    | 40d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-019 does not fire

  Scenario: A planned start with a high hematocrit fires
    Given the patient has notes:
      | kind                 | date   |
      | testosterone_planned | 5d ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 49.5  | %    | 5d ago    |
    When the engine evaluates the patient
    Then rule HR-TST-019 fires with severity moderate

  Scenario: No hematocrit before the start gives a cannot-assess finding
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 10d ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 47    | %    | 2d ago    |
    When the engine evaluates the patient
    Then rule HR-TST-019 is reported as cannot assess
    And the cannot-assess reason mentions "before"
