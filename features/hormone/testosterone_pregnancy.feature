Feature: HR-TST-027 Testosterone in pregnancy

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 31
    And the patient takes:
      | name            | route   | start   | compounded |
      | testosterone cream | topical | 90d ago | yes     |

  Scenario: Recorded pregnancy fires at critical
    Given the patient's pregnancy status is pregnant
    When the engine evaluates the patient
    Then rule HR-TST-027 fires with severity critical

  Scenario: A positive urine pregnancy test (text result) fires
    Given the patient's pregnancy status is unknown
    And the patient has results:
      | loinc  | value_text | specimen | collected |
      | 2106-3 | positive   | urine    | 3d ago    |
    When the engine evaluates the patient
    Then rule HR-TST-027 fires with severity critical

  Scenario: A serum hCG of 120 IU/L fires
    Given the patient has results:
      | loinc   | value | unit | collected |
      | 21198-7 | 120   | IU/L | 3d ago    |
    When the engine evaluates the patient
    Then rule HR-TST-027 fires with severity critical

  Scenario: Not pregnant with a negative test stays silent
    Given the patient's pregnancy status is not pregnant
    And the patient has results:
      | loinc  | value_text | specimen | collected |
      | 2106-3 | negative   | urine    | 3d ago    |
    When the engine evaluates the patient
    Then rule HR-TST-027 does not fire

  Scenario: A positive test older than 30 days is outside the window (boundary)
    Given the patient's pregnancy status is not pregnant
    And the patient has results:
      | loinc   | value | unit | collected |
      | 21198-7 | 120   | IU/L | 31d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-027 does not fire

  Scenario: Pregnancy status unknown cannot be assessed
    When the engine evaluates the patient
    Then rule HR-TST-027 cannot be assessed
    And the cannot-assess reason mentions "pregnancy status unknown"

  Scenario: In pregnancy a high hematocrit on testosterone is grouped under the pregnancy contraindication
    Given the patient's pregnancy status is pregnant
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 55    | %    | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-027 fires with severity critical
    And finding HR-TST-018 is grouped under HR-TST-027
