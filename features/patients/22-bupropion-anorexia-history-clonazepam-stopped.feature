Feature: Patient 22 - Woman on bupropion with past anorexia nervosa who stopped clonazepam abruptly

  Bupropion with a past eating disorder is critical. The abrupt clonazepam stop is one problem: the
  bupropion-specific contraindication leads and the generic taper finding is grouped under it.

  Scenario: Patient 22 gets exactly the expected findings
    Given the snapshot file "examples/patients/22-bupropion-anorexia-history-clonazepam-stopped.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | NC-BUP-044 | critical | fired   |
      | NC-BUP-045 | high     | fired   |
      | NC-BZD-033 | high     | fired   |
    And finding NC-BZD-033 is grouped under NC-BUP-045
    And rule NC-BUP-043 does not fire
    And rule NC-BUP-046 does not fire
    And rule NC-AD-039 does not fire
    And rule NC-AD-036 does not fire
