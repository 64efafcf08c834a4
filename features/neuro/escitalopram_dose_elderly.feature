Feature: NC-QT-017 Escitalopram above 10 mg/day at age 65 or over

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Escitalopram 20 mg at 70 fires at moderate
    Given a female patient aged 70
    And the patient takes:
      | name         | dose | dose_unit | frequency | start  |
      | escitalopram | 20   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-017 fires with severity moderate

  Scenario: Escitalopram 10 mg at 70 is at the limit (boundary)
    Given a female patient aged 70
    And the patient takes:
      | name         | dose | dose_unit | frequency | start  |
      | escitalopram | 10   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-017 does not fire

  Scenario: Escitalopram 15 mg at 65 fires (age boundary)
    Given a male patient aged 65
    And the patient takes:
      | name         | dose | dose_unit | frequency | start  |
      | escitalopram | 15   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-017 fires with severity moderate

  Scenario: Escitalopram 15 mg at 64 stays silent (age boundary)
    Given a male patient aged 64
    And the patient takes:
      | name         | dose | dose_unit | frequency | start  |
      | escitalopram | 15   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-017 does not fire

  Scenario: Unknown dose cannot be assessed
    Given a female patient aged 70
    And the patient takes:
      | name         | start  |
      | escitalopram | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-017 is reported as cannot assess
