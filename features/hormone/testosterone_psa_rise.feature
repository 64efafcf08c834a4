Feature: HR-TST-020 PSA rise, confirmed PSA above 4 or abnormal prostate examination on testosterone

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 61

  Scenario: A rise of 1.7 ng/mL within the first year fires at high
    Given the patient takes:
      | name     | route       | start    |
      | AndroGel | transdermal | 200d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2857-1 | 0.8   | ng/mL | 210d ago  |
      | 2857-1 | 2.5   | ng/mL | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-020 fires with severity high

  Scenario: A rise of exactly 1.4 ng/mL is not above the threshold (boundary)
    Given the patient takes:
      | name     | route       | start    |
      | AndroGel | transdermal | 200d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2857-1 | 0.8   | ng/mL | 210d ago  |
      | 2857-1 | 2.2   | ng/mL | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-020 does not fire

  Scenario: The early-rise criterion no longer applies after the first year
    Given the patient takes:
      | name     | route       | start    |
      | AndroGel | transdermal | 500d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2857-1 | 0.8   | ng/mL | 510d ago  |
      | 2857-1 | 2.5   | ng/mL | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-020 does not fire

  Scenario: Two consecutive PSA results above 4.0 fire
    Given the patient takes:
      | name     | route       | start |
      | AndroGel | transdermal | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2857-1 | 4.3   | ng/mL | 200d ago  |
      | 2857-1 | 4.5   | ng/mL | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-020 fires with severity high

  Scenario: A single PSA above 4.0 needs a repeat to confirm: cannot assess, not silence
    Given the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2857-1 | 4.6   | ng/mL | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-020 is reported as cannot assess
    And the cannot-assess reason mentions "no earlier"

  Scenario: An abnormal prostate examination fires without any PSA
    Given the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 3y ago |
    And the patient has notes:
      | kind         | date    |
      | dre_abnormal | 20d ago |
    When the engine evaluates the patient
    Then rule HR-TST-020 fires with severity high

  Scenario: No PSA at all is not a PSA rise (monitoring is HR-TST-023's finding)
    Given the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 3y ago |
    When the engine evaluates the patient
    Then rule HR-TST-020 does not fire
