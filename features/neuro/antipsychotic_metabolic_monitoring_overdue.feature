Feature: NC-APS-053 Metabolic monitoring overdue on a second-generation antipsychotic

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 34

  Scenario: Long-term olanzapine with recent weight and HbA1c stays silent
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | olanzapine | 10   | mg        | nightly   | 2y ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4548-4 | 5.6   | %    | 200d ago  |
    And the patient has vital signs:
      | kind   | value | unit | taken   |
      | weight | 82    | kg   | 120d ago |
    When the engine evaluates the patient
    Then rule NC-APS-053 does not fire

  Scenario: A weight 121 days old is overdue (boundary)
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | olanzapine | 10   | mg        | nightly   | 2y ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4548-4 | 5.6   | %    | 200d ago  |
    And the patient has vital signs:
      | kind   | value | unit | taken    |
      | weight | 82    | kg   | 121d ago |
    When the engine evaluates the patient
    Then rule NC-APS-053 fires with severity moderate

  Scenario: No glucose or HbA1c within 395 days fires
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | quetiapine | 100  | mg        | nightly   | 2y ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4548-4 | 5.6   | %    | 396d ago  |
    And the patient has vital signs:
      | kind   | value | unit | taken   |
      | weight | 82    | kg   | 30d ago |
    When the engine evaluates the patient
    Then rule NC-APS-053 fires with severity moderate

  Scenario: 12-20 weeks after the start with no glucose since the start fires
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start    |
      | risperidone | 2    | mg        | daily     | 100d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 4548-4 | 5.4   | %     | 110d ago  |
      | 2093-3 | 190   | mg/dL | 20d ago   |
    And the patient has vital signs:
      | kind   | value | unit | taken   |
      | weight | 82    | kg   | 10d ago |
    When the engine evaluates the patient
    Then rule NC-APS-053 fires with severity moderate

  Scenario: 12-20 weeks after the start with glucose and lipids since the start stays silent
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start    |
      | risperidone | 2    | mg        | daily     | 100d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 4548-4 | 5.4   | %     | 20d ago   |
      | 2093-3 | 190   | mg/dL | 20d ago   |
    And the patient has vital signs:
      | kind   | value | unit | taken   |
      | weight | 82    | kg   | 10d ago |
    When the engine evaluates the patient
    Then rule NC-APS-053 does not fire

  Scenario: Before 12 weeks the post-start checks are not yet due (boundary)
    Given the patient takes:
      | name        | dose | dose_unit | frequency | start   |
      | risperidone | 2    | mg        | daily     | 83d ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4548-4 | 5.4   | %    | 90d ago   |
    And the patient has vital signs:
      | kind   | value | unit | taken   |
      | weight | 82    | kg   | 10d ago |
    When the engine evaluates the patient
    Then rule NC-APS-053 does not fire

  Scenario: A weight without a unit is not a weight on record
    Given the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | olanzapine | 10   | mg        | nightly   | 2y ago |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4548-4 | 5.6   | %    | 200d ago  |
    And the patient has vital signs:
      | kind   | value | taken   |
      | weight | 82    | 10d ago |
    When the engine evaluates the patient
    Then rule NC-APS-053 fires with severity moderate

  Scenario: An antipsychotic without a start date cannot be assessed
    Given the patient takes:
      | name       | dose | dose_unit | frequency |
      | olanzapine | 10   | mg        | nightly   |
    And the patient has results:
      | loinc  | value | unit | collected |
      | 4548-4 | 5.6   | %    | 20d ago   |
    And the patient has vital signs:
      | kind   | value | unit | taken   |
      | weight | 82    | kg   | 10d ago |
    When the engine evaluates the patient
    Then rule NC-APS-053 is reported as cannot assess
