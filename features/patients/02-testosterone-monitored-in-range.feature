Feature: Patient 02 - Man on testosterone with hematocrit, PSA and testosterone current and in range

  Appropriate therapy: hypogonadism confirmed by two fasting morning levels, mid-interval testosterone in
  the target range, hematocrit and PSA current and normal, no fertility plans. The only finding is the
  info-level note that the hematocrit was reported as a fraction (0.47 L/L, read as 47 %).

  Scenario: Patient 02 gets exactly the expected findings
    Given the snapshot file "examples/patients/02-testosterone-monitored-in-range.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule      | severity | outcome |
      | GN-DQ-004 | info     | fired   |
    And rule HR-TST-018 does not fire
    And rule HR-TST-020 does not fire
    And rule HR-TST-023 does not fire
    And rule HR-TST-024 does not fire
    And rule HR-TST-026 does not fire
    And rule HR-TST-017 does not fire
    And no finding is above info
