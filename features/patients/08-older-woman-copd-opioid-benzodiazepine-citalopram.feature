Feature: Patient 08 - Older woman with COPD on an opioid, a benzodiazepine, gabapentin and citalopram

  Opioid plus benzodiazepine is escalated to critical by COPD, and the benzodiazepine + gabapentin
  (CNS depressant) finding on the same sedation problem is grouped under it. Separately: citalopram 30 mg
  over age 60, a benzodiazepine at 72, and hyponatraemia on an SSRI. Potassium, magnesium and a PHQ-9 after
  the last dose change are on record, so those rules stay silent.

  Scenario: Patient 08 gets exactly the expected findings
    Given the snapshot file "examples/patients/08-older-woman-copd-opioid-benzodiazepine-citalopram.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome |
      | NC-BZD-032 | critical | fired   |
      | NC-BZD-035 | moderate | fired   |
      | NC-QT-012  | high     | fired   |
      | NC-BZD-034 | moderate | fired   |
      | NC-NA-040  | moderate | fired   |
    And finding NC-BZD-035 is grouped under NC-BZD-032
    And rule NC-QT-013 does not fire
    And rule NC-QT-016 does not fire
    And rule NC-AD-039 does not fire
