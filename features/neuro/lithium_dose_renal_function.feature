Feature: NC-LI-078 Lithium started or dose increased with reduced renal function

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 58

  Scenario: A start 3 days ago with eGFR 45 fires at moderate
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 45    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 fires with severity moderate

  Scenario: A start with eGFR 25 fires at high (the label does not recommend lithium)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 25    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 fires with severity high

  Scenario: A start with eGFR 75 fires at low (mild impairment)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 75    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 fires with severity low

  Scenario: A start with eGFR 95 stays silent
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 95    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 does not fire

  Scenario: eGFR 89 fires at low (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 89    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 fires with severity low

  Scenario: eGFR 90 stays silent (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 90    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 does not fire

  Scenario: eGFR 30 fires at moderate (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 30    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 fires with severity moderate

  Scenario: eGFR 29 fires at high (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 29    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 fires with severity high

  Scenario: eGFR 59 fires at moderate, 60 would be low (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 59    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 fires with severity moderate

  Scenario: eGFR 60 fires at low (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 60    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 fires with severity low

  Scenario: A start 28 days ago still fires (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 28d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 45    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 fires with severity moderate

  Scenario: A start 29 days ago is past the titration window (boundary)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start   |
      | lithium carbonate | 400  | mg        | bid       | 29d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 45    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 does not fire

  Scenario: A stable dose with no start or change in the window stays silent
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 45    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 does not fire

  Scenario: Lithium prescribed to start in 3 days stays silent (not yet taken)
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start |
      | lithium carbonate | 400  | mg        | bid       | in 3d |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 45    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 does not fire

  Scenario: A dose increase (a new order at a higher dose) fires
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  | end    |
      | lithium carbonate | 400  | mg        | bid       | 2y ago | 6d ago |
      | lithium carbonate | 600  | mg        | bid       | 5d ago |        |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 45    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 fires with severity moderate

  Scenario: A dose reduction (a new order at a lower dose) stays silent
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  | end    |
      | lithium carbonate | 600  | mg        | bid       | 2y ago | 6d ago |
      | lithium carbonate | 400  | mg        | bid       | 5d ago |        |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 45    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 does not fire

  Scenario: A dose change recorded without the previous dose cannot be judged an increase
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  | last_dose_change |
      | lithium carbonate | 600  | mg        | bid       | 2y ago | 5d ago           |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 45    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 is reported as cannot assess
    And the cannot-assess reason mentions "previous dose"

  Scenario: A start with no eGFR on record is reported as cannot assess
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    When the engine evaluates the patient
    Then rule NC-LI-078 is reported as cannot assess
    And the cannot-assess reason mentions "eGFR"

  Scenario: A start with an eGFR older than 90 days is reported as cannot assess
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 45    | mL/min/1.73m2 | 91d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 is reported as cannot assess

  Scenario: The declining-function rule gives its own monitoring advice alongside
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3d ago |
    And the patient has results:
      | loinc   | value | unit          | collected |
      | 33914-3 | 42    | mL/min/1.73m2 | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-LI-078 fires with severity moderate
    And rule NC-LI-027 fires with severity high
