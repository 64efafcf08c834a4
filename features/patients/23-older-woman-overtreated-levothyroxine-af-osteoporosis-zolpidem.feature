Feature: Patient 23 - Woman aged 78 with AF and osteoporosis, TSH 0.05 on levothyroxine, calcium and zolpidem

  Suppressed TSH in an older adult with AF and osteoporosis is high, with the general over-treatment
  finding grouped under it. Zolpidem at 78 is moderate. Calcium reduces levothyroxine absorption (low: TSH
  is not high).

  Scenario: Patient 23 gets exactly the expected findings
    Given the snapshot file "examples/patients/23-older-woman-overtreated-levothyroxine-af-osteoporosis-zolpidem.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | HR-THY-031 | high     | fired   |
      | HR-THY-032 | moderate | fired   |
      | NC-BZD-034 | moderate | fired   |
      | HR-THY-036 | low      | fired   |
    And finding HR-THY-032 is grouped under HR-THY-031
    And rule HR-THY-033 does not fire
    And rule HR-THY-035 does not fire
