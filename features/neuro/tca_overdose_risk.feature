Feature: NC-AD-054 Tricyclic antidepressant at antidepressant dose with suicidality

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 41

  Scenario: Amitriptyline 100 mg with a positive PHQ-9 item 9 fires at high
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | amitriptyline | 100  | mg        | nightly   | 1y ago |
    And the patient has scores:
      | scale | total | item9 | date   |
      | phq9  | 14    | 1     | 5d ago |
    When the engine evaluates the patient
    Then rule NC-AD-054 fires with severity high
    And rule NC-SCL-037 fires with severity critical

  Scenario: 75 mg/day with a suicide attempt on record fires (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | nortriptyline | 25   | mg        | tid       | 1y ago |
    And the patient has conditions:
      | icd10cm | status  |
      | Z91.51  | history |
    When the engine evaluates the patient
    Then rule NC-AD-054 fires with severity high

  Scenario: Low-dose amitriptyline (10 mg) stays silent
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | amitriptyline | 10   | mg        | nightly   | 1y ago |
    And the patient has scores:
      | scale | total | item9 | date   |
      | phq9  | 14    | 1     | 5d ago |
    When the engine evaluates the patient
    Then rule NC-AD-054 does not fire

  Scenario: Item 9 scored 0 stays silent
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | amitriptyline | 100  | mg        | nightly   | 1y ago |
    And the patient has scores:
      | scale | total | item9 | date   |
      | phq9  | 14    | 0     | 5d ago |
    When the engine evaluates the patient
    Then rule NC-AD-054 does not fire

  Scenario: No recent PHQ-9 is listed as not assessed (a positive-screen rule)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | amitriptyline | 100  | mg        | nightly   | 1y ago |
    When the engine evaluates the patient
    Then rule NC-AD-054 cannot be assessed
