Feature: HR-THY-032 TSH below the reference range on thyroid hormone

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: TSH 0.2 at 45 fires at moderate
    Given a female patient aged 45
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 125  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.2   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-032 fires with severity moderate
    And rule HR-THY-031 does not fire

  Scenario: TSH exactly 0.4 is within range (boundary)
    Given a female patient aged 45
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 125  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.4   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-032 does not fire

  Scenario: Age not recorded never silences a low TSH
    Given a female patient of unknown age
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 125  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.2   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-032 fires with severity moderate
    And rule HR-THY-031 is reported as cannot assess

  Scenario: No recent TSH: not interpreted here, the monitoring rule reports it
    Given a female patient aged 45
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 125  | ug        | daily     | 3y ago |
    When the engine evaluates the patient
    Then rule HR-THY-032 does not fire
    And rule HR-THY-035 fires with severity moderate
