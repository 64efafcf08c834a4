"""The condition leaves added for the neurochemistry rules: each derives a typed fact, or 'unknown' and why."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from setpoint import paths
from setpoint.facts.model import FactValue
from setpoint.inputs import to_snapshot
from setpoint.knowledge.load import load_knowledge
from setpoint.leaves import compile_leaf, derive
from setpoint.normalize import normalise
from setpoint.rules.conditions import Condition

AS_OF = date(2026, 11, 21)
K = load_knowledge(paths.knowledge_dir())


def ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def fact(leaf: dict[str, Any], **snapshot: Any) -> tuple[FactValue, bool | None]:
    """The derived fact for `leaf` and the leaf's outcome (None = cannot assess)."""
    compiled = compile_leaf(Condition.model_validate(leaf).root, K)
    snap = to_snapshot({"patient": snapshot.pop("patient", {"sex": "female", "age": 40}), **snapshot}, K, source="test")
    fv = derive(K, normalise(K, snap, AS_OF), [compiled.spec])[compiled.spec.key]
    return fv, (compiled.test.apply(fv.value) if fv.known else None)


def med(name: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, **kw}


# ------------------------------------------------------------------ med_started_after_stop


WASHOUT = {"med_started_after_stop": {"set": "VS_MAOI", "after": "VS_FLUOXETINE", "days": 35}}


@pytest.mark.parametrize(("gap", "expected"), [(35, True), (36, False), (0, True)])
def test_washout_is_measured_from_stop_to_start(gap: int, expected: bool) -> None:
    fv, out = fact(WASHOUT, medications=[med("fluoxetine", start=ago(400), end=ago(60)),
                                         med("phenelzine", start=ago(60 - gap))])
    assert out is expected
    if expected:
        assert any("after the stop" in (e.note or "") for e in fv.evidence)


def test_washout_overlap_is_not_a_start_after_stop() -> None:
    _, out = fact(WASHOUT, medications=[med("fluoxetine", start=ago(400), end=ago(60)),
                                        med("phenelzine", start=ago(90))])
    assert out is False


def test_washout_unknown_when_the_second_start_date_is_missing() -> None:
    fv, out = fact(WASHOUT, medications=[med("fluoxetine", start=ago(400), end=ago(60)), med("phenelzine")])
    assert out is None and "start date of phenelzine" in (fv.reason or "")


def test_washout_ignores_stops_older_than_the_lookback() -> None:
    _, out = fact(WASHOUT, medications=[med("fluoxetine", start=ago(900), end=ago(400)), med("phenelzine")])
    assert out is False


# ------------------------------------------------------------------ lab_dose_timing


def lithium(value: float, days: int, hours: float | None = None) -> dict[str, Any]:
    r: dict[str, Any] = {"code": "14334-7", "value": value, "unit": "mmol/L", "collected": ago(days)}
    if hours is not None:
        r["hours_since_dose"] = hours
    return r


@pytest.mark.parametrize(("hours", "timing"), [(9.9, "early"), (10, "trough"), (14, "trough"), (14.5, "late"),
                                               (None, "unrecorded")])
def test_lithium_timing_classes(hours: float | None, timing: str) -> None:
    fv, out = fact({"lab_dose_timing": {"analyte": "lithium", "within_days": 14, "op": "==", "value": "trough"}},
                   results=[lithium(0.7, 2, hours)])
    assert fv.known and fv.value == timing and out is (timing == "trough")


def test_lithium_timing_unknown_without_a_recent_result() -> None:
    fv, out = fact({"lab_dose_timing": {"analyte": "lithium", "within_days": 14, "op": "==", "value": "trough"}},
                   results=[lithium(0.7, 20, 12)])
    assert out is None and "within 14 days" in (fv.reason or "")


def test_lithium_timing_rejects_unknown_labels() -> None:
    with pytest.raises(ValueError, match="dose timing"):
        Condition.model_validate({"lab_dose_timing": {"analyte": "lithium", "within_days": 14, "op": "==",
                                                      "value": "noon"}})


# ------------------------------------------------------------------ lab_trend


def egfr(value: float, days: int) -> dict[str, Any]:
    return {"code": "33914-3", "value": value, "unit": "mL/min/1.73m2", "collected": ago(days)}


def trend(measure: str, op: str, value: float, **extra: Any) -> dict[str, Any]:
    return {"lab_trend": {"analyte": "egfr", "within_days": 213, "lookback_days": 365, "measure": measure,
                          "op": op, "value": value, **extra}}


def test_percent_change_is_against_the_highest_earlier_result() -> None:
    fv, out = fact(trend("percent_change", "<=", -25), results=[egfr(80, 300), egfr(70, 150), egfr(60, 10)])
    assert fv.value == -25.0 and out is True


def test_percent_change_ignores_results_beyond_the_lookback() -> None:
    fv, _ = fact(trend("percent_change", "<=", -25), results=[egfr(90, 400), egfr(70, 150), egfr(60, 10)])
    assert fv.value == pytest.approx(-14.2857, abs=1e-3)


def test_previous_and_prior_count() -> None:
    results = [egfr(75, 200), egfr(58, 5)]
    assert fact(trend("previous", ">=", 60, unit="mL/min/1.73m2"), results=results)[1] is True
    assert fact(trend("prior_count", "==", 0), results=results)[0].value == 1.0
    assert fact(trend("prior_count", "==", 0), results=[egfr(58, 5)])[1] is True


def test_trend_unknown_without_an_earlier_result() -> None:
    fv, out = fact(trend("percent_change", "<=", -25), results=[egfr(58, 5)])
    assert out is None and "no earlier" in (fv.reason or "")


def test_trend_previous_needs_a_unit() -> None:
    with pytest.raises(ValueError, match="unit"):
        Condition.model_validate(trend("previous", ">=", 60))


# ------------------------------------------------------------------ lab_text


HCG_TEXT = {"lab_text": {"analyte": "hcg_urine", "within_days": 30, "values": ["Positive", "detected"]}}


def test_text_result_matches_case_insensitively() -> None:
    r = {"code": "2106-3", "value_text": "POSITIVE", "collected": ago(3), "specimen": "urine"}
    assert fact(HCG_TEXT, results=[r])[1] is True


def test_text_result_negative_and_missing() -> None:
    r = {"code": "2106-3", "value_text": "negative", "collected": ago(3), "specimen": "urine"}
    assert fact(HCG_TEXT, results=[r])[1] is False
    assert fact(HCG_TEXT, results=[])[1] is False  # no result is not a positive report


# ------------------------------------------------------------------ total_mme


MME = {"total_mme": {"set": "VS_OPIOID", "op": ">=", "value": 50}}


def test_mme_sums_oral_opioids_with_cdc_factors() -> None:
    fv, out = fact(MME, medications=[
        med("oxycodone", dose=10, dose_unit="mg", frequency="bid", route="oral", start=ago(30)),  # 30 MME
        med("tramadol", dose=50, dose_unit="mg", frequency="qid", route="oral", start=ago(30)),  # 40 MME
    ])
    assert fv.value == 70.0 and out is True


def test_mme_is_zero_without_opioids_and_unknown_without_route_or_factor() -> None:
    assert fact(MME, medications=[])[0].value == 0.0
    fv, out = fact(MME, medications=[med("morphine", dose=30, dose_unit="mg", frequency="bid", start=ago(5))])
    assert out is None and "route" in (fv.reason or "")
    fv, out = fact(MME, medications=[med("buprenorphine", dose=8, dose_unit="mg", frequency="daily",
                                         route="sublingual", start=ago(5))])
    assert out is None and "factor" in (fv.reason or "")


# ------------------------------------------------------------------ med_stopped_untapered


STOP = {"med_stopped_untapered": {"set": "VS_BENZODIAZEPINE", "days": 30, "min_use_days": 30}}


def lorazepam(**kw: Any) -> dict[str, Any]:
    return med("lorazepam", dose=1, dose_unit="mg", frequency="bid", **kw)


def test_flagged_abrupt_stop_of_regular_use() -> None:
    fv, out = fact(STOP, medications=[lorazepam(start=ago(200), end=ago(5), stopped_without_taper=True)])
    assert out is True and "without a taper" in (fv.evidence[0].note or "")


def test_stop_is_unknown_when_the_taper_is_not_recorded() -> None:
    fv, out = fact(STOP, medications=[lorazepam(start=ago(200), end=ago(5))])
    assert out is None and "tapered" in (fv.reason or "")


def test_prn_short_use_taper_step_and_old_stops_do_not_count() -> None:
    assert fact(STOP, medications=[lorazepam(start=ago(200), end=ago(5), prn=True,
                                             stopped_without_taper=True)])[1] is False
    assert fact(STOP, medications=[lorazepam(start=ago(20), end=ago(5), stopped_without_taper=True)])[1] is False
    assert fact(STOP, medications=[lorazepam(start=ago(200), end=ago(31), stopped_without_taper=True)])[1] is False
    step = [lorazepam(start=ago(200), end=ago(5), stopped_without_taper=True),
            med("lorazepam", dose=0.5, dose_unit="mg", frequency="bid", start=ago(5))]
    assert fact(STOP, medications=step)[1] is False


# ------------------------------------------------------------------ dose_reduction


RED = {"dose_reduction": {"set": "VS_BENZODIAZEPINE", "days": 14, "min_use_days": 30, "op": ">", "value": 25}}


def test_reduction_between_records_within_14_days() -> None:
    meds = [lorazepam(start=ago(200), end=ago(10)),
            med("lorazepam", dose=0.5, dose_unit="mg", frequency="tid", start=ago(9))]  # 2 -> 1.5 mg/day
    fv, out = fact(RED, medications=meds)
    assert fv.value == 25.0 and out is False
    meds[1] = med("lorazepam", dose=0.5, dose_unit="mg", frequency="bid", start=ago(9))  # 2 -> 1 mg/day
    assert fact(RED, medications=meds)[0].value == 50.0


def test_planned_reduction_counts_and_switches_do_not() -> None:
    planned = [lorazepam(start=ago(200), end=ago(-5)),
               med("lorazepam", dose=0.5, dose_unit="mg", frequency="daily", start=ago(-6))]
    assert fact(RED, medications=planned)[0].value == 75.0
    switch = [lorazepam(start=ago(200), end=ago(10)),
              med("diazepam", dose=5, dose_unit="mg", frequency="daily", start=ago(9))]
    assert fact(RED, medications=switch)[0].value == 0.0


def test_reduction_unknown_when_a_dose_is_missing() -> None:
    meds = [med("lorazepam", start=ago(200), end=ago(10)), lorazepam(start=ago(9))]
    assert fact(RED, medications=meds)[1] is None


# ------------------------------------------------------------------ med_started_or_increased_within


UP = {"med_started_or_increased_within": {"set": "VS_LITHIUM", "days": 28}}


def li_order(dose: float, **kw: Any) -> dict[str, Any]:
    return med("lithium carbonate", dose=dose, dose_unit="mg", frequency="bid", **kw)


def test_a_start_within_the_window_counts_and_older_or_future_ones_do_not() -> None:
    fv, out = fact(UP, medications=[li_order(400, start=ago(28))])
    assert out is True and "started" in (fv.evidence[0].note or "")
    assert fact(UP, medications=[li_order(400, start=ago(29))])[1] is False
    assert fact(UP, medications=[li_order(400, start=ago(-3))])[1] is False  # not yet taken
    assert fact(UP, medications=[li_order(400, start=ago(3), end=ago(1))])[1] is False  # stopped


def test_a_new_order_is_an_increase_only_above_the_dose_it_replaced() -> None:
    def replaced(before: float, after: float) -> tuple[FactValue, bool | None]:
        return fact(UP, medications=[li_order(before, start=ago(700), end=ago(6)), li_order(after, start=ago(5))])

    fv, out = replaced(400, 600)
    assert out is True and "increased from 800 to 1200 mg" in (fv.evidence[0].note or "")
    fv, out = replaced(600, 400)
    assert out is False and "reduced" in (fv.evidence[0].note or "")
    assert replaced(400, 400)[1] is False  # a renewal at the same dose


def test_a_recorded_change_is_compared_with_the_order_it_replaced_or_unknown() -> None:
    fv, out = fact(UP, medications=[li_order(600, start=ago(700), last_dose_change=ago(5))])
    assert out is None and "previous dose" in (fv.reason or "")
    both = [li_order(400, start=ago(700), end=ago(5)), li_order(600, start=ago(700), last_dose_change=ago(5))]
    assert fact(UP, medications=both)[1] is True
    assert fact(UP, medications=[med("lithium carbonate", start=ago(700), end=ago(5)),
                                 li_order(600, start=ago(700), last_dose_change=ago(5))])[1] is None


def test_an_undated_lithium_is_unknown_and_none_is_false() -> None:
    assert fact(UP, medications=[li_order(400)])[1] is None
    assert fact(UP, medications=[])[1] is False


# ------------------------------------------------------------------ scale_since_med_change


SCALE = {"scale_since_med_change": {"scales": ["phq9", "gad7"], "set": "VS_ANTIDEPRESSANT"}}


def test_scale_after_the_change_counts_before_does_not() -> None:
    meds = [med("sertraline", dose=50, dose_unit="mg", frequency="daily", start=ago(60))]
    assert fact(SCALE, medications=meds, scales=[{"scale": "gad7", "total": 8, "date": ago(10)}])[1] is True
    assert fact(SCALE, medications=meds, scales=[{"scale": "phq9", "total": 8, "date": ago(61)}])[1] is False
    assert fact(SCALE, medications=[med("sertraline")], scales=[])[1] is None


RECENT = {"scale_since_med_change": {"scales": ["phq9", "gad7"], "set": "VS_ANTIDEPRESSANT", "within_days": 182}}


@pytest.mark.parametrize(("started", "scored", "expected"), [
    (150, 10, True),     # after the start and recent
    (150, 151, False),   # a baseline before the start never counts
    (300, 182, True),    # 182 days ago: inside the window (boundary)
    (300, 183, False),   # after the start but older than 182 days
])
def test_scale_since_change_within_days_needs_both(started: int, scored: int, expected: bool) -> None:
    meds = [med("sertraline", dose=50, dose_unit="mg", frequency="daily", start=ago(started))]
    fv, out = fact(RECENT, medications=meds, scales=[{"scale": "phq9", "total": 6, "date": ago(scored)}])
    assert out is expected
    if not expected:
        assert "within 182 days" in (fv.reason or "")
        # A score since the change but older than the window is shown with its date; a baseline is not.
        shown = [e for e in fv.evidence if "more than 182 days ago" in (e.note or "")]
        assert len(shown) == (1 if scored < started else 0)


def test_scale_since_change_keeps_its_key_without_within_days() -> None:
    plain = compile_leaf(Condition.model_validate(SCALE).root, K).spec
    recent = compile_leaf(Condition.model_validate(RECENT).root, K).spec
    assert plain.key == "scale_since_med_change:gad7+phq9:VS_ANTIDEPRESSANT" and plain.param("days") is None
    assert recent.key == "scale_since_med_change:gad7+phq9:VS_ANTIDEPRESSANT:182d" and recent.param("days") == 182


# ------------------------------------------------------------------ vital_missing


WEIGHT = {"vital_missing": {"kind": "weight", "within_days": 120}}


def test_weight_missing_stale_present_and_as_a_result() -> None:
    assert fact(WEIGHT, vitals=[])[1] is True
    assert fact(WEIGHT, vitals=[{"kind": "weight", "value": 80, "unit": "kg", "taken": ago(121)}])[1] is True
    assert fact(WEIGHT, vitals=[{"kind": "weight", "value": 80, "unit": "kg", "taken": ago(120)}])[1] is False
    as_result = [{"code": "29463-7", "value": 80, "unit": "kg", "collected": ago(10)}]
    assert fact(WEIGHT, results=as_result)[1] is False


# ------------------------------------------------------------------ med_started_after_lab


AFTER_LAB = {"med_started_after_lab": {"analytes": ["gaba", "serotonin"], "specimens": ["urine"],
                                       "within_days": 365, "days": 60}}
PANEL = {"name": "GABA", "value": 2.1, "unit": "ug/g creatinine", "specimen": "urine", "collected": ago(100)}


@pytest.mark.parametrize(("started", "expected"), [(40, True), (39, False), (101, False)])
def test_started_within_60_days_after_the_panel(started: int, expected: bool) -> None:
    # The panel is 100 days old: a start 40 days ago is 60 days after it; 39 days ago is 61 days after.
    assert fact(AFTER_LAB, results=[PANEL], medications=[med("5-HTP", start=ago(started))])[1] is expected


def test_started_after_lab_unknown_with_an_undated_active_product() -> None:
    fv, out = fact(AFTER_LAB, results=[PANEL], medications=[med("5-HTP")])
    assert out is None and "start date of 5-HTP" in (fv.reason or "")
    assert fact(AFTER_LAB, results=[], medications=[med("5-HTP")])[1] is False


# ------------------------------------------------------------------ lab_specimen_mismatch / lab_fraction


MISMATCH = {"lab_specimen_mismatch": {"specimens": ["saliva", "urine"], "within_days": 365}}


def test_serum_analyte_in_saliva_is_a_mismatch_but_salivary_cortisol_and_urine_hcg_are_not() -> None:
    e2 = {"code": "2243-4", "value": 4.2, "unit": "pg/mL", "specimen": "saliva", "collected": ago(3)}
    assert fact(MISMATCH, results=[e2])[1] is True
    cort = {"name": "salivary cortisol", "value": 0.2, "unit": "ug/dL", "specimen": "saliva", "collected": ago(3)}
    hcg = {"code": "2106-3", "value": 1, "specimen": "urine", "collected": ago(3)}
    assert fact(MISMATCH, results=[cort, hcg])[1] is False
    assert fact(MISMATCH, results=[{**e2, "collected": ago(366)}])[1] is False


FRACTION = {"lab_fraction": {"analyte": "hematocrit", "within_days": 365}}


def test_hematocrit_fraction_is_flagged_percent_is_not() -> None:
    assert fact(FRACTION, results=[{"code": "4544-3", "value": 0.55, "unit": "%", "collected": ago(3)}])[1] is True
    assert fact(FRACTION, results=[{"code": "4544-3", "value": 0.55, "unit": "L/L", "collected": ago(3)}])[1] is True
    assert fact(FRACTION, results=[{"code": "4544-3", "value": 55, "unit": "%", "collected": ago(3)}])[1] is False
    # A fraction without a unit is not converted (G01 reports it), so it is not a converted fraction.
    assert fact(FRACTION, results=[{"code": "4544-3", "value": 0.55, "collected": ago(3)}])[1] is False


# ------------------------------------------------------------------ antidepressant trial


BASELINE = {"scale_at_med_start": {"scale": "phq9", "set": "VS_ANTIDEPRESSANT_RX", "op": ">=", "value": 5}}
IMPROVED = {"scale_improvement_since_med_start": {"scale": "phq9", "set": "VS_ANTIDEPRESSANT_RX", "within_days": 60,
                                                  "op": "<", "value": 50}}
ON_DOSE = {"scale_days_after_med_change": {"scale": "phq9", "set": "VS_ANTIDEPRESSANT_RX", "within_days": 60,
                                           "op": ">=", "value": 42}}


def phq(total: int, days: int) -> dict[str, Any]:
    return {"scale": "phq9", "total": total, "date": ago(days)}


@pytest.mark.parametrize(("before", "value"), [(30, 18.0), (31, None)])
def test_baseline_is_the_latest_score_up_to_30_days_before_the_start(before: int, value: float | None) -> None:
    fv, _ = fact(BASELINE, medications=[med("sertraline", start=ago(60))], scales=[phq(18, 60 + before)])
    assert fv.value == value
    if value is None:
        assert "no baseline PHQ-9" in (fv.reason or "")


def test_baseline_falls_back_to_the_first_score_within_7_days_after_the_start() -> None:
    fv, _ = fact(BASELINE, medications=[med("sertraline", start=ago(60))], scales=[phq(16, 55), phq(14, 54)])
    assert fv.value == 16.0
    fv, _ = fact(BASELINE, medications=[med("sertraline", start=ago(60))], scales=[phq(16, 52)])
    assert not fv.known


def test_a_dose_change_keeps_the_course_baseline_and_a_switch_starts_a_new_one() -> None:
    fv, _ = fact(BASELINE, medications=[med("sertraline", dose=50, dose_unit="mg", start=ago(200), end=ago(100)),
                                        med("sertraline", dose=100, dose_unit="mg", start=ago(100))],
                 scales=[phq(20, 201), phq(15, 101)])
    assert fv.value == 20.0  # the renewal at a higher dose continues the course
    fv, _ = fact(BASELINE, medications=[med("sertraline", start=ago(200), end=ago(100)),
                                        med("escitalopram", start=ago(100))],
                 scales=[phq(20, 201), phq(15, 101)])
    assert fv.value == 15.0


def test_improvement_is_measured_from_the_baseline_to_the_latest_recent_score() -> None:
    fv, out = fact(IMPROVED, medications=[med("sertraline", start=ago(60))], scales=[phq(20, 61), phq(11, 3)])
    assert fv.value == 45.0 and out is True
    fv, out = fact(IMPROVED, medications=[med("sertraline", start=ago(60))], scales=[phq(20, 61), phq(24, 3)])
    assert fv.value == -20.0 and out is True


def test_improvement_unknown_without_a_later_score_a_recent_one_or_a_nonzero_baseline() -> None:
    fv, out = fact(IMPROVED, medications=[med("sertraline", start=ago(60))], scales=[phq(20, 61)])
    assert out is None and "since the start" in (fv.reason or "")
    fv, out = fact(IMPROVED, medications=[med("sertraline", start=ago(200))], scales=[phq(20, 201), phq(9, 90)])
    assert out is None and "within 60 days" in (fv.reason or "")
    fv, out = fact(IMPROVED, medications=[med("sertraline", start=ago(60))], scales=[phq(0, 61), phq(3, 3)])
    assert out is None and "baseline PHQ-9 is 0" in (fv.reason or "")


def test_supplements_are_not_an_antidepressant_trial() -> None:
    fv, out = fact(IMPROVED, medications=[med("St John's wort", start=ago(60))], scales=[phq(20, 61), phq(18, 3)])
    assert out is None and "no active" in (fv.reason or "")


@pytest.mark.parametrize(("changed", "expected"), [(45, True), (44, False)])
def test_time_on_the_current_dose_when_the_latest_score_was_taken(changed: int, expected: bool) -> None:
    fv, out = fact(ON_DOSE, medications=[med("sertraline", start=ago(300), last_dose_change=ago(changed))],
                   scales=[phq(12, 3)])
    assert out is expected and fv.value == changed - 3


def test_time_on_dose_is_never_presumed() -> None:
    fv, out = fact(ON_DOSE, medications=[med("sertraline")], scales=[phq(12, 3)])
    assert out is None and "not recorded" in (fv.reason or "")
    fv, out = fact(ON_DOSE, medications=[med("sertraline", start=ago(300))], scales=[phq(12, 90)])
    assert out is None and "within 60 days" in (fv.reason or "")
