Feature: Patient 17 - Woman on sertraline and the combined pill adding St John's wort, 5-HTP and biotin

  St John's wort with sertraline leads the serotonergic findings (three serotonergic agents grouped
  under it); 5-HTP with sertraline is a different pair; St John's wort inducing the contraceptive is a
  different problem (contraceptive failure). Biotin with a recent TSH immunoassay is low. Sertraline was
  started about 2 months ago and a PHQ-9 of 7 is recorded, but none at the start: whether the trial is
  responding cannot be assessed (NC-AD-071, low; issue 11 titration).

  Scenario: Patient 17 gets exactly the expected findings
    Given the snapshot file "examples/patients/17-st-johns-wort-5htp-contraceptive-biotin.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | NC-SER-006 | high     | fired   |
      | NC-SER-011 | moderate | fired   |
      | NC-SER-007 | high     | fired   |
      | NC-SER-106 | high     | fired   |
      | HR-THY-041 | low      | fired   |
      | NC-AD-071  | low      | cannot_assess |
    And finding NC-SER-011 is grouped under NC-SER-006
    And rule NC-AD-039 does not fire
    And rule NC-SCL-037 does not fire
