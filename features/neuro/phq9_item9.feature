Feature: NC-SCL-037 PHQ-9 item 9 positive

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 24

  Scenario: Item 9 scored 1 three days ago fires at critical
    Given the patient has scores:
      | scale | total | item9 | date    |
      | phq9  | 8     | 1     | 3d ago  |
    When the engine evaluates the patient
    Then rule NC-SCL-037 fires with severity critical

  Scenario: Item 9 scored 0 stays silent whatever the total
    Given the patient has scores:
      | scale | total | item9 | date   |
      | phq9  | 22    | 0     | 3d ago |
    When the engine evaluates the patient
    Then rule NC-SCL-037 does not fire

  Scenario: A positive item 9 exactly 14 days ago is still in the window (boundary)
    Given the patient has scores:
      | scale | total | item9 | date    |
      | phq9  | 12    | 2     | 14d ago |
    When the engine evaluates the patient
    Then rule NC-SCL-037 fires with severity critical

  Scenario: No PHQ-9 within 14 days is listed as not assessed
    Given the patient has scores:
      | scale | total | item9 | date    |
      | phq9  | 12    | 2     | 15d ago |
    When the engine evaluates the patient
    Then rule NC-SCL-037 cannot be assessed
    And the cannot-assess reason mentions "PHQ-9"

  Scenario: A patient never screened is not "cannot assess" for everyone (no noise)
    When the engine evaluates the patient
    Then rule NC-SCL-037 does not fire
