Feature: NC-QT-014 QTc above 500 ms on a QT-prolonging drug

  Background:
    Given the evaluation date is 2026-11-21
    And a female patient aged 58
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 20   | mg        | daily     | 1y ago |

  Scenario: QTc 510 ms ten days ago fires at critical
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 8636-3 | 510   | ms   | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-QT-014 fires with severity critical

  Scenario: QTc reported in seconds converts (0.52 s = 520 ms)
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 8636-3 | 0.52  | s    | 2d ago    |
    When the engine evaluates the patient
    Then rule NC-QT-014 fires with severity critical

  Scenario: QTc of exactly 500 ms stays silent (boundary)
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 8636-3 | 500   | ms   | 10d ago   |
    When the engine evaluates the patient
    Then rule NC-QT-014 does not fire

  Scenario: A QTc older than 30 days is not current: listed as not assessed (N18 covers missing ECGs)
    Given the patient has results:
      | loinc  | value | unit | collected |
      | 8636-3 | 520   | ms   | 31d ago   |
    When the engine evaluates the patient
    Then rule NC-QT-014 cannot be assessed
    And the cannot-assess reason mentions "within 30 days"

  Scenario: Low potassium at the same time is grouped under the QTc finding
    Given the patient has results:
      | loinc  | value | unit   | collected |
      | 8636-3 | 510   | ms     | 3d ago    |
      | 2823-3 | 3.1   | mmol/L | 3d ago    |
    When the engine evaluates the patient
    Then rule NC-QT-014 fires with severity critical
    And finding NC-QT-016 is grouped under NC-QT-014
