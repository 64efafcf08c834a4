Feature: HR-ADR-045 Hydrocortisone maintenance dose outside 15-25 mg/day

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 52
    And the patient has conditions:
      | icd10cm | status |
      | E27.1   | active |

  Scenario: 30 mg a day fires at low
    Given the patient takes:
      | name           | dose | dose_unit | frequency | route | start  |
      | hydrocortisone | 10   | mg        | tid       | oral  | 2y ago |
    When the engine evaluates the patient
    Then rule HR-ADR-045 fires with severity low

  Scenario: 25 mg a day is within range (boundary)
    Given the patient takes:
      | name           | dose | dose_unit | frequency | route | start  |
      | hydrocortisone | 12.5 | mg        | bid       | oral  | 2y ago |
    When the engine evaluates the patient
    Then rule HR-ADR-045 does not fire

  Scenario: The parenteral emergency kit does not count toward the daily dose
    Given the patient takes:
      | name                              | dose | dose_unit | frequency | route         | start  | prn |
      | hydrocortisone                    | 10   | mg        | bid       | oral          | 2y ago |     |
      | hydrocortisone sodium succinate   | 100  | mg        | once      | intramuscular | 1y ago | yes |
    When the engine evaluates the patient
    Then rule HR-ADR-045 does not fire

  Scenario: A stress-dose episode this week explains a higher dose
    Given the patient takes:
      | name           | dose | dose_unit | frequency | route | start  |
      | hydrocortisone | 20   | mg        | bid       | oral  | 2y ago |
    And the patient has notes:
      | kind                | date   |
      | stress_dose_episode | 3d ago |
    When the engine evaluates the patient
    Then rule HR-ADR-045 does not fire

  Scenario: No dosing frequency recorded gives a cannot-assess finding
    Given the patient takes:
      | name           | dose | dose_unit | route | start  |
      | hydrocortisone | 10   | mg        | oral  | 2y ago |
    When the engine evaluates the patient
    Then rule HR-ADR-045 is reported as cannot assess
    And the cannot-assess reason mentions "daily dose"
