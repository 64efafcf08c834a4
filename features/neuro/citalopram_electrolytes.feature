Feature: NC-QT-016 Low potassium or magnesium with a QT-prolonging drug

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 62

  Scenario: Citalopram with potassium 3.4 fires at high
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 20   | mg        | daily     | 1y ago |
    And the patient has results:
      | loinc   | value | unit   | collected |
      | 2823-3  | 3.4   | mmol/L | 5d ago    |
      | 19123-9 | 2.0   | mg/dL  | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-QT-016 fires with severity high

  Scenario: Magnesium 0.65 mmol/L (1.58 mg/dL) with ondansetron fires
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start  |
      | ondansetron | 4    | mg        | tid       | 2d ago |
    And the patient has results:
      | loinc   | value | unit   | collected |
      | 2823-3  | 4.1   | mmol/L | 1d ago    |
      | 19123-9 | 0.65  | mmol/L | 1d ago    |
    When the engine evaluates the patient
    Then rule NC-QT-016 fires with severity high

  Scenario: Potassium 3.5 and magnesium 1.7 stay silent (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 20   | mg        | daily     | 1y ago |
    And the patient has results:
      | loinc   | value | unit   | collected |
      | 2823-3  | 3.5   | mmol/L | 5d ago    |
      | 19123-9 | 1.7   | mg/dL  | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-QT-016 does not fire

  Scenario: No recent potassium or magnesium is reported as cannot assess, at low severity
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 20   | mg        | daily     | 1y ago |
    And the patient has results:
      | loinc   | value | unit   | collected |
      | 2823-3  | 3.9   | mmol/L | 31d ago   |
    When the engine evaluates the patient
    Then rule NC-QT-016 is reported as cannot assess
    And no finding is above low

  Scenario: Low potassium without a QT-prolonging drug stays silent
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | sertraline | 50   | mg        | daily     | 1y ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 2823-3 | 3.0   | mmol/L | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-QT-016 does not fire
