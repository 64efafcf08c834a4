Feature: NC-LI-031 Lithium in pregnancy or when planning pregnancy

  Background:
    Given the evaluation date is 2026-11-21
    And the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 2y ago |

  Scenario: Lithium in pregnancy fires at high
    Given a female patient aged 31
    And the patient's pregnancy status is pregnant
    When the engine evaluates the patient
    Then rule NC-LI-031 fires with severity high

  Scenario: A positive urine pregnancy test fires
    Given a female patient aged 31
    And the patient's pregnancy status is not pregnant
    And the patient has results:
      | loinc  | value_text | specimen | collected |
      | 2106-3 | positive   | urine    | 3d ago    |
    When the engine evaluates the patient
    Then rule NC-LI-031 fires with severity high

  Scenario: Planning a pregnancy fires
    Given a female patient aged 31
    And the patient's pregnancy status is not pregnant
    And the patient's fertility goal is yes
    When the engine evaluates the patient
    Then rule NC-LI-031 fires with severity high

  Scenario: Not pregnant, not planning, negative test stays silent
    Given a female patient aged 31
    And the patient's pregnancy status is not pregnant
    And the patient's fertility goal is no
    And the patient has results:
      | loinc  | value | specimen | collected |
      | 2106-3 | 0     | urine    | 3d ago    |
    When the engine evaluates the patient
    Then rule NC-LI-031 does not fire

  Scenario: A man with a fertility goal is not covered by this rule
    Given a male patient aged 31
    And the patient's fertility goal is yes
    When the engine evaluates the patient
    Then rule NC-LI-031 does not fire

  Scenario: Unknown pregnancy status: listed here, raised by the pregnancy-status rule
    Given a female patient aged 31
    When the engine evaluates the patient
    Then rule NC-LI-031 cannot be assessed
    And rule GN-PRG-056 fires with severity high
