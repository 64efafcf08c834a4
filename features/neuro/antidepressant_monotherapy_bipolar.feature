Feature: NC-AD-042 Antidepressant without a mood stabiliser or antipsychotic in bipolar disorder

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 36
    And the patient has conditions:
      | icd10cm |
      | F31.81  |

  Scenario: Sertraline alone in bipolar disorder fires at moderate
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 60d ago |
    When the engine evaluates the patient
    Then rule NC-AD-042 fires with severity moderate

  Scenario: With lithium it stays silent
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | sertraline        | 50   | mg        | daily     | 60d ago |
      | lithium carbonate | 400  | mg        | bid       | 2y ago  |
    When the engine evaluates the patient
    Then rule NC-AD-042 does not fire

  Scenario: With lamotrigine it stays silent
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start   |
      | sertraline  | 50   | mg        | daily     | 60d ago |
      | lamotrigine | 100  | mg        | bid       | 2y ago  |
    When the engine evaluates the patient
    Then rule NC-AD-042 does not fire

  Scenario: With quetiapine it stays silent
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | bupropion  | 150  | mg        | daily     | 60d ago |
      | quetiapine | 100  | mg        | nightly   | 2y ago  |
    When the engine evaluates the patient
    Then rule NC-AD-042 does not fire

  Scenario: A mood stabiliser stopped last month no longer covers
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   | end     |
      | sertraline | 50   | mg        | daily     | 60d ago |         |
      | valproate  | 500  | mg        | bid       | 2y ago  | 30d ago |
    When the engine evaluates the patient
    Then rule NC-AD-042 fires with severity moderate
