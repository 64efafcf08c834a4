Feature: HR-LAB-013 Salivary sex-hormone testing

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 55

  Scenario: A salivary estradiol result fires the evidence warning
    Given the patient has results:
      | loinc  | value | unit  | specimen | collected |
      | 2243-4 | 4.2   | pg/mL | saliva   | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-013 fires with severity moderate

  Scenario: A serum estradiol is not salivary testing
    Given the patient has results:
      | loinc  | value | unit  | specimen | collected |
      | 2243-4 | 42    | pg/mL | serum    | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-LAB-013 does not fire

  Scenario: A salivary result older than a year is outside the window (boundary 366 days)
    Given the patient has results:
      | loinc  | value | unit  | specimen | collected |
      | 2243-4 | 4.2   | pg/mL | saliva   | 366d ago  |
    When the engine evaluates the patient
    Then rule HR-LAB-013 does not fire

  Scenario: A salivary value is never compared with serum cut-offs
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 1y ago |
    And the patient has results:
      | name       | value | unit | specimen | collected |
      | hematocrit | 60    | %    | saliva   | 5d ago    |
    When the engine evaluates the patient
    Then rule HR-TST-018 is reported as cannot assess

  Scenario: A documented plan to titrate with a saliva panel fires
    Given the patient has notes:
      | kind                         | date    |
      | saliva_hormone_panel_planned | 10d ago |
    When the engine evaluates the patient
    Then rule HR-LAB-013 fires with severity moderate

  Scenario: Late-night salivary cortisol for Cushing's screening is a validated use
    Given the patient has conditions:
      | icd10cm | status |
      | E24.9   | active |
    And the patient has results:
      | loinc  | value | unit  | specimen | collected          |
      | 2142-8 | 0.12  | ug/dL | saliva   | 10d ago at 23:00   |
    When the engine evaluates the patient
    Then rule HR-LAB-013 does not fire

  Scenario: The generic specimen-mismatch finding on the same salivary result is grouped under this one
    Given the patient has results:
      | loinc  | value | unit  | specimen | collected |
      | 2243-4 | 4.2   | pg/mL | saliva   | 30d ago   |
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | HR-LAB-013 | moderate | fired   |
      | GN-DQ-003  | moderate | fired   |
    And finding GN-DQ-003 is grouped under HR-LAB-013
