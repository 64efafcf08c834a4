Feature: HR-TST-016 Testosterone with prostate cancer or male breast cancer

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Testosterone with prostate cancer fires at critical
    Given a male patient aged 66
    And the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 1y ago |
    And the patient has conditions:
      | icd10cm | status |
      | C61     | active |
    When the engine evaluates the patient
    Then rule HR-TST-016 fires with severity critical

  Scenario: Testosterone in a man with a history of breast cancer fires at critical
    Given a male patient aged 59
    And the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 1y ago |
    And the patient has conditions:
      | icd10cm | status  |
      | Z85.3   | history |
    When the engine evaluates the patient
    Then rule HR-TST-016 fires with severity critical

  Scenario: Benign prostatic hyperplasia is not prostate cancer
    Given a male patient aged 66
    And the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 1y ago |
    And the patient has conditions:
      | icd10cm | status |
      | N40.0   | active |
    When the engine evaluates the patient
    Then rule HR-TST-016 does not fire

  Scenario: Breast cancer with sex not recorded cannot be assessed
    Given an unknown-sex patient aged 59
    And the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 1y ago |
    And the patient has conditions:
      | icd10cm | status  |
      | Z85.3   | history |
    When the engine evaluates the patient
    Then rule HR-TST-016 is reported as cannot assess
    And the cannot-assess reason mentions "sex not recorded"
