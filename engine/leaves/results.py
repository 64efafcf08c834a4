"""Result leaves: laboratory and ECG results, their values, absence, trends, timing and specimens."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from ..facts.model import PRESUMPTION, EvidenceItem, FactValue
from ..knowledge.load import Knowledge
from ..normalize import Case, NormResult
from .base import (
    CLOCK,
    Args,
    Check,
    CompileContext,
    CompiledLeaf,
    FactSpec,
    Leaf,
    NumCompare,
    Phrases,
    num,
    spec,
)
from .common import (
    MIDNIGHT,
    active_in,
    clock,
    course_start,
    days_between,
    days_since_change,
    evidence,
    in_window,
    latest,
    latest_lab,
    med_ev,
    meds_in,
    no_course,
    result_ev,
    unknown,
    usable,
)

DOSE_TIMINGS = ("early", "trough", "late", "unrecorded")
# Lithium: a 12-hour trough is acceptable from 10 to 14 hours after the dose (catalogue N22 [S]).
TROUGH_HOURS = (10.0, 14.0)
Within = Field(gt=0, le=3650)


def _joined(xs: list[str]) -> str:
    return "+".join(sorted(xs))


# ------------------------------------------------------------------ the latest value


class LabArgs(NumCompare):
    analyte: str
    within_days: int = Within
    unit: str
    # Only samples collected between these local clock times count (e.g. AM cortisol 06:00-10:00).
    collected_between: tuple[str, str] | None = None


class Lab(Leaf):
    """The latest usable result of an analyte within N days, compared with a threshold."""

    group = "results"
    lab: LabArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab
        factor, canonical = ctx.canonical(a.analyte, a.unit)
        between = a.collected_between
        window = f":{between[0]}-{between[1]}" if between else ""
        return self.leaf(spec(f"lab:{a.analyte}:{a.within_days}d{window}", "number", self.key,
                              {"analyte": a.analyte, "days": a.within_days, "between": between},
                              f"latest {a.analyte} within {a.within_days} days"
                              + (f" collected {between[0]}-{between[1]}" if between else ""), canonical),
                         num(a.op, a.value * factor))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        return latest_lab(k, case, s.key, s.param("analyte"), s.param("days"), s.param("between"),
                          censored_ok=True)[0]

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab
        when = (f" collected between {a.collected_between[0]} and {a.collected_between[1]}"
                if a.collected_between else "")
        return (f"the latest {p.analyte(a.analyte)} result within {a.within_days} days{when} is "
                f"{p.cmp(a.op, a.value, a.unit, negated)}")


class LabWindowArgs(Args):
    analyte: str
    within_days: int = Within


class LabMissing(Leaf):
    """No usable result of an analyte within N days (missing, stale, unusable or in the future)."""

    group = "results"
    lab_missing: LabWindowArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_missing
        ctx.canonical(a.analyte)
        return self.leaf(spec(f"lab_missing:{a.analyte}:{a.within_days}d", "bool", self.key,
                              {"analyte": a.analyte, "days": a.within_days},
                              f"no usable {a.analyte} result within {a.within_days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        # A censored result ("<0.01") is a result: the test was done.
        inner, _ = latest_lab(k, case, s.key, s.param("analyte"), s.param("days"), censored_ok=True)
        if inner.known:
            return FactValue(s.key, True, False, inner.evidence)
        return FactValue(s.key, True, True, inner.evidence, inner.reason)

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_missing
        there = "there is a" if negated else "there is no"
        return f"{there} usable {p.analyte(a.analyte)} result within the last {a.within_days} days"


class LabTextArgs(Args):
    analyte: str
    within_days: int = Within
    values: list[str] = Field(min_length=1)


class LabText(Leaf):
    """The latest result of an analyte within N days was reported as one of the given texts (positive...)."""

    group = "results"
    lab_text: LabTextArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_text
        ctx.canonical(a.analyte)
        vals = tuple(sorted({v.strip().lower() for v in a.values}))
        return self.leaf(spec(f"lab_text:{a.analyte}:{a.within_days}d:{'|'.join(vals)}", "bool", self.key,
                              {"analyte": a.analyte, "days": a.within_days, "values": vals},
                              f"latest {a.analyte} within {a.within_days} days reported as {' or '.join(vals)}"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        a = k.analytes[s.param("analyte")]
        days = s.param("days")
        rs = [r for r in case.results if r.analyte == a.id and r.specimen in a.interpreted_specimens
              and in_window(case, r.day, days)]
        pick = latest(rs)
        if pick is None:
            # "Reported as X" is positive evidence only: no result is not that report (rules that need the test
            # itself use lab_missing).
            return FactValue(s.key, True, False, (), f"no {a.name} result within {days} days")
        text = (pick.value_text or "").strip().lower()
        return FactValue(s.key, True, text in s.param("values"), (result_ev(pick),))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_text
        return (f"the latest {p.analyte(a.analyte)} result within {a.within_days} days was "
                f"{'not ' if negated else ''}reported as {' or '.join(a.values)}")


class LabTrendArgs(NumCompare):
    """The latest result within `within_days` compared with earlier results up to `lookback_days` before it.

    `percent_change`: 100 x (latest - highest earlier) / highest earlier; `previous`: the value of the most
    recent earlier result (`unit` required); `prior_count`: how many earlier results there are."""

    analyte: str
    within_days: int = Within
    lookback_days: int = Within
    measure: Literal["percent_change", "previous", "prior_count"]
    unit: str | None = None

    @model_validator(mode="after")
    def _unit(self) -> LabTrendArgs:
        if self.measure == "previous" and not self.unit:
            raise ValueError("measure 'previous' compares a result value: give its unit")
        if self.measure != "previous" and self.unit:
            raise ValueError(f"measure {self.measure!r} has no unit")
        return self


class LabTrend(Leaf):
    """The latest result compared with earlier ones: % change, the previous value, or how many earlier."""

    group = "results"
    lab_trend: LabTrendArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_trend
        factor, canonical = ctx.canonical(a.analyte, a.unit)
        what = {"percent_change": f"% change of the latest {a.analyte} (within {a.within_days} days) from the "
                                  f"highest result in the {a.lookback_days} days before it",
                "previous": f"the {a.analyte} result before the latest (up to {a.lookback_days} days earlier)",
                "prior_count": f"number of {a.analyte} results in the {a.lookback_days} days before the latest"}
        unit = canonical if a.measure == "previous" else ("%" if a.measure == "percent_change" else None)
        return self.leaf(spec(f"lab_trend:{a.analyte}:{a.within_days}d:{a.lookback_days}d:{a.measure}", "number",
                              self.key, {"analyte": a.analyte, "days": a.within_days, "lookback": a.lookback_days,
                                         "measure": a.measure}, what[a.measure], unit),
                         num(a.op, a.value * (factor if a.measure == "previous" else 1)))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        analyte, lookback, measure = s.param("analyte"), s.param("lookback"), s.param("measure")
        fv, pick = latest_lab(k, case, s.key, analyte, s.param("days"))
        if pick is None or pick.value is None:
            return fv
        earlier = [r for r in case.results if r.analyte == analyte and usable(k, r)
                   and 0 < days_between(pick.day, r.day) <= lookback]
        if measure == "prior_count":
            return FactValue(s.key, True, float(len(earlier)), (*fv.evidence, *(result_ev(r) for r in earlier)))
        if not earlier:
            return unknown(s.key, f"no earlier {k.analytes[analyte].name} result within {lookback} days before "
                                  f"{pick.day}", fv.evidence)
        if measure == "previous":
            prev = latest(earlier)
            assert prev is not None and prev.value is not None
            return FactValue(s.key, True, prev.value, (*fv.evidence, result_ev(prev)))
        ref = max(earlier, key=lambda r: (r.value or 0.0, r.collected))
        assert ref.value is not None
        if ref.value == 0:
            return unknown(s.key, "earlier result is zero: a percentage change cannot be computed",
                           (*fv.evidence, result_ev(ref)))
        pct = round(100 * (pick.value - ref.value) / ref.value, 4)
        return FactValue(s.key, True, pct, (*fv.evidence, result_ev(ref)))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_trend
        name = p.analyte(a.analyte)
        what = {"percent_change": f"the change of the latest {name} result (within {a.within_days} days) from the "
                                  f"highest result in the {a.lookback_days} days before it",
                "previous": f"the {name} result before the latest (up to {a.lookback_days} days earlier)",
                "prior_count": f"the number of {name} results in the {a.lookback_days} days before the latest"}
        unit = {"percent_change": "%", "previous": a.unit, "prior_count": None}[a.measure]
        return f"{what[a.measure]} is {p.cmp(a.op, a.value, unit, negated)}"


class LabFractionArgs(Args):
    analyte: str
    within_days: int = Within


class LabFraction(Leaf):
    """A result reported as a fraction (hematocrit 0.45) and converted to % (catalogue G04)."""

    group = "results"
    lab_fraction: LabFractionArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_fraction
        ctx.canonical(a.analyte)
        return self.leaf(spec(f"lab_fraction:{a.analyte}:{a.within_days}d", "bool", self.key,
                              {"analyte": a.analyte, "days": a.within_days},
                              f"{a.analyte} reported as a fraction within {a.within_days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        a = k.analytes[s.param("analyte")]
        if a.fraction_below is None:
            return FactValue(s.key, True, False, (), f"{a.name} has no fraction form")
        hits = [r for r in case.results
                if r.analyte == a.id and r.value is not None and r.raw_value is not None
                and r.raw_value < a.fraction_below and in_window(case, r.day, s.param("days"))]
        if hits:
            return FactValue(s.key, True, True, tuple(result_ev(r) for r in sorted(hits, key=lambda r: r.record_id)))
        return FactValue(s.key, True, False, ())

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_fraction
        return (f"a {p.analyte(a.analyte)} result within the last {a.within_days} days was "
                f"{'not ' if negated else ''}reported as a fraction")


# ------------------------------------------------------------------ counts and specimens


class LabCountArgs(NumCompare):
    analytes: list[str] = Field(min_length=1)
    specimens: list[str] = Field(min_length=1)
    within_days: int = Within
    same_day: bool = False  # the largest number collected on one day


class LabCount(Leaf):
    """How many results of the analytes in the specimens within N days (or the most on one day)."""

    group = "results"
    lab_count: LabCountArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_count
        for an in a.analytes:
            ctx.canonical(an)
        ctx.specimens(a.specimens)
        per = ":same_day" if a.same_day else ""
        return self.leaf(spec(f"lab_count:{_joined(a.analytes)}:{_joined(a.specimens)}:{a.within_days}d{per}",
                              "number", self.key,
                              {"analytes": tuple(sorted(a.analytes)), "specimens": tuple(sorted(a.specimens)),
                               "days": a.within_days, "same_day": a.same_day},
                              f"{'largest number on one day' if a.same_day else 'number'} of "
                              f"{'/'.join(sorted(a.specimens))} {'/'.join(sorted(a.analytes))} results within "
                              f"{a.within_days} days"), num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        rs = [r for r in case.results if r.analyte in s.param("analytes") and r.specimen in s.param("specimens")
              and in_window(case, r.day, s.param("days"))]
        if s.param("same_day"):
            per_day: dict[date, list[NormResult]] = {}
            for r in rs:
                per_day.setdefault(r.day, []).append(r)
            rs = max(per_day.values(), key=lambda x: (len(x), x[0].day)) if per_day else []
        rs = sorted(rs, key=lambda r: (r.collected, r.record_id))
        return FactValue(s.key, True, float(len(rs)), tuple(result_ev(r) for r in rs))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_count
        what = "the largest number collected on one day" if a.same_day else "the number"
        return (f"{what} of {' or '.join(a.specimens)} {p.analytes(a.analytes)} results within the last "
                f"{a.within_days} days is {p.cmp(a.op, a.value, None, negated)}")


class LabSpecimenArgs(Args):
    analytes: list[str] = Field(min_length=1)
    specimens: list[str] = Field(min_length=1)
    within_days: int = Within


class LabSpecimen(Leaf):
    """One of the analytes was measured in one of the specimens within N days (saliva, urine, ...)."""

    group = "results"
    lab_specimen: LabSpecimenArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_specimen
        for an in a.analytes:
            ctx.canonical(an)
        ctx.specimens(a.specimens)
        return self.leaf(spec(f"lab_specimen:{_joined(a.analytes)}:{_joined(a.specimens)}:{a.within_days}d", "bool",
                              self.key, {"analytes": tuple(sorted(a.analytes)),
                                         "specimens": tuple(sorted(a.specimens)), "days": a.within_days},
                              f"{'/'.join(sorted(a.analytes))} measured in {'/'.join(sorted(a.specimens))} "
                              f"within {a.within_days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        hits = [r for r in case.results
                if r.analyte in s.param("analytes") and r.specimen in s.param("specimens")
                and in_window(case, r.day, s.param("days"))]
        if hits:
            return FactValue(s.key, True, True, tuple(result_ev(r) for r in sorted(hits, key=lambda r: r.record_id)))
        return FactValue(s.key, True, False, ())

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_specimen
        return (f"{p.analytes(a.analytes)} was {'not ' if negated else ''}measured in {' or '.join(a.specimens)} "
                f"within the last {a.within_days} days")


class SpecimenMismatchArgs(Args):
    specimens: list[str] = Field(min_length=1)
    within_days: int = Within


class LabSpecimenMismatch(Leaf):
    """A blood-interpreted analyte measured in another specimen (serum cut-offs do not apply)."""

    group = "results"
    lab_specimen_mismatch: SpecimenMismatchArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_specimen_mismatch
        ctx.specimens(a.specimens)
        return self.leaf(spec(f"lab_specimen_mismatch:{_joined(a.specimens)}:{a.within_days}d", "bool", self.key,
                              {"specimens": tuple(sorted(a.specimens)), "days": a.within_days},
                              f"a serum analyte measured in {'/'.join(sorted(a.specimens))} within "
                              f"{a.within_days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        blood = {"serum", "plasma", "blood"}
        hits = [r for r in case.results
                if r.analyte is not None and r.specimen in s.param("specimens")
                and blood & set(k.analytes[r.analyte].interpreted_specimens)
                and r.specimen not in k.analytes[r.analyte].interpreted_specimens
                and in_window(case, r.day, s.param("days"))]
        if hits:
            return FactValue(s.key, True, True, tuple(result_ev(r) for r in sorted(hits, key=lambda r: r.record_id)))
        return FactValue(s.key, True, False, ())

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_specimen_mismatch
        return (f"{'no' if negated else 'a'} blood test was measured in {' or '.join(a.specimens)} within the "
                f"last {a.within_days} days")


class LabUnusableArgs(Args):
    within_days: int = Within


class LabUnusable(Leaf):
    """A result within N days with a missing or unrecognised unit or an implausible value."""

    group = "results"
    lab_unusable: LabUnusableArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_unusable
        return self.leaf(spec(f"lab_unusable:{a.within_days}d", "bool", self.key, {"days": a.within_days},
                              f"a result within {a.within_days} days with a missing or unrecognised unit "
                              "or an implausible value"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        # Analytes interpreted in no specimen (urinary "neurotransmitters", dried-urine metabolite panels) never
        # reach a threshold: their unit cannot hide anything, and only their presence feeds evidence warnings.
        bad = [r for r in case.results
               if r.problem and r.censored is None and in_window(case, r.day, s.param("days"))
               and not r.problem.endswith("serum cut-offs do not apply")
               and (r.analyte is None or k.analytes[r.analyte].interpreted_specimens)]
        if bad:
            return FactValue(s.key, True, True, tuple(result_ev(r) for r in bad))
        return FactValue(s.key, True, False, ())

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_unusable
        return (f"{'no' if negated else 'a'} result within the last {a.within_days} days has a missing or "
                "unrecognised unit or an implausible value")


# ------------------------------------------------------------------ results and the course of treatment


class LabSinceChangeArgs(Args):
    analyte: str
    set: str
    min_days_after: int = Field(default=0, ge=0, le=60)


class LabSinceMedChange(Leaf):
    """A usable result of the analyte since the value set was started or its dose changed."""

    group = "results"
    lab_since_med_change: LabSinceChangeArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_since_med_change
        ctx.canonical(a.analyte)
        return self.leaf(spec(f"lab_since_med_change:{a.analyte}:{a.set}:{a.min_days_after}", "bool", self.key,
                              {"analyte": a.analyte, "set": a.set, "min_days_after": a.min_days_after},
                              f"{a.analyte} result since {a.set} was started or its dose changed"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        changed = days_since_change(k, case, s.key, s.param("set"))
        if not changed.known:
            return changed
        since = case.as_of.toordinal() - int(changed.value) + s.param("min_days_after")
        hits = [r for r in case.results
                if r.analyte == s.param("analyte") and r.value is not None
                and since <= r.day.toordinal() <= case.as_of.toordinal()]
        pick = latest(hits)
        if pick is not None:
            return FactValue(s.key, True, True, (*changed.evidence, result_ev(pick)))
        return FactValue(s.key, True, False, changed.evidence, f"no {s.param('analyte')} result since the change")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_since_med_change
        after = f" (at least {a.min_days_after} days after)" if a.min_days_after else ""
        return (f"{p.analyte(a.analyte)} has {'not ' if negated else ''}been measured since "
                f"{p.set_title(a.set)} was started or its dose changed{after}")


class LabDaysAfterChangeArgs(NumCompare):
    """Days from the most recent start or dose change of an active product in `set` to the latest usable
    result of `analyte` within `within_days` (steady state: e.g. TSH only from 6 weeks after a change)."""

    analyte: str
    set: str
    within_days: int = Within


# A product whose start and dose-change dates are both unrecorded is presumed at steady state (said so).
STEADY_STATE_PRESUMED = 9999.0


class LabDaysAfterMedChange(Leaf):
    """How long after the last start or dose change the latest result was drawn (is it at steady state?)."""

    group = "results"
    lab_days_after_med_change: LabDaysAfterChangeArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_days_after_med_change
        ctx.canonical(a.analyte)
        return self.leaf(spec(f"lab_days_after_med_change:{a.analyte}:{a.set}:{a.within_days}d", "number", self.key,
                              {"analyte": a.analyte, "set": a.set, "days": a.within_days},
                              f"days from the last start or dose change of {a.set} to the latest {a.analyte} "
                              f"(within {a.within_days} days)", "days"), num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        fv, r = latest_lab(k, case, s.key, s.param("analyte"), s.param("days"), censored_ok=True)
        if r is None:
            return fv
        active = active_in(k, case, s.param("set"))
        if not active:
            return unknown(s.key, f"no active {s.param('set')}", fv.evidence)
        dated = [m for m in active if m.last_start_or_change() is not None]
        if len(dated) < len(active):
            m = next(m for m in active if m.last_start_or_change() is None)
            if not dated:
                note = f"start and dose-change dates of {m.label} not recorded: presumed at steady state"
                return FactValue(s.key, True, STEADY_STATE_PRESUMED, (*fv.evidence, med_ev(m, note)))
        last = max(dated, key=lambda m: m.last_start_or_change() or date.min)
        changed = last.last_start_or_change()
        assert changed is not None
        gap = float(days_between(r.day, changed))
        return FactValue(s.key, True, gap, (*fv.evidence, med_ev(last, f"started or dose changed {changed}; the "
                                                                      f"result was drawn {gap:g} days later")))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_days_after_med_change
        return (f"the latest {p.analyte(a.analyte)} result was drawn {p.cmp(a.op, a.value, 'days', negated)} after "
                f"{p.set_title(a.set)} was last started or its dose changed")


class LabBeforeStartArgs(NumCompare):
    """The latest result on or before the most recent start of an active product in `set` (a baseline)."""

    analyte: str
    set: str
    within_days: int = Within  # how long before the start a result still counts
    unit: str


class LabBeforeMedStart(Leaf):
    """The baseline: the latest result in the N days up to the most recent start of the value set."""

    group = "results"
    lab_before_med_start: LabBeforeStartArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_before_med_start
        factor, canonical = ctx.canonical(a.analyte, a.unit)
        return self.leaf(spec(f"lab_before_med_start:{a.analyte}:{a.set}:{a.within_days}d", "number", self.key,
                              {"analyte": a.analyte, "set": a.set, "days": a.within_days},
                              f"latest {a.analyte} in the {a.within_days} days up to the start of {a.set}", canonical),
                         num(a.op, a.value * factor))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        analyte, days = s.param("analyte"), s.param("days")
        a = k.analytes[analyte]
        start, med, why = course_start(k, case, s.param("set"), "latest")
        if start is None or med is None:
            return no_course(s.key, med, why)
        mev = med_ev(med, f"started {start}")
        before = [r for r in case.results if r.analyte == analyte and r.specimen in a.interpreted_specimens
                  and 0 <= days_between(start, r.day) <= days]
        pick = latest(before)
        if pick is None:
            return unknown(s.key, f"no {a.name} result in the {days} days before {med.label} was started ({start})",
                           (mev,))
        if pick.value is None:
            return unknown(s.key, f"pre-start {a.name} ({pick.day}) cannot be assessed: {pick.problem}",
                           (mev, result_ev(pick)))
        return FactValue(s.key, True, pick.value, (mev, result_ev(pick)))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_before_med_start
        return (f"the latest {p.analyte(a.analyte)} result in the {a.within_days} days before "
                f"{p.set_title(a.set)} was started is {p.cmp(a.op, a.value, a.unit, negated)}")


class LabRiseArgs(Args):
    """Latest result minus the pre-start baseline exceeds `rise_above`, judged only while the latest
    result lies within `first_days` of the start of the course (the earliest start of an active product)."""

    analyte: str
    set: str
    rise_above: float = Field(gt=0)
    unit: str
    first_days: int = Within
    baseline_days: int = Field(default=365, gt=0, le=3650)


class LabRiseSinceMedStart(Leaf):
    """The latest result has risen more than a margin above the pre-start baseline early in the course."""

    group = "results"
    lab_rise_since_med_start: LabRiseArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_rise_since_med_start
        factor, canonical = ctx.canonical(a.analyte, a.unit)
        rise = round(a.rise_above * factor, 9)
        return self.leaf(spec(f"lab_rise_since_med_start:{a.analyte}:{a.set}:{rise:g}:{a.first_days}d:"
                              f"{a.baseline_days}d", "bool", self.key,
                              {"analyte": a.analyte, "set": a.set, "rise": rise, "first_days": a.first_days,
                               "baseline_days": a.baseline_days},
                              f"{a.analyte} risen more than {rise:g} {canonical} above the pre-start baseline "
                              f"within {a.first_days} days of starting {a.set}"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        analyte, rise, first = s.param("analyte"), s.param("rise"), s.param("first_days")
        a = k.analytes[analyte]
        start, med, why = course_start(k, case, s.param("set"), "first")
        if start is None or med is None:
            return no_course(s.key, med, why)
        mev = med_ev(med, f"started {start}")
        mine = [r for r in case.results if r.analyte == analyte and r.specimen in a.interpreted_specimens
                and r.day <= case.as_of]
        pick = latest(mine)
        if pick is None or pick.day <= start:
            return FactValue(s.key, True, False, (mev,), f"no {a.name} result since the start ({start})")
        if pick.value is None:
            return unknown(s.key, f"latest {a.name} ({pick.day}) cannot be assessed: {pick.problem}",
                           (mev, result_ev(pick)))
        if days_between(pick.day, start) > first:
            return FactValue(s.key, True, False, (mev, result_ev(pick)),
                             f"latest {a.name} is more than {first} days after the start: the early-rise criterion "
                             "no longer applies")
        base = latest([r for r in mine if r.value is not None
                       and 0 <= days_between(start, r.day) <= s.param("baseline_days")])
        if base is None or base.value is None:
            return unknown(s.key, f"no baseline {a.name} in the {s.param('baseline_days')} days before the start "
                                  f"({start})", (mev, result_ev(pick)))
        diff = round(pick.value - base.value, 6)
        ev = (mev, result_ev(base), result_ev(pick).model_copy(update={"note": f"rise {diff:g} {a.canonical_unit}"}))
        return FactValue(s.key, True, diff > rise, ev)

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_rise_since_med_start
        return (f"{p.analyte(a.analyte)} has {'not ' if negated else ''}risen more than {a.rise_above:g} {a.unit} "
                f"above its pre-treatment baseline within {a.first_days} days of starting {p.set_title(a.set)}")


class LabAfterStartArgs(Args):
    analyte: str
    set: str
    from_day: int = Field(ge=0, le=3650)  # results from this many days after the start of the course


class LabAfterMedStart(Leaf):
    """A usable result from day N after the start of the current course of the value set."""

    group = "results"
    lab_after_med_start: LabAfterStartArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_after_med_start
        ctx.canonical(a.analyte)
        return self.leaf(spec(f"lab_after_med_start:{a.analyte}:{a.set}:{a.from_day}", "bool", self.key,
                              {"analyte": a.analyte, "set": a.set, "from_day": a.from_day},
                              f"{a.analyte} result from day {a.from_day} after {a.set} was started"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        analyte, from_day = s.param("analyte"), s.param("from_day")
        start, med, why = course_start(k, case, s.param("set"), "first")
        if start is None or med is None:
            return no_course(s.key, med, why)
        mev = med_ev(med, f"started {start}")
        hits = [r for r in case.results if r.analyte == analyte and usable(k, r)
                and from_day <= days_between(r.day, start) and r.day <= case.as_of]
        pick = latest(hits)
        if pick is not None:
            return FactValue(s.key, True, True, (mev, result_ev(pick)))
        return FactValue(s.key, True, False, (mev,),
                         f"no usable {k.analytes[analyte].name} from day {from_day} after the start ({start})")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_after_med_start
        return (f"{p.analyte(a.analyte)} has {'not ' if negated else ''}been measured from day {a.from_day} after "
                f"{p.set_title(a.set)} was started")


class PreTreatmentLabsArgs(NumCompare):
    """Results of `analyte` before the course of `set` started (or up to now when no product is active).

    `count`: how many usable results; `after_clock`: how many were collected after `clock` (local time);
    `during_set`: how many were collected while a product in `during` was being taken."""

    analyte: str
    set: str
    within_days: int = Within
    measure: Literal["count", "after_clock", "during_set"]
    clock: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    during: str | None = None

    @model_validator(mode="after")
    def _measure_args(self) -> PreTreatmentLabsArgs:
        if (self.measure == "after_clock") != (self.clock is not None):
            raise ValueError("measure 'after_clock' needs clock (HH:MM); other measures take none")
        if (self.measure == "during_set") != (self.during is not None):
            raise ValueError("measure 'during_set' needs during (a medication set); other measures take none")
        return self


class PreTreatmentLabs(Leaf):
    """Pre-treatment results of an analyte: how many, how many after a clock time, or while on a drug."""

    group = "results"
    pre_treatment_labs: PreTreatmentLabsArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.pre_treatment_labs
        ctx.canonical(a.analyte)
        sets = (a.set,) if a.during is None else (a.set, a.during)
        what = {"count": f"number of {a.analyte} results",
                "after_clock": f"number of {a.analyte} results collected after {a.clock}",
                "during_set": f"number of {a.analyte} results collected while taking {a.during}"}[a.measure]
        extra = a.clock or a.during or ""
        return self.leaf(spec(f"pre_treatment_labs:{a.analyte}:{a.set}:{a.within_days}d:{a.measure}:{extra}",
                              "number", self.key,
                              {"analyte": a.analyte, "sets": sets, "days": a.within_days, "measure": a.measure,
                               "clock": a.clock},
                              f"{what} in the {a.within_days} days before {a.set} was started"), num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        analyte, days, measure = s.param("analyte"), s.param("days"), s.param("measure")
        sets = s.param("sets")
        a = k.analytes[analyte]
        ev: list[EvidenceItem] = []
        if active_in(k, case, sets[0]):
            ref, med, why = course_start(k, case, sets[0], "first")
            if ref is None or med is None:
                return no_course(s.key, med, why)
            ev.append(med_ev(med, f"started {ref}"))
        else:
            ref = case.as_of  # not (yet) treated: every result so far is pre-treatment
        rs = sorted((r for r in case.results if r.analyte == analyte and usable(k, r)
                     and 0 <= days_between(ref, r.day) <= days), key=lambda r: (r.collected, r.record_id))
        ev.extend(result_ev(r) for r in rs)
        if not rs:
            return unknown(s.key, f"no pre-treatment {a.name} result on record", ev)
        if measure == "count":
            return FactValue(s.key, True, float(len(rs)), tuple(ev))
        undecided: list[NormResult] = []
        hits: list[NormResult] = []
        if measure == "after_clock":
            limit = clock(s.param("clock"))
            for r in rs:
                t = r.collected.time()
                if t == MIDNIGHT:
                    undecided.append(r)
                elif t > limit:
                    hits.append(r)
            what = "collection time"
        else:
            during = [m for m, v in meds_in(k, case, sets[1]) if v]
            for r in rs:
                over = [m for m in during
                        if (m.start is None or m.start <= r.day) and (m.end is None or m.end >= r.day)]
                if any(m.start is not None for m in over):
                    hits.append(r)
                elif over:
                    undecided.append(r)
            what = f"whether {sets[1]} was being taken at the time of the"
        if not hits and undecided:
            return unknown(s.key, f"{what} {a.name} result of {undecided[0].day} not recorded", ev)
        return FactValue(s.key, True, float(len(hits)), tuple(ev))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.pre_treatment_labs
        name = p.analyte(a.analyte)
        what = {"count": f"the number of {name} results",
                "after_clock": f"the number of {name} results collected after {a.clock}",
                "during_set": f"the number of {name} results collected while taking {p.set_title(a.during or '')}"}
        return (f"{what[a.measure]} in the {a.within_days} days before {p.set_title(a.set)} was started is "
                f"{p.cmp(a.op, a.value, None, negated)}")


class StartedAfterLabArgs(Args):
    analytes: list[str] = Field(min_length=1)
    specimens: list[str] = Field(min_length=1)
    within_days: int = Within  # how far back results count
    days: int = Within  # a product started up to this many days after the result


class MedStartedAfterLab(Leaf):
    """A medication or supplement started within N days after a result (treatment chasing a test)."""

    group = "results"
    med_started_after_lab: StartedAfterLabArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.med_started_after_lab
        for an in a.analytes:
            ctx.canonical(an)
        ctx.specimens(a.specimens)
        return self.leaf(spec(f"med_started_after_lab:{_joined(a.analytes)}:{_joined(a.specimens)}:"
                              f"{a.within_days}d:{a.days}d", "bool", self.key,
                              {"analytes": tuple(sorted(a.analytes)), "specimens": tuple(sorted(a.specimens)),
                               "lookback": a.within_days, "days": a.days},
                              f"a medication or supplement started within {a.days} days after a "
                              f"{'/'.join(sorted(a.specimens))} {'/'.join(sorted(a.analytes))} result "
                              f"(results within {a.within_days} days)"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        days = s.param("days")
        tests = [r for r in case.results if r.analyte in s.param("analytes") and r.specimen in s.param("specimens")
                 and in_window(case, r.day, s.param("lookback"))]
        if not tests:
            return FactValue(s.key, True, False, (), "no such result")
        undated = []
        for r in sorted(tests, key=lambda x: (x.collected, x.record_id)):
            for m in case.meds:
                if m.course_start is None:
                    if m.active(case.as_of):
                        undated.append((r, m))
                    continue
                if 0 <= days_between(m.course_start, r.day) <= days:
                    return FactValue(s.key, True, True, (result_ev(r), med_ev(m, f"started {m.course_start}")))
        if undated:
            r, m = undated[0]
            return unknown(s.key, f"start date of {m.label} not recorded (was it started after the {r.label} test?)",
                           (result_ev(r), med_ev(m)))
        return FactValue(s.key, True, False, tuple(result_ev(r) for r in tests))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.med_started_after_lab
        return (f"a medication or supplement was {'not ' if negated else ''}started within {a.days} days after a "
                f"{' or '.join(a.specimens)} {p.analytes(a.analytes)} result (results within {a.within_days} days)")


class DoseChangedAfterLabArgs(Args):
    set: str
    analytes: list[str] = Field(min_length=1)
    specimens: list[str] = Field(min_length=1)
    within_days: int = Within  # how far back results count
    days: int = Field(ge=0, le=3650)  # a recorded dose change up to this many days after the result


class DoseChangedAfterLab(Leaf):
    """The dose of the value set was changed within N days after a result (titration to a test)."""

    group = "results"
    dose_changed_after_lab: DoseChangedAfterLabArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.dose_changed_after_lab
        for an in a.analytes:
            ctx.canonical(an)
        ctx.specimens(a.specimens)
        return self.leaf(spec(f"dose_changed_after_lab:{a.set}:{_joined(a.analytes)}:{_joined(a.specimens)}:"
                              f"{a.within_days}d:{a.days}d", "bool", self.key,
                              {"set": a.set, "analytes": tuple(sorted(a.analytes)),
                               "specimens": tuple(sorted(a.specimens)), "lookback": a.within_days, "days": a.days},
                              f"{a.set} dose changed within {a.days} days after a {'/'.join(sorted(a.specimens))} "
                              f"{'/'.join(sorted(a.analytes))} result (results within {a.within_days} days)"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        days = s.param("days")
        tests = sorted((r for r in case.results if r.analyte in s.param("analytes")
                        and r.specimen in s.param("specimens") and in_window(case, r.day, s.param("lookback"))),
                       key=lambda r: (r.collected, r.record_id))
        if not tests:
            return FactValue(s.key, True, False, (), "no such result")
        # Only the recorded last dose change is known; a start is not a titration step.
        changed = [m for m, v in meds_in(k, case, s.param("set"))
                   if v and m.last_change is not None and m.last_change <= case.as_of]
        for r in tests:
            for m in changed:
                assert m.last_change is not None
                if 0 <= days_between(m.last_change, r.day) <= days:
                    return FactValue(s.key, True, True, (result_ev(r), med_ev(m, f"dose changed {m.last_change}")))
        return FactValue(s.key, True, False, tuple(result_ev(r) for r in tests),
                         f"no {s.param('set')} dose change within {days} days after the result")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.dose_changed_after_lab
        return (f"the dose of {p.set_title(a.set)} was {'not ' if negated else ''}changed within {a.days} days after "
                f"a {' or '.join(a.specimens)} {p.analytes(a.analytes)} result")


# ------------------------------------------------------------------ sample timing


class LabDoseTimingArgs(Args):
    """Timing of the latest result relative to the last dose: early (< 10 h), trough (10-14 h), late (> 14 h)
    or unrecorded.  Compared as text (op == / != / in)."""

    analyte: str
    within_days: int = Within
    op: Literal["==", "!=", "in"]
    value: str | list[str]

    @model_validator(mode="after")
    def _timing_values(self) -> LabDoseTimingArgs:
        values = self.value if isinstance(self.value, list) else [self.value]
        if (self.op == "in") != isinstance(self.value, list):
            raise ValueError("op 'in' needs a list value; == and != need a single value")
        bad = [v for v in values if v not in DOSE_TIMINGS]
        if bad:
            raise ValueError(f"dose timing is one of {', '.join(DOSE_TIMINGS)}, not {bad[0]!r}")
        return self


class LabDoseTiming(Leaf):
    """When the latest result was drawn after the last dose: early, trough, late or unrecorded."""

    group = "results"
    lab_dose_timing: LabDoseTimingArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_dose_timing
        ctx.canonical(a.analyte)
        value = tuple(a.value) if isinstance(a.value, list) else a.value
        return self.leaf(spec(f"lab_dose_timing:{a.analyte}:{a.within_days}d", "string", self.key,
                              {"analyte": a.analyte, "days": a.within_days},
                              f"timing after the last dose of the latest {a.analyte} within {a.within_days} days"),
                         Check(a.op, value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        # Sample timing is known for a censored result too.
        fv, r = latest_lab(k, case, s.key, s.param("analyte"), s.param("days"), censored_ok=True)
        if r is None:
            return fv
        h = r.hours_since_dose
        lo, hi = TROUGH_HOURS
        if h is not None:
            timing = "early" if h < lo else ("late" if h > hi else "trough")
        else:
            # Labelled without hours: "trough" (pre-dose) and "peak" say which side of the window it is on;
            # "random" says it was not timed.
            timing = {"trough": "trough", "peak": "early"}.get(r.sample_timing or "", "unrecorded")
        said = f"record says: {r.timing_note!r}" if r.timing_note else None
        note = said if h is not None else (
            f"labelled {r.sample_timing}" + (f"; {said}" if said else "") if r.sample_timing else "not recorded")
        ev = evidence(label=f"{r.label}: hours since last dose", value=h, unit="h" if h is not None else None,
                      date=r.day, record=r.record_id, note=note)
        return FactValue(s.key, True, timing, (*fv.evidence, ev))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_dose_timing
        values = a.value if isinstance(a.value, list) else [a.value]
        return (f"the timing of the latest {p.analyte(a.analyte)} sample (within {a.within_days} days) after the "
                f"last dose is {p.cmp(a.op, values if a.op == 'in' else a.value, None, negated)} "
                "(early < 10 h, trough 10-14 h, late > 14 h)")


class LabIntervalFractionArgs(NumCompare):
    """Hours from the last dose to the latest result, as a fraction of the dosing interval of `set`."""

    analyte: str
    set: str
    within_days: int = Within


class LabDoseIntervalFraction(Leaf):
    """Time from the last dose to the latest result as a fraction of the dosing interval (trough = ~1)."""

    group = "results"
    lab_dose_interval_fraction: LabIntervalFractionArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_dose_interval_fraction
        ctx.canonical(a.analyte)
        return self.leaf(spec(f"lab_dose_interval_fraction:{a.analyte}:{a.set}:{a.within_days}d", "number",
                              self.key, {"analyte": a.analyte, "set": a.set, "days": a.within_days},
                              f"time from the last {a.set} dose to the latest {a.analyte} (within {a.within_days} "
                              "days), as a fraction of the dosing interval"), num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        # Sample timing is known for a censored result too.
        fv, r = latest_lab(k, case, s.key, s.param("analyte"), s.param("days"), censored_ok=True)
        if r is None:
            return fv
        hours, presumed = r.hours_since_dose, None
        if hours is None and r.sample_timing != "trough":
            return unknown(s.key, f"time since the last dose not recorded for the {r.label} result of {r.day}",
                           fv.evidence)
        active = active_in(k, case, s.param("set"))
        if not active:
            return unknown(s.key, f"no active {s.param('set')}", fv.evidence)
        per_day = {m.source.per_day() for m in active}
        if None in per_day:
            m = next(m for m in active if m.source.per_day() is None)
            return unknown(s.key, f"dosing frequency of {m.label} not recorded", (*fv.evidence, med_ev(m)))
        if len(per_day) > 1:
            return unknown(s.key, f"more than one {s.param('set')} regimen: the dosing interval is ambiguous",
                           (*fv.evidence, *(med_ev(m) for m in active)))
        interval_h = 24 / float(per_day.pop() or 1)
        if hours is None:  # labelled a trough: drawn just before the next dose
            hours = interval_h
            presumed = (f"{PRESUMPTION}the {r.label} result of {r.day} is labelled a trough and taken as drawn at the "
                        f"end of the {interval_h:g} h dosing interval")
        frac = round(hours / interval_h, 4)
        ev = evidence(label=f"{r.label}: time since last dose", value=hours, unit="h", date=r.day,
                      record=r.record_id, note=presumed or f"{frac:g} of a {interval_h:g} h dosing interval")
        return FactValue(s.key, True, frac, (*fv.evidence, ev, *(med_ev(m) for m in active)))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_dose_interval_fraction
        return (f"the time from the last {p.set_title(a.set)} dose to the latest {p.analyte(a.analyte)} sample, as a "
                f"fraction of the dosing interval, is {p.cmp(a.op, a.value, None, negated)}")


class LabCollectedOutsideArgs(Args):
    analyte: str
    within_days: int = Within
    between: tuple[str, str]  # local clock times HH:MM; a date-only result has no clock time

    @model_validator(mode="after")
    def _clock(self) -> LabCollectedOutsideArgs:
        for t in self.between:
            if not CLOCK.match(t):
                raise ValueError(f"between takes clock times HH:MM, not {t!r}")
        return self


class LabCollectedOutside(Leaf):
    """The latest result was collected outside a clock window (or at an unrecorded time)."""

    group = "results"
    lab_collected_outside: LabCollectedOutsideArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.lab_collected_outside
        ctx.canonical(a.analyte)
        lo, hi = a.between
        return self.leaf(spec(f"lab_collected_outside:{a.analyte}:{a.within_days}d:{lo}-{hi}", "bool", self.key,
                              {"analyte": a.analyte, "days": a.within_days, "between": (lo, hi)},
                              f"latest {a.analyte} within {a.within_days} days collected outside {lo}-{hi} "
                              "(or at an unrecorded time)"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        # Sample timing is known for a censored result too.
        fv, r = latest_lab(k, case, s.key, s.param("analyte"), s.param("days"), censored_ok=True)
        if r is None:
            return FactValue(s.key, True, False, fv.evidence, fv.reason)
        lo, hi = (clock(x) for x in s.param("between"))
        t = r.collected.time()
        if t == MIDNIGHT:
            return FactValue(s.key, True, True, (fv.evidence[0].model_copy(
                update={"note": "collection time not recorded"}),))
        note = f"collected {t.strftime('%H:%M')}"
        return FactValue(s.key, True, not lo <= t <= hi, (fv.evidence[0].model_copy(update={"note": note}),))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.lab_collected_outside
        lo, hi = a.between
        if negated:
            return f"the latest {p.analyte(a.analyte)} result within {a.within_days} days was collected between {lo} " \
                   f"and {hi}"
        return (f"the latest {p.analyte(a.analyte)} result within {a.within_days} days was collected outside {lo}-{hi} "
                "(or at an unrecorded time)")
