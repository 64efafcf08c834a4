Feature: Patient 21 - Woman on escitalopram started on 5-HTP and DHEA after a urinary neurotransmitter panel

  5-HTP with escitalopram is high. The urinary neurotransmitter panel used to choose supplements is the
  evidence warning; its values are never interpreted, so neither a specimen-mismatch nor a unit finding is
  raised for them. DHEA is low. No potassium/magnesium on record with escitalopram: cannot assess at low.

  Scenario: Patient 21 gets exactly the expected findings
    Given the snapshot file "examples/patients/21-urine-neurotransmitter-panel-5htp-dhea.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome       |
      | NC-SER-007 | high     | fired         |
      | NC-UNT-055 | moderate | fired         |
      | HR-DHE-030 | low      | fired         |
      | NC-QT-016  | low      | cannot_assess |
    And rule GN-DQ-001 does not fire
    And rule GN-DQ-003 does not fire
    And rule NC-SER-011 does not fire
    And rule NC-AD-039 does not fire
