Feature: NC-BUP-045 Bupropion during abrupt withdrawal of alcohol, benzodiazepines, barbiturates or antiepileptics

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 46

  Scenario: Lorazepam stopped abruptly 5 days ago fires at high
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start   | end    | stopped_without_taper |
      | bupropion | 150  | mg        | daily     | 3d ago  |        |                       |
      | lorazepam | 1    | mg        | bid       | 90d ago | 5d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-BUP-045 fires with severity high

  Scenario: Carbamazepine stopped abruptly 14 days ago fires (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start   | end     | stopped_without_taper |
      | bupropion     | 150  | mg        | daily     | 3d ago  |         |                       |
      | carbamazepine | 200  | mg        | bid       | 2y ago  | 14d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-BUP-045 fires with severity high

  Scenario: Stopped 15 days ago is outside the window (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start   | end     | stopped_without_taper |
      | bupropion     | 150  | mg        | daily     | 3d ago  |         |                       |
      | carbamazepine | 200  | mg        | bid       | 2y ago  | 15d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-BUP-045 does not fire

  Scenario: A tapered stop stays silent
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start   | end    | stopped_without_taper |
      | bupropion | 150  | mg        | daily     | 3d ago  |        |                       |
      | lorazepam | 1    | mg        | bid       | 90d ago | 5d ago | no                    |
    When the engine evaluates the patient
    Then rule NC-BUP-045 does not fire

  Scenario: Active alcohol withdrawal fires
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start  |
      | bupropion | 150  | mg        | daily     | 3d ago |
    And the patient has conditions:
      | icd10cm | status |
      | F10.230 | active |
    When the engine evaluates the patient
    Then rule NC-BUP-045 fires with severity high

  Scenario: A stop whose taper is not recorded cannot be assessed
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start   | end    |
      | bupropion | 150  | mg        | daily     | 3d ago  |        |
      | lorazepam | 1    | mg        | bid       | 90d ago | 5d ago |
    When the engine evaluates the patient
    Then rule NC-BUP-045 is reported as cannot assess

  Scenario: The generic "benzodiazepine stopped without a taper" finding on the same stop is grouped under this one
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start   | end    | stopped_without_taper |
      | bupropion | 150  | mg        | daily     | 60d ago |        |                       |
      | lorazepam | 1    | mg        | bid       | 90d ago | 5d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-BUP-045 fires with severity high
    And finding NC-BZD-033 is grouped under NC-BUP-045
