Feature: NC-QT-012 Citalopram above 20 mg/day over age 60

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Citalopram 40 mg at 68 fires at high
    Given a female patient aged 68
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 40   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-012 fires with severity high

  Scenario: Split doses are summed: 20 mg twice daily is 40 mg/day
    Given a male patient aged 70
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 20   | mg        | bid       | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-012 fires with severity high

  Scenario: Citalopram 20 mg at 68 is at the limit (boundary)
    Given a female patient aged 68
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 20   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-012 does not fire

  Scenario: Citalopram 40 mg at exactly 60 is not over 60 (boundary)
    Given a female patient aged 60
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 40   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-012 does not fire

  Scenario: Unknown dose cannot be assessed
    Given a female patient aged 68
    And the patient takes:
      | name       | start  |
      | citalopram | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-012 is reported as cannot assess
    And the cannot-assess reason mentions "daily dose"

  Scenario: Unknown age cannot be assessed
    Given a female patient of unknown age
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 40   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-012 is reported as cannot assess
