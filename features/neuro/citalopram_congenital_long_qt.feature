Feature: NC-QT-015 Citalopram or escitalopram in congenital long QT syndrome

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 29

  Scenario: Escitalopram with coded long QT syndrome fires at critical
    Given the patient takes:
      | name         | dose | dose_unit | frequency | start   |
      | escitalopram | 10   | mg        | daily     | 30d ago |
    And the patient has conditions:
      | icd10cm |
      | I45.81  |
    When the engine evaluates the patient
    Then rule NC-QT-015 fires with severity critical

  Scenario: Citalopram with long QT syndrome recorded as text fires
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | citalopram | 10   | mg        | daily     | 30d ago |
    And the patient has conditions:
      | text                         |
      | Congenital long QT syndrome  |
    When the engine evaluates the patient
    Then rule NC-QT-015 fires with severity critical

  Scenario: Sertraline in long QT syndrome is not covered by this rule
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start   |
      | sertraline | 50   | mg        | daily     | 30d ago |
    And the patient has conditions:
      | icd10cm |
      | I45.81  |
    When the engine evaluates the patient
    Then rule NC-QT-015 does not fire

  Scenario: Escitalopram stopped last month stays silent
    Given the patient takes:
      | name         | dose | dose_unit | frequency | start  | end     |
      | escitalopram | 10   | mg        | daily     | 1y ago | 30d ago |
    And the patient has conditions:
      | icd10cm |
      | I45.81  |
    When the engine evaluates the patient
    Then rule NC-QT-015 does not fire
