Feature: NC-SER-009 Hunter criteria for serotonin toxicity met

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 30
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 100  | mg        | daily     | 10d ago |

  Scenario: Spontaneous clonus on a serotonergic agent fires at critical
    Given the patient has notes:
      | kind               | date  |
      | spontaneous_clonus | today |
    When the engine evaluates the patient
    Then rule NC-SER-009 fires with severity critical

  Scenario: Inducible clonus with agitation fires
    Given the patient has notes:
      | kind             | date   |
      | inducible_clonus | 1d ago |
      | agitation        | 1d ago |
    When the engine evaluates the patient
    Then rule NC-SER-009 fires with severity critical

  Scenario: Inducible clonus alone does not meet the criteria
    Given the patient has notes:
      | kind             | date   |
      | inducible_clonus | 1d ago |
    When the engine evaluates the patient
    Then rule NC-SER-009 does not fire

  Scenario: Tremor with hyperreflexia fires
    Given the patient has notes:
      | kind          | date  |
      | tremor        | today |
      | hyperreflexia | today |
    When the engine evaluates the patient
    Then rule NC-SER-009 fires with severity critical

  Scenario: Hypertonia, ocular clonus and 38.5 °C fire
    Given the patient has notes:
      | kind          | date  |
      | hypertonia    | today |
      | ocular_clonus | today |
    And the patient has vital signs:
      | kind        | value | unit | taken |
      | temperature | 38.5  | Cel  | today |
    When the engine evaluates the patient
    Then rule NC-SER-009 fires with severity critical

  Scenario: Hypertonia and ocular clonus at exactly 38.0 °C do not meet that criterion (boundary)
    Given the patient has notes:
      | kind          | date  |
      | hypertonia    | today |
      | ocular_clonus | today |
    And the patient has vital signs:
      | kind        | value | unit | taken |
      | temperature | 38.0  | Cel  | today |
    When the engine evaluates the patient
    Then rule NC-SER-009 does not fire

  Scenario: Hypertonia and ocular clonus without a temperature cannot be assessed
    Given the patient has notes:
      | kind          | date  |
      | hypertonia    | today |
      | ocular_clonus | today |
    When the engine evaluates the patient
    Then rule NC-SER-009 is reported as cannot assess
    And the cannot-assess reason mentions "temperature"

  Scenario: Signs documented 4 days ago are outside the 3-day window (boundary)
    Given the patient has notes:
      | kind               | date   |
      | spontaneous_clonus | 4d ago |
    When the engine evaluates the patient
    Then rule NC-SER-009 does not fire
