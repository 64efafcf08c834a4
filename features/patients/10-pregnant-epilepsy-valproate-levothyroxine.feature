Feature: Patient 10 - Pregnant woman with epilepsy on valproate and hypothyroidism on levothyroxine

  Valproate in pregnancy is critical. Levothyroxine in pregnancy needs a dose increase and 4-weekly TSH;
  the non-pregnant TSH targets (under-treatment at 3.2 mIU/L) must not be applied. The only TSH (3.2 mIU/L)
  is 36 days old and predates the known pregnancy, so the pregnancy TSH target (HR-THY-062, added for
  issue 11) cannot be assessed: a current TSH is needed.

  Scenario: Patient 10 gets exactly the expected findings
    Given the snapshot file "examples/patients/10-pregnant-epilepsy-valproate-levothyroxine.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | NC-VPA-048 | critical | fired   |
      | HR-THY-038 | high     | fired   |
      | HR-THY-062 | moderate | cannot_assess |
    And rule HR-THY-033 does not fire
    And rule NC-VPA-049 does not fire
    And rule GN-PRG-056 does not fire
    And rule HR-THY-035 does not fire
