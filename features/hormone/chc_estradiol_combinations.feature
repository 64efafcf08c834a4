Feature: HR-CHC-060 and the MHT rules with estradiol-based combined hormonal contraception

  Estradiol valerate / dienogest (Natazia, Qlaira; ATC G03AB08) and estradiol / nomegestrol acetate (Zoely;
  ATC G03AA14) are combined hormonal contraceptives whose estrogen is estradiol rather than ethinylestradiol.
  CDC MEC 2024 counts every combined estrogen-progestin method as CHC; they are not menopausal hormone therapy.

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: Natazia (brand only) with a prior deep vein thrombosis fires at critical
    Given a female patient aged 29
    And the patient takes:
      | name    | start  |
      | Natazia | 1y ago |
    And the patient has conditions:
      | icd10cm | status   |
      | Z86.718 | resolved |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical
    And rule HR-EST-003 does not fire

  Scenario: Estradiol valerate / dienogest written by its ingredients with migraine with aura fires at critical
    Given a female patient aged 29
    And the patient takes:
      | name                                             | route | start  |
      | estradiol valerate 2 MG / dienogest 2 MG Oral Tablet | oral  | 1y ago |
    And the patient has conditions:
      | icd10cm | status |
      | G43.109 | active |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical

  Scenario: "dienogest / estradiol valerate" (ingredient order reversed) is contraception too
    Given a female patient aged 29
    And the patient takes:
      | name                           | start  |
      | dienogest / estradiol valerate | 1y ago |
    And the patient has conditions:
      | icd10cm | status |
      | G43.109 | active |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical
    And rule HR-EST-007 does not fire

  Scenario: A product coded only with ATC G03AB08 is combined hormonal contraception
    Given a female patient aged 29
    And the patient takes:
      | atc     | start  |
      | G03AB08 | 1y ago |
    And the patient has conditions:
      | icd10cm | status   |
      | Z86.718 | resolved |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical

  Scenario: Any fixed combined contraceptive coded only by ATC (G03AA) is combined hormonal contraception
    Given a female patient aged 29
    And the patient takes:
      | atc     | start  |
      | G03AA07 | 1y ago |
    And the patient has conditions:
      | icd10cm | status |
      | G43.109 | active |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical

  Scenario: Zoely (estradiol / nomegestrol acetate) with a prior deep vein thrombosis fires at critical
    Given a female patient aged 29
    And the patient takes:
      | name  | start  |
      | Zoely | 1y ago |
    And the patient has conditions:
      | icd10cm | status   |
      | Z86.718 | resolved |
    When the engine evaluates the patient
    Then rule HR-CHC-060 fires with severity critical

  Scenario: A 25-year-old on Zoely by its ingredients is not on unopposed menopausal estrogen
    Given a female patient aged 25
    And the patient takes:
      | name                                                    | route | start   |
      | nomegestrol acetate 2.5 MG / estradiol 1.5 MG Oral Tablet | oral  | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 does not fire
    And rule HR-EST-008 does not fire
    And rule HR-CHC-060 does not fire

  Scenario: Uterus status is not asked for a patient of sex "other" on estradiol / nomegestrol acetate
    Given an other patient aged 25
    And the patient takes:
      | name                                | route | start   |
      | estradiol hemihydrate / nomegestrol acetate | oral  | 60d ago |
    When the engine evaluates the patient
    Then rule HR-EST-008 does not fire
    And rule HR-EST-007 does not fire

  Scenario: A 61-year-old who starts Qlaira is not reported as late menopausal therapy
    Given a female patient aged 61
    And the patient's uterus is absent
    And the patient takes:
      | name                                   | start   |
      | Qlaira (estradiol valerate / dienogest) | 30d ago |
    When the engine evaluates the patient
    Then rule HR-EST-010 does not fire

  Scenario: Estradiol valerate / dienogest taken by mouth raises CBG: a total cortisol is confounded
    Given a female patient aged 29
    And the patient takes:
      | name                           | route | start  |
      | dienogest / estradiol valerate | oral  | 1y ago |
    And the patient has results:
      | loinc  | value | unit  | collected       |
      | 9813-7 | 25    | ug/dL | 5d ago at 08:00 |
    When the engine evaluates the patient
    Then rule HR-ADR-049 fires with severity moderate

  Scenario: Dienogest alone (Visanne, an endometriosis progestin) is not combined hormonal contraception
    Given a female patient aged 29
    And the patient takes:
      | name                       | start  |
      | dienogest 2 MG Oral Tablet | 1y ago |
    And the patient has conditions:
      | icd10cm | status   |
      | Z86.718 | resolved |
    When the engine evaluates the patient
    Then rule HR-CHC-060 does not fire

  Scenario: Estradiol patch for menopause beside a dienogest tablet stays menopausal therapy
    Given a female patient aged 52
    And the patient's uterus is present
    And the patient takes:
      | name                       | dose | dose_unit | frequency | route       | start   |
      | estradiol                  | 50   | ug        | daily     | transdermal | 90d ago |
      | dienogest 2 MG Oral Tablet |      |           |           | oral        | 90d ago |
    When the engine evaluates the patient
    Then rule HR-EST-007 fires with severity high
    And rule HR-CHC-060 does not fire

  Scenario: Climodien (menopausal estradiol valerate / dienogest) named by brand is menopausal therapy, not contraception
    Given a female patient aged 56
    And the patient takes:
      | name                                      | route | start  |
      | Climodien (estradiol valerate / dienogest) | oral  | 1y ago |
    And the patient has conditions:
      | icd10cm | status   |
      | Z86.718 | resolved |
    When the engine evaluates the patient
    Then rule HR-EST-003 fires with severity critical
    And rule HR-CHC-060 does not fire
    And rule HR-EST-007 does not fire

  Scenario: A product coded only with ATC G03FA15 (estradiol valerate / dienogest for menopause) is menopausal therapy
    Given a female patient aged 56
    And the patient takes:
      | atc     | start  |
      | G03FA15 | 1y ago |
    And the patient has conditions:
      | icd10cm | status   |
      | Z86.718 | resolved |
    When the engine evaluates the patient
    Then rule HR-EST-003 fires with severity critical
    And rule HR-CHC-060 does not fire
