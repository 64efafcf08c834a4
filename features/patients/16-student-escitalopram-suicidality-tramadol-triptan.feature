Feature: Patient 16 - Student aged 19 newly on escitalopram with PHQ-9 item 9 positive, tramadol and a triptan

  Item 9 positive is critical (same-day risk assessment). Escitalopram + tramadol leads the serotonergic
  load, with "three or more serotonergic agents" grouped under it; the triptan pair is a separate low
  finding. Under 25 on a new antidepressant: boxed-warning monitoring. PHQ-9 17 is moderately severe.
  Escitalopram is a QT drug and no potassium/magnesium is on record: reported as cannot assess at low.

  Scenario: Patient 16 gets exactly the expected findings
    Given the snapshot file "examples/patients/16-student-escitalopram-suicidality-tramadol-triptan.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome       |
      | NC-SCL-037 | critical | fired         |
      | NC-SER-004 | high     | fired         |
      | NC-SER-011 | moderate | fired         |
      | NC-AD-036  | high     | fired         |
      | NC-SCL-038 | moderate | fired         |
      | NC-SER-005 | low      | fired         |
      | NC-QT-016  | low      | cannot_assess |
    And finding NC-SER-011 is grouped under NC-SER-004
    And rule NC-SER-001 does not fire
    And rule NC-AD-054 does not fire
