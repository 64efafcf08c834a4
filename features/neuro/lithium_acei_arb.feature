Feature: NC-LI-126 Lithium with an ACE inhibitor or ARB

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 62

  Scenario: Lisinopril started 30 days ago fires at high
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 3y ago  |
      | lisinopril        | 10   | mg        | daily     | 30d ago |
    When the engine evaluates the patient
    Then rule NC-LI-126 fires with severity high

  Scenario: A long-standing ARB with a lithium level since it started stays silent
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
      | losartan          | 50   | mg        | daily     | 2y ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 60d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-126 does not fire

  Scenario: A long-standing ARB with no lithium level since it started fires
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
      | losartan          | 50   | mg        | daily     | 2y ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 800d ago  | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-126 fires with severity high

  Scenario: An ACE inhibitor stopped 90 days ago still counts (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  | end     |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |         |
      | ramipril          | 5    | mg        | daily     | 2y ago | 90d ago |
    When the engine evaluates the patient
    Then rule NC-LI-126 fires with severity high

  Scenario: An ACE inhibitor stopped 91 days ago no longer counts (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  | end     |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |         |
      | ramipril          | 5    | mg        | daily     | 2y ago | 91d ago |
    When the engine evaluates the patient
    Then rule NC-LI-126 does not fire

  Scenario: An ACE inhibitor without a start date cannot be assessed
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
      | lisinopril        | 10   | mg        | daily     |        |
    When the engine evaluates the patient
    Then rule NC-LI-126 is reported as cannot assess
