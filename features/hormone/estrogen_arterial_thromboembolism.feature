Feature: HR-EST-004 Systemic estrogen after myocardial infarction, stroke or coronary disease

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 63

  Scenario: Estradiol patch with coronary heart disease fires at critical
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route       | start  |
      | estradiol | 50   | ug        | daily     | transdermal | 1y ago |
    And the patient has conditions:
      | icd10cm | status |
      | I25.10  | active |
    When the engine evaluates the patient
    Then rule HR-EST-004 fires with severity critical

  Scenario: A stroke recorded in free text fires
    Given the patient takes:
      | name              | dose  | dose_unit | frequency | route | start  |
      | conjugated estrogens | 0.625 | mg     | daily     | oral  | 1y ago |
    And the patient has conditions:
      | text                  | status  |
      | ischaemic stroke 2023 | history |
    When the engine evaluates the patient
    Then rule HR-EST-004 fires with severity critical

  Scenario: Hypertension alone is not arterial thromboembolism
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route       | start  |
      | estradiol | 50   | ug        | daily     | transdermal | 1y ago |
    And the patient has conditions:
      | icd10cm | status |
      | I10     | active |
    When the engine evaluates the patient
    Then rule HR-EST-004 does not fire

  Scenario: Estradiol with no route or dose recorded still counts as systemic
    Given the patient takes:
      | name      | start  |
      | estradiol | 1y ago |
    And the patient has conditions:
      | icd10cm | status  |
      | I25.2   | history |
    When the engine evaluates the patient
    Then rule HR-EST-004 fires with severity critical
