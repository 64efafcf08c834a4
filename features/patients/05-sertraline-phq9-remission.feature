Feature: Patient 05 - Adult on sertraline with a recent PHQ-9 of 4 and item 9 = 0

  Appropriate therapy with measurement-based care: PHQ-9 after the last dose change, minimal symptoms,
  item 9 negative; not under 25, not bipolar. The PHQ-9 below 5 is recognised as remission (NC-AD-072,
  information only; issue 11 titration).

  Scenario: Patient 05 gets exactly the expected findings
    Given the snapshot file "examples/patients/05-sertraline-phq9-remission.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule      | severity | outcome |
      | NC-AD-072 | info     | fired   |
    And rule NC-SCL-037 does not fire
    And rule NC-SCL-038 does not fire
    And rule NC-AD-039 does not fire
    And rule NC-AD-036 does not fire
    And no finding is above info
