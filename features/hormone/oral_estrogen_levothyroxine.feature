Feature: HR-EST-011 Oral estrogen started or stopped on thyroid hormone

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 52

  Scenario: Oral estradiol started 30 days ago on levothyroxine fires at moderate
    Given the patient takes:
      | name          | dose | dose_unit | frequency | route | start   |
      | levothyroxine | 100  | ug        | daily     | oral  | 5y ago  |
      | estradiol     | 1    | mg        | daily     | oral  | 30d ago |
    When the engine evaluates the patient
    Then rule HR-EST-011 fires with severity moderate

  Scenario: Oral estradiol stopped 84 days ago still fires (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | route | start  | end     |
      | levothyroxine | 100  | ug        | daily     | oral  | 5y ago |         |
      | estradiol     | 1    | mg        | daily     | oral  | 2y ago | 84d ago |
    When the engine evaluates the patient
    Then rule HR-EST-011 fires with severity moderate

  Scenario: Oral estradiol started 85 days ago is outside the window (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | route | start   |
      | levothyroxine | 100  | ug        | daily     | oral  | 5y ago  |
      | estradiol     | 1    | mg        | daily     | oral  | 85d ago |
    When the engine evaluates the patient
    Then rule HR-EST-011 does not fire

  Scenario: Transdermal estradiol has little effect on thyroxine binding
    Given the patient takes:
      | name          | dose | dose_unit | frequency | route       | start   |
      | levothyroxine | 100  | ug        | daily     | oral        | 5y ago  |
      | estradiol     | 50   | ug        | daily     | transdermal | 30d ago |
    When the engine evaluates the patient
    Then rule HR-EST-011 does not fire

  Scenario: Estradiol started recently with no route recorded cannot be assessed
    Given the patient takes:
      | name          | dose | dose_unit | frequency | route | start   |
      | levothyroxine | 100  | ug        | daily     | oral  | 5y ago  |
      | estradiol     | 1    | mg        | daily     |       | 30d ago |
    When the engine evaluates the patient
    Then rule HR-EST-011 is reported as cannot assess
    And the cannot-assess reason mentions "route or dose not recorded"
