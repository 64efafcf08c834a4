Feature: NC-LI-019 toxic lithium level and NC-LI-026 lithium with an NSAID

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 45

  Scenario: Lithium 1.6 mmol/L five days ago fires at critical
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
    And the patient has results:
      | loinc   | value | unit   | collected |
      | 14334-7 | 1.6   | mmol/L | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-LI-019 fires with severity critical

  Scenario: Lithium reported in mEq/L converts one to one and 1.5 fires (boundary)
    Given the patient has results:
      | loinc   | value | unit  | collected |
      | 14334-7 | 1.5   | mEq/L | 2d ago    |
    When the engine evaluates the patient
    Then rule NC-LI-019 fires with severity critical

  Scenario: Lithium 1.4 mmol/L is below the toxic threshold
    Given the patient has results:
      | loinc   | value | unit   | collected |
      | 14334-7 | 1.4   | mmol/L | 2d ago    |
    When the engine evaluates the patient
    Then rule NC-LI-019 does not fire

  Scenario: A toxic level 15 days old is stale: noted as not assessed, not alerted
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
    And the patient has results:
      | loinc   | value | unit   | collected |
      | 14334-7 | 1.8   | mmol/L | 15d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-019 cannot be assessed
    And the cannot-assess reason mentions "within 14 days"

  Scenario: Lithium with ibuprofen fires at high
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
      | ibuprofen         | 400  | mg        | tid       | 5d ago |
    When the engine evaluates the patient
    Then rule NC-LI-026 fires with severity high

  Scenario: Naproxen stopped 10 days ago still counts
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  | end     |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |         |
      | naproxen          | 500  | mg        | bid       | 30d ago | 10d ago |
    When the engine evaluates the patient
    Then rule NC-LI-026 fires with severity high

  Scenario: Low-dose aspirin is not an NSAID for this rule
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
      | aspirin           | 81   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-LI-026 does not fire

  Scenario: An NSAID stopped 15 days ago is outside the window (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   | end     |
      | lithium carbonate | 400  | mg        | bid       | 3y ago  |         |
      | ibuprofen         | 400  | mg        | tid       | 60d ago | 15d ago |
    When the engine evaluates the patient
    Then rule NC-LI-026 does not fire

  Scenario: A level of 1.49 mmol/L is below the toxic threshold (boundary)
    Given the patient has results:
      | loinc   | value | unit   | collected |
      | 14334-7 | 1.49  | mmol/L | 2d ago    |
    When the engine evaluates the patient
    Then rule NC-LI-019 does not fire

  Scenario: Coarse tremor with a level of 1.2 mmol/L fires at critical (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 1.2   | mmol/L | 2d ago    | 12               |
    And the patient has notes:
      | kind          | date   |
      | coarse_tremor | 1d ago |
    When the engine evaluates the patient
    Then rule NC-LI-019 fires with severity critical
    And finding NC-LI-020 is grouped under NC-LI-019

  Scenario: Toxicity symptoms with a level of 1.19 mmol/L still raise the alarm, at high (toxicity within range)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 1.19  | mmol/L | 2d ago    | 12               |
    And the patient has notes:
      | kind   | date   |
      | ataxia | 1d ago |
    When the engine evaluates the patient
    Then rule NC-LI-019 fires with severity high
    And finding NC-LI-020 is grouped under NC-LI-019

  Scenario: Toxicity symptoms with a level of 1.2 mmol/L are critical (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 1.2   | mmol/L | 2d ago    | 12               |
    And the patient has notes:
      | kind   | date   |
      | ataxia | 1d ago |
    When the engine evaluates the patient
    Then rule NC-LI-019 fires with severity critical

  Scenario: Toxicity symptoms with no recent level are critical until a level says otherwise
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
    And the patient has notes:
      | kind      | date   |
      | confusion | 1d ago |
    When the engine evaluates the patient
    Then rule NC-LI-019 fires with severity critical

  Scenario: Vomiting with a high level: the dehydration finding is grouped under toxicity
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 1.3   | mmol/L | 1d ago    | 12               |
    And the patient has notes:
      | kind     | date  |
      | vomiting | today |
    When the engine evaluates the patient
    Then rule NC-LI-019 fires with severity critical
    And finding NC-LI-030 is grouped under NC-LI-019

  Scenario: Ibuprofen started 10 days ago with a level since then fires the interaction only
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 3y ago  |
      | ibuprofen         | 400  | mg        | tid       | 10d ago |
    And the patient has results:
      | loinc   | value | unit   | collected | hours_since_dose |
      | 14334-7 | 0.7   | mmol/L | 3d ago    | 12               |
    When the engine evaluates the patient
    Then rule NC-LI-026 fires with severity high
    And rule NC-LI-326 does not fire

  Scenario: Without lithium and without a recent level the rule does not apply
    Given the patient has results:
      | loinc   | value | unit   | collected |
      | 14334-7 | 1.8   | mmol/L | 400d ago  |
    When the engine evaluates the patient
    Then rule NC-LI-019 does not fire
