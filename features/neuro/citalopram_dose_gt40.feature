Feature: NC-QT-013 Citalopram above 40 mg/day

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 45

  Scenario: Citalopram 60 mg at 45 fires at high
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 60   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-013 fires with severity high
    And rule NC-QT-012 does not fire

  Scenario: Citalopram 40 mg is at the limit (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 40   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-013 does not fire

  Scenario: Escitalopram 60 mg is not citalopram
    Given the patient takes:
      | name         | dose | dose_unit | frequency | start  |
      | escitalopram | 30   | mg        | bid       | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-013 does not fire

  Scenario: A dose without a frequency cannot be assessed
    Given the patient takes:
      | name       | dose | dose_unit | start  |
      | citalopram | 30   | mg        | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-013 is reported as cannot assess
    And the cannot-assess reason mentions "daily dose"
