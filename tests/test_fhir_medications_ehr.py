"""Medications written as EHRs write them: the dose only in the instructions, stop dates in other fields."""

from __future__ import annotations

from datetime import timedelta

import pytest

from setpoint import Engine
from setpoint.fhir.sig import parse

from .conftest import AS_OF
from .fhir_data import bundle, med


@pytest.mark.parametrize(("sig", "strength", "expected"), [
    ("20 mg daily", None, {"dose": 20.0, "dose_unit": "mg", "frequency": "daily"}),
    ("Take 1 tablet by mouth twice a day", (100.0, "mg"), {"dose": 100.0, "dose_unit": "mg", "frequency": "bid"}),
    ("take one tab po qhs", (50.0, "mg"), {"dose": 50.0, "dose_unit": "mg", "frequency": "daily"}),
    ("0.5mg bid prn anxiety", None, {"dose": 0.5, "dose_unit": "mg", "frequency": "bid", "prn": True}),
    ("50 mg q8h", None, {"dose": 50.0, "dose_unit": "mg", "times_per_day": 3.0}),
])
def test_unambiguous_instructions_give_the_dose(sig: str, strength: tuple[float, str] | None,
                                                expected: dict) -> None:
    assert parse(sig, strength) == expected


@pytest.mark.parametrize("sig", ["1-2 tablets q4h prn", "50 or 100 mg daily", "as directed", "take 1 tablet daily"])
def test_ambiguous_instructions_give_no_dose(sig: str) -> None:
    assert parse(sig, None) == {}, "never a guess: no strength, a range or no amount leaves the dose unknown"


def test_a_dose_only_in_the_sig_reaches_the_dose_rule(engine: Engine) -> None:
    """Citalopram 40 mg daily in a 70-year-old, the dose written only as text: the >20 mg rule fires."""
    order = med("cit", None, "Citalopram 20 MG Oral Tablet", authoredOn=(AS_OF - timedelta(days=90)).isoformat(),
                dosageInstruction=[{"text": "Take 2 tablets by mouth daily"}])
    doc = bundle(order)
    doc["entry"][0]["resource"]["birthDate"] = "1955-01-01"
    r = engine.evaluate(doc, as_of=AS_OF)
    hit = next(f for f in r.findings if f.rule_id == "NC-QT-012")
    assert any("from the written instructions" in str(e.value) for e in hit.evidence)


def test_a_stopped_order_takes_its_stop_date_from_the_validity_period(engine: Engine) -> None:
    """Phenelzine started 5 days after fluoxetine stopped, the stop written only in validityPeriod.end:
    the critical MAOI washout fires instead of a "cannot assess"."""
    stop = AS_OF - timedelta(days=20)
    fluoxetine = med("flx", None, "Fluoxetine 20 MG Oral Capsule", status="stopped",
                     authoredOn=(AS_OF - timedelta(days=400)).isoformat(),
                     dispenseRequest={"validityPeriod": {"start": (AS_OF - timedelta(days=400)).isoformat(),
                                                         "end": stop.isoformat()}})
    phenelzine = med("phz", None, "Phenelzine 15 MG Oral Tablet",
                     authoredOn=(stop + timedelta(days=5)).isoformat())
    r = engine.evaluate(bundle(fluoxetine, phenelzine), as_of=AS_OF)
    hit = next(f for f in r.findings if f.rule_id == "NC-SER-002")
    assert hit.outcome == "fired" and hit.severity == "critical"
    assert any("validity period" in (e.note or "") for e in hit.evidence)


def _breast_cancer_on(product: str, **extra: object) -> dict:
    doc = bundle(med("e2", None, product, authoredOn=(AS_OF - timedelta(days=200)).isoformat(), **extra))
    doc["entry"].append({"resource": {
        "resourceType": "Condition", "id": "bc", "subject": {"reference": "Patient/p1"},
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C50.911"}]}}})
    return doc


@pytest.mark.parametrize("product", ["Estradiol 10 MCG Vaginal Insert", "estradiol 0.0075 MG/24HR Vaginal System"])
def test_low_dose_vaginal_estrogen_is_read_by_strength_and_form(engine: Engine, product: str) -> None:
    """A 10 ug insert or the 7.5 ug/day ring is local low-dose estrogen, not systemic (no false critical)."""
    r = engine.evaluate(_breast_cancer_on(product), as_of=AS_OF)
    ids = {f.rule_id for f in r.findings}
    assert "HR-EST-001" not in ids
    assert "HR-EST-002" in ids, "the vaginal-estrogen-after-breast-cancer rule speaks instead"


@pytest.mark.parametrize("product", ["estradiol acetate 0.05 MG/24HR Vaginal Ring", "Estradiol 1 MG Oral Tablet"])
def test_systemic_estrogen_by_strength_stays_systemic(engine: Engine, product: str) -> None:
    r = engine.evaluate(_breast_cancer_on(product), as_of=AS_OF)
    hit = next(f for f in r.findings if f.rule_id == "HR-EST-001")
    assert hit.severity == "critical" and hit.outcome == "fired"


# ------------------------------------------------------------------ brand and combination products


def _active(*products: str, sig: str | None = None, **patient_extra: object) -> dict:
    orders = []
    for i, text in enumerate(products):
        extra: dict = {"authoredOn": (AS_OF - timedelta(days=200)).isoformat()}
        if sig:
            extra["dosageInstruction"] = [{"text": sig}]
        orders.append(med(f"m{i}", None, text, **extra))
    doc = bundle(*orders)
    doc["entry"][0]["resource"].update(patient_extra)
    return doc


@pytest.mark.parametrize("product", ["Xulane", "Yaz 3 MG / 0.02 MG Oral Tablet", "NuvaRing", "Sprintec"])
def test_a_contraceptive_brand_is_combined_hormonal_contraception(engine: Engine, product: str) -> None:
    """A brand written alone is read as its estrogen and progestin: a CHC with migraine with aura is CDC MEC
    category 4 (before, Xulane was read as norelgestromin alone and the patch escaped every CHC rule)."""
    doc = _active(product)
    doc["entry"].append({"resource": {
        "resourceType": "Condition", "id": "mig", "subject": {"reference": "Patient/p1"},
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G43.109"}],
                 "text": "Migraine with aura"}}})
    r = engine.evaluate(doc, as_of=AS_OF)
    hit = next(f for f in r.findings if f.rule_id == "HR-CHC-060")
    assert hit.outcome == "fired"


@pytest.mark.parametrize("product", ["Activella 1 MG / 0.5 MG Oral Tablet", "Prempro 0.625 MG / 2.5 MG Oral Tablet",
                                     "estradiol 1 MG / norethindrone acetate 0.5 MG Oral Tablet"])
def test_a_combined_mht_product_is_not_unopposed_estrogen(engine: Engine, product: str) -> None:
    """Estrogen with its progestogen in one tablet: no "unopposed estrogen" alarm in a woman with a uterus."""
    r = engine.evaluate(_active(product, birthDate="1968-01-01"), as_of=AS_OF)
    ids = {f.rule_id for f in r.findings}
    assert "HR-EST-007" not in ids
    assert r.input is not None and r.input.used >= 2


def test_an_estrogen_brand_alone_is_still_unopposed(engine: Engine) -> None:
    """The control: an estrogen-only brand in the same patient does raise the unopposed-estrogen finding."""
    r = engine.evaluate(_active("Estrace 1 MG Oral Tablet", birthDate="1968-01-01"), as_of=AS_OF)
    assert "HR-EST-007" in {f.rule_id for f in r.findings}


def _with_prior_dvt(doc: dict) -> dict:
    doc["entry"].append({"resource": {
        "resourceType": "Condition", "id": "dvt", "subject": {"reference": "Patient/p1"},
        "clinicalStatus": {"coding": [{"code": "resolved"}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z86.718"}],
                 "text": "Personal history of deep vein thrombosis"}}})
    return doc


@pytest.mark.parametrize("coding", [
    {"text": "Natazia"},
    {"coding": [{"system": "http://www.whocc.no/atc", "code": "G03AB08"}]},
    {"text": "Zoely 2.5 MG / 1.5 MG Oral Tablet"},
    {"text": "{2 (estradiol valerate 3 MG Oral Tablet) / 5 (dienogest 2 MG / estradiol valerate 2 MG Oral Tablet) / "
             "17 (dienogest 3 MG / estradiol valerate 2 MG Oral Tablet) / 2 (estradiol valerate 1 MG Oral Tablet) / "
             "2 (inert ingredients 1 MG Oral Tablet) } Pack [Natazia]"},
])
def test_an_estradiol_contraceptive_is_chc_not_mht(engine: Engine, coding: dict) -> None:
    """Estradiol valerate/dienogest (Natazia; ATC G03AB08 only, or the brand only, or the RxNorm pack name) and
    estradiol/nomegestrol acetate (Zoely) in a 29-year-old with a prior DVT: CDC MEC category 4 for combined
    hormonal contraception fires; no menopausal-therapy rule reads the estradiol as MHT (issue 11: before,
    the estradiol made it MHT and HR-CHC-060 stayed silent)."""
    order = med("coc", None, "x", authoredOn=(AS_OF - timedelta(days=200)).isoformat())
    order["medicationCodeableConcept"] = coding
    doc = _with_prior_dvt(bundle(order))
    doc["entry"][0]["resource"]["birthDate"] = "1997-03-01"
    r = engine.evaluate(doc, as_of=AS_OF)
    hit = next(f for f in r.findings if f.rule_id == "HR-CHC-060")
    assert hit.outcome == "fired" and hit.severity == "critical"
    assert not {f.rule_id for f in r.findings} & {"HR-EST-003", "HR-EST-007", "HR-EST-008", "HR-EST-010"}
    # the reading is a presumption (a menopausal product shares the ingredients), and the result says so
    assert any("read as the combined contraceptive" in p for p in r.presumptions), r.presumptions
    assert any(e.note and "presumed" not in e.note and "read as the combined contraceptive" in e.note
               for e in hit.evidence)


def test_an_estradiol_patch_for_menopause_stays_mht(engine: Engine) -> None:
    """The control: estradiol alone (a patch) with a separate dienogest record is menopausal estrogen, not CHC."""
    doc = _with_prior_dvt(_active("estradiol 0.05 MG/Day Transdermal System", "dienogest 2 MG Oral Tablet",
                                  birthDate="1972-01-01"))
    ids = {f.rule_id for f in engine.evaluate(doc, as_of=AS_OF).findings}
    assert "HR-EST-003" in ids and "HR-CHC-060" not in ids


def test_a_fixed_combination_is_read_within_one_record_only(engine: Engine) -> None:
    """Knowledge `combination_of`: estradiol and dienogest named in one record are the contraceptive
    combination (VS_CHC and oral estrogen, no MHT set, each strength kept); in two records they stay estradiol
    (MHT) and dienogest.  A combination concept must name two other, existing concepts."""
    from pydantic import ValidationError

    from setpoint.knowledge.models import MedicationConcept
    from setpoint.normalize import membership, normalise
    snap = engine.snapshot({"patient": {"sex": "female", "birth_date": "1990-01-01"}, "medications": [
        {"id": "coc", "name": "dienogest 3 MG / estradiol valerate 2 MG Oral Tablet", "route": "oral",
         "dose": 1, "dose_unit": "tablet", "frequency": "daily"},
        {"id": "e2", "name": "Estradiol 1 MG Oral Tablet", "route": "oral"},
        {"id": "dng", "name": "Visanne 2 MG Oral Tablet"}]}, as_of=AS_OF)
    k = engine.knowledge
    case = normalise(k, snap, AS_OF)
    assert [m.concepts for m in case.meds] == [("estradiol_dienogest",), ("estradiol",), ("dienogest",)]
    assert case.meds[0].ingredient_mg == (("dienogest", 3.0), ("estradiol", 2.0))
    assert membership(k, case, "VS_CHC") == {0: True}
    assert membership(k, case, "VS_ORAL_ESTROGEN") == {0: True, 1: True}
    for mht in ("VS_ESTROGEN_SYSTEMIC", "VS_HORMONE_THERAPY_ANY"):
        assert 0 not in membership(k, case, mht) and 1 in membership(k, case, mht)
    with pytest.raises(ValidationError):
        MedicationConcept(id="x", name="x", classes=["c"], combination_of=["x", "estradiol"])


def test_each_ingredient_of_a_combination_counts_with_its_own_strength(engine: Engine) -> None:
    """Auvelity (dextromethorphan 45 mg / bupropion 105 mg) twice daily with bupropion XL 300 mg: the
    bupropion total is 210 + 300 = 510 mg/day, over the 450 mg maximum; the 90 mg of dextromethorphan is
    not counted as bupropion."""
    doc = _active("Auvelity 45 MG / 105 MG Extended Release Oral Tablet", sig="1 tablet twice daily")
    doc["entry"].append({"resource": med("wb", None, "Wellbutrin XL 300 MG Extended Release Oral Tablet",
                                         authoredOn=(AS_OF - timedelta(days=100)).isoformat(),
                                         dosageInstruction=[{"text": "1 tablet daily"}])})
    r = engine.evaluate(doc, as_of=AS_OF)
    hit = next(f for f in r.findings if f.rule_id == "NC-BUP-046")
    assert hit.outcome == "fired"
    notes = " ".join(e.note or "" for e in hit.evidence)
    assert "210 mg/day of the set's ingredient(s) in a combination product" in notes, notes


def test_a_combination_rate_is_not_every_ingredient_s_dose(engine: Engine) -> None:
    from setpoint.normalize import normalise
    snap = engine.snapshot({"patient": {"sex": "female", "birth_date": "1960-01-01"}, "medications": [
        {"id": "a", "name": "estradiol 0.05 MG/Day / norethindrone acetate 0.14 MG/Day Transdermal System"},
        {"id": "b", "name": "CombiPatch 0.05/0.14 mg/day"}]}, as_of=AS_OF)
    a, b = normalise(engine.knowledge, snap, AS_OF).meds
    assert a.daily_mg is None and a.ingredient_mg == (("estradiol", 0.05), ("norethisterone", 0.14))
    assert b.daily_mg is None and b.ingredient_mg == (), "unclear strengths stay unknown, never 0.14 mg of both"


@pytest.mark.parametrize(("reason", "expected"), [
    ("Patient stopped abruptly - ran out of tablets", "fired"),
    ("Tapered off over 8 weeks", None),
])
def test_how_a_stop_happened_is_read_from_the_status_reason(engine: Engine, reason: str, expected: str | None) -> None:
    """Clonazepam used for two years and stopped 10 days ago: the status reason says whether it was abrupt."""
    order = med("clz", None, "Clonazepam 1 MG Oral Tablet", status="stopped",
                authoredOn=(AS_OF - timedelta(days=730)).isoformat(),
                dosageInstruction=[{"text": "1 tablet twice daily", "timing": {"repeat": {"boundsPeriod": {
                    "start": (AS_OF - timedelta(days=730)).isoformat(),
                    "end": (AS_OF - timedelta(days=10)).isoformat()}}}}],
                statusReason={"text": reason})
    r = engine.evaluate(bundle(order), as_of=AS_OF)
    hit = next((f for f in r.findings if f.rule_id == "NC-BZD-033"), None)
    assert (hit.outcome if hit else None) == expected, r.findings


def test_a_misspelt_product_is_cannot_assess_not_absent(engine: Engine) -> None:
    """Phenelzine with "Sertaline 50 MG" (a misspelling no code rescues): the MAOI-serotonergic rule says it
    cannot assess, naming the product, at a severity that is seen; GN-DQ-010 names the record; nothing says
    the combination is absent."""
    start = (AS_OF - timedelta(days=30)).isoformat()
    r = engine.evaluate(bundle(med("phz", None, "Phenelzine 15 MG Oral Tablet", authoredOn=start),
                               med("ser", None, "Sertaline 50 MG Oral Tablet", authoredOn=start)), as_of=AS_OF)
    hit = next(f for f in r.findings if f.rule_id == "NC-SER-001")
    assert hit.outcome == "cannot_assess" and hit.severity in ("critical", "high")
    assert any("resembles Sertraline but could not be mapped" in (e.note or "") for e in hit.evidence)
    dq = next(f for f in r.findings if f.rule_id == "GN-DQ-010")
    assert any(e.record == "MedicationRequest/ser" for e in dq.evidence)


def test_an_unrelated_unmapped_product_stays_quiet(engine: Engine) -> None:
    start = (AS_OF - timedelta(days=30)).isoformat()
    r = engine.evaluate(bundle(med("phz", None, "Phenelzine 15 MG Oral Tablet", authoredOn=start),
                               med("met", None, "Metformin 500 MG Oral Tablet", authoredOn=start)), as_of=AS_OF)
    assert not any(f.rule_id in ("NC-SER-001", "GN-DQ-010") for f in r.findings)
