Feature: HR-CMP-012 Compounded "bioidentical" hormone product

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 54
    And the patient's uterus is absent

  Scenario: A compounded estradiol cream fires at moderate
    Given the patient takes:
      | name            | route   | start   | compounded |
      | estradiol cream | topical | 60d ago | yes        |
    When the engine evaluates the patient
    Then rule HR-CMP-012 fires with severity moderate

  Scenario: A Triest cream is compounded by name even without the flag
    Given the patient takes:
      | name         | route   | start   |
      | Triest cream | topical | 60d ago |
    When the engine evaluates the patient
    Then rule HR-CMP-012 fires with severity moderate

  Scenario: An estradiol pellet fires
    Given the patient takes:
      | name             | dose | dose_unit | route   | start   |
      | estradiol pellet | 25   | mg        | implant | 60d ago |
    When the engine evaluates the patient
    Then rule HR-CMP-012 fires with severity moderate

  Scenario: An approved estradiol patch is not compounded
    Given the patient takes:
      | name      | dose | dose_unit | frequency | route       | start   |
      | estradiol | 50   | ug        | daily     | transdermal | 60d ago |
    When the engine evaluates the patient
    Then rule HR-CMP-012 does not fire

  Scenario: An approved testosterone pellet is not flagged unless recorded as compounded
    Given the patient takes:
      | name     | route   | start   |
      | Testopel | implant | 60d ago |
    When the engine evaluates the patient
    Then rule HR-CMP-012 does not fire

  Scenario: Estradiol with no route recorded might be a pellet: listed as not assessed
    Given the patient takes:
      | name      | dose | dose_unit | frequency | start   |
      | estradiol | 1    | mg        | daily     | 60d ago |
    When the engine evaluates the patient
    Then rule HR-CMP-012 cannot be assessed
    And the cannot-assess reason mentions "route or dose not recorded"
