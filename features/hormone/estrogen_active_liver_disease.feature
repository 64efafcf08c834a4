Feature: HR-EST-006 Systemic estrogen with severe active liver disease

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 55

  Scenario: Oral estradiol with active cirrhosis fires at high
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 1y ago |
    And the patient has conditions:
      | icd10cm | status |
      | K74.60  | active |
    When the engine evaluates the patient
    Then rule HR-EST-006 fires with severity high

  Scenario: Liver disease recorded as history only does not fire
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 1y ago |
    And the patient has conditions:
      | icd10cm | status  |
      | K72.00  | history |
    When the engine evaluates the patient
    Then rule HR-EST-006 does not fire

  Scenario: Low-dose vaginal estradiol is not systemic estrogen
    Given the patient takes:
      | name      | dose | dose_unit | frequency    | route   | start  |
      | estradiol | 10   | ug        | twice weekly | vaginal | 1y ago |
    And the patient has conditions:
      | icd10cm | status |
      | K74.60  | active |
    When the engine evaluates the patient
    Then rule HR-EST-006 does not fire

  Scenario: Estradiol gel with no dose recorded still counts as systemic
    Given the patient takes:
      | name          | route       | start  |
      | estradiol gel | transdermal | 1y ago |
    And the patient has conditions:
      | text                  | status |
      | alcoholic cirrhosis   | active |
    When the engine evaluates the patient
    Then rule HR-EST-006 fires with severity high
