Feature: HR-TST-018 Hematocrit above 54 % on testosterone

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 50
    And the patient takes:
      | name                    | dose | dose_unit | frequency    | route         | start  |
      | testosterone cypionate  | 100  | mg        | weekly       | intramuscular | 1y ago |

  Scenario: Hematocrit 55 % fires at high
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 55    | %    | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-018 fires with severity high

  Scenario: Hematocrit reported as a fraction 0.56 L/L is converted and fires
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 0.56  | L/L  | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-018 fires with severity high

  Scenario: Hematocrit exactly 54 % is not above the threshold
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 54    | %    | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-018 does not fire

  Scenario: A high hematocrit older than 120 days is stale: cannot assess
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 4544-3 | 58    | %    | 121d ago  |
    When the engine evaluates the patient
    Then rule HR-TST-018 is reported as cannot assess
    And the cannot-assess reason mentions "within 120 days"

  Scenario: A hematocrit without a unit is never compared with the threshold
    Given the patient has results:
      | loinc  | value | collected |
      | 4544-3 | 58    | 5d ago    |
    When the engine evaluates the patient
    Then rule HR-TST-018 is reported as cannot assess
    And rule GN-DQ-001 fires with severity moderate
