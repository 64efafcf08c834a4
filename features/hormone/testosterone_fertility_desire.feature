Feature: HR-TST-017 Testosterone in a man planning fertility

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 34
    And the patient takes:
      | name     | route       | start   |
      | AndroGel | transdermal | 90d ago |

  Scenario: A recorded fertility goal fires at high
    Given the patient's fertility goal is yes
    When the engine evaluates the patient
    Then rule HR-TST-017 fires with severity high

  Scenario: An active procreative-management code fires
    Given the patient has conditions:
      | icd10cm | status |
      | Z31.69  | active |
    When the engine evaluates the patient
    Then rule HR-TST-017 fires with severity high

  Scenario: No fertility plans stays silent
    Given the patient's fertility goal is no
    When the engine evaluates the patient
    Then rule HR-TST-017 does not fire

  Scenario: Fertility plans not recorded give a low-severity cannot-assess finding
    When the engine evaluates the patient
    Then rule HR-TST-017 is reported as cannot assess
    And the cannot-assess reason mentions "fertility plans not recorded"

  Scenario: A 70-year-old whose fertility plans are not recorded is not asked (no noise)
    Given a male patient aged 70
    When the engine evaluates the patient
    Then rule HR-TST-017 does not fire

  Scenario: A 55-year-old with a recorded fertility goal still fires (boundary)
    Given a male patient aged 55
    And the patient's fertility goal is yes
    When the engine evaluates the patient
    Then rule HR-TST-017 fires with severity high

  Scenario: A 54-year-old whose fertility plans are not recorded is asked (boundary)
    Given a male patient aged 54
    When the engine evaluates the patient
    Then rule HR-TST-017 is reported as cannot assess
