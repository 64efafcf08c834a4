Feature: NC-VPA-049 Valproate in a person of childbearing potential without documented contraception

  Background:
    Given the evaluation date is 2026-11-21
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | divalproex | 500  | mg        | bid       | 2y ago |

  Scenario: Not pregnant, no contraception documented fires at high
    Given a female patient aged 30
    And the patient's pregnancy status is not pregnant
    When the engine evaluates the patient
    Then rule NC-VPA-049 fires with severity high

  Scenario: Effective contraception documented 365 days ago stays silent (boundary)
    Given a female patient aged 30
    And the patient's pregnancy status is not pregnant
    And the patient has notes:
      | kind                   | date     |
      | effective_contraception | 365d ago |
    When the engine evaluates the patient
    Then rule NC-VPA-049 does not fire

  Scenario: Contraception documented 366 days ago is out of date (boundary)
    Given a female patient aged 30
    And the patient's pregnancy status is not pregnant
    And the patient has notes:
      | kind                    | date     |
      | effective_contraception | 366d ago |
    When the engine evaluates the patient
    Then rule NC-VPA-049 fires with severity high

  Scenario: Unknown pregnancy status fires even with contraception, and leads the pregnancy-status finding
    Given a female patient aged 30
    And the patient has notes:
      | kind                    | date    |
      | effective_contraception | 30d ago |
    When the engine evaluates the patient
    Then rule NC-VPA-049 fires with severity high
    And finding GN-PRG-056 is grouped under NC-VPA-049

  Scenario: After menopause there is no childbearing potential
    Given a female patient aged 53
    And the patient's menopause date is 2y ago
    When the engine evaluates the patient
    Then rule NC-VPA-049 does not fire

  Scenario: A man is not covered
    Given a male patient aged 30
    When the engine evaluates the patient
    Then rule NC-VPA-049 does not fire

  Scenario: A woman of unknown age cannot be assessed
    Given a female patient of unknown age
    And the patient's pregnancy status is not pregnant
    When the engine evaluates the patient
    Then rule NC-VPA-049 is reported as cannot assess
