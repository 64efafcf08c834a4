Feature: HR-THY-038 Pregnancy on thyroid hormone

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 32
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 3y ago |

  Scenario: Recorded pregnancy fires at high
    Given the patient's pregnancy status is pregnant
    When the engine evaluates the patient
    Then rule HR-THY-038 fires with severity high

  Scenario: Not pregnant stays silent
    Given the patient's pregnancy status is not pregnant
    When the engine evaluates the patient
    Then rule HR-THY-038 does not fire

  Scenario: Pregnancy status unknown is listed as not assessed
    When the engine evaluates the patient
    Then rule HR-THY-038 cannot be assessed
    And the cannot-assess reason mentions "pregnancy status unknown"
