Feature: NC-NA-041 No sodium since an SSRI or SNRI was started at age 65 or over

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 70

  Scenario: Sertraline started 20 days ago with no sodium fires at low
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 20d ago |
    When the engine evaluates the patient
    Then rule NC-NA-041 fires with severity low

  Scenario: A sodium only before the start does not count
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 20d ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 140   | mmol/L | 25d ago   |
    When the engine evaluates the patient
    Then rule NC-NA-041 fires with severity low

  Scenario: A sodium since the start stays silent
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 20d ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 140   | mmol/L | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-NA-041 does not fire

  Scenario: Started 60 days ago still counts (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | duloxetine | 60   | mg        | daily     | 60d ago |
    When the engine evaluates the patient
    Then rule NC-NA-041 fires with severity low

  Scenario: Started 61 days ago is outside the window (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | duloxetine | 60   | mg        | daily     | 61d ago |
    When the engine evaluates the patient
    Then rule NC-NA-041 does not fire

  Scenario: An SSRI without a start date cannot be assessed, at low severity
    Given the patient takes:
      | name       | dose | dose_unit | frequency |
      | sertraline | 50   | mg        | daily     |
    When the engine evaluates the patient
    Then rule NC-NA-041 is reported as cannot assess
