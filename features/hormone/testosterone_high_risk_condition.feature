Feature: HR-TST-022 Testosterone with a high-risk condition

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 57
    And the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 1y ago |

  Scenario: Untreated obstructive sleep apnoea fires at high
    Given the patient has conditions:
      | icd10cm | status |
      | G47.33  | active |
    When the engine evaluates the patient
    Then rule HR-TST-022 fires with severity high

  Scenario: Sleep apnoea treated with CPAP stays silent
    Given the patient has conditions:
      | icd10cm | status |
      | G47.33  | active |
    And the patient has notes:
      | kind        | date    | value |
      | osa_treated | 60d ago | CPAP  |
    When the engine evaluates the patient
    Then rule HR-TST-022 does not fire

  Scenario: A myocardial infarction 100 days ago fires
    Given the patient has conditions:
      | icd10cm | status  | onset    |
      | I21.4   | history | 100d ago |
    When the engine evaluates the patient
    Then rule HR-TST-022 fires with severity high

  Scenario: A myocardial infarction 184 days ago is outside 6 months (boundary)
    Given the patient has conditions:
      | icd10cm | status  | onset    |
      | I21.4   | history | 184d ago |
    When the engine evaluates the patient
    Then rule HR-TST-022 does not fire

  Scenario: A stroke without an onset date cannot be assessed
    Given the patient has conditions:
      | icd10cm | status  |
      | I63.9   | history |
    When the engine evaluates the patient
    Then rule HR-TST-022 is reported as cannot assess
    And the cannot-assess reason mentions "onset date"

  Scenario: Heart failure with NYHA class III fires
    Given the patient has conditions:
      | icd10cm | status |
      | I50.22  | active |
    And the patient has notes:
      | kind                   | date    |
      | heart_failure_nyha_3_4 | 20d ago |
    When the engine evaluates the patient
    Then rule HR-TST-022 fires with severity high

  Scenario: Heart failure without a severity grade or admission stays silent
    Given the patient has conditions:
      | icd10cm | status |
      | I50.22  | active |
    When the engine evaluates the patient
    Then rule HR-TST-022 does not fire

  Scenario: A thrombophilia fires
    Given the patient has conditions:
      | icd10cm | status |
      | D68.51  | active |
    When the engine evaluates the patient
    Then rule HR-TST-022 fires with severity high

  Scenario: BPH with an IPSS of 22 fires
    Given the patient has conditions:
      | icd10cm | status |
      | N40.1   | active |
    And the patient has results:
      | name | value | collected |
      | IPSS | 22    | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-022 fires with severity high

  Scenario: BPH with an IPSS of 19 is not severe (boundary)
    Given the patient has conditions:
      | icd10cm | status |
      | N40.1   | active |
    And the patient has results:
      | name | value | collected |
      | IPSS | 19    | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-022 does not fire

  Scenario: BPH with symptoms but no IPSS cannot be assessed
    Given the patient has conditions:
      | icd10cm | status |
      | N40.1   | active |
    When the engine evaluates the patient
    Then rule HR-TST-022 is reported as cannot assess
    And the cannot-assess reason mentions "IPSS"
