Feature: HR-THY-063 TSH above target on thyroid hormone at 65 or over or with coronary disease or AF (small dose steps)

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: TSH 7.5 at steady state at 72 fires at low, grouped under the under-treatment finding
    Given a female patient aged 72
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 7.5   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-063 fires with severity low
    And rule HR-THY-033 fires with severity moderate
    And finding HR-THY-063 is grouped under HR-THY-033

  Scenario: Coronary heart disease at 50 fires
    Given a male patient aged 50
    And the patient has conditions:
      | icd10cm | status |
      | I25.10  | active |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 6.2   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-063 fires with severity low

  Scenario: Atrial fibrillation at 55 fires
    Given a female patient aged 55
    And the patient's pregnancy status is not pregnant
    And the patient has conditions:
      | icd10cm | status |
      | I48.0   | active |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 5.1   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-063 fires with severity low

  Scenario: A 50-year-old without heart disease gets the general finding only
    Given a male patient aged 50
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 7.5   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-063 does not fire
    And rule HR-THY-033 fires with severity moderate

  Scenario: TSH within the age-adjusted range at 75 stays silent
    Given a male patient aged 75
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 5.5   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-063 does not fire

  Scenario: A TSH drawn before steady state is not a basis for a dose step
    Given a male patient aged 72
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  | last_dose_change |
      | levothyroxine | 100  | ug        | daily     | 3y ago | 30d ago          |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 8.0   | mIU/L | 2d ago    |
    When the engine evaluates the patient
    Then rule HR-THY-063 does not fire
    And rule HR-THY-061 fires with severity low

  Scenario: Central hypothyroidism: TSH is not a target
    Given a male patient aged 72
    And the patient has conditions:
      | icd10cm | status |
      | E23.0   | active |
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 100  | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 8.0   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-063 does not fire
    And rule HR-THY-037 fires with severity info

  Scenario: Thyroid cancer with a documented TSH-suppression goal is left to the cancer team
    Given a male patient aged 72
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
      | 3016-3 | 8.0   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-063 does not fire

  Scenario: Age unknown without heart disease cannot be assessed (noted only)
    Given a male patient of unknown age
    And the patient takes:
      | name          | dose | dose_unit | frequency | start  |
      | levothyroxine | 75   | ug        | daily     | 3y ago |
    And the patient has results:
      | loinc  | value | unit  | collected |
      | 3016-3 | 6.5   | mIU/L | 20d ago   |
    When the engine evaluates the patient
    Then rule HR-THY-063 cannot be assessed
    And the cannot-assess reason mentions "age"
    And rule HR-THY-033 fires with severity moderate
