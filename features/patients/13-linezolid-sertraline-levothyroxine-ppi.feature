Feature: Patient 13 - Inpatient on sertraline started on linezolid; raised TSH on levothyroxine with a PPI

  Linezolid (an MAO inhibitor) with sertraline is critical. TSH 5.8 on levothyroxine is under-treatment,
  and the PPI absorption interaction is escalated to moderate because TSH is above range. No symptom scale
  has ever been recorded since sertraline was started (low).

  Scenario: Patient 13 gets exactly the expected findings
    Given the snapshot file "examples/patients/13-linezolid-sertraline-levothyroxine-ppi.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | NC-SER-003 | critical | fired   |
      | HR-THY-033 | moderate | fired   |
      | HR-THY-036 | moderate | fired   |
      | NC-AD-039  | low      | fired   |
    And rule NC-SER-009 does not fire
    And rule NC-NA-041 does not fire
    And rule HR-THY-035 does not fire
