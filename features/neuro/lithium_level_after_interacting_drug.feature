Feature: NC-LI-326 No lithium level since an interacting drug was started

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 60

  Scenario: Ibuprofen started 10 days ago with no level since fires, the NSAID finding grouped under it
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 3y ago  |
      | ibuprofen         | 400  | mg        | tid       | 10d ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 30d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-326 fires with severity high
    And finding NC-LI-026 is grouped under NC-LI-326

  Scenario: 7 days after the start it is not yet due (boundary)
    Given the patient takes:
      | name                | dose | dose_unit | frequency | start  |
      | lithium carbonate   | 400  | mg        | bid       | 3y ago |
      | hydrochlorothiazide | 25   | mg        | daily     | 7d ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 30d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-326 does not fire

  Scenario: 8 days after the start it fires (boundary)
    Given the patient takes:
      | name                | dose | dose_unit | frequency | start  |
      | lithium carbonate   | 400  | mg        | bid       | 3y ago |
      | hydrochlorothiazide | 25   | mg        | daily     | 8d ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 30d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-326 fires with severity high
    And finding NC-LI-226 is grouped under NC-LI-326

  Scenario: A level taken on the start day is not after the start
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 3y ago  |
      | lisinopril        | 10   | mg        | daily     | 20d ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 20d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-326 fires with severity high

  Scenario: A level after the start stays silent
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 3y ago  |
      | lisinopril        | 10   | mg        | daily     | 20d ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 19d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-326 does not fire

  Scenario: An interacting drug without a start date cannot be assessed
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
      | naproxen          | 500  | mg        | bid       |        |
    When the engine evaluates the patient
    Then rule NC-LI-326 is reported as cannot assess

  Scenario: A second interacting drug started recently does not hide the first one's missing level
    Given the patient takes:
      | name                | dose | dose_unit | frequency | start   |
      | lithium carbonate   | 400  | mg        | bid       | 3y ago  |
      | hydrochlorothiazide | 25   | mg        | daily     | 10d ago |
      | ibuprofen           | 400  | mg        | tid       | 3d ago  |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 30d ago   | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-326 fires with severity high
    And finding NC-LI-226 is grouped under NC-LI-326
    And finding NC-LI-026 is grouped under NC-LI-326

  Scenario: The routine overdue level is grouped under the missing level after an interacting drug
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 3y ago  |
      | lisinopril        | 10   | mg        | daily     | 20d ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 8m ago    | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-326 fires with severity high
    And finding NC-LI-024 is grouped under NC-LI-326
    And finding NC-LI-126 is grouped under NC-LI-326
