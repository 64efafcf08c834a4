Feature: Patient 07 - Testosterone gel with erythrocytosis, untreated severe sleep apnoea and grandchildren at home

  Four distinct problems: hematocrit above 54 %, testosterone with untreated severe OSA, an on-treatment
  level above the upper limit after steady gel use, and skin-contact exposure of young children.

  Scenario: Patient 07 gets exactly the expected findings
    Given the snapshot file "examples/patients/07-testosterone-gel-polycythaemia-untreated-osa.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | HR-TST-018 | high     | fired   |
      | HR-TST-022 | high     | fired   |
      | HR-TST-026 | moderate | fired   |
      | HR-TST-028 | moderate | fired   |
    And rule HR-TST-023 does not fire
    And rule HR-TST-024 does not fire
    And rule HR-TST-020 does not fire
    And rule HR-TST-025 does not fire
