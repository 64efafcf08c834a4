Feature: HR-THY-033 TSH above the target range on thyroid hormone

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: TSH 7.5 at 50 fires at moderate
    Given a female patient aged 50
    And the patient's pregnancy status is not pregnant
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 7.5   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-033 fires with severity moderate

  Scenario: TSH above 10 with documented symptoms is raised to high
    Given a male patient aged 50
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 14    | mIU/L | 20d ago   |
    And the patient has notes:
      | kind                 | date    | value                  |
      | hypothyroid_symptoms | 20d ago | fatigue, cold intolerance |
    When the engine evaluates the patient
    Then rule HR-THY-033 fires with severity high

  Scenario: TSH 4.5 is at the upper limit (boundary)
    Given a male patient aged 50
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 4.5   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-033 does not fire

  Scenario: TSH 5.5 at 75 is acceptable for age
    Given a male patient aged 75
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 5.5   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-033 does not fire

  Scenario: TSH 6.5 fires whatever the age, even when the age is not recorded
    Given a male patient of unknown age
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 6.5   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-033 fires with severity moderate

  Scenario: In pregnancy the pregnancy rule applies instead
    Given a female patient aged 31
    And the patient's pregnancy status is pregnant
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 5.0   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-033 does not fire
    And rule HR-THY-038 fires with severity high

  Scenario: TSH 5.0 with the age unknown gives a cannot-assess finding, never a normal reading
    Given a male patient of unknown age
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 5.0   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-033 is reported as cannot assess
    And the cannot-assess reason mentions "age"

  Scenario: A TSH older than 180 days is not interpreted; the overdue rule reports it
    Given a male patient aged 50
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 9.0   | mIU/L | 400d ago  |
    When the engine evaluates the patient
    Then rule HR-THY-033 does not fire
    And rule HR-THY-035 fires with severity moderate
