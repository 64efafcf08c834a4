Feature: NC-BZD-033 Benzodiazepine stopped abruptly or reduced too fast

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 55

  Scenario: Regular lorazepam stopped 5 days ago without a taper fires at high
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start    | end    | stopped_without_taper |
      | lorazepam | 1    | mg        | bid       | 200d ago | 5d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-BZD-033 fires with severity high

  Scenario: A recorded taper stays silent
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start    | end    | stopped_without_taper |
      | lorazepam | 1    | mg        | bid       | 200d ago | 5d ago | no                    |
    When the engine evaluates the patient
    Then rule NC-BZD-033 does not fire

  Scenario: A stop whose taper is not recorded cannot be assessed
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start    | end    |
      | lorazepam | 1    | mg        | bid       | 200d ago | 5d ago |
    When the engine evaluates the patient
    Then rule NC-BZD-033 is reported as cannot assess
    And the cannot-assess reason mentions "tapered"

  Scenario: As-needed use is not regular use
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start    | end    | prn | stopped_without_taper |
      | lorazepam | 1    | mg        | bid       | 200d ago | 5d ago | yes | yes                   |
    When the engine evaluates the patient
    Then rule NC-BZD-033 does not fire

  Scenario: 30 days of use before the stop counts (boundary)
    Given the patient takes:
      | name     | dose | dose_unit | frequency | start   | end    | stopped_without_taper |
      | diazepam | 5    | mg        | daily     | 35d ago | 5d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-BZD-033 fires with severity high

  Scenario: 29 days of use before the stop does not (boundary)
    Given the patient takes:
      | name     | dose | dose_unit | frequency | start   | end    | stopped_without_taper |
      | diazepam | 5    | mg        | daily     | 34d ago | 5d ago | yes                   |
    When the engine evaluates the patient
    Then rule NC-BZD-033 does not fire

  Scenario: Halving the daily dose within 14 days fires
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start    | end     |
      | lorazepam | 1    | mg        | bid       | 200d ago | 10d ago |
      | lorazepam | 0.5  | mg        | bid       | 9d ago   |         |
    When the engine evaluates the patient
    Then rule NC-BZD-033 fires with severity high

  Scenario: A 25 % step within 14 days stays silent (boundary)
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start    | end     |
      | lorazepam | 1    | mg        | bid       | 200d ago | 10d ago |
      | lorazepam | 0.5  | mg        | tid       | 9d ago   |         |
    When the engine evaluates the patient
    Then rule NC-BZD-033 does not fire

  Scenario: A planned 75 % cut next week fires
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start    | end    |
      | lorazepam | 1    | mg        | bid       | 200d ago | in 5d  |
      | lorazepam | 0.5  | mg        | daily     | in 6d    |        |
    When the engine evaluates the patient
    Then rule NC-BZD-033 fires with severity high

  Scenario: Switching to a longer-acting benzodiazepine is not a stop
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start    | end     |
      | lorazepam | 1    | mg        | bid       | 200d ago | 10d ago |
      | diazepam  | 10   | mg        | bid       | 10d ago  |         |
    When the engine evaluates the patient
    Then rule NC-BZD-033 does not fire
