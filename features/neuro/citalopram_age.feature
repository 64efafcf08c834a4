Feature: NC-QT-012 Citalopram above 20 mg/day over age 60 or with reduced clearance

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

  Scenario: Cimetidine lowers the limit to 20 mg at any age
    Given a female patient aged 45
    And the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | citalopram | 30   | mg        | daily     | 1y ago  |
      | cimetidine | 400  | mg        | bid       | 10d ago |
    When the engine evaluates the patient
    Then rule NC-QT-012 fires with severity high

  Scenario: Hepatic impairment lowers the limit to 20 mg
    Given a male patient aged 50
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 30   | mg        | daily     | 1y ago |
    And the patient has conditions:
      | icd10cm |
      | K74.60  |
    When the engine evaluates the patient
    Then rule NC-QT-012 fires with severity high

  Scenario: CYP2C19 poor metaboliser status lowers the limit to 20 mg
    Given a male patient aged 50
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 30   | mg        | daily     | 1y ago |
    And the patient has conditions:
      | text                      |
      | CYP2C19 poor metabolizer  |
    When the engine evaluates the patient
    Then rule NC-QT-012 fires with severity high

  Scenario: Above 40 mg over 60 the 40 mg finding is grouped under the 20 mg finding
    Given a female patient aged 68
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 60   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-012 fires with severity high
    And finding NC-QT-013 is grouped under NC-QT-012

  Scenario: Unknown dose cannot be assessed
    Given a female patient aged 68
    And the patient takes:
      | name       | start  |
      | citalopram | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-012 is reported as cannot assess
    And the cannot-assess reason mentions "daily dose"

  Scenario: Unknown age without another factor cannot be assessed
    Given a female patient of unknown age
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 40   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-012 is reported as cannot assess
