Feature: NC-VPA-048 Valproate in pregnancy

  Background:
    Given the evaluation date is 2026-11-21
    And the patient takes:
      | name                | dose | dose_unit | frequency | start  |
      | sodium valproate    | 500  | mg        | bid       | 2y ago |

  Scenario: Valproate in pregnancy fires at critical
    Given a female patient aged 27
    And the patient's pregnancy status is pregnant
    When the engine evaluates the patient
    Then rule NC-VPA-048 fires with severity critical
    And rule NC-VPA-049 does not fire

  Scenario: A positive serum hCG with unknown pregnancy status fires and leads the pregnancy findings
    Given a female patient aged 27
    And the patient has results:
      | loinc   | value | unit  | collected |
      | 21198-7 | 150   | IU/L  | 2d ago    |
    When the engine evaluates the patient
    Then rule NC-VPA-048 fires with severity critical
    And finding NC-VPA-049 is grouped under NC-VPA-048

  Scenario: A urine test reported "Positive" fires
    Given a female patient aged 27
    And the patient's pregnancy status is not pregnant
    And the patient has results:
      | loinc  | value_text | specimen | collected |
      | 2106-3 | Positive   | urine    | 2d ago    |
    When the engine evaluates the patient
    Then rule NC-VPA-048 fires with severity critical

  Scenario: Serum hCG of 5 IU/L with a negative urine test stays silent (boundary)
    Given a female patient aged 27
    And the patient's pregnancy status is not pregnant
    And the patient has results:
      | loinc   | value | unit | specimen | collected |
      | 21198-7 | 5     | IU/L | serum    | 2d ago    |
      | 2106-3  | 0     |      | urine    | 2d ago    |
    When the engine evaluates the patient
    Then rule NC-VPA-048 does not fire

  Scenario: An hCG older than 30 days does not count (boundary)
    Given a female patient aged 27
    And the patient's pregnancy status is not pregnant
    And the patient has results:
      | loinc   | value | unit | collected |
      | 21198-7 | 150   | IU/L | 31d ago   |
    When the engine evaluates the patient
    Then rule NC-VPA-048 does not fire

  Scenario: Unknown pregnancy status: listed here, raised by the childbearing-potential rule
    Given a female patient aged 27
    When the engine evaluates the patient
    Then rule NC-VPA-048 cannot be assessed
    And rule NC-VPA-049 fires with severity high
