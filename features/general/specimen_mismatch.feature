Feature: GN-DQ-003 Serum analyte measured in a non-serum specimen

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 52

  Scenario: A salivary estradiol fires at moderate
    Given the patient has results:
      | loinc  | value | unit  | specimen | collected |
      | 2243-4 | 4.2   | pg/mL | saliva   | 10d ago   |
    When the engine evaluates the patient
    Then rule GN-DQ-003 fires with severity moderate

  Scenario: A dried-urine testosterone fires
    Given the patient has results:
      | name                 | value | unit  | specimen    | collected |
      | testosterone, total  | 20    | ng/dL | dried_urine | 10d ago   |
    When the engine evaluates the patient
    Then rule GN-DQ-003 fires with severity moderate

  Scenario: A serum estradiol stays silent
    Given the patient has results:
      | loinc  | value | unit  | specimen | collected |
      | 2243-4 | 42    | pg/mL | serum    | 10d ago   |
    When the engine evaluates the patient
    Then rule GN-DQ-003 does not fire

  Scenario: A result without a specimen is taken as the analyte's usual specimen
    Given the patient has results:
      | loinc  | value | unit  | collected |
      | 2243-4 | 42    | pg/mL | 10d ago   |
    When the engine evaluates the patient
    Then rule GN-DQ-003 does not fire

  Scenario: A urine pregnancy test is a urine analyte, not a mismatch
    Given the patient has results:
      | loinc  | value | specimen | collected |
      | 2106-3 | 0     | urine    | 10d ago   |
    When the engine evaluates the patient
    Then rule GN-DQ-003 does not fire

  Scenario: A salivary result older than a year is outside the window (boundary)
    Given the patient has results:
      | loinc  | value | unit  | specimen | collected |
      | 2243-4 | 4.2   | pg/mL | saliva   | 366d ago  |
    When the engine evaluates the patient
    Then rule GN-DQ-003 does not fire
