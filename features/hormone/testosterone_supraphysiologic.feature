Feature: HR-TST-026 On-treatment testosterone above the target range

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 50

  Scenario: Gel at steady state with testosterone 1100 ng/dL fires at moderate
    Given the patient takes:
      | name     | dose  | dose_unit | frequency | route       | start  |
      | AndroGel | 40.5  | mg        | daily     | transdermal | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 1100  | ng/dL | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-026 fires with severity moderate

  Scenario: Exactly 916 ng/dL is not above the upper limit (boundary)
    Given the patient takes:
      | name     | dose  | dose_unit | frequency | route       | start  |
      | AndroGel | 40.5  | mg        | daily     | transdermal | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 916   | ng/dL | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-026 does not fire

  Scenario: Gel started 5 days ago is not at steady state
    Given the patient takes:
      | name     | dose  | dose_unit | frequency | route       | start  |
      | AndroGel | 40.5  | mg        | daily     | transdermal | 5d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 1100  | ng/dL | 1d ago    |
    When the engine evaluates the patient
    Then rule HR-TST-026 does not fire

  Scenario: Weekly injection, 1200 ng/dL four days after the dose fires
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 2y ago |
    And the patient has results:
      | loinc  | value | unit  | collected | hours_since_dose |
      | 2986-8 | 1200  | ng/dL | 10d ago   | 96               |
    When the engine evaluates the patient
    Then rule HR-TST-026 fires with severity moderate

  Scenario: The post-injection peak is not judged against the upper limit
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 2y ago |
    And the patient has results:
      | loinc  | value | unit  | collected | hours_since_dose |
      | 2986-8 | 1200  | ng/dL | 10d ago   | 24               |
    When the engine evaluates the patient
    Then rule HR-TST-026 does not fire

  Scenario: Mid-interval 700 ng/dL with hematocrit 51 % fires
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 2y ago |
    And the patient has results:
      | loinc  | value | unit  | collected | hours_since_dose |
      | 2986-8 | 700   | ng/dL | 10d ago   | 84               |
      | 4544-3 | 51    | %     | 10d ago   |                  |
    When the engine evaluates the patient
    Then rule HR-TST-026 fires with severity moderate

  Scenario: Mid-interval 700 ng/dL with hematocrit 49 % stays silent
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 2y ago |
    And the patient has results:
      | loinc  | value | unit  | collected | hours_since_dose |
      | 2986-8 | 700   | ng/dL | 10d ago   | 84               |
      | 4544-3 | 49    | %     | 10d ago   |                  |
    When the engine evaluates the patient
    Then rule HR-TST-026 does not fire

  Scenario: An injection level without its timing cannot be judged (HR-TST-025 reports the timing)
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 2y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 1200  | ng/dL | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-026 cannot be assessed
    And rule HR-TST-025 fires with severity low
