Feature: NC-BUP-046 Bupropion above 450 mg/day and NC-BUP-047 with seizure-threshold-lowering drugs

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 40

  Scenario: Bupropion 300 mg twice daily fires at high
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | bupropion | 300  | mg        | bid       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BUP-046 fires with severity high

  Scenario: Bupropion 450 mg/day is at the limit (boundary)
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | bupropion | 150  | mg        | tid       | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BUP-046 does not fire

  Scenario: Bupropion without a dose cannot be assessed
    Given the patient takes:
      | name      | start   |
      | bupropion | 30d ago |
    When the engine evaluates the patient
    Then rule NC-BUP-046 is reported as cannot assess

  Scenario: Bupropion with tramadol fires the combination at moderate
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | bupropion | 150  | mg        | daily     | 30d ago |
      | tramadol  | 50   | mg        | bid       | 5d ago  |
    When the engine evaluates the patient
    Then rule NC-BUP-047 fires with severity moderate

  Scenario: Bupropion with oral prednisone fires the combination
    Given the patient takes:
      | name       | dose | dose_unit | frequency | route | start   |
      | bupropion  | 150  | mg        | daily     | oral  | 30d ago |
      | prednisone | 20   | mg        | daily     | oral  | 5d ago  |
    When the engine evaluates the patient
    Then rule NC-BUP-047 fires with severity moderate

  Scenario: Topical hydrocortisone is not systemic
    Given the patient takes:
      | name           | route   | start   |
      | bupropion      | oral    | 30d ago |
      | hydrocortisone | topical | 5d ago  |
    When the engine evaluates the patient
    Then rule NC-BUP-047 does not fire

  Scenario: Bupropion with sertraline is not in the list
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | bupropion  | 150  | mg        | daily     | 30d ago |
      | sertraline | 50   | mg        | daily     | 1y ago  |
    When the engine evaluates the patient
    Then rule NC-BUP-047 does not fire

  Scenario: Bupropion SR 450 mg/day is above the SR maximum of 400 mg/day
    Given the patient takes:
      | name                                                       | dose | dose_unit | frequency | start  |
      | bupropion hydrochloride 225 MG 12HR Extended Release Oral Tablet | 225  | mg        | bid       | 1y ago |
    When the engine evaluates the patient
    Then rule NC-BUP-046 fires with severity high

  Scenario: Bupropion SR 400 mg/day is at the SR maximum (boundary)
    Given the patient takes:
      | name             | dose | dose_unit | frequency | start  |
      | Wellbutrin SR    | 200  | mg        | bid       | 1y ago |
    When the engine evaluates the patient
    Then rule NC-BUP-046 does not fire

  Scenario: Bupropion hydrobromide 522 mg/day is 450 mg of the hydrochloride (at the maximum)
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start  |
      | Aplenzin  | 522  | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-BUP-046 does not fire

  Scenario: Two bupropion products are summed (XL 300 mg and IR 200 mg)
    Given the patient takes:
      | name                                                            | dose | dose_unit | frequency | start  |
      | bupropion hydrochloride 300 MG 24HR Extended Release Oral Tablet | 300  | mg        | daily     | 1y ago |
      | bupropion hydrochloride 100 MG Oral Tablet                      | 100  | mg        | bid       | 1y ago |
    When the engine evaluates the patient
    Then rule NC-BUP-046 fires with severity high
