Feature: Patient 04 - Patient on lithium with a 12-hour trough of 0.7 mmol/L last month and current renal, thyroid and calcium labs

  Appropriate therapy: level in the NICE optimum range taken at a valid trough time, eGFR/TSH/calcium/sodium
  all current and normal, no interacting drug. Rules that need a level within 14 days (toxicity, sample
  timing) are listed as not assessable in the coverage section but raise no finding.

  Scenario: Patient 04 gets exactly the expected findings
    Given the snapshot file "examples/patients/04-lithium-stable-current-monitoring.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule | severity | outcome |
    And rule NC-LI-021 does not fire
    And rule NC-LI-023 does not fire
    And rule NC-LI-024 does not fire
    And rule NC-LI-025 does not fire
    And rule NC-LI-027 does not fire
    And rule NC-LI-028 does not fire
    And rule NC-LI-029 does not fire
    And rule NC-LI-326 does not fire
    And no finding is above info
    And there are no findings
