Feature: HR-ADR-044 Adrenal insufficiency without documented emergency kit, steroid card and sick-day education

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 52
    And the patient has conditions:
      | icd10cm | status |
      | E27.1   | active |

  Scenario: Nothing documented fires at moderate
    When the engine evaluates the patient
    Then rule HR-ADR-044 fires with severity moderate

  Scenario: All three documented this year stays silent
    Given the patient has notes:
      | kind                    | date    |
      | emergency_injection_kit | 100d ago |
      | steroid_emergency_card  | 100d ago |
      | sick_day_education      | 100d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-044 does not fire

  Scenario: Only two of the three documented still fires
    Given the patient has notes:
      | kind                    | date     |
      | emergency_injection_kit | 100d ago |
      | steroid_emergency_card  | 100d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-044 fires with severity moderate

  Scenario: Documentation older than 13 months no longer counts (boundary)
    Given the patient has notes:
      | kind                    | date     |
      | emergency_injection_kit | 396d ago |
      | steroid_emergency_card  | 100d ago |
      | sick_day_education      | 100d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-044 fires with severity moderate
