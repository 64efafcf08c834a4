"""From a condition leaf to the derived fact it needs and the test applied to that fact.

Each leaf becomes a `FactSpec` (a stable key such as `lab:hematocrit:120d`, the
fact's type, and the parameters the deriver needs) plus a `Check` (operator and
value, already converted to the fact's canonical unit).  Both matchers consume
exactly these: the compiled Python tree and the durable-rules ruleset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from engine.rules import conditions as c
from engine.snapshot.models import Specimen

FactType = Literal["bool", "number", "string"]

PATIENT_FIELD_TYPES: dict[str, FactType] = {
    "age": "number", "sex": "string", "pregnant": "bool", "uterus_present": "bool",
    "childbearing_potential": "bool", "postmenopausal": "bool", "years_since_menopause": "number",
    "weight_kg": "number", "fertility_goal": "bool",
}
SEX_VALUES = ("female", "male", "other")


@dataclass(frozen=True)
class FactSpec:
    key: str
    type: FactType
    family: str
    params: tuple[tuple[str, Any], ...]
    # What this fact is, in words a reviewer reads ("latest hematocrit within 120 days").
    describe: str
    unit: str | None = None
    _lookup: dict[str, Any] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lookup", dict(self.params))

    def param(self, name: str, default: Any = None) -> Any:
        return self._lookup.get(name, default)


@dataclass(frozen=True)
class Check:
    op: str  # ==, !=, >, >=, <, <=, in
    value: Any  # bool | float | str | tuple

    def apply(self, v: Any) -> bool:
        match self.op:
            case "==":
                return bool(v == self.value)
            case "!=":
                return bool(v != self.value)
            case ">":
                return bool(v > self.value)
            case ">=":
                return bool(v >= self.value)
            case "<":
                return bool(v < self.value)
            case "<=":
                return bool(v <= self.value)
            case "in":
                return v in self.value
        raise ValueError(f"unknown operator {self.op}")

    def negated(self) -> Check:
        """The complementary test over a *known* value (used to compile 'definitely false')."""
        flip = {"==": "!=", "!=": "==", ">": "<=", ">=": "<", "<": ">=", "<=": ">", "in": "not in"}
        return Check(flip[self.op], self.value)

    def text(self, unit: str | None = None) -> str:
        val = self.value
        if isinstance(val, float) and val.is_integer():
            val = int(val)
        if isinstance(val, tuple):
            val = ", ".join(str(x) for x in val)
        suffix = f" {unit}" if unit and unit not in ("1", "") else ""
        return f"{self.op} {val}{suffix}"


TRUE = Check("==", True)


@dataclass(frozen=True)
class CompiledLeaf:
    spec: FactSpec
    test: Check
    source: Any  # the pydantic leaf, for explanations

    def describe(self) -> str:
        if self.spec.type == "bool":
            return self.spec.describe if self.test.value is True else f"not {self.spec.describe}"
        return f"{self.spec.describe} {self.test.text(self.spec.unit)}"


def _num(op: str, value: float | int) -> Check:
    return Check(op, float(value))


def compile_leaf(leaf: Any, to_canonical: Any) -> CompiledLeaf:
    """`to_canonical(analyte, unit) -> (factor, canonical_unit)` raises ValueError for bad units/analytes."""
    match leaf:
        case c.MedActive(med_active=str() as set_id):
            spec = FactSpec(f"med_active:{set_id}", "bool", "med_active", (("set", set_id),),
                            f"active {set_id}")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.MedActive(med_active=c.MedActiveArgs() as a):
            quals = [f"{n}={getattr(a, n)}" for n in ("compounded", "prn") if getattr(a, n) is not None]
            key = f"med_active:{a.set}" + "".join(f":{q}" for q in quals)
            spec = FactSpec(key, "bool", "med_active",
                            (("set", a.set), ("compounded", a.compounded), ("prn", a.prn)),
                            f"active {a.set}" + (f" ({', '.join(quals)})" if quals else ""))
            return CompiledLeaf(spec, TRUE, leaf)
        case c.MedStoppedWithin(med_stopped_within=a):
            spec = FactSpec(f"med_stopped_within:{a.set}:{a.days}d", "bool", "med_stopped_within",
                            (("set", a.set), ("days", a.days)), f"{a.set} stopped within {a.days} days")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.MedStartedWithin(med_started_within=a):
            spec = FactSpec(f"med_started_within:{a.set}:{a.days}d", "bool", "med_started_within",
                            (("set", a.set), ("days", a.days)), f"{a.set} started within {a.days} days")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.MedChangedWithin(med_changed_within=a):
            spec = FactSpec(f"med_changed_within:{a.set}:{a.days}d", "bool", "med_changed_within",
                            (("set", a.set), ("days", a.days)),
                            f"{a.set} started or dose changed within {a.days} days")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.DaysSinceMedChange(days_since_med_change=a):
            spec = FactSpec(f"days_since_med_change:{a.set}", "number", "days_since_med_change",
                            (("set", a.set),), f"days since {a.set} was started or its dose changed", "days")
            return CompiledLeaf(spec, _num(a.op, a.value), leaf)
        case c.DailyDose(daily_dose=a):
            factor = _mass_factor(a.unit)
            spec = FactSpec(f"daily_dose:{a.set}", "number", "daily_dose", (("set", a.set),),
                            f"daily dose of {a.set}", "mg")
            return CompiledLeaf(spec, _num(a.op, a.value * factor), leaf)
        case c.CountActive(count_active=a):
            sets = tuple(sorted(a.sets))
            spec = FactSpec(f"count_active:{'+'.join(sets)}", "number", "count_active", (("sets", sets),),
                            f"number of active agents in {' or '.join(sets)}")
            return CompiledLeaf(spec, _num(a.op, a.value), leaf)
        case c.HasCondition(condition=str() as set_id):
            spec = FactSpec(f"condition:{set_id}:any", "bool", "condition", (("set", set_id), ("status", "any")),
                            f"condition in {set_id}")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.HasCondition(condition=c.ConditionArgs() as a):
            spec = FactSpec(f"condition:{a.set}:{a.status}", "bool", "condition",
                            (("set", a.set), ("status", a.status)),
                            f"condition in {a.set}" + ("" if a.status == "any" else f" ({a.status})"))
            return CompiledLeaf(spec, TRUE, leaf)
        case c.PatientLeaf(patient=a):
            ftype = PATIENT_FIELD_TYPES[a.field]
            spec = FactSpec(f"patient:{a.field}", ftype, "patient", (("field", a.field),), f"patient {a.field}",
                            "years" if a.field in ("age", "years_since_menopause") else
                            ("kg" if a.field == "weight_kg" else None))
            return CompiledLeaf(spec, _typed_test(a.op, a.value, ftype, f"patient {a.field}"), leaf)
        case c.PatientUnknown(patient_unknown=fld):
            spec = FactSpec(f"patient_unknown:{fld}", "bool", "patient_unknown", (("field", fld),),
                            f"patient {fld} not recorded")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.Lab(lab=a):
            factor, canonical = to_canonical(a.analyte, a.unit)
            window = f":{a.collected_between[0]}-{a.collected_between[1]}" if a.collected_between else ""
            spec = FactSpec(f"lab:{a.analyte}:{a.within_days}d{window}", "number", "lab",
                            (("analyte", a.analyte), ("days", a.within_days),
                             ("between", a.collected_between)),
                            f"latest {a.analyte} within {a.within_days} days"
                            + (f" collected {a.collected_between[0]}-{a.collected_between[1]}" if window else ""),
                            canonical)
            return CompiledLeaf(spec, _num(a.op, a.value * factor), leaf)
        case c.LabMissing(lab_missing=a):
            to_canonical(a.analyte, None)
            spec = FactSpec(f"lab_missing:{a.analyte}:{a.within_days}d", "bool", "lab_missing",
                            (("analyte", a.analyte), ("days", a.within_days)),
                            f"no usable {a.analyte} result within {a.within_days} days")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.LabSinceMedChange(lab_since_med_change=a):
            to_canonical(a.analyte, None)
            spec = FactSpec(f"lab_since_med_change:{a.analyte}:{a.set}:{a.min_days_after}", "bool",
                            "lab_since_med_change",
                            (("analyte", a.analyte), ("set", a.set), ("min_days_after", a.min_days_after)),
                            f"{a.analyte} result since {a.set} was started or its dose changed")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.LabSpecimen(lab_specimen=a):
            for an in a.analytes:
                to_canonical(an, None)
            an_key = "+".join(sorted(a.analytes))
            sp_key = "+".join(sorted(a.specimens))
            spec = FactSpec(f"lab_specimen:{an_key}:{sp_key}:{a.within_days}d", "bool", "lab_specimen",
                            (("analytes", tuple(sorted(a.analytes))), ("specimens", tuple(sorted(a.specimens))),
                             ("days", a.within_days)),
                            f"{'/'.join(sorted(a.analytes))} measured in {'/'.join(sorted(a.specimens))} "
                            f"within {a.within_days} days")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.LabUnusable(lab_unusable=a):
            spec = FactSpec(f"lab_unusable:{a.within_days}d", "bool", "lab_unusable", (("days", a.within_days),),
                            f"a result within {a.within_days} days with a missing or unrecognised unit "
                            "or an implausible value")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.Scale(scale=a):
            spec = FactSpec(f"scale:{a.scale}:{a.item}:{a.within_days}d", "number", "scale",
                            (("scale", a.scale), ("item", a.item), ("days", a.within_days)),
                            f"latest {a.scale.upper().replace('PHQ9', 'PHQ-9').replace('GAD7', 'GAD-7')} "
                            f"{a.item} within {a.within_days} days")
            return CompiledLeaf(spec, _num(a.op, a.value), leaf)
        case c.Vital(vital=a):
            factor, canonical = to_canonical(a.kind if a.kind != "temperature" else "temperature_c", a.unit)
            spec = FactSpec(f"vital:{a.kind}:{a.within_days}d", "number", "vital",
                            (("kind", a.kind), ("days", a.within_days)),
                            f"latest {a.kind.replace('_', ' ')} within {a.within_days} days", canonical)
            return CompiledLeaf(spec, _num(a.op, a.value * factor), leaf)
        case c.Note(note=a):
            spec = FactSpec(f"note:{a.kind}:{a.within_days}d", "bool", "note",
                            (("kind", a.kind), ("days", a.within_days)),
                            f"{a.kind.replace('_', ' ')} documented within {a.within_days} days")
            return CompiledLeaf(spec, TRUE, leaf)
        # ---- neurochemistry leaves
        case c.MedStartedAfterStop(med_started_after_stop=a):
            spec = FactSpec(f"med_started_after_stop:{a.set}:{a.after}:{a.days}d", "bool", "med_started_after_stop",
                            (("set", a.set), ("after", a.after), ("sets", (a.set, a.after)), ("days", a.days)),
                            f"{a.set} started within {a.days} days after {a.after} was stopped")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.LabDoseTiming(lab_dose_timing=a):
            to_canonical(a.analyte, None)
            spec = FactSpec(f"lab_dose_timing:{a.analyte}:{a.within_days}d", "string", "lab_dose_timing",
                            (("analyte", a.analyte), ("days", a.within_days)),
                            f"timing after the last dose of the latest {a.analyte} within {a.within_days} days")
            value = tuple(a.value) if isinstance(a.value, list) else a.value
            return CompiledLeaf(spec, Check(a.op, value), leaf)
        case c.LabTrend(lab_trend=a):
            factor, canonical = to_canonical(a.analyte, a.unit)
            what = {"percent_change": f"% change of the latest {a.analyte} (within {a.within_days} days) from the "
                                      f"highest result in the {a.lookback_days} days before it",
                    "previous": f"the {a.analyte} result before the latest (up to {a.lookback_days} days earlier)",
                    "prior_count": f"number of {a.analyte} results in the {a.lookback_days} days before the latest"}
            spec = FactSpec(f"lab_trend:{a.analyte}:{a.within_days}d:{a.lookback_days}d:{a.measure}", "number",
                            "lab_trend", (("analyte", a.analyte), ("days", a.within_days),
                                          ("lookback", a.lookback_days), ("measure", a.measure)),
                            what[a.measure],
                            canonical if a.measure == "previous" else ("%" if a.measure == "percent_change" else None))
            return CompiledLeaf(spec, _num(a.op, a.value * (factor if a.measure == "previous" else 1)), leaf)
        case c.LabText(lab_text=a):
            to_canonical(a.analyte, None)
            vals = tuple(sorted({v.strip().lower() for v in a.values}))
            spec = FactSpec(f"lab_text:{a.analyte}:{a.within_days}d:{'|'.join(vals)}", "bool", "lab_text",
                            (("analyte", a.analyte), ("days", a.within_days), ("values", vals)),
                            f"latest {a.analyte} within {a.within_days} days reported as {' or '.join(vals)}")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.TotalMme(total_mme=a):
            spec = FactSpec(f"total_mme:{a.set}", "number", "total_mme", (("set", a.set),),
                            f"total morphine milligram equivalents per day of {a.set}", "MME/day")
            return CompiledLeaf(spec, _num(a.op, a.value), leaf)
        case c.MedStoppedUntapered(med_stopped_untapered=a):
            spec = FactSpec(f"med_stopped_untapered:{a.set}:{a.days}d:{a.min_use_days}d", "bool",
                            "med_stopped_untapered", (("set", a.set), ("days", a.days), ("min_use", a.min_use_days)),
                            f"regularly used {a.set} stopped without a taper within {a.days} days")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.DoseReduction(dose_reduction=a):
            spec = FactSpec(f"dose_reduction:{a.set}:{a.days}d:{a.min_use_days}d", "number", "dose_reduction",
                            (("set", a.set), ("days", a.days), ("min_use", a.min_use_days)),
                            f"largest reduction of a regularly used {a.set} daily dose within {a.days} days", "%")
            return CompiledLeaf(spec, _num(a.op, a.value), leaf)
        case c.ScaleSinceMedChange(scale_since_med_change=a):
            scales = tuple(sorted(set(a.scales)))
            spec = FactSpec(f"scale_since_med_change:{'+'.join(scales)}:{a.set}", "bool", "scale_since_med_change",
                            (("scales", scales), ("set", a.set)),
                            f"{' or '.join(s.upper() for s in scales)} score since {a.set} was started or its dose "
                            "changed")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.VitalMissing(vital_missing=a):
            spec = FactSpec(f"vital_missing:{a.kind}:{a.within_days}d", "bool", "vital_missing",
                            (("kind", a.kind), ("days", a.within_days)),
                            f"no usable {a.kind.replace('_', ' ')} within {a.within_days} days")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.MedStartedAfterLab(med_started_after_lab=a):
            for an in a.analytes:
                to_canonical(an, None)
            an_key, sp_key = "+".join(sorted(a.analytes)), "+".join(sorted(a.specimens))
            spec = FactSpec(f"med_started_after_lab:{an_key}:{sp_key}:{a.within_days}d:{a.days}d", "bool",
                            "med_started_after_lab",
                            (("analytes", tuple(sorted(a.analytes))), ("specimens", tuple(sorted(a.specimens))),
                             ("lookback", a.within_days), ("days", a.days)),
                            f"a medication or supplement started within {a.days} days after a "
                            f"{'/'.join(sorted(a.specimens))} {'/'.join(sorted(a.analytes))} result "
                            f"(results within {a.within_days} days)")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.LabSpecimenMismatch(lab_specimen_mismatch=a):
            sp_key = "+".join(sorted(a.specimens))
            spec = FactSpec(f"lab_specimen_mismatch:{sp_key}:{a.within_days}d", "bool", "lab_specimen_mismatch",
                            (("specimens", tuple(sorted(a.specimens))), ("days", a.within_days)),
                            f"a serum analyte measured in {'/'.join(sorted(a.specimens))} within {a.within_days} days")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.LabFraction(lab_fraction=a):
            to_canonical(a.analyte, None)
            spec = FactSpec(f"lab_fraction:{a.analyte}:{a.within_days}d", "bool", "lab_fraction",
                            (("analyte", a.analyte), ("days", a.within_days)),
                            f"{a.analyte} reported as a fraction within {a.within_days} days")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.DataIssueLeaf(data_issue=a):
            spec = FactSpec(f"data_issue:{a.within_days}d", "bool", "data_issue", (("days", a.within_days),),
                            f"a supplied record that could not be read (undated, or within {a.within_days} days)")
            return CompiledLeaf(spec, TRUE, leaf)
        # ---- hormone leaves
        case c.PatientAtMedStart(patient_at_med_start=a):
            unit = "years"
            what = "age" if a.field == "age" else "years since menopause"
            spec = FactSpec(f"patient_at_med_start:{a.set}:{a.field}:{a.op}{a.value:g}", "bool",
                            "patient_at_med_start",
                            (("set", a.set), ("field", a.field), ("op", a.op), ("value", float(a.value))),
                            f"{what} when {a.set} was most recently started {a.op} {a.value:g} {unit}")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.DoseChangedAfterLab(dose_changed_after_lab=a):
            for an in a.analytes:
                to_canonical(an, None)
            _check_specimens(a.specimens)
            an_key, sp_key = "+".join(sorted(a.analytes)), "+".join(sorted(a.specimens))
            spec = FactSpec(f"dose_changed_after_lab:{a.set}:{an_key}:{sp_key}:{a.within_days}d:{a.days}d", "bool",
                            "dose_changed_after_lab",
                            (("set", a.set), ("analytes", tuple(sorted(a.analytes))),
                             ("specimens", tuple(sorted(a.specimens))), ("lookback", a.within_days),
                             ("days", a.days)),
                            f"{a.set} dose changed within {a.days} days after a {'/'.join(sorted(a.specimens))} "
                            f"{'/'.join(sorted(a.analytes))} result (results within {a.within_days} days)")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.LabBeforeMedStart(lab_before_med_start=a):
            factor, canonical = to_canonical(a.analyte, a.unit)
            spec = FactSpec(f"lab_before_med_start:{a.analyte}:{a.set}:{a.within_days}d", "number",
                            "lab_before_med_start",
                            (("analyte", a.analyte), ("set", a.set), ("days", a.within_days)),
                            f"latest {a.analyte} in the {a.within_days} days up to the start of {a.set}", canonical)
            return CompiledLeaf(spec, _num(a.op, a.value * factor), leaf)
        case c.LabRiseSinceMedStart(lab_rise_since_med_start=a):
            factor, canonical = to_canonical(a.analyte, a.unit)
            rise = round(a.rise_above * factor, 9)
            spec = FactSpec(f"lab_rise_since_med_start:{a.analyte}:{a.set}:{rise:g}:{a.first_days}d:"
                            f"{a.baseline_days}d", "bool", "lab_rise_since_med_start",
                            (("analyte", a.analyte), ("set", a.set), ("rise", rise), ("first_days", a.first_days),
                             ("baseline_days", a.baseline_days)),
                            f"{a.analyte} risen more than {rise:g} {canonical} above the pre-start baseline "
                            f"within {a.first_days} days of starting {a.set}")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.DaysSinceMedStart(days_since_med_start=a):
            spec = FactSpec(f"days_since_med_start:{a.set}", "number", "days_since_med_start", (("set", a.set),),
                            f"days since {a.set} was first started (current course)", "days")
            return CompiledLeaf(spec, _num(a.op, a.value), leaf)
        case c.LabAfterMedStart(lab_after_med_start=a):
            to_canonical(a.analyte, None)
            spec = FactSpec(f"lab_after_med_start:{a.analyte}:{a.set}:{a.from_day}", "bool", "lab_after_med_start",
                            (("analyte", a.analyte), ("set", a.set), ("from_day", a.from_day)),
                            f"{a.analyte} result from day {a.from_day} after {a.set} was started")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.ConditionOnsetWithin(condition_onset_within=a):
            spec = FactSpec(f"condition_onset_within:{a.set}:{a.days}d", "bool", "condition_onset_within",
                            (("set", a.set), ("days", a.days)), f"condition in {a.set} with onset within {a.days} days")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.PreTreatmentLabs(pre_treatment_labs=a):
            to_canonical(a.analyte, None)
            sets = (a.set,) if a.during is None else (a.set, a.during)
            what = {"count": f"number of {a.analyte} results",
                    "after_clock": f"number of {a.analyte} results collected after {a.clock}",
                    "during_set": f"number of {a.analyte} results collected while taking {a.during}"}[a.measure]
            extra = a.clock or a.during or ""
            spec = FactSpec(f"pre_treatment_labs:{a.analyte}:{a.set}:{a.within_days}d:{a.measure}:{extra}", "number",
                            "pre_treatment_labs",
                            (("analyte", a.analyte), ("sets", sets), ("days", a.within_days), ("measure", a.measure),
                             ("clock", a.clock)),
                            f"{what} in the {a.within_days} days before {a.set} was started")
            return CompiledLeaf(spec, _num(a.op, a.value), leaf)
        case c.LabDoseIntervalFraction(lab_dose_interval_fraction=a):
            to_canonical(a.analyte, None)
            spec = FactSpec(f"lab_dose_interval_fraction:{a.analyte}:{a.set}:{a.within_days}d", "number",
                            "lab_dose_interval_fraction",
                            (("analyte", a.analyte), ("set", a.set), ("days", a.within_days)),
                            f"time from the last {a.set} dose to the latest {a.analyte} (within {a.within_days} days), "
                            "as a fraction of the dosing interval")
            return CompiledLeaf(spec, _num(a.op, a.value), leaf)
        case c.MedIndication(med_indication=a):
            spec = FactSpec(f"med_indication:{a.set}:{a.pattern}", "bool", "med_indication",
                            (("set", a.set), ("pattern", a.pattern)),
                            f"active {a.set} with a recorded indication matching /{a.pattern}/")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.LabCollectedOutside(lab_collected_outside=a):
            to_canonical(a.analyte, None)
            lo, hi = a.between
            spec = FactSpec(f"lab_collected_outside:{a.analyte}:{a.within_days}d:{lo}-{hi}", "bool",
                            "lab_collected_outside",
                            (("analyte", a.analyte), ("days", a.within_days), ("between", (lo, hi))),
                            f"latest {a.analyte} within {a.within_days} days collected outside {lo}-{hi} "
                            "(or at an unrecorded time)")
            return CompiledLeaf(spec, TRUE, leaf)
        case c.LabCount(lab_count=a):
            for an in a.analytes:
                to_canonical(an, None)
            _check_specimens(a.specimens)
            an_key, sp_key = "+".join(sorted(a.analytes)), "+".join(sorted(a.specimens))
            per = ":same_day" if a.same_day else ""
            spec = FactSpec(f"lab_count:{an_key}:{sp_key}:{a.within_days}d{per}", "number", "lab_count",
                            (("analytes", tuple(sorted(a.analytes))), ("specimens", tuple(sorted(a.specimens))),
                             ("days", a.within_days), ("same_day", a.same_day)),
                            f"{'largest number on one day' if a.same_day else 'number'} of "
                            f"{'/'.join(sorted(a.specimens))} {'/'.join(sorted(a.analytes))} results within "
                            f"{a.within_days} days")
            return CompiledLeaf(spec, _num(a.op, a.value), leaf)
        case c.PrednisoneEquivalentDose(prednisone_equivalent_dose=a):
            factor = _mass_factor(a.unit)
            spec = FactSpec(f"prednisone_equivalent_dose:{a.set}", "number", "prednisone_equivalent_dose",
                            (("set", a.set),), f"daily dose of {a.set} in prednisone equivalents", "mg")
            return CompiledLeaf(spec, _num(a.op, a.value * factor), leaf)
        case c.VitalRecorded(vital_recorded=a):
            spec = FactSpec(f"vital_recorded:{a.kind}:{a.within_days}d", "bool", "vital_recorded",
                            (("kind", a.kind), ("days", a.within_days)),
                            f"a {a.kind.replace('_', ' ')} reading (usable or not) within {a.within_days} days")
            return CompiledLeaf(spec, TRUE, leaf)
    raise ValueError(f"unsupported condition leaf {type(leaf).__name__}")


def _check_specimens(specimens: list[str]) -> None:
    known = get_args(Specimen)
    for sp in specimens:
        if sp not in known:
            raise ValueError(f"unknown specimen {sp!r}; expected one of {', '.join(known)}")


def _mass_factor(unit: str) -> float:
    u = unit.strip().lower().replace("µ", "u").replace("μ", "u").replace("mcg", "ug").removesuffix("/day")
    factors = {"mg": 1.0, "ug": 0.001, "g": 1000.0}
    if u not in factors:
        raise ValueError(f"dose unit {unit!r} is not a mass unit (mg, ug, g)")
    return factors[u]


def _typed_test(op: str, value: Any, ftype: FactType, what: str) -> Check:
    def check(v: Any) -> Any:
        if ftype == "bool":
            if not isinstance(v, bool):
                raise ValueError(f"{what} is true/false; compare it with true or false, not {v!r}")
            if op not in ("==", "!="):
                raise ValueError(f"{what} is true/false; use == or !=")
            return v
        if ftype == "number":
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise ValueError(f"{what} is a number; {v!r} is not")
            return float(v)
        if not isinstance(v, str):
            raise ValueError(f"{what} is text; {v!r} is not")
        if what == "patient sex" and v not in SEX_VALUES:
            raise ValueError(f"patient sex is one of {', '.join(SEX_VALUES)}, not {v!r}")
        if op not in ("==", "!=", "in"):
            raise ValueError(f"{what} is text; use ==, != or in")
        return v

    if op == "in":
        return Check("in", tuple(check(v) for v in value))
    return Check(op, check(value))
