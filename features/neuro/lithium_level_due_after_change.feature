Feature: NC-LI-023 Lithium level due after a start or dose change

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 38

  Scenario: Started 20 days ago with no level fires at high
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 20d ago |
    When the engine evaluates the patient
    Then rule NC-LI-023 fires with severity high

  Scenario: 14 days after the start the level is due now: moderate (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 14d ago |
    When the engine evaluates the patient
    Then rule NC-LI-023 fires with severity moderate

  Scenario: 15 days after the start it is overdue: high (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 15d ago |
    When the engine evaluates the patient
    Then rule NC-LI-023 fires with severity high

  Scenario: 4 days after the start no level is due yet
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 4d ago |
    When the engine evaluates the patient
    Then rule NC-LI-023 does not fire

  Scenario: A level 5 days after the start counts (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 20d ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.5   | mmol/L | 15d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-023 does not fire

  Scenario: A level 4 days after the start is too early to count (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 20d ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.5   | mmol/L | 16d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-023 fires with severity high

  Scenario: A dose change after the last level fires, and the overdue routine level is grouped under it
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  | last_dose_change |
      | lithium carbonate | 600  | mg        | bid       | 3y ago | 20d ago          |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.5   | mmol/L | 300d ago  | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-023 fires with severity high
    And finding NC-LI-024 is grouped under NC-LI-023

  Scenario: Lithium without a start date cannot be assessed
    Given the patient takes:
      | name              | dose | dose_unit | frequency |
      | lithium carbonate | 400  | mg        | bid       |
    When the engine evaluates the patient
    Then rule NC-LI-023 is reported as cannot assess
    And the cannot-assess reason mentions "not recorded"
