Feature: Patient 09 - Older man on lithium with a new thiazide and OTC ibuprofen, no level since, and falling eGFR

  One lead finding for the missing lithium level after the interacting drugs (the thiazide was started
  10 days ago; the ibuprofen started 7 days ago must not hide it), with the thiazide and NSAID interaction
  findings and the overdue routine level grouped under it. The new eGFR below 60 is a separate problem.

  Scenario: Patient 09 gets exactly the expected findings
    Given the snapshot file "examples/patients/09-lithium-new-thiazide-nsaid-older-man.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule      | severity | outcome |
      | NC-LI-326 | high     | fired   |
      | NC-LI-226 | high     | fired   |
      | NC-LI-026 | high     | fired   |
      | NC-LI-024 | high     | fired   |
      | NC-LI-027 | high     | fired   |
    And finding NC-LI-226 is grouped under NC-LI-326
    And finding NC-LI-026 is grouped under NC-LI-326
    And finding NC-LI-024 is grouped under NC-LI-326
    And rule NC-LI-025 does not fire
    And rule NC-LI-028 does not fire
    And rule NC-LI-029 does not fire
    And rule NC-LI-030 does not fire
