Feature: HR-ADR-051 "Adrenal fatigue" diagnosis or salivary cortisol rhythm panel used for therapy

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 41

  Scenario: An "adrenal fatigue" diagnosis fires at moderate
    Given the patient has conditions:
      | text            | status |
      | adrenal fatigue | active |
    When the engine evaluates the patient
    Then rule HR-ADR-051 fires with severity moderate

  Scenario: Hydrocortisone for adrenal fatigue without adrenal insufficiency is raised to high
    Given the patient has conditions:
      | text            | status |
      | adrenal fatigue | active |
    And the patient takes:
      | name           | dose | dose_unit | frequency | route | start   |
      | hydrocortisone | 5    | mg        | bid       | oral  | 60d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-051 fires with severity high

  Scenario: A 4-point salivary cortisol panel used to start DHEA fires
    Given the patient takes:
      | name | dose | dose_unit | frequency | route | start   |
      | DHEA | 25   | mg        | daily     | oral  | 60d ago |
    And the patient has results:
      | loinc  | value | unit  | specimen | collected        |
      | 2142-8 | 0.40  | ug/dL | saliva   | 70d ago at 07:00 |
      | 2142-8 | 0.20  | ug/dL | saliva   | 70d ago at 12:00 |
      | 2142-8 | 0.10  | ug/dL | saliva   | 70d ago at 17:00 |
      | 2142-8 | 0.05  | ug/dL | saliva   | 70d ago at 23:00 |
    When the engine evaluates the patient
    Then rule HR-ADR-051 fires with severity moderate

  Scenario: Late-night salivary cortisol on two nights for suspected Cushing's stays silent
    Given the patient has conditions:
      | icd10cm | status |
      | E24.9   | active |
    And the patient has results:
      | loinc  | value | unit  | specimen | collected        |
      | 2142-8 | 0.05  | ug/dL | saliva   | 20d ago at 23:00 |
      | 2142-8 | 0.06  | ug/dL | saliva   | 19d ago at 23:00 |
    When the engine evaluates the patient
    Then rule HR-ADR-051 does not fire

  Scenario: A rhythm panel without any therapy based on it stays silent
    Given the patient has results:
      | loinc  | value | unit  | specimen | collected        |
      | 2142-8 | 0.40  | ug/dL | saliva   | 70d ago at 07:00 |
      | 2142-8 | 0.20  | ug/dL | saliva   | 70d ago at 12:00 |
      | 2142-8 | 0.10  | ug/dL | saliva   | 70d ago at 17:00 |
    When the engine evaluates the patient
    Then rule HR-ADR-051 does not fire
