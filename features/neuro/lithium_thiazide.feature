Feature: NC-LI-226 Lithium with a thiazide or thiazide-like diuretic

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 58

  Scenario: Hydrochlorothiazide with lithium fires at high
    Given the patient takes:
      | name                | dose | dose_unit | frequency | start   |
      | lithium carbonate   | 400  | mg        | bid       | 3y ago  |
      | hydrochlorothiazide | 25   | mg        | daily     | 20d ago |
    When the engine evaluates the patient
    Then rule NC-LI-226 fires with severity high

  Scenario: A losartan/thiazide combination coded by ATC counts
    Given the patient takes:
      | name                | atc     | start   |
      | lithium carbonate   |         | 3y ago  |
      | Hyzaar              | C09DA01 | 20d ago |
    When the engine evaluates the patient
    Then rule NC-LI-226 fires with severity high
    And rule NC-LI-126 fires with severity high

  Scenario: Indapamide (thiazide-like) counts
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 3y ago  |
      | indapamide        | 2.5  | mg        | daily     | 20d ago |
    When the engine evaluates the patient
    Then rule NC-LI-226 fires with severity high

  Scenario: A thiazide stopped yesterday no longer counts
    Given the patient takes:
      | name                | dose | dose_unit | frequency | start   | end    |
      | lithium carbonate   | 400  | mg        | bid       | 3y ago  |        |
      | hydrochlorothiazide | 25   | mg        | daily     | 20d ago | 1d ago |
    When the engine evaluates the patient
    Then rule NC-LI-226 does not fire

  Scenario: A thiazide without lithium stays silent
    Given the patient takes:
      | name                | dose | dose_unit | frequency | start   |
      | hydrochlorothiazide | 25   | mg        | daily     | 20d ago |
    When the engine evaluates the patient
    Then rule NC-LI-226 does not fire
