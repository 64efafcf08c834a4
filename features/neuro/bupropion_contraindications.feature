Feature: NC-BUP-043 Bupropion with seizures and NC-BUP-044 with an eating disorder

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 28
    And the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | bupropion | 150  | mg        | daily     | 30d ago |

  Scenario: Epilepsy fires at critical
    Given the patient has conditions:
      | icd10cm |
      | G40.909 |
    When the engine evaluates the patient
    Then rule NC-BUP-043 fires with severity critical

  Scenario: A past seizure recorded as history fires
    Given the patient has conditions:
      | icd10cm | status  |
      | R56.9   | history |
    When the engine evaluates the patient
    Then rule NC-BUP-043 fires with severity critical

  Scenario: A childhood febrile seizure recorded as text is not a seizure disorder
    Given the patient has conditions:
      | text                             | status  |
      | Febrile seizure in childhood     | history |
    When the engine evaluates the patient
    Then rule NC-BUP-043 does not fire

  Scenario: Prior bulimia nervosa fires at critical
    Given the patient has conditions:
      | icd10cm | status   |
      | F50.2   | resolved |
    When the engine evaluates the patient
    Then rule NC-BUP-044 fires with severity critical

  Scenario: Anorexia nervosa recorded as text fires
    Given the patient has conditions:
      | text             |
      | Anorexia nervosa |
    When the engine evaluates the patient
    Then rule NC-BUP-044 fires with severity critical

  Scenario: Binge-eating disorder is not in the contraindication
    Given the patient has conditions:
      | icd10cm |
      | F50.81  |
    When the engine evaluates the patient
    Then rule NC-BUP-044 does not fire
    And rule NC-BUP-043 does not fire
