Feature: NC-SER-005 SSRI or SNRI with a triptan

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 35

  Scenario: Sertraline with sumatriptan fires at low
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start  | prn |
      | sertraline  | 50   | mg        | daily     | 1y ago |     |
      | sumatriptan | 50   | mg        | once      | 1y ago | yes |
    When the engine evaluates the patient
    Then rule NC-SER-005 fires with severity low

  Scenario: Venlafaxine with rizatriptan fires at low
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start  |
      | venlafaxine | 75   | mg        | daily     | 1y ago |
      | rizatriptan | 10   | mg        | once      | 1y ago |
    When the engine evaluates the patient
    Then rule NC-SER-005 fires with severity low
    And no finding is above low

  Scenario: Mirtazapine is not an SSRI or SNRI
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start  |
      | mirtazapine | 15   | mg        | nightly   | 1y ago |
      | sumatriptan | 50   | mg        | once      | 1y ago |
    When the engine evaluates the patient
    Then rule NC-SER-005 does not fire

  Scenario: A triptan stopped last month stays silent
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start  | end     |
      | sertraline  | 50   | mg        | daily     | 1y ago |         |
      | sumatriptan | 50   | mg        | once      | 1y ago | 30d ago |
    When the engine evaluates the patient
    Then rule NC-SER-005 does not fire
