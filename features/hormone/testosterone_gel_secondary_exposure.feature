Feature: HR-TST-028 Topical testosterone with children or a pregnant contact at home

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 41

  Scenario: Testosterone gel with children at home fires at moderate
    Given the patient takes:
      | name     | route       | start  |
      | AndroGel | transdermal | 1y ago |
    And the patient has notes:
      | kind               | date    |
      | household_children | 60d ago |
    When the engine evaluates the patient
    Then rule HR-TST-028 fires with severity moderate

  Scenario: A pregnant partner fires
    Given the patient takes:
      | name              | route   | start  |
      | testosterone cream | topical | 1y ago |
    And the patient has notes:
      | kind                       | date    |
      | household_contact_pregnant | 10d ago |
    When the engine evaluates the patient
    Then rule HR-TST-028 fires with severity moderate

  Scenario: Injected testosterone does not transfer by skin contact
    Given the patient takes:
      | name                   | dose | dose_unit | frequency | route         | start  |
      | testosterone cypionate | 100  | mg        | weekly    | intramuscular | 1y ago |
    And the patient has notes:
      | kind               | date    |
      | household_children | 60d ago |
    When the engine evaluates the patient
    Then rule HR-TST-028 does not fire

  Scenario: Testosterone with no route recorded cannot be assessed when children are at home
    Given the patient takes:
      | name         | start  |
      | testosterone | 1y ago |
    And the patient has notes:
      | kind               | date    |
      | household_children | 60d ago |
    When the engine evaluates the patient
    Then rule HR-TST-028 is reported as cannot assess
    And the cannot-assess reason mentions "route or dose not recorded"
