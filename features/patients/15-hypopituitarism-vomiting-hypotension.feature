Feature: Patient 15 - Hypopituitarism with vomiting, fever and a systolic pressure of 84 mmHg

  Possible adrenal crisis (vomiting, hypotension) leads at critical with the sick-day finding grouped
  under it. The emergency kit, steroid card and sick-day education are not documented. Central
  hypothyroidism is the info note to titrate to free T4, and the TSH-based thyroid rules stay silent.

  Scenario: Patient 15 gets exactly the expected findings
    Given the snapshot file "examples/patients/15-hypopituitarism-vomiting-hypotension.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | HR-ADR-043 | critical | fired   |
      | HR-ADR-042 | high     | fired   |
      | HR-ADR-044 | moderate | fired   |
      | HR-THY-037 | info     | fired   |
    And finding HR-ADR-042 is grouped under HR-ADR-043
    And rule HR-THY-031 does not fire
    And rule HR-THY-033 does not fire
    And rule HR-THY-034 does not fire
    And rule HR-THY-035 does not fire
    And rule HR-ADR-047 does not fire
    And rule HR-ADR-045 does not fire
