Feature: HR-TST-025 On-treatment testosterone level without its timing relative to the dose

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 50
    And the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 2y ago |

  Scenario: A recent level without the time since the last dose fires at low
    Given the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 640   | ng/dL | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-025 fires with severity low

  Scenario: A level with the hours since the injection recorded stays silent
    Given the patient has results:
      | loinc  | value | unit  | collected | hours_since_dose |
      | 2986-8 | 640   | ng/dL | 10d ago   | 84               |
    When the engine evaluates the patient
    Then rule HR-TST-025 does not fire

  Scenario: A level older than 30 days is not a new result (boundary)
    Given the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 640   | ng/dL | 31d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-025 does not fire

  Scenario: A level without a unit is not interpreted at all: the unit problem is reported instead
    Given the patient has results:
      | loinc  | value | collected |
      | 2986-8 | 640   | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-025 does not fire
    And rule GN-DQ-001 fires with severity moderate
