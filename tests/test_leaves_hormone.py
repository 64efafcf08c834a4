"""The condition leaves added for the hormone rules: each derived fact, its unknowns and their reasons.

Every test derives one leaf's fact from a small snapshot with the real knowledge base, exactly as the
engine does before matching, and checks the value a rule would compare (or why it is unknown).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from setpoint import Engine
from setpoint.facts.model import FactValue
from setpoint.leaves import CompiledLeaf, compile_leaf, derive
from setpoint.rules.conditions import Condition

from .conftest import AS_OF


def ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def leaf_of(engine: Engine, leaf: dict[str, Any]) -> CompiledLeaf:
    return compile_leaf(Condition.model_validate(leaf).root, engine.knowledge)


def fact(engine: Engine, leaf: dict[str, Any], snap: dict[str, Any]) -> FactValue:
    compiled = leaf_of(engine, leaf)
    case = engine.case(snap, AS_OF)
    return derive(engine.knowledge, case, [compiled.spec])[compiled.spec.key]


def holds(engine: Engine, leaf: dict[str, Any], snap: dict[str, Any]) -> bool | None:
    """The leaf's three-valued outcome (None = cannot assess), as both matchers see it."""
    compiled = leaf_of(engine, leaf)
    fv = fact(engine, leaf, snap)
    return compiled.test.apply(fv.value) if fv.known else None


def snap(patient: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"patient": patient or {"sex": "female", "age": 58}, **extra}


ESTRADIOL_60D = {"name": "estradiol", "dose": 50, "dose_unit": "ug", "frequency": "daily", "route": "transdermal",
                 "start": ago(60)}


# ------------------------------------------------------------------ patient_at_med_start


AGE60 = {"patient_at_med_start": {"set": "VS_ESTROGEN_SYSTEMIC", "field": "age", "op": ">=", "value": 60}}


def test_age_at_start_from_birth_date_is_exact_at_the_boundary(engine: Engine) -> None:
    start = AS_OF - timedelta(days=60)
    born_60 = start.replace(year=start.year - 60).isoformat()
    born_day_later = (start.replace(year=start.year - 60) + timedelta(days=1)).isoformat()
    assert holds(engine, AGE60, snap({"sex": "female", "birth_date": born_60}, medications=[ESTRADIOL_60D])) is True
    assert holds(engine, AGE60, snap({"sex": "female", "birth_date": born_day_later},
                                     medications=[ESTRADIOL_60D])) is False


def test_age_only_gives_unknown_when_the_year_straddles_the_threshold(engine: Engine) -> None:
    straddle = fact(engine, AGE60, snap({"sex": "female", "age": 60}, medications=[ESTRADIOL_60D]))
    assert not straddle.known and "birth date not recorded" in (straddle.reason or "")
    assert holds(engine, AGE60, snap({"sex": "female", "age": 62}, medications=[ESTRADIOL_60D])) is True
    assert holds(engine, AGE60, snap({"sex": "female", "age": 59}, medications=[ESTRADIOL_60D])) is False


def test_years_from_menopause_to_start_needs_the_menopause_date(engine: Engine) -> None:
    leaf = {"patient_at_med_start": {"set": "VS_ESTROGEN_SYSTEMIC", "field": "years_since_menopause",
                                     "op": ">", "value": 10}}
    early = (AS_OF - timedelta(days=60 + 366 * 11)).isoformat()
    assert holds(engine, leaf, snap({"sex": "female", "age": 56, "menopause_date": early},
                                    medications=[ESTRADIOL_60D])) is True
    missing = fact(engine, leaf, snap({"sex": "female", "age": 56}, medications=[ESTRADIOL_60D]))
    assert not missing.known and missing.reason == "menopause date not recorded"


def test_patient_at_start_without_an_active_product_is_unknown(engine: Engine) -> None:
    fv = fact(engine, AGE60, snap())
    assert not fv.known and "no active VS_ESTROGEN_SYSTEMIC" in (fv.reason or "")


# ------------------------------------------------------------------ dose_changed_after_lab


TITRATED = {"dose_changed_after_lab": {"set": "VS_ESTROGEN_SYSTEMIC", "analytes": ["estradiol"],
                                       "specimens": ["serum"], "within_days": 90, "days": 30}}


def e2(days_ago: int, specimen: str = "serum") -> dict[str, Any]:
    return {"code": "2243-4", "value": 30, "unit": "pg/mL", "collected": ago(days_ago), "specimen": specimen}


def test_dose_change_within_the_window_after_the_result(engine: Engine) -> None:
    med = {**ESTRADIOL_60D, "start": ago(400), "last_dose_change": ago(10)}
    assert holds(engine, TITRATED, snap(medications=[med], results=[e2(40)])) is True
    assert holds(engine, TITRATED, snap(medications=[med], results=[e2(41)])) is False  # 31 days after
    assert holds(engine, TITRATED, snap(medications=[med], results=[e2(5)])) is False  # change came first


def test_dose_change_after_lab_ignores_other_specimens_and_plain_starts(engine: Engine) -> None:
    changed = {**ESTRADIOL_60D, "start": ago(400), "last_dose_change": ago(10)}
    assert holds(engine, TITRATED, snap(medications=[changed], results=[e2(20, "saliva")])) is False
    started = {**ESTRADIOL_60D, "start": ago(10)}  # a start is not a titration step
    assert holds(engine, TITRATED, snap(medications=[started], results=[e2(20)])) is False


# ------------------------------------------------------------------ lab_before_med_start


HCT_BEFORE = {"lab_before_med_start": {"analyte": "hematocrit", "set": "VS_TESTOSTERONE", "within_days": 180,
                                       "op": ">", "value": 48, "unit": "%"}}
GEL_10D = {"name": "AndroGel", "route": "transdermal", "start": ago(10)}


def hct(days_ago: int, value: float, unit: str | None = "%") -> dict[str, Any]:
    r: dict[str, Any] = {"code": "4544-3", "value": value, "collected": ago(days_ago)}
    if unit:
        r["unit"] = unit
    return r


def test_baseline_is_the_latest_result_up_to_the_start(engine: Engine) -> None:
    fv = fact(engine, HCT_BEFORE, snap({"sex": "male", "age": 50}, medications=[GEL_10D],
                                       results=[hct(60, 46), hct(20, 0.49, "L/L"), hct(2, 52)]))
    assert fv.known and fv.value == pytest.approx(49.0)  # the on-treatment 52 % is not the baseline


def test_no_baseline_or_an_unusable_one_is_unknown_with_the_reason(engine: Engine) -> None:
    none = fact(engine, HCT_BEFORE, snap({"sex": "male", "age": 50}, medications=[GEL_10D], results=[hct(2, 52)]))
    assert not none.known and "in the 180 days before AndroGel was started" in (none.reason or "")
    unitless = fact(engine, HCT_BEFORE, snap({"sex": "male", "age": 50}, medications=[GEL_10D],
                                             results=[hct(60, 46), hct(20, 49, None)]))
    assert not unitless.known and "unit missing" in (unitless.reason or "")


# ------------------------------------------------------------------ lab_rise_since_med_start


PSA_RISE = {"lab_rise_since_med_start": {"analyte": "psa", "set": "VS_TESTOSTERONE", "rise_above": 1.4,
                                         "unit": "ng/mL", "first_days": 365}}


def psa(days_ago: int, value: float, unit: str = "ng/mL") -> dict[str, Any]:
    return {"code": "2857-1", "value": value, "unit": unit, "collected": ago(days_ago)}


def man_on_gel(start_days_ago: int, results: list[dict[str, Any]]) -> dict[str, Any]:
    return snap({"sex": "male", "age": 60}, medications=[{"name": "AndroGel", "route": "transdermal",
                                                          "start": ago(start_days_ago)}], results=results)


def test_psa_rise_compares_the_latest_with_the_pre_start_baseline(engine: Engine) -> None:
    assert holds(engine, PSA_RISE, man_on_gel(200, [psa(210, 0.8), psa(10, 2.5)])) is True
    assert holds(engine, PSA_RISE, man_on_gel(200, [psa(210, 0.8), psa(10, 2.2)])) is False  # exactly 1.4
    assert holds(engine, PSA_RISE, man_on_gel(200, [psa(210, 0.8), psa(10, 2.3, "ug/L")])) is True  # ug/L = ng/mL


def test_psa_rise_no_longer_applies_after_the_first_year(engine: Engine) -> None:
    fv = fact(engine, PSA_RISE, man_on_gel(500, [psa(510, 0.8), psa(10, 3.0)]))
    assert fv.known and fv.value is False and "no longer applies" in (fv.reason or "")


def test_psa_rise_without_a_baseline_is_unknown_but_no_result_yet_is_not_a_rise(engine: Engine) -> None:
    no_base = fact(engine, PSA_RISE, man_on_gel(200, [psa(10, 2.5)]))
    assert not no_base.known and "no baseline" in (no_base.reason or "")
    not_yet = fact(engine, PSA_RISE, man_on_gel(30, [psa(40, 0.8)]))
    assert not_yet.known and not_yet.value is False


# ------------------------------------------------------------------ days_since_med_start, lab_after_med_start


def test_days_since_start_uses_the_earliest_active_start(engine: Engine) -> None:
    leaf = {"days_since_med_start": {"set": "VS_TESTOSTERONE", "op": ">", "value": 210}}
    meds = [{"name": "AndroGel", "route": "transdermal", "start": ago(300)},
            {"name": "testosterone cypionate", "route": "intramuscular", "start": ago(20)}]
    assert fact(engine, leaf, snap({"sex": "male", "age": 50}, medications=meds)).value == 300
    undated = fact(engine, leaf, snap({"sex": "male", "age": 50},
                                      medications=[*meds, {"name": "testosterone", "route": "buccal"}]))
    assert not undated.known and "start date of testosterone not recorded" in (undated.reason or "")


def test_lab_after_start_counts_results_from_the_given_day(engine: Engine) -> None:
    leaf = {"lab_after_med_start": {"analyte": "hematocrit", "set": "VS_TESTOSTERONE", "from_day": 60}}
    gel = [{"name": "AndroGel", "route": "transdermal", "start": ago(240)}]
    assert holds(engine, leaf, snap({"sex": "male", "age": 50}, medications=gel, results=[hct(180, 47)])) is True
    assert holds(engine, leaf, snap({"sex": "male", "age": 50}, medications=gel, results=[hct(181, 47)])) is False
    unitless = snap({"sex": "male", "age": 50}, medications=gel, results=[hct(100, 47, None)])
    assert holds(engine, leaf, unitless) is False  # an unreadable result is not a completed check


# ------------------------------------------------------------------ condition_onset_within


def test_condition_onset_within_window_and_unknown_onset(engine: Engine) -> None:
    leaf = {"condition_onset_within": {"set": "VS_MI_STROKE", "days": 183}}
    mi = {"codes": [{"system": "icd10cm", "code": "I21.4"}], "status": "history"}
    assert holds(engine, leaf, snap(conditions=[{**mi, "onset": ago(183)}])) is True
    assert holds(engine, leaf, snap(conditions=[{**mi, "onset": ago(184)}])) is False
    fv = fact(engine, leaf, snap(conditions=[mi]))
    assert not fv.known and "onset date" in (fv.reason or "")
    assert holds(engine, leaf, snap()) is False


# ------------------------------------------------------------------ pre_treatment_labs


def t_total(collected: str, value: float = 220) -> dict[str, Any]:
    return {"code": "2986-8", "value": value, "unit": "ng/dL", "collected": collected}


def pre(measure: str, **extra: Any) -> dict[str, Any]:
    return {"pre_treatment_labs": {"analyte": "testosterone_total", "set": "VS_TESTOSTERONE", "within_days": 365,
                                   "measure": measure, "op": ">=", "value": 1, **extra}}


def test_pre_treatment_count_excludes_on_treatment_results(engine: Engine) -> None:
    s = man_on_gel(60, [t_total(f"{ago(90)}T08:00:00"), t_total(f"{ago(30)}T08:00:00")])
    assert fact(engine, pre("count"), s).value == 1
    untreated = snap({"sex": "male", "age": 50}, results=[t_total(f"{ago(90)}T08:00:00"),
                                                          t_total(f"{ago(30)}T08:00:00")])
    assert fact(engine, pre("count"), untreated).value == 2  # no treatment yet: everything is pre-treatment
    none = fact(engine, pre("count"), man_on_gel(2000, []))
    assert not none.known and "no pre-treatment" in (none.reason or "")


def test_pre_treatment_clock_time_unrecorded_is_unknown(engine: Engine) -> None:
    leaf = pre("after_clock", clock="10:00")
    assert fact(engine, leaf, man_on_gel(60, [t_total(f"{ago(90)}T14:00:00")])).value == 1
    assert fact(engine, leaf, man_on_gel(60, [t_total(f"{ago(90)}T10:00:00")])).value == 0
    fv = fact(engine, leaf, man_on_gel(60, [t_total(ago(90))]))
    assert not fv.known and "collection time" in (fv.reason or "")


def test_pre_treatment_results_taken_on_an_opioid(engine: Engine) -> None:
    leaf = pre("during_set", during="VS_OPIOID")
    oxy = {"name": "oxycodone", "dose": 10, "dose_unit": "mg", "frequency": "bid", "start": ago(120), "end": ago(70)}
    s = snap({"sex": "male", "age": 50}, medications=[{"name": "AndroGel", "route": "transdermal", "start": ago(60)},
                                                      oxy],
             results=[t_total(f"{ago(100)}T08:00:00"), t_total(f"{ago(65)}T08:00:00")])
    assert fact(engine, leaf, s).value == 1


def test_pre_treatment_measure_arguments_are_checked() -> None:
    with pytest.raises(ValidationError, match="needs clock"):
        Condition.model_validate(pre("after_clock"))
    with pytest.raises(ValidationError, match="needs during"):
        Condition.model_validate(pre("during_set"))


# ------------------------------------------------------------------ lab_dose_interval_fraction


FRACTION = {"lab_dose_interval_fraction": {"analyte": "testosterone_total", "set": "VS_TESTOSTERONE_INJECTED",
                                           "within_days": 120, "op": ">=", "value": 0.25}}
WEEKLY_IM = {"name": "testosterone cypionate", "dose": 100, "dose_unit": "mg", "frequency": "weekly",
             "route": "intramuscular", "start": ago(700)}


def test_interval_fraction_from_hours_since_dose_and_frequency(engine: Engine) -> None:
    s = snap({"sex": "male", "age": 50}, medications=[WEEKLY_IM],
             results=[{**t_total(ago(10), 900), "hours_since_dose": 84}])
    assert fact(engine, FRACTION, s).value == pytest.approx(0.5)


def test_interval_fraction_unknown_without_timing_or_frequency(engine: Engine) -> None:
    no_hours = fact(engine, FRACTION, snap({"sex": "male", "age": 50}, medications=[WEEKLY_IM],
                                           results=[t_total(ago(10), 900)]))
    assert not no_hours.known and "time since the last dose not recorded" in (no_hours.reason or "")
    no_freq = {k: v for k, v in WEEKLY_IM.items() if k != "frequency"}
    fv = fact(engine, FRACTION, snap({"sex": "male", "age": 50}, medications=[no_freq],
                                     results=[{**t_total(ago(10), 900), "hours_since_dose": 84}]))
    assert not fv.known and "dosing frequency" in (fv.reason or "")


# ------------------------------------------------------------------ med_indication


def test_indication_text_screen(engine: Engine) -> None:
    leaf = {"med_indication": {"set": "VS_THYROID_HORMONE", "pattern": "weight|fatigue"}}
    lt4 = {"name": "levothyroxine", "dose": 50, "dose_unit": "ug", "frequency": "daily", "start": ago(90)}
    assert holds(engine, leaf, snap(medications=[{**lt4, "indication": "Weight loss"}])) is True
    assert holds(engine, leaf, snap(medications=[{**lt4, "indication": "hypothyroidism"}])) is False
    blank = fact(engine, leaf, snap(medications=[lt4]))
    assert blank.known and blank.value is False and "no indication recorded" in (blank.reason or "")
    with pytest.raises(ValidationError, match="regular expression"):
        Condition.model_validate({"med_indication": {"set": "VS_THYROID_HORMONE", "pattern": "weight("}})


# ------------------------------------------------------------------ lab_collected_outside


OUTSIDE_AM = {"lab_collected_outside": {"analyte": "cortisol", "within_days": 30, "between": ["06:00", "10:00"]}}


def cortisol(collected: str) -> dict[str, Any]:
    return {"code": "2143-6", "value": 12, "unit": "ug/dL", "collected": collected}


@pytest.mark.parametrize(("collected", "outside"), [
    (f"{ago(5)}T06:00:00", False), (f"{ago(5)}T10:00:00", False), (f"{ago(5)}T10:01:00", True),
    (f"{ago(5)}T05:59:00", True), (ago(5), True),  # a date-only result has no recorded clock time
])
def test_collected_outside_the_morning_window(engine: Engine, collected: str, outside: bool) -> None:
    assert holds(engine, OUTSIDE_AM, snap(results=[cortisol(collected)])) is outside


def test_collected_outside_with_no_result_is_false_and_clock_times_are_checked(engine: Engine) -> None:
    assert holds(engine, OUTSIDE_AM, snap()) is False
    with pytest.raises(ValidationError, match="HH:MM"):
        Condition.model_validate({"lab_collected_outside": {"analyte": "cortisol", "within_days": 30,
                                                            "between": ["6am", "10:00"]}})


# ------------------------------------------------------------------ lab_count


def test_lab_count_same_day_and_total(engine: Engine) -> None:
    saliva = [{"code": "2142-8", "value": v, "unit": "ug/dL", "specimen": "saliva", "collected": f"{ago(d)}T{t}:00"}
              for v, d, t in [(0.4, 70, "07:00"), (0.2, 70, "12:00"), (0.1, 70, "17:00"), (0.05, 20, "23:00")]]
    base = {"analytes": ["cortisol_saliva"], "specimens": ["saliva"], "within_days": 365, "op": ">=", "value": 3}
    assert fact(engine, {"lab_count": {**base, "same_day": True}}, snap(results=saliva)).value == 3
    assert fact(engine, {"lab_count": base}, snap(results=saliva)).value == 4
    assert fact(engine, {"lab_count": base}, snap()).value == 0


def test_lab_count_rejects_an_unknown_specimen(engine: Engine) -> None:
    with pytest.raises(ValueError, match="unknown specimen 'spit'"):
        leaf_of(engine, {"lab_count": {"analytes": ["cortisol"], "specimens": ["spit"], "within_days": 30,
                                       "op": ">=", "value": 1}})


# ------------------------------------------------------------------ prednisone_equivalent_dose


PRED_EQ = {"prednisone_equivalent_dose": {"set": "VS_SYSTEMIC_GLUCOCORTICOID", "op": ">=", "value": 5, "unit": "mg"}}


def test_prednisone_equivalents_are_summed_across_products(engine: Engine) -> None:
    meds = [{"name": "hydrocortisone", "dose": 10, "dose_unit": "mg", "frequency": "bid", "route": "oral",
             "start": ago(90)},
            {"name": "prednisolone", "dose": 2.5, "dose_unit": "mg", "frequency": "daily", "route": "oral",
             "start": ago(90)}]
    assert fact(engine, PRED_EQ, snap(medications=meds)).value == pytest.approx(7.5)
    cream = [{"name": "hydrocortisone cream", "route": "topical", "start": ago(90)}]
    assert not fact(engine, PRED_EQ, snap(medications=cream)).known  # topical: not systemic, nothing active


def test_prednisone_equivalent_unknown_without_a_dose(engine: Engine) -> None:
    fv = fact(engine, PRED_EQ, snap(medications=[{"name": "prednisone", "route": "oral", "start": ago(90)}]))
    assert not fv.known and "daily dose of prednisone cannot be computed" in (fv.reason or "")


# ------------------------------------------------------------------ vital_recorded


def test_vital_recorded_counts_an_unusable_reading(engine: Engine) -> None:
    leaf = {"vital_recorded": {"kind": "temperature", "within_days": 2}}
    reading = {"kind": "temperature", "value": 38.6, "taken": ago(1)}
    assert holds(engine, leaf, snap(vitals=[reading])) is True  # no unit: still a reading, never "no fever"
    assert holds(engine, leaf, snap(vitals=[{**reading, "taken": ago(3)}])) is False


# ------------------------------------------------------------------ membership unknown in a window


def test_started_within_is_unknown_when_route_decides_membership(engine: Engine) -> None:
    leaf = {"med_started_within": {"set": "VS_ORAL_ESTROGEN", "days": 84}}
    no_route = {"name": "estradiol", "dose": 1, "dose_unit": "mg", "frequency": "daily", "start": ago(30)}
    fv = fact(engine, leaf, snap(medications=[no_route]))
    assert not fv.known and "route or dose not recorded" in (fv.reason or "")
    assert holds(engine, leaf, snap(medications=[{**no_route, "route": "oral"}])) is True
    assert holds(engine, leaf, snap(medications=[{**no_route, "route": "transdermal"}])) is False


def test_hormone_leaves_agree_between_matchers_on_a_rich_case(engine: Engine, compiled_engine: Engine) -> None:
    case = snap({"sex": "male", "age": 60, "birth_date": date(1966, 5, 1).isoformat()},
                medications=[{"name": "AndroGel", "route": "transdermal", "start": ago(200)}, WEEKLY_IM],
                results=[psa(210, 0.8), psa(10, 2.5), hct(205, 49), hct(100, 51),
                         {**t_total(f"{ago(10)}T14:00:00", 1000), "hours_since_dose": 90}])
    a = engine.evaluate(case, as_of=AS_OF)
    b = compiled_engine.evaluate(case, as_of=AS_OF)
    assert a.model_dump(exclude={"matcher"}) == b.model_dump(exclude={"matcher"})
    fired = {f.rule_id for f in a.findings if f.outcome == "fired"}
    # The course started with the injection 700 days ago, so the first-year PSA-rise criterion no longer applies.
    assert "HR-TST-026" in fired and "HR-TST-020" not in fired
