Feature: Patient 06 - Perimenopausal woman on compounded Biest and progesterone creams titrated to saliva tests

  The progesterone cream is the only "protection" of the endometrium: the specific cream rule leads and
  the general unopposed-estrogen rule is grouped under it. Compounded products raise the bioidentical-hormone
  warning; the saliva panel raises the salivary-testing warning, which carries the generic specimen-mismatch
  note for the same results. The saliva progesterone in pg/mL is a recognised unit (no unit finding).

  Scenario: Patient 06 gets exactly the expected findings
    Given the snapshot file "examples/patients/06-perimenopause-compounded-cream-saliva-testing.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | HR-EST-009 | high     | fired   |
      | HR-EST-007 | high     | fired   |
      | HR-CMP-012 | moderate | fired   |
      | HR-LAB-013 | moderate | fired   |
      | GN-DQ-003  | moderate | fired   |
    And finding HR-EST-007 is grouped under HR-EST-009
    And finding GN-DQ-003 is grouped under HR-LAB-013
    And rule GN-DQ-001 does not fire
    And rule HR-EST-008 does not fire
    And rule HR-LAB-014 does not fire
