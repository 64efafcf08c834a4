Feature: Patient 24 - Man on methadone and citalopram with QTc 512 ms, started on testosterone after one afternoon level

  QTc above 500 ms on QT-prolonging drugs is critical, with the low potassium finding grouped under it.
  The hypogonadism diagnosis rests on a single afternoon level drawn on methadone. No hematocrit since
  testosterone was started (no baseline either): cannot assess.

  Scenario: Patient 24 gets exactly the expected findings
    Given the snapshot file "examples/patients/24-methadone-citalopram-long-qtc-testosterone.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome       |
      | NC-QT-014  | critical | fired         |
      | NC-QT-016  | high     | fired         |
      | HR-TST-024 | moderate | fired         |
      | HR-TST-018 | moderate | cannot_assess |
    And finding NC-QT-016 is grouped under NC-QT-014
    And rule NC-QT-013 does not fire
    And rule NC-QT-018 does not fire
    And rule HR-TST-021 does not fire
    And rule HR-TST-017 does not fire
    And rule NC-BZD-032 does not fire
