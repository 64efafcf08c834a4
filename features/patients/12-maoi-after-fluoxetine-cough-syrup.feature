Feature: Patient 12 - MAOI started inside the fluoxetine washout, plus dextromethorphan cough syrup

  Two different drug pairs, two critical findings: phenelzine with dextromethorphan (the sympathomimetic
  rule on the same pair is grouped under the serotonergic one), and phenelzine started 2 weeks after
  fluoxetine (5-week washout). PHQ-9 18 is moderately severe.

  Scenario: Patient 12 gets exactly the expected findings
    Given the snapshot file "examples/patients/12-maoi-after-fluoxetine-cough-syrup.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | NC-SER-001 | critical | fired   |
      | NC-SER-010 | critical | fired   |
      | NC-SER-002 | critical | fired   |
      | NC-SCL-038 | moderate | fired   |
    And finding NC-SER-010 is grouped under NC-SER-001
    And rule NC-SER-011 does not fire
    And rule NC-SCL-037 does not fire
