Feature: HR-THY-041 Biotin with recent hormone immunoassay results

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 38

  Scenario: Biotin with a TSH 10 days ago fires at low
    Given the patient takes:
      | name   | dose | dose_unit | frequency | start  |
      | biotin | 10   | mg        | daily     | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.2   | mIU/L | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-041 fires with severity low

  Scenario: A TSH older than 30 days is not a new result (boundary)
    Given the patient takes:
      | name   | dose | dose_unit | frequency | start  |
      | biotin | 10   | mg        | daily     | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.2   | mIU/L | 31d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-041 does not fire

  Scenario: No biotin, no interference advisory
    Given the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.2   | mIU/L | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-041 does not fire

  Scenario: A unit-less free T4 still counts as a new immunoassay result
    Given the patient takes:
      | name       | start  |
      | vitamin B7 | 1y ago |
    And the patient has results:
      | loinc  | value | collected |
      | 3024-7 | 2.1   | 5d ago    |
    When the engine evaluates the patient
    Then rule HR-THY-041 fires with severity low
    And rule GN-DQ-001 fires with severity moderate
