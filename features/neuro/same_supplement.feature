Feature: NC-SER-008 SAMe with an antidepressant or in bipolar disorder

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 50

  Scenario: SAMe with sertraline fires at low
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | SAMe       | 400  | mg        | daily     | 20d ago |
      | sertraline | 50   | mg        | daily     | 1y ago  |
    When the engine evaluates the patient
    Then rule NC-SER-008 fires with severity low

  Scenario: SAMe in bipolar disorder fires at low
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | start   |
      | S-adenosylmethionine   | 400  | mg        | daily     | 20d ago |
    And the patient has conditions:
      | icd10cm |
      | F31.81  |
    When the engine evaluates the patient
    Then rule NC-SER-008 fires with severity low

  Scenario: SAMe alone without bipolar disorder stays silent
    Given the patient takes:
      | name | dose | dose_unit | frequency | start   |
      | SAMe | 400  | mg        | daily     | 20d ago |
    When the engine evaluates the patient
    Then rule NC-SER-008 does not fire

  Scenario: The ordinary word "same" is not SAMe
    Given the patient takes:
      | name                       | start   |
      | vitamin D same dose weekly | 20d ago |
      | sertraline                 | 1y ago  |
    When the engine evaluates the patient
    Then rule NC-SER-008 does not fire
