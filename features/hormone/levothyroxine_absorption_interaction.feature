Feature: HR-THY-036 Drug reducing levothyroxine absorption

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 66

  Scenario: Levothyroxine with calcium carbonate fires at low
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | levothyroxine     | 100  | ug        | daily     | 5y ago |
      | calcium carbonate | 1250 | mg        | bid       | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 2.1   | mIU/L | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-036 fires with severity low

  Scenario: With a TSH above range the severity is raised to moderate
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 5y ago |
      | omeprazole    | 20   | mg        | daily     | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 6.8   | mIU/L | 30d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-036 fires with severity moderate

  Scenario: An iron tablet stopped last month no longer interacts
    Given the patient takes:
      | name             | dose | dose_unit | frequency | start  | end     |
      | levothyroxine    | 100  | ug        | daily     | 5y ago |         |
      | ferrous sulfate  | 200  | mg        | daily     | 1y ago | 30d ago |
    When the engine evaluates the patient
    Then rule HR-THY-036 does not fire

  Scenario: No recent TSH keeps the advisory at low (the overdue rule reports the TSH)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | levothyroxine     | 100  | ug        | daily     | 5y ago |
      | calcium carbonate | 1250 | mg        | bid       | 1y ago |
    When the engine evaluates the patient
    Then rule HR-THY-036 fires with severity low
    And rule HR-THY-035 fires with severity moderate
