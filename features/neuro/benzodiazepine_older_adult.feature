Feature: NC-BZD-034 Benzodiazepine or Z-drug at age 65 or over

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Lorazepam at 70 fires at moderate
    Given a female patient aged 70
    And the patient takes:
      | name      | dose | dose_unit | frequency | start  |
      | lorazepam | 0.5  | mg        | nightly   | 1y ago |
    When the engine evaluates the patient
    Then rule NC-BZD-034 fires with severity moderate

  Scenario: Zolpidem at 65 fires (boundary)
    Given a male patient aged 65
    And the patient takes:
      | name     | dose | dose_unit | frequency | start  |
      | zolpidem | 5    | mg        | nightly   | 1y ago |
    When the engine evaluates the patient
    Then rule NC-BZD-034 fires with severity moderate

  Scenario: Lorazepam at 64 stays silent (boundary)
    Given a male patient aged 64
    And the patient takes:
      | name      | dose | dose_unit | frequency | start  |
      | lorazepam | 0.5  | mg        | nightly   | 1y ago |
    When the engine evaluates the patient
    Then rule NC-BZD-034 does not fire

  Scenario: Unknown age cannot be assessed
    Given a female patient of unknown age
    And the patient takes:
      | name      | dose | dose_unit | frequency | start  |
      | lorazepam | 0.5  | mg        | nightly   | 1y ago |
    When the engine evaluates the patient
    Then rule NC-BZD-034 is reported as cannot assess
