Feature: HR-ADR-050 Pregnancy with adrenal insufficiency

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 30
    And the patient has conditions:
      | icd10cm | status |
      | E27.1   | active |

  Scenario: Recorded pregnancy fires at moderate
    Given the patient's pregnancy status is pregnant
    When the engine evaluates the patient
    Then rule HR-ADR-050 fires with severity moderate

  Scenario: Not pregnant stays silent
    Given the patient's pregnancy status is not pregnant
    When the engine evaluates the patient
    Then rule HR-ADR-050 does not fire

  Scenario: Pregnancy status unknown is listed as not assessed
    When the engine evaluates the patient
    Then rule HR-ADR-050 cannot be assessed
    And the cannot-assess reason mentions "pregnancy status unknown"
