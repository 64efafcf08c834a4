Feature: HR-ADR-049 Cortisol result that cannot be read against morning serum cut-offs

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 50
    And the patient's uterus is absent

  Scenario: A cortisol on oral estrogen fires at moderate
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route | start  |
      | estradiol | 1    | mg        | daily     | oral  | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected       |
      | 9813-7 | 19    | ug/dL | 5d ago at 08:00 |
    When the engine evaluates the patient
    Then rule HR-ADR-049 fires with severity moderate

  Scenario: A cortisol on a combined oral contraceptive fires (raised cortisol-binding globulin)
    Given the patient takes:
      | name                                                       | dose | dose_unit | frequency | start  |
      | drospirenone 3 MG / ethinyl estradiol 0.02 MG Oral Tablet  | 1    | tablet    | daily     | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected       |
      | 9813-7 | 25    | ug/dL | 5d ago at 08:00 |
    When the engine evaluates the patient
    Then rule HR-ADR-049 fires with severity moderate

  Scenario: A cortisol on prednisolone fires (assay cross-reactivity)
    Given the patient takes:
      | name         | dose | dose_unit | frequency | route | start  |
      | prednisolone | 5    | mg        | daily     | oral  | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected       |
      | 9813-7 | 11    | ug/dL | 5d ago at 08:00 |
    When the engine evaluates the patient
    Then rule HR-ADR-049 fires with severity moderate

  Scenario: A morning serum cortisol without confounders stays silent
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route       | start  |
      | estradiol | 50   | ug        | daily     | transdermal | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected       |
      | 9813-7 | 11    | ug/dL | 5d ago at 10:00 |
    When the engine evaluates the patient
    Then rule HR-ADR-049 does not fire

  Scenario: A cortisol with a date only (no clock time) fires
    Given the patient has results:
      | loinc  | value | unit  | collected |
      | 2143-6 | 11    | ug/dL | 5d ago    |
    When the engine evaluates the patient
    Then rule HR-ADR-049 fires with severity moderate

  Scenario: Topical hydrocortisone is not a confounder
    Given the patient takes:
      | name                 | route   | start  |
      | hydrocortisone cream | topical | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected       |
      | 9813-7 | 11    | ug/dL | 5d ago at 08:00 |
    When the engine evaluates the patient
    Then rule HR-ADR-049 does not fire

  Scenario: Estradiol with no route recorded might be oral: cannot assess
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start  |
      | estradiol | 1    | mg        | daily     | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected       |
      | 9813-7 | 11    | ug/dL | 5d ago at 08:00 |
    When the engine evaluates the patient
    Then rule HR-ADR-049 is reported as cannot assess
    And the cannot-assess reason mentions "route or dose not recorded"
