Feature: HR-THY-061 TSH drawn too early after a thyroid hormone start or dose change

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 52
    And the patient has conditions:
      | icd10cm | status |
      | E03.9   | active |

  Scenario: A TSH 4 weeks after a dose increase is too early to judge, and is not called over-treatment
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 100  | ug        | daily     | 3y ago | 30d ago          |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 3016-3 | 0.2   | mIU/L  | 2d ago    |
    When the engine evaluates the patient
    Then rule HR-THY-061 fires with severity low
    And rule HR-THY-032 does not fire

  Scenario: A TSH 41 days after the change is still too early (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 100  | ug        | daily     | 3y ago | 43d ago          |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 3016-3 | 8.2   | mIU/L  | 2d ago    |
    When the engine evaluates the patient
    Then rule HR-THY-061 fires with severity low
    And rule HR-THY-033 does not fire

  Scenario: A TSH 42 days after the change is at steady state and interpreted (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 100  | ug        | daily     | 3y ago | 44d ago          |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 3016-3 | 8.2   | mIU/L  | 2d ago    |
    When the engine evaluates the patient
    Then rule HR-THY-061 does not fire
    And rule HR-THY-033 fires with severity moderate

  Scenario: A course with no recorded start is presumed at steady state (said so) and interpreted
    Given the patient takes:
      | name          | dose | dose_unit | frequency |
      | levothyroxine | 100  | ug        | daily     |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 3016-3 | 0.2   | mIU/L  | 2d ago    |
    When the engine evaluates the patient
    Then rule HR-THY-032 fires with severity moderate
    And rule HR-THY-061 does not fire

  Scenario: No TSH is the monitoring rules' finding, not this one
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start   |
      | levothyroxine | 50   | ug        | daily     | 20d ago |
    When the engine evaluates the patient
    Then rule HR-THY-061 does not fire
