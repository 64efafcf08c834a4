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

  Scenario: Dose changed exactly 84 days ago is not yet overdue (boundary)
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 125  | ug        | daily     | 5y ago | 84d ago          |
    When the engine evaluates the patient
    Then rule HR-THY-034 does not fire

  Scenario: Dose-change date unknown: after-change rule cannot be assessed
    Given the patient takes:
      | name          | dose | dose_unit | frequency |
      | levothyroxine | 125  | ug        | daily     |
    When the engine evaluates the patient
    Then rule HR-THY-034 cannot be assessed
    And rule HR-THY-035 is reported as cannot assess
