Feature: HR-TST-023 Testosterone monitoring overdue

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: First year, no hematocrit 240 days after the start fires at moderate
    Given a male patient aged 45
    And the patient takes:
      | name     | route       | start    |
      | AndroGel | transdermal | 240d ago |
    When the engine evaluates the patient
    Then rule HR-TST-023 fires with severity moderate

  Scenario: First year, a hematocrit at 3 months stays silent
    Given a male patient aged 45
    And the patient takes:
      | name     | route       | start    |
      | AndroGel | transdermal | 240d ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 47    | %    | 150d ago  |
    When the engine evaluates the patient
    Then rule HR-TST-023 does not fire

  Scenario: A hematocrit before day 60 does not count as the 3-6 month check
    Given a male patient aged 45
    And the patient takes:
      | name     | route       | start    |
      | AndroGel | transdermal | 240d ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 47    | %    | 200d ago  |
    When the engine evaluates the patient
    Then rule HR-TST-023 fires with severity moderate

  Scenario: 210 days after the start is not yet overdue (boundary)
    Given a male patient aged 45
    And the patient takes:
      | name     | route       | start    |
      | AndroGel | transdermal | 210d ago |
    When the engine evaluates the patient
    Then rule HR-TST-023 does not fire

  Scenario: After the first year, a testosterone level older than 13 months fires
    Given a male patient aged 45
    And the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 4544-3 | 47    | %     | 30d ago   |
      | 2986-8 | 520   | ng/dL | 400d ago  |
    When the engine evaluates the patient
    Then rule HR-TST-023 fires with severity moderate

  Scenario: After the first year, current hematocrit and testosterone stay silent
    Given a male patient aged 45
    And the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 4544-3 | 47    | %     | 30d ago   |
      | 2986-8 | 520   | ng/dL | 395d ago  |
    When the engine evaluates the patient
    Then rule HR-TST-023 does not fire

  Scenario: A man of 60 who chose PSA monitoring without a PSA fires
    Given a male patient aged 60
    And the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 3y ago |
    And the patient has notes:
      | kind                       | date   |
      | prostate_monitoring_chosen | 2y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 4544-3 | 47    | %     | 30d ago   |
      | 2986-8 | 520   | ng/dL | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-023 fires with severity moderate

  Scenario: Start date not recorded gives a cannot-assess finding
    Given a male patient aged 45
    And the patient takes:
      | name     | route       |
      | AndroGel | transdermal |
    When the engine evaluates the patient
    Then rule HR-TST-023 is reported as cannot assess
    And the cannot-assess reason mentions "start date"
