Feature: NC-LI-030 Sodium depletion or dehydration on lithium

  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 52
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 5y ago |

  Scenario: Sodium 132 on lithium fires at high
    Given the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 132   | mmol/L | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-LI-030 fires with severity high

  Scenario: Sodium 135 stays silent (boundary)
    Given the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 135   | mmol/L | 5d ago    |
    When the engine evaluates the patient
    Then rule NC-LI-030 does not fire

  Scenario: Documented diarrhoea fires without a sodium
    Given the patient has notes:
      | kind      | date   |
      | diarrhoea | 2d ago |
    When the engine evaluates the patient
    Then rule NC-LI-030 fires with severity high

  Scenario: A new low-salt diet fires
    Given the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 139   | mmol/L | 5d ago    |
    And the patient has notes:
      | kind          | date    |
      | low_salt_diet | 10d ago |
    When the engine evaluates the patient
    Then rule NC-LI-030 fires with severity high

  Scenario: Reduced fluid intake documented 15 days ago is outside the window (boundary)
    Given the patient has results:
      | loinc  | value | unit   | collected |
      | 2951-2 | 139   | mmol/L | 5d ago    |
    And the patient has notes:
      | kind                 | date    |
      | reduced_fluid_intake | 15d ago |
    When the engine evaluates the patient
    Then rule NC-LI-030 does not fire

  Scenario: No sodium and no symptoms are listed as not assessed
    When the engine evaluates the patient
    Then rule NC-LI-030 cannot be assessed
