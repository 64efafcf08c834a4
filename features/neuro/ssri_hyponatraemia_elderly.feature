Feature: NC-NA-040 Hyponatraemia on an SSRI or SNRI at age 65 or over

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Sodium 131 on sertraline at 72 fires at moderate
    Given a female patient aged 72
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 30d ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 131   | mmol/L | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-NA-040 fires with severity moderate

  Scenario: Sodium 123 escalates to high
    Given a female patient aged 72
    And the patient takes:
      | name        | dose | dose_unit | frequency | start   |
      | venlafaxine | 75   | mg        | daily     | 30d ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 123   | mmol/L | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-NA-040 fires with severity high

  Scenario: Sodium 125 without symptoms stays moderate (boundary)
    Given a female patient aged 72
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 30d ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 125   | mmol/L | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-NA-040 fires with severity moderate

  Scenario: Confusion escalates to high
    Given a male patient aged 80
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | citalopram | 10   | mg        | daily     | 30d ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 131   | mmol/L | 5d ago    |
    And the patient has notes:
      | kind      | date   |
      | confusion | 2d ago |
    When the engine evaluates the patient
    Then rule NC-NA-040 fires with severity high

  Scenario: Sodium 135 stays silent (boundary)
    Given a female patient aged 72
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 30d ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 135   | mmol/L | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-NA-040 does not fire

  Scenario: Age 64 stays silent (boundary)
    Given a female patient aged 64
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 30d ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 131   | mmol/L | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-NA-040 does not fire

  Scenario: A sodium older than 60 days: listed as not assessed
    Given a female patient aged 72
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | sertraline | 50   | mg        | daily     | 1y ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 131   | mmol/L | 61d ago   |
    When the engine evaluates the patient
    Then rule NC-NA-040 cannot be assessed
