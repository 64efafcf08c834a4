Feature: NC-SCL-038 Moderately severe or severe PHQ-9 or GAD-7

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 33

  Scenario: PHQ-9 of 16 fires at moderate
    Given the patient has scores:
      | scale | total | item9 | date   |
      | phq9  | 16    | 0     | 7d ago |
    When the engine evaluates the patient
    Then rule NC-SCL-038 fires with severity moderate

  Scenario: GAD-7 of 15 fires (boundary)
    Given the patient has scores:
      | scale | total | date   |
      | gad7  | 15    | 7d ago |
    When the engine evaluates the patient
    Then rule NC-SCL-038 fires with severity moderate

  Scenario: PHQ-9 of 14 and GAD-7 of 14 stay silent (boundary)
    Given the patient has scores:
      | scale | total | item9 | date   |
      | phq9  | 14    | 0     | 7d ago |
      | gad7  | 14    |       | 7d ago |
    When the engine evaluates the patient
    Then rule NC-SCL-038 does not fire

  Scenario: Only the latest score counts
    Given the patient has scores:
      | scale | total | item9 | date    |
      | phq9  | 22    | 0     | 20d ago |
      | phq9  | 9     | 0     | 2d ago  |
      | gad7  | 6     |       | 2d ago  |
    When the engine evaluates the patient
    Then rule NC-SCL-038 does not fire

  Scenario: A score older than 30 days is listed as not assessed
    Given the patient has scores:
      | scale | total | item9 | date    |
      | phq9  | 20    | 0     | 31d ago |
    When the engine evaluates the patient
    Then rule NC-SCL-038 cannot be assessed

  Scenario: A patient never screened is not "cannot assess" for everyone (no noise)
    When the engine evaluates the patient
    Then rule NC-SCL-038 does not fire
