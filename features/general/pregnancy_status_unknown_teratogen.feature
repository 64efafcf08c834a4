Feature: GN-PRG-056 Pregnancy status unknown on a teratogenic or pregnancy-sensitive drug

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Lithium in a woman of 30 with unknown pregnancy status fires at high
    Given a female patient aged 30
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 2y ago |
    When the engine evaluates the patient
    Then rule GN-PRG-056 fires with severity high

  Scenario: Isotretinoin with unknown pregnancy status fires
    Given a female patient aged 19
    And the patient takes:
      | name         | dose | dose_unit | frequency | start   |
      | isotretinoin | 20   | mg        | daily     | 30d ago |
    When the engine evaluates the patient
    Then rule GN-PRG-056 fires with severity high

  Scenario: A recorded pregnancy status stays silent
    Given a female patient aged 30
    And the patient's pregnancy status is not pregnant
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 2y ago |
    When the engine evaluates the patient
    Then rule GN-PRG-056 does not fire

  Scenario: Age 56 is outside the childbearing years (boundary)
    Given a female patient aged 56
    And the patient takes:
      | name     | dose | dose_unit | frequency | start  |
      | warfarin | 5    | mg        | daily     | 2y ago |
    When the engine evaluates the patient
    Then rule GN-PRG-056 does not fire

  Scenario: Age 55 is inside the childbearing years (boundary)
    Given a female patient aged 55
    And the patient takes:
      | name     | dose | dose_unit | frequency | start  |
      | warfarin | 5    | mg        | daily     | 2y ago |
    When the engine evaluates the patient
    Then rule GN-PRG-056 fires with severity high

  Scenario: A man is not covered
    Given a male patient aged 30
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 2y ago |
    When the engine evaluates the patient
    Then rule GN-PRG-056 does not fire

  Scenario: A woman of unknown age cannot be assessed
    Given a female patient of unknown age
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 2y ago |
    When the engine evaluates the patient
    Then rule GN-PRG-056 is reported as cannot assess
