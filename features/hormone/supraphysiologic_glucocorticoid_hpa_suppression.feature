Feature: HR-ADR-052 Prolonged supraphysiologic glucocorticoid (possible HPA-axis suppression)

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 67

  Scenario: Prednisone 10 mg for 3 months fires at moderate
    Given the patient takes:
      | name       | dose | dose_unit | frequency | route | start   |
      | prednisone | 10   | mg        | daily     | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-052 fires with severity moderate

  Scenario: Prednisolone 5 mg for exactly 28 days fires (boundaries)
    Given the patient takes:
      | name         | dose | dose_unit | frequency | route | start   |
      | prednisolone | 5    | mg        | daily     | oral  | 28d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-052 fires with severity moderate

  Scenario: Prednisone 4 mg is below the threshold (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | route | start   |
      | prednisone | 4    | mg        | daily     | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-052 does not fire

  Scenario: Hydrocortisone 10 mg twice daily is 5 mg prednisone equivalent
    Given the patient takes:
      | name           | dose | dose_unit | frequency | route | start   |
      | hydrocortisone | 10   | mg        | bid       | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-052 fires with severity moderate

  Scenario: A 27-day course is too short (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | route | start   |
      | prednisone | 40   | mg        | daily     | oral  | 27d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-052 does not fire

  Scenario: Replacement therapy in adrenal insufficiency is excluded
    Given the patient has conditions:
      | icd10cm | status |
      | E27.1   | active |
    And the patient takes:
      | name           | dose | dose_unit | frequency | route | start  |
      | hydrocortisone | 10   | mg        | bid       | oral  | 5y ago |
    When the engine evaluates the patient
    Then rule HR-ADR-052 does not fire

  Scenario: Topical hydrocortisone is not a systemic glucocorticoid
    Given the patient takes:
      | name                 | route   | start  |
      | hydrocortisone cream | topical | 1y ago |
    When the engine evaluates the patient
    Then rule HR-ADR-052 does not fire

  Scenario: Dose not recorded gives a cannot-assess finding
    Given the patient takes:
      | name       | route | start   |
      | prednisone | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-052 is reported as cannot assess
    And the cannot-assess reason mentions "daily dose"
