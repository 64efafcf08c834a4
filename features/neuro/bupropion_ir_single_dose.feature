Feature: NC-BUP-048 Immediate-release bupropion above 150 mg in a single dose

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 40

  Scenario: Immediate-release bupropion 200 mg twice daily fires at moderate
    Given the patient takes:
      | name                                | dose | dose_unit | frequency | start   |
      | bupropion hydrochloride IR tablet   | 200  | mg        | bid       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BUP-048 fires with severity moderate

  Scenario: 150 mg three times daily is within the limit (boundary)
    Given the patient takes:
      | name                                | dose | dose_unit | frequency | start   |
      | bupropion hydrochloride IR tablet   | 150  | mg        | tid       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BUP-048 does not fire

  Scenario: An extended-release 300 mg dose is not judged by the immediate-release limit
    Given the patient takes:
      | name            | dose | dose_unit | frequency | start   |
      | bupropion XL    | 300  | mg        | daily     | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BUP-048 does not fire

  Scenario: Immediate release without a recorded dose is listed as not assessed
    Given the patient takes:
      | name                              | start   |
      | bupropion hydrochloride IR tablet | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BUP-048 cannot be assessed
