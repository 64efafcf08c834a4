Feature: HR-DHE-030 DHEA taken by mouth or as a supplement

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: An oral DHEA supplement fires at low
    Given a female patient aged 55
    And the patient takes:
      | name | dose | dose_unit | frequency | route | start   |
      | DHEA | 25   | mg        | daily     | oral  | 90d ago |
    When the engine evaluates the patient
    Then rule HR-DHE-030 fires with severity low

  Scenario: In a woman with adrenal insufficiency the trial branch applies, still at low
    Given a female patient aged 44
    And the patient has conditions:
      | icd10cm | status |
      | E27.1   | active |
    And the patient takes:
      | name           | dose | dose_unit | frequency | route | start   |
      | DHEA           | 25   | mg        | daily     | oral  | 90d ago |
      | hydrocortisone | 10   | mg        | bid       | oral  | 5y ago  |
    When the engine evaluates the patient
    Then rule HR-DHE-030 fires with severity low
    And no finding is above moderate

  Scenario: Vaginal prasterone is excluded
    Given a female patient aged 60
    And the patient takes:
      | name       | dose | dose_unit | frequency | route   | start   |
      | prasterone | 6.5  | mg        | daily     | vaginal | 90d ago |
    When the engine evaluates the patient
    Then rule HR-DHE-030 does not fire

  Scenario: Prasterone with no route recorded is counted as systemic (an exclusion needs the route)
    Given a female patient aged 60
    And the patient takes:
      | name       | start   |
      | prasterone | 90d ago |
    When the engine evaluates the patient
    Then rule HR-DHE-030 fires with severity low
