Feature: HR-THY-062 TSH above the pregnancy target on thyroid hormone

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 32
    And the patient has conditions:
      | icd10cm | status |
      | E03.9   | active |

  Scenario: Pregnant with TSH 3.1 on a steady dose fires at high and leads the pregnancy finding
    Given the patient's pregnancy status is pregnant
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 3.1   | mIU/L | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-062 fires with severity high
    And finding HR-THY-038 is grouped under HR-THY-062
    And rule HR-THY-033 does not fire

  Scenario: TSH 2.5 is at the target (boundary) and stays silent
    Given the patient's pregnancy status is pregnant
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 2.5   | mIU/L | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-062 does not fire
    And rule HR-THY-038 fires with severity high

  Scenario: A TSH 28 days after a dose increase in pregnancy is read (boundary)
    Given the patient's pregnancy status is pregnant
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 125  | ug        | daily     | 3y ago | 30d ago          |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 4.2   | mIU/L | 2d ago    |
    When the engine evaluates the patient
    Then rule HR-THY-062 fires with severity high
    And rule HR-THY-061 does not fire

  Scenario: A TSH 27 days after a dose increase is too early even in pregnancy (before steady state)
    Given the patient's pregnancy status is pregnant
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 125  | ug        | daily     | 3y ago | 29d ago          |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 4.2   | mIU/L | 2d ago    |
    When the engine evaluates the patient
    Then rule HR-THY-062 does not fire
    And rule HR-THY-061 fires with severity low

  Scenario: Not pregnant stays silent (the non-pregnant targets apply)
    Given the patient's pregnancy status is not pregnant
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 3.1   | mIU/L | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-062 does not fire

  Scenario: Pregnancy status unknown is the pregnancy rule's note, not a finding here
    Given the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 3.1   | mIU/L | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-062 does not fire
    And rule HR-THY-038 cannot be assessed

  Scenario: Central hypothyroidism: TSH is not a target, so no TSH-based advice
    Given the patient's pregnancy status is pregnant
    And the patient has conditions:
      | icd10cm | status |
      | E23.0   | active |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 3.1   | mIU/L | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-062 does not fire
    And rule HR-THY-037 fires with severity info

  Scenario: Thyroid cancer with a documented TSH-suppression goal is left to the cancer team
    Given the patient's pregnancy status is pregnant
    And the patient has conditions:
      | icd10cm | status |
      | C73     | active |
    And the patient has notes:
      | kind                 | date     | value                          |
      | tsh_suppression_goal | 400d ago | TSH goal 0.1-0.5 (thyroid cancer) |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 150  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 3.1   | mIU/L | 10d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-062 does not fire

  Scenario: Pregnant with no TSH in the last 4 weeks cannot be assessed
    Given the patient's pregnancy status is pregnant
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 3.1   | mIU/L | 35d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-062 is reported as cannot assess
    And the cannot-assess reason mentions "TSH"
