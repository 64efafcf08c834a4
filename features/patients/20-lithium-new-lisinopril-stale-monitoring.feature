Feature: Patient 20 - Woman on lithium with a new ACE inhibitor and stale monitoring

  No lithium level since lisinopril was started leads, with the ACE-inhibitor interaction and the
  overdue routine level (same action: a trough level now) grouped under it. Renal, thyroid and calcium
  monitoring is overdue. Threshold rules needing current results are not assessable (listed, not alerted,
  never read as reassuring).

  Scenario: Patient 20 gets exactly the expected findings
    Given the snapshot file "examples/patients/20-lithium-new-lisinopril-stale-monitoring.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule      | severity | outcome |
      | NC-LI-326 | high     | fired   |
      | NC-LI-126 | high     | fired   |
      | NC-LI-024 | high     | fired   |
      | NC-LI-025 | moderate | fired   |
    And finding NC-LI-126 is grouped under NC-LI-326
    And finding NC-LI-024 is grouped under NC-LI-326
    And rule GN-PRG-056 does not fire
