Feature: HR-THY-031 Low TSH on thyroid hormone in an older adult or with AF, osteoporosis or heart disease

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Suppressed TSH at 72 fires at high and groups the general low-TSH finding
    Given a female patient aged 72
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 150  | ug        | daily     | 5y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.05  | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-031 fires with severity high
    And finding HR-THY-032 is grouped under HR-THY-031

  Scenario: TSH 0.1 (below range, not suppressed) is moderate (boundary)
    Given a female patient aged 72
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 150  | ug        | daily     | 5y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.1   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-031 fires with severity moderate

  Scenario: Atrial fibrillation at 50 also fires
    Given a male patient aged 50
    And the patient has conditions:
      | icd10cm | status |
      | I48.91  | active |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 150  | ug        | daily     | 5y ago |
    And the patient has results:
      | loinc  | value | unit   | collected |
      | 3016-3 | 0.03  | uIU/mL | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-031 fires with severity high

  Scenario: A documented TSH-suppression goal for thyroid cancer switches the rule off
    Given a female patient aged 70
    And the patient has conditions:
      | icd10cm | status  |
      | Z85.850 | history |
    And the patient has notes:
      | kind                 | date   |
      | tsh_suppression_goal | 1y ago |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 175  | ug        | daily     | 5y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.05  | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-031 does not fire
    And rule HR-THY-032 does not fire

  Scenario: Central hypothyroidism switches the TSH rules off (free T4 rule instead)
    Given a female patient aged 70
    And the patient has conditions:
      | icd10cm | status |
      | E23.0   | active |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 5y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.02  | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-031 does not fire
    And rule HR-THY-037 fires with severity info

  Scenario: A suppressed TSH older than 180 days is not interpreted (the monitoring rule reports it)
    Given a female patient aged 72
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 150  | ug        | daily     | 5y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.05  | mIU/L | 400d ago  |
    When the engine evaluates the patient
    Then rule HR-THY-031 does not fire
    And rule HR-THY-035 fires with severity moderate

  Scenario: Age not recorded and no risk condition: cannot assess, while the low TSH is still reported
    Given a female patient of unknown age
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 150  | ug        | daily     | 5y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 0.05  | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-031 is reported as cannot assess
    And the cannot-assess reason mentions "age"
    And rule HR-THY-032 fires with severity moderate
