Feature: NC-QT-018 Citalopram or escitalopram with another QT-prolonging drug and no recent ECG

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 52

  Scenario: Citalopram with ondansetron and no ECG fires at moderate
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start   |
      | citalopram  | 20   | mg        | daily     | 1y ago  |
      | ondansetron | 4    | mg        | tid       | 10d ago |
    When the engine evaluates the patient
    Then rule NC-QT-018 fires with severity moderate

  Scenario: An ECG within the year stays silent
    Given the patient takes:
      | name         | dose | dose_unit | frequency | start   |
      | escitalopram | 10   | mg        | daily     | 1y ago  |
      | azithromycin | 250  | mg        | daily     | 3d ago  |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 8636-3 | 430   | ms   | 365d ago  |
    When the engine evaluates the patient
    Then rule NC-QT-018 does not fire

  Scenario: An ECG 366 days old is stale (boundary)
    Given the patient takes:
      | name         | dose | dose_unit | frequency | start   |
      | escitalopram | 10   | mg        | daily     | 1y ago  |
      | azithromycin | 250  | mg        | daily     | 3d ago  |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 8636-3 | 430   | ms   | 366d ago  |
    When the engine evaluates the patient
    Then rule NC-QT-018 fires with severity moderate

  Scenario: A QTc without a unit is not an ECG on record
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | citalopram    | 20   | mg        | daily     | 1y ago |
      | amitriptyline | 25   | mg        | nightly   | 1y ago |
    And the patient has results:
      | loinc  | value | collected |
      | 8636-3 | 430   | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-QT-018 fires with severity moderate
    And rule GN-DQ-001 fires with severity moderate

  Scenario: Citalopram alone stays silent
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 20   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-QT-018 does not fire
