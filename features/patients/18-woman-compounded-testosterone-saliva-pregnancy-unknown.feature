Feature: Patient 18 - Premenopausal woman on compounded testosterone cream for fatigue, pregnancy status unknown

  Testosterone is a teratogen and pregnancy status is unknown in a woman of childbearing potential
  (high). Off-label use in a woman (no HSDD, compounded, serum level above the female range), the
  compounded product, and the saliva panel (with the specimen mismatch grouped under it) are moderate.
  No hematocrit is on record while on testosterone: cannot assess. Male-only monitoring rules stay silent.

  Scenario: Patient 18 gets exactly the expected findings
    Given the snapshot file "examples/patients/18-woman-compounded-testosterone-saliva-pregnancy-unknown.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome       |
      | GN-PRG-056 | high     | fired         |
      | HR-TST-029 | moderate | fired         |
      | HR-CMP-012 | moderate | fired         |
      | HR-LAB-013 | moderate | fired         |
      | GN-DQ-003  | moderate | fired         |
      | HR-TST-018 | moderate | cannot_assess |
    And finding GN-DQ-003 is grouped under HR-LAB-013
    And rule HR-TST-023 does not fire
    And rule HR-TST-024 does not fire
    And rule HR-TST-026 does not fire
    And rule HR-TST-017 does not fire
    And rule GN-DQ-001 does not fire
