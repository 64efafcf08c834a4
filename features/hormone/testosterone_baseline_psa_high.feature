Feature: HR-TST-021 High PSA before starting testosterone without urological evaluation

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 58

  Scenario: A pre-start PSA of 4.5 fires at high
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 30d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2857-1 | 4.5   | ng/mL | 60d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-021 fires with severity high

  Scenario: PSA 3.4 fires in a higher-risk man and not otherwise
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 30d ago |
    And the patient has notes:
      | kind                        | date   | value                          |
      | prostate_cancer_risk_factor | 1y ago | father had prostate cancer     |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2857-1 | 3.4   | ng/mL | 60d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-021 fires with severity high

  Scenario: PSA 3.4 without a risk factor stays silent
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 30d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2857-1 | 3.4   | ng/mL | 60d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-021 does not fire

  Scenario: A documented urological evaluation stays silent
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 30d ago |
    And the patient has notes:
      | kind               | date    |
      | urology_evaluation | 45d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2857-1 | 4.5   | ng/mL | 60d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-021 does not fire

  Scenario: A planned start with PSA 5.0 fires
    Given the patient has notes:
      | kind                 | date   |
      | testosterone_planned | 3d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2857-1 | 5.0   | ng/mL | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-021 fires with severity high

  Scenario: No PSA before the start gives a cannot-assess finding
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 30d ago |
    When the engine evaluates the patient
    Then rule HR-TST-021 is reported as cannot assess
    And the cannot-assess reason mentions "no Prostate specific antigen (PSA) result"
