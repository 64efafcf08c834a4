Feature: HR-TST-076 Injected testosterone level drawn near the post-injection peak

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 48

  Scenario: A level one day after a weekly injection is near the peak
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 2y ago |
    And the patient has results:
      | loinc  | value | unit  | collected | hours_since_dose |
      | 2986-8 | 1200  | ng/dL | 10d ago   | 24               |
    When the engine evaluates the patient
    Then rule HR-TST-076 fires with severity low
    And rule HR-TST-026 does not fire

  Scenario: Mid-interval is the interpretable sample (boundary at a quarter of the interval)
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 2y ago |
    And the patient has results:
      | loinc  | value | unit  | collected | hours_since_dose |
      | 2986-8 | 1200  | ng/dL | 10d ago   | 42               |
    When the engine evaluates the patient
    Then rule HR-TST-076 does not fire
    And rule HR-TST-026 fires with severity moderate

  Scenario: A sample without its timing is HR-TST-025's finding; here only a coverage note
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 2y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 800   | ng/dL | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-076 cannot be assessed
    And rule HR-TST-025 fires with severity low

  Scenario: Gel is not an injection
    Given the patient takes:
      | name     | dose | dose_unit | frequency | route       | start  |
      | AndroGel | 40.5 | mg        | daily     | transdermal | 2y ago |
    And the patient has results:
      | loinc  | value | unit  | collected | hours_since_dose |
      | 2986-8 | 800   | ng/dL | 10d ago   | 2                |
    When the engine evaluates the patient
    Then rule HR-TST-076 does not fire
