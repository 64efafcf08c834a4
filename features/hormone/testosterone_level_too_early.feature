Feature: HR-TST-075 Testosterone level drawn too early after a gel or patch start or dose change

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 52

  Scenario: A level 4 days after starting the gel is too early to judge, and not called supraphysiologic
    Given the patient takes:
      | name     | dose | dose_unit | frequency | route       | start   |
      | AndroGel | 40.5 | mg        | daily     | transdermal | 20d ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 1100  | ng/dL | 16d ago   |
    When the engine evaluates the patient
    Then rule HR-TST-075 fires with severity low
    And rule HR-TST-026 does not fire

  Scenario: 6 days after a dose change is still too early (boundary)
    Given the patient takes:
      | name     | dose | dose_unit | frequency | route       | start  | last_dose_change |
      | AndroGel | 40.5 | mg        | daily     | transdermal | 2y ago | 8d ago           |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 350   | ng/dL | 2d ago    |
    When the engine evaluates the patient
    Then rule HR-TST-075 fires with severity low

  Scenario: 7 days after the dose change the level is interpreted (boundary)
    Given the patient takes:
      | name     | dose | dose_unit | frequency | route       | start  | last_dose_change |
      | AndroGel | 40.5 | mg        | daily     | transdermal | 2y ago | 9d ago           |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 1100  | ng/dL | 2d ago    |
    When the engine evaluates the patient
    Then rule HR-TST-075 does not fire
    And rule HR-TST-026 fires with severity moderate

  Scenario: A gel with no recorded start is presumed at steady state (said so)
    Given the patient takes:
      | name     | dose | dose_unit | frequency | route       |
      | AndroGel | 40.5 | mg        | daily     | transdermal |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 2986-8 | 1100  | ng/dL | 2d ago    |
    When the engine evaluates the patient
    Then rule HR-TST-075 does not fire
    And rule HR-TST-026 fires with severity moderate

  Scenario: Injections are judged by the time within the interval, not by this rule
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 5d ago |
    And the patient has results:
      | loinc  | value | unit  | collected | hours_since_dose |
      | 2986-8 | 600   | ng/dL | 1d ago    | 96               |
    When the engine evaluates the patient
    Then rule HR-TST-075 does not fire

  Scenario: No recent level is the monitoring rule's finding, not this one
    Given the patient takes:
      | name     | dose | dose_unit | frequency | route       | start  |
      | AndroGel | 40.5 | mg        | daily     | transdermal | 3d ago |
    When the engine evaluates the patient
    Then rule HR-TST-075 does not fire
