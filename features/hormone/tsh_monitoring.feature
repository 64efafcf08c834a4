Feature: HR-THY-035 and HR-THY-034 TSH monitoring on thyroid hormone

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 45

  Scenario: No TSH for over 13 months on stable levothyroxine fires at moderate
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 5y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 2.0   | mIU/L | 400d ago  |
    When the engine evaluates the patient
    Then rule HR-THY-035 fires with severity moderate

  Scenario: A TSH 395 days old is still in the window (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 5y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 2.0   | mIU/L | 395d ago  |
    When the engine evaluates the patient
    Then rule HR-THY-035 does not fire

  Scenario: No TSH on record at all fires: absence is not normality
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 5y ago |
    When the engine evaluates the patient
    Then rule HR-THY-035 fires with severity moderate

  Scenario: A recent TSH without a unit does not count as a current TSH
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 5y ago |
    And the patient has results:
      | loinc  | value | collected |
      | 3016-3 | 2.0   | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-035 fires with severity moderate
    And rule GN-DQ-001 fires with severity moderate

  Scenario: Dose changed 100 days ago with no TSH since fires the after-change rule
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 125  | ug        | daily     | 5y ago | 100d ago         |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 6.2   | mIU/L | 110d ago  |
    When the engine evaluates the patient
    Then rule HR-THY-034 fires with severity moderate
    And rule HR-THY-035 does not fire

  Scenario: Dose changed 100 days ago with a TSH since stays silent
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 125  | ug        | daily     | 5y ago | 100d ago         |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 2.2   | mIU/L | 50d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-034 does not fire

  Scenario: Dose changed exactly 84 days ago: TSH now due, not yet overdue (low, boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 125  | ug        | daily     | 5y ago | 84d ago          |
    When the engine evaluates the patient
    Then rule HR-THY-034 fires with severity low

  Scenario: Dose changed 85 days ago with no TSH since is overdue (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 125  | ug        | daily     | 5y ago | 85d ago          |
    When the engine evaluates the patient
    Then rule HR-THY-034 fires with severity moderate

  Scenario: Levothyroxine started 42 days ago: the first TSH is now due (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start   |
      | levothyroxine | 50   | ug        | daily     | 42d ago |
    When the engine evaluates the patient
    Then rule HR-THY-034 fires with severity low

  Scenario: Levothyroxine started 41 days ago: too early for the TSH (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start   |
      | levothyroxine | 50   | ug        | daily     | 41d ago |
    When the engine evaluates the patient
    Then rule HR-THY-034 does not fire
    And rule HR-THY-035 does not fire

  Scenario: A change 100 days ago with only a 400-day-old TSH: the after-change finding leads
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 125  | ug        | daily     | 5y ago | 100d ago         |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 2.0   | mIU/L | 400d ago  |
    When the engine evaluates the patient
    Then rule HR-THY-034 fires with severity moderate
    And finding HR-THY-035 is grouped under HR-THY-034

  Scenario: Thyroid cancer with a documented TSH-suppression goal switches the TSH rules off
    Given the patient has conditions:
      | icd10cm | status  |
      | C73     | history |
    And the patient has notes:
      | kind                 | date   |
      | tsh_suppression_goal | 2y ago |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 150  | ug        | daily     | 5y ago |
    When the engine evaluates the patient
    Then rule HR-THY-035 does not fire
    And rule HR-THY-034 does not fire

  Scenario: Central hypothyroidism switches the TSH monitoring rules off
    Given the patient has conditions:
      | icd10cm | status |
      | E23.0   | active |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 5y ago |
    When the engine evaluates the patient
    Then rule HR-THY-035 does not fire

  Scenario: Dose-change date unknown: after-change rule cannot be assessed
    Given the patient takes:
      | name          | dose | dose_unit | frequency |
      | levothyroxine | 125  | ug        | daily     |
    When the engine evaluates the patient
    Then rule HR-THY-034 cannot be assessed
    And rule HR-THY-035 is reported as cannot assess
