Feature: HR-TST-024 Male hypogonadism diagnosed on inadequate testosterone testing

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 52

  Scenario: Testosterone started after a single pre-treatment level fires at moderate
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 60d ago |
    And the patient has results:
      | loinc  | value | unit  | collected         |
      | 2986-8 | 210   | ng/dL | 90d ago at 08:30  |
    When the engine evaluates the patient
    Then rule HR-TST-024 fires with severity moderate

  Scenario: Two morning levels before the start stay silent
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 60d ago |
    And the patient has results:
      | loinc  | value | unit  | collected         |
      | 2986-8 | 210   | ng/dL | 120d ago at 08:00 |
      | 2986-8 | 230   | ng/dL | 90d ago at 09:15  |
    When the engine evaluates the patient
    Then rule HR-TST-024 does not fire

  Scenario: A level collected at 14:00 fires
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 60d ago |
    And the patient has results:
      | loinc  | value | unit  | collected         |
      | 2986-8 | 210   | ng/dL | 120d ago at 08:00 |
      | 2986-8 | 230   | ng/dL | 90d ago at 14:00  |
    When the engine evaluates the patient
    Then rule HR-TST-024 fires with severity moderate

  Scenario: Levels taken while on an opioid fire
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route       | start   |
      | AndroGel  |      |           |           | transdermal | 60d ago |
      | oxycodone | 10   | mg        | bid       | oral        | 2y ago  |
    And the patient has results:
      | loinc  | value | unit  | collected         |
      | 2986-8 | 210   | ng/dL | 120d ago at 08:00 |
      | 2986-8 | 230   | ng/dL | 90d ago at 08:10  |
    When the engine evaluates the patient
    Then rule HR-TST-024 fires with severity moderate

  Scenario: A new diagnosis without treatment, on one level, fires
    Given the patient has conditions:
      | icd10cm | status | onset   |
      | E29.1   | active | 20d ago |
    And the patient has results:
      | loinc  | value | unit  | collected        |
      | 2986-8 | 180   | ng/dL | 30d ago at 08:00 |
    When the engine evaluates the patient
    Then rule HR-TST-024 fires with severity moderate

  Scenario: Long-standing therapy without pre-treatment results cannot be judged (listed, not alerted)
    Given the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 6y ago |
    When the engine evaluates the patient
    Then rule HR-TST-024 cannot be assessed
    And the cannot-assess reason mentions "no pre-treatment"

  Scenario: A date-only pre-treatment result has no clock time: cannot tell whether it was a morning sample
    Given the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 60d ago |
    And the patient has results:
      | loinc  | value | unit  | collected         |
      | 2986-8 | 210   | ng/dL | 120d ago at 08:00 |
      | 2986-8 | 230   | ng/dL | 90d ago           |
    When the engine evaluates the patient
    Then rule HR-TST-024 cannot be assessed
    And the cannot-assess reason mentions "collection time"
