Feature: Patient 03 - Patient on levothyroxine with an in-range TSH three months ago

  Appropriate therapy: stable dose for almost two years and a TSH of 2.1 mIU/L within the 12-month window.
  No over- or under-treatment, no monitoring gap, no interaction.

  Scenario: Patient 03 gets exactly the expected findings
    Given the snapshot file "examples/patients/03-levothyroxine-stable-tsh-in-range.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule | severity | outcome |
    And rule HR-THY-031 does not fire
    And rule HR-THY-032 does not fire
    And rule HR-THY-033 does not fire
    And rule HR-THY-034 does not fire
    And rule HR-THY-035 does not fire
    And rule HR-THY-040 does not fire
    And no finding is above info
    And there are no findings
