Feature: Patient 19 - Older woman with AF whose latest TSH has no unit

  A TSH without a unit is never interpreted: the unit finding is raised and the thyroid dose cannot be
  judged (TSH overdue: the previous TSH is two years old), rather than an over-treatment alert built on a
  guessed unit. Escitalopram 20 mg at 70 is above the 10 mg limit.

  Scenario: Patient 19 gets exactly the expected findings
    Given the snapshot file "examples/patients/19-older-woman-unitless-tsh-af-escitalopram.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | GN-DQ-001  | moderate | fired   |
      | HR-THY-035 | moderate | fired   |
      | NC-QT-017  | moderate | fired   |
    And rule HR-THY-031 does not fire
    And rule HR-THY-032 does not fire
    And rule HR-THY-033 does not fire
    And rule NC-QT-016 does not fire
    And rule NC-AD-039 does not fire
