Feature: Patient 14 - Addison's disease with a fever of 39.2 °C, taking DHEA

  Sick-day rules apply (fever above 39 °C: the escalation reason names tripling). No crisis features
  (no vomiting, blood pressure normal), the emergency kit, card and education are documented, the
  hydrocortisone dose is in range, and electrolytes are normal. DHEA is low severity with the
  adrenal-insufficiency branch.

  Scenario: Patient 14 gets exactly the expected findings
    Given the snapshot file "examples/patients/14-addisons-febrile-illness-dhea.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | HR-ADR-042 | high     | fired   |
      | HR-DHE-030 | low      | fired   |
    And rule HR-ADR-043 does not fire
    And rule HR-ADR-044 does not fire
    And rule HR-ADR-045 does not fire
    And rule HR-ADR-047 does not fire
    And rule HR-ADR-052 does not fire
