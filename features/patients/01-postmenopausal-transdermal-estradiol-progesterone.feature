Feature: Patient 01 - Postmenopausal woman on transdermal estradiol and oral micronised progesterone, current review

  Appropriate therapy: transdermal estradiol started within 4 years of menopause, protected by oral
  micronised progesterone, no contraindication, reviewed last month. No finding of any severity is expected,
  and in particular no unopposed-estrogen, late-initiation or hormone-level alert.

  Scenario: Patient 01 gets exactly the expected findings
    Given the snapshot file "examples/patients/01-postmenopausal-transdermal-estradiol-progesterone.yaml"
    And the evaluation date is 2026-11-21
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule | severity | outcome |
    And rule HR-EST-007 does not fire
    And rule HR-EST-008 does not fire
    And rule HR-EST-010 does not fire
    And rule HR-CMP-012 does not fire
    And no finding is above info
    And there are no findings
