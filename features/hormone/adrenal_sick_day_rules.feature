Feature: HR-ADR-042 Adrenal insufficiency with fever or intercurrent illness (sick-day rules)

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 46
    And the patient has conditions:
      | icd10cm | status |
      | E27.1   | active |
    And the patient takes:
      | name           | dose | dose_unit | frequency | route | start  |
      | hydrocortisone | 10   | mg        | bid       | oral  | 5y ago |

  Scenario: A temperature of 38.4 °C today fires at high
    Given the patient has vital signs:
      | kind        | value | unit | taken |
      | temperature | 38.4  | Cel  | today |
    When the engine evaluates the patient
    Then rule HR-ADR-042 fires with severity high

  Scenario: A temperature above 39 °C adds the tripling advice, still at high
    Given the patient has vital signs:
      | kind        | value | unit | taken  |
      | temperature | 39.3  | Cel  | 1d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-042 fires with severity high

  Scenario: Exactly 38.0 °C is not above the threshold (boundary)
    Given the patient has vital signs:
      | kind        | value | unit | taken |
      | temperature | 38.0  | Cel  | today |
    When the engine evaluates the patient
    Then rule HR-ADR-042 does not fire

  Scenario: A fever 3 days ago is outside the 2-day window (boundary)
    Given the patient has vital signs:
      | kind        | value | unit | taken  |
      | temperature | 38.8  | Cel  | 3d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-042 does not fire

  Scenario: A documented febrile illness fires without a thermometer reading
    Given the patient has notes:
      | kind            | date   | value           |
      | febrile_illness | 1d ago | flu-like illness |
    When the engine evaluates the patient
    Then rule HR-ADR-042 fires with severity high

  Scenario: A temperature without a unit cannot be assessed
    Given the patient has vital signs:
      | kind        | value | taken |
      | temperature | 38.6  | today |
    When the engine evaluates the patient
    Then rule HR-ADR-042 is reported as cannot assess
    And the cannot-assess reason mentions "temperature unit"
