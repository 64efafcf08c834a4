Feature: Patient 13 - Inpatient on sertraline started on linezolid; raised TSH on levothyroxine with a PPI

  Linezolid (an MAO inhibitor) with sertraline is critical. TSH 5.8 on levothyroxine is under-treatment;
  at 66 the dose steps should be small (HR-THY-063, added for issue 11, grouped under HR-THY-033),
  and the PPI absorption interaction is escalated to moderate because TSH is above range. No symptom scale
  has been recorded since sertraline was started in 2022, but that start is long past the first 12 weeks, so
  the "new antidepressant" reminder (NC-AD-039 1.1.0) no longer fires (issue 11).

  Scenario: Patient 13 gets exactly the expected findings
    Given the snapshot file "examples/patients/13-linezolid-sertraline-levothyroxine-ppi.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | NC-SER-003 | critical | fired   |
      | HR-THY-033 | moderate | fired   |
      | HR-THY-036 | moderate | fired   |
      | HR-THY-063 | low      | fired   |
    And finding HR-THY-063 is grouped under HR-THY-033
    And rule NC-AD-039 does not fire
    And rule NC-SER-009 does not fire
    And rule NC-NA-041 does not fire
    And rule HR-THY-035 does not fire
