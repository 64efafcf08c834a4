Feature: HR-ADR-048 Low early-morning cortisol (possible adrenal insufficiency)

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 35

  Scenario: A morning cortisol of 3.2 ug/dL fires at high
    Given the patient has results:
      | loinc  | value | unit  | collected        |
      | 9813-7 | 3.2   | ug/dL | 5d ago at 08:30  |
    When the engine evaluates the patient
    Then rule HR-ADR-048 fires with severity high

  Scenario: 140 nmol/L is not below 5 ug/dL once converted (boundary)
    Given the patient has results:
      | loinc  | value | unit   | collected        |
      | 9813-7 | 140   | nmol/L | 5d ago at 08:30  |
    When the engine evaluates the patient
    Then rule HR-ADR-048 does not fire

  Scenario: With crisis features the severity is raised to critical
    Given the patient has results:
      | loinc  | value | unit  | collected        |
      | 9813-7 | 2.1   | ug/dL | today at 07:45   |
    And the patient has vital signs:
      | kind        | value | unit | taken |
      | systolic_bp | 82    | mmHg | today |
    When the engine evaluates the patient
    Then rule HR-ADR-048 fires with severity critical

  Scenario: An afternoon sample is not a morning cortisol: the confounded-result rule reports it
    Given the patient has results:
      | loinc  | value | unit  | collected        |
      | 2143-6 | 3.2   | ug/dL | 5d ago at 15:00  |
    When the engine evaluates the patient
    Then rule HR-ADR-048 cannot be assessed
    And rule HR-ADR-049 fires with severity moderate

  Scenario: Prednisolone stopped 2 weeks ago explains a low cortisol
    Given the patient takes:
      | name         | dose | dose_unit | frequency | route | start  | end     |
      | prednisolone | 20   | mg        | daily     | oral  | 90d ago | 14d ago |
    And the patient has results:
      | loinc  | value | unit  | collected        |
      | 9813-7 | 3.2   | ug/dL | 5d ago at 08:30  |
    When the engine evaluates the patient
    Then rule HR-ADR-048 does not fire

  Scenario: On oral estrogen the low cortisol leads and the confounder finding is grouped under it
    Given the patient's uterus is absent
    And the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected        |
      | 9813-7 | 3.2   | ug/dL | 5d ago at 08:30  |
    When the engine evaluates the patient
    Then rule HR-ADR-048 fires with severity high
    And finding HR-ADR-049 is grouped under HR-ADR-048

  Scenario: No cortisol at all: the rule has nothing to interpret and stays silent (no noise)
    When the engine evaluates the patient
    Then rule HR-ADR-048 does not fire
