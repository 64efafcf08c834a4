Feature: Patient 25 - Man with bipolar disorder on quetiapine and sertraline, no glucose or HbA1c for two years

  Metabolic monitoring on an SGA is overdue (no glucose/HbA1c within 13 months). GAD-7 16 is severe.
  Sertraline with sumatriptan is low. Quetiapine counts as a mood stabiliser, so antidepressant
  monotherapy in bipolar disorder is not flagged.

  Scenario: Patient 25 gets exactly the expected findings
    Given the snapshot file "examples/patients/25-bipolar-quetiapine-sertraline-metabolic-monitoring.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | NC-APS-053 | moderate | fired   |
      | NC-SCL-038 | moderate | fired   |
      | NC-SER-005 | low      | fired   |
    And rule NC-AD-042 does not fire
    And rule NC-SCL-037 does not fire
    And rule NC-AD-039 does not fire
