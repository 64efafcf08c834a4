Feature: HR-THY-040 Thyroid hormone without an accepted indication, or outside routine use

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 40

  Scenario: Levothyroxine for weight loss without a thyroid diagnosis fires at moderate
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start   | indication  |
      | levothyroxine | 50   | ug        | daily     | 90d ago | weight loss |
    When the engine evaluates the patient
    Then rule HR-THY-040 fires with severity moderate

  Scenario: The same indication text with diagnosed hypothyroidism stays silent
    Given the patient has conditions:
      | icd10cm | status |
      | E03.9   | active |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start   | indication          |
      | levothyroxine | 50   | ug        | daily     | 90d ago | hypothyroid fatigue |
    When the engine evaluates the patient
    Then rule HR-THY-040 does not fire

  Scenario: Desiccated thyroid fires even with hypothyroidism
    Given the patient has conditions:
      | icd10cm | status |
      | E03.9   | active |
    And the patient takes:
      | name           | dose | dose_unit | frequency | start   |
      | Armour Thyroid | 60   | mg        | daily     | 90d ago |
    When the engine evaluates the patient
    Then rule HR-THY-040 fires with severity moderate

  Scenario: Compounded T3/T4 fires
    Given the patient has conditions:
      | icd10cm | status |
      | E03.9   | active |
    And the patient takes:
      | name          | start   | compounded |
      | levothyroxine | 90d ago | yes        |
    When the engine evaluates the patient
    Then rule HR-THY-040 fires with severity moderate

  Scenario: Levothyroxine with no indication recorded and no diagnosis is not flagged by the text screen
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start   |
      | levothyroxine | 50   | ug        | daily     | 90d ago |
    When the engine evaluates the patient
    Then rule HR-THY-040 does not fire
