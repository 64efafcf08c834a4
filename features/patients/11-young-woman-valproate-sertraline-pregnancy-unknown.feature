Feature: Patient 11 - Young woman on valproate, newly on sertraline, pregnancy status unknown

  Valproate in a person of childbearing potential without documented contraception leads, with the
  generic "pregnancy status unknown on a teratogen" finding grouped under it. The new antidepressant at 23
  carries the boxed-warning monitoring finding. Valproate is a mood stabiliser, so antidepressant
  monotherapy in bipolar disorder is not flagged.

  Scenario: Patient 11 gets exactly the expected findings
    Given the snapshot file "examples/patients/11-young-woman-valproate-sertraline-pregnancy-unknown.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | NC-VPA-049 | high     | fired   |
      | GN-PRG-056 | high     | fired   |
      | NC-AD-036  | high     | fired   |
    And finding GN-PRG-056 is grouped under NC-VPA-049
    And rule NC-AD-042 does not fire
    And rule NC-SCL-037 does not fire
    And rule NC-AD-039 does not fire
