"""Rating-scale and vital-sign leaves: PHQ-9 and GAD-7 scores, blood pressure, temperature, weight."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Literal

from pydantic import Field

from ..facts.model import EvidenceItem, FactValue
from ..knowledge.load import Knowledge
from ..normalize import Case
from ..snapshot.models import ScaleScore
from .base import Args, CompileContext, CompiledLeaf, FactSpec, Leaf, NumCompare, Phrases, num, spec
from .common import (
    SCALE_LABELS,
    course_start,
    days_between,
    days_since_change,
    evidence,
    in_window,
    latest,
    med_ev,
    no_course,
    result_ev,
    unknown,
    usable,
)

VitalKind = Literal["temperature", "systolic_bp", "diastolic_bp", "heart_rate", "weight"]
ScaleName = Literal["phq9", "gad7"]
Within = Field(gt=0, le=3650)


def _vital_words(kind: str) -> str:
    return kind.replace("_", " ").replace("bp", "blood pressure")


def _vital_analyte(kind: str) -> str:
    return "temperature_c" if kind == "temperature" else kind


class ScaleArgs(NumCompare):
    scale: ScaleName
    item: Literal["total", "item9"] = "total"
    within_days: int = Within


class Scale(Leaf):
    """The latest PHQ-9 or GAD-7 total (or PHQ-9 item 9) within N days."""

    group = "scales_vitals"
    scale: ScaleArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.scale
        return self.leaf(spec(f"scale:{a.scale}:{a.item}:{a.within_days}d", "number", self.key,
                              {"scale": a.scale, "item": a.item, "days": a.within_days},
                              f"latest {SCALE_LABELS[a.scale]} {a.item} within {a.within_days} days"),
                         num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        scale, item, days = s.param("scale"), s.param("item"), s.param("days")
        label = f"{SCALE_LABELS.get(scale, scale)} {'item 9' if item == 'item9' else item}"
        scores = [x for x in case.snapshot.scales if x.scale == scale and getattr(x, item) is not None
                  and x.date <= case.as_of]
        pick = _latest_within(s.key, case, scores, days, label,
                              lambda old: evidence(label=label, value=getattr(old, item), date=old.date))
        if isinstance(pick, FactValue):
            return pick
        v = getattr(pick, item)
        return FactValue(s.key, True, float(v), (evidence(label=label, value=v, date=pick.date, record=pick.id),))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.scale
        what = "total score" if a.item == "total" else "item 9 score"
        return f"the latest {SCALE_LABELS[a.scale]} {what} within {a.within_days} days is " \
               f"{p.cmp(a.op, a.value, None, negated)}"


class ScaleWindowArgs(Args):
    scale: ScaleName
    item: Literal["total", "item9"] = "total"
    within_days: int = Within


class ScaleRecorded(Leaf):
    """A PHQ-9 or GAD-7 score (total or item 9) was recorded within N days: screening rules that interpret a
    score speak only when there is one, instead of "cannot assess" for every patient never screened."""

    group = "scales_vitals"
    scale_recorded: ScaleWindowArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.scale_recorded
        return self.leaf(spec(f"scale_recorded:{a.scale}:{a.item}:{a.within_days}d", "bool", self.key,
                              {"scale": a.scale, "item": a.item, "days": a.within_days},
                              f"a {SCALE_LABELS[a.scale]} {a.item} recorded within {a.within_days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        scale, item, days = s.param("scale"), s.param("item"), s.param("days")
        hits = [x for x in case.snapshot.scales if x.scale == scale and getattr(x, item) is not None
                and x.date <= case.as_of and days_between(case.as_of, x.date) <= days]
        if hits:
            pick = max(hits, key=lambda x: x.date)
            label = f"{SCALE_LABELS[scale]} {'item 9' if item == 'item9' else item}"  # as Scale labels it
            return FactValue(s.key, True, True, (evidence(label=label, value=getattr(pick, item), date=pick.date,
                                                          record=pick.id),))
        return FactValue(s.key, True, False, (), f"no {SCALE_LABELS[scale]} {item} within {days} days")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.scale_recorded
        what = "total score" if a.item == "total" else "item 9 score"
        return (f"{'no' if negated else 'a'} {SCALE_LABELS[a.scale]} {what} was recorded within the last "
                f"{a.within_days} days")


class ScaleSinceChangeArgs(Args):
    scales: list[ScaleName] = Field(min_length=1)
    set: str
    # Optionally also within the last N days: in a long course the scale must be both after the last start or
    # dose change and recent (a baseline before the start never counts).
    within_days: int | None = Field(default=None, gt=0, le=3650)


class ScaleSinceMedChange(Leaf):
    """A symptom scale scored since the value set was started or its dose changed (and, with `within_days`,
    within the last N days too)."""

    group = "scales_vitals"
    scale_since_med_change: ScaleSinceChangeArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.scale_since_med_change
        scales = tuple(sorted(set(a.scales)))
        params: dict[str, object] = {"scales": scales, "set": a.set}
        key = f"scale_since_med_change:{'+'.join(scales)}:{a.set}"
        describe = (f"{' or '.join(x.upper() for x in scales)} score since {a.set} was started or its dose "
                    "changed")
        if a.within_days is not None:  # without it, the key and parameters are those of the plain leaf
            params["days"] = a.within_days
            key += f":{a.within_days}d"
            describe += f", within {a.within_days} days"
        return self.leaf(spec(key, "bool", self.key, params, describe))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        changed = days_since_change(k, case, s.key, s.param("set"))
        if not changed.known:
            return changed
        since = case.as_of.toordinal() - int(changed.value)
        days = s.param("days")
        if days is not None:
            since = max(since, case.as_of.toordinal() - days)
        hits = [x for x in case.snapshot.scales
                if x.scale in s.param("scales") and since <= x.date.toordinal() <= case.as_of.toordinal()]
        if hits:
            pick = max(hits, key=lambda x: x.date)
            return FactValue(s.key, True, True, (*changed.evidence, evidence(
                label=SCALE_LABELS.get(pick.scale, pick.scale), value=pick.total, date=pick.date, record=pick.id)))
        if days is None:
            return FactValue(s.key, True, False, changed.evidence, "no symptom scale since the change")
        # The last score since the change, now older than the window: shown, so the reader sees when it was.
        start = case.as_of.toordinal() - int(changed.value)
        older = [x for x in case.snapshot.scales
                 if x.scale in s.param("scales") and start <= x.date.toordinal() < since]
        ev = changed.evidence
        if older:
            pick = max(older, key=lambda x: x.date)
            ev = (*ev, evidence(label=SCALE_LABELS.get(pick.scale, pick.scale), value=pick.total, date=pick.date,
                                record=pick.id, note=f"the latest since the change, more than {days} days ago"))
        return FactValue(s.key, True, False, ev, f"no symptom scale since the change within {days} days")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.scale_since_med_change
        scales = " or ".join(SCALE_LABELS[x] for x in a.scales)
        recent = "" if a.within_days is None else f" and within the last {a.within_days} days"
        return (f"a {scales} score has {'not ' if negated else ''}been recorded since {p.set_title(a.set)} was "
                f"started or its dose changed{recent}")


class VitalArgs(NumCompare):
    kind: VitalKind
    within_days: int = Within
    unit: str


def _vital(k: Knowledge, case: Case, key: str, kind: str, days: int) -> FactValue:
    a = k.analytes[_vital_analyte(kind)]
    words = kind.replace("_", " ")
    vitals = [v for v in case.snapshot.vitals if v.kind == kind and v.taken.date() <= case.as_of]
    recent = [v for v in vitals if days_between(case.as_of, v.taken.date()) <= days]
    if not recent:
        return unknown(key, f"no {words} within {days} days" if vitals else f"no {words} on record")
    pick = max(recent, key=lambda v: v.taken)
    ev = evidence(label=words, value=pick.value, unit=pick.unit, date=pick.taken.date(), record=pick.id)
    factor = k.unit_factor(a.id, pick.unit) if pick.unit else None
    if factor is None:
        return unknown(key, f"{words} unit missing or not recognised", (ev,))
    value = float(pick.value) * factor
    if not a.plausible.min <= value <= a.plausible.max:
        return unknown(key, f"{words} {pick.value} is implausible", (ev,))
    return FactValue(key, True, value, (ev,))


class Vital(Leaf):
    """The latest usable vital sign of a kind within N days."""

    group = "scales_vitals"
    vital: VitalArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.vital
        factor, canonical = ctx.canonical(_vital_analyte(a.kind), a.unit)
        return self.leaf(spec(f"vital:{a.kind}:{a.within_days}d", "number", self.key,
                              {"kind": a.kind, "days": a.within_days},
                              f"latest {a.kind.replace('_', ' ')} within {a.within_days} days", canonical),
                         num(a.op, a.value * factor))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        return _vital(k, case, s.key, s.param("kind"), s.param("days"))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.vital
        return f"the latest {_vital_words(a.kind)} within {a.within_days} days is " \
               f"{p.cmp(a.op, a.value, a.unit, negated)}"


class VitalWindowArgs(Args):
    kind: VitalKind
    within_days: int = Within


class VitalMissing(Leaf):
    """No usable vital sign of a kind within N days (a result such as body weight also counts)."""

    group = "scales_vitals"
    vital_missing: VitalWindowArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.vital_missing
        return self.leaf(spec(f"vital_missing:{a.kind}:{a.within_days}d", "bool", self.key,
                              {"kind": a.kind, "days": a.within_days},
                              f"no usable {a.kind.replace('_', ' ')} within {a.within_days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        inner = _vital(k, case, s.key, s.param("kind"), s.param("days"))
        if inner.known:
            return FactValue(s.key, True, False, inner.evidence)
        # A vital sign may also arrive as a result (e.g. body weight LOINC 29463-7).
        analyte = _vital_analyte(s.param("kind"))
        as_results = [r for r in case.results if r.analyte == analyte and usable(k, r)
                      and in_window(case, r.day, s.param("days"))]
        pick = latest(as_results)
        if pick is not None:
            return FactValue(s.key, True, False, (result_ev(pick),))
        return FactValue(s.key, True, True, inner.evidence, inner.reason)

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.vital_missing
        there = "there is a" if negated else "there is no"
        return f"{there} usable {_vital_words(a.kind)} reading within the last {a.within_days} days"


class VitalRecorded(Leaf):
    """A reading of this kind was taken within the window, usable or not (a unit-less reading counts)."""

    group = "scales_vitals"
    vital_recorded: VitalWindowArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.vital_recorded
        return self.leaf(spec(f"vital_recorded:{a.kind}:{a.within_days}d", "bool", self.key,
                              {"kind": a.kind, "days": a.within_days},
                              f"a {a.kind.replace('_', ' ')} reading (usable or not) within {a.within_days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        kind, days = s.param("kind"), s.param("days")
        hits = [v for v in case.snapshot.vitals
                if v.kind == kind and v.taken.date() <= case.as_of and days_between(case.as_of, v.taken.date()) <= days]
        if hits:
            return FactValue(s.key, True, True, tuple(
                evidence(label=kind.replace("_", " "), value=v.value, unit=v.unit, date=v.taken.date(), record=v.id)
                for v in sorted(hits, key=lambda v: v.taken)))
        return FactValue(s.key, True, False, (), f"no {kind.replace('_', ' ')} within {days} days")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.vital_recorded
        return (f"{'no' if negated else 'a'} {_vital_words(a.kind)} reading (usable or not) was taken within the "
                f"last {a.within_days} days")


# ------------------------------------------------------------------ scales and the course of treatment
# Antidepressant titration (issue 11): a trial is judged on the PHQ-9 at the start of the course (the
# baseline), the latest PHQ-9 since, and how long the patient had been on the current dose when it was scored.


def _totals(case: Case, scale: str) -> list[ScaleScore]:
    return [x for x in case.snapshot.scales if x.scale == scale and x.total is not None and x.date <= case.as_of]


def _latest_within(key: str, case: Case, scores: list[ScaleScore], days: int, label: str,
                   older_ev: Callable[[ScaleScore], EvidenceItem]) -> ScaleScore | FactValue:
    """The latest of `scores` within `days` of the evaluation date; else the fact is unknown, naming the latest
    older score (its evidence from `older_ev`) or saying there is none."""
    recent = [x for x in scores if days_between(case.as_of, x.date) <= days]
    if recent:
        return max(recent, key=lambda x: x.date)
    if scores:
        old = max(scores, key=lambda x: x.date)
        return unknown(key, f"no {label} within {days} days (latest {old.date})", (older_ev(old),))
    return unknown(key, f"no {label} on record")


def _score_ev(x: ScaleScore, label: str, note: str | None = None) -> EvidenceItem:
    return evidence(label=label, value=x.total, date=x.date, record=x.id, note=note)


def _baseline(k: Knowledge, case: Case, key: str, scale: str, set_id: str, before: int, after: int
              ) -> tuple[FactValue, ScaleScore | None, date | None]:
    """The score at the start of the current course of `set_id` (its most recent start; a dose change or a
    renewal is not a new start): the latest total in the `before` days up to the start, otherwise the earliest
    in the `after` days after it.  (fact, score, start); the score is None when the fact is unknown."""
    label = SCALE_LABELS.get(scale, scale)
    start, med, why = course_start(k, case, set_id, "latest")
    if start is None or med is None:
        return no_course(key, med, why), None, None
    mev = med_ev(med, f"started {start}")
    scores = _totals(case, scale)
    up_to = [x for x in scores if 0 <= days_between(start, x.date) <= before]
    soon_after = [x for x in scores if 0 < days_between(x.date, start) <= after]
    pick = max(up_to, key=lambda x: x.date) if up_to else min(soon_after, key=lambda x: x.date) if soon_after else None
    if pick is None:
        return unknown(key, f"no baseline {label}: none in the {before} days before or {after} days after "
                            f"{med.label} was started ({start})", (mev,)), None, start
    return FactValue(key, True, float(pick.total or 0), (mev, _score_ev(pick, f"baseline {label}"))), pick, start


class ScaleBaselineArgs(NumCompare):
    scale: ScaleName
    set: str
    before_days: int = Field(default=30, ge=0, le=365)  # a score up to this many days before the start counts
    after_days: int = Field(default=7, ge=0, le=60)  # otherwise the first score up to this many days after it


class ScaleAtMedStart(Leaf):
    """The baseline: the PHQ-9 or GAD-7 total at the start of the current course of the value set (the latest
    in the N days up to the start, otherwise the first in the few days after it)."""

    group = "scales_vitals"
    scale_at_med_start: ScaleBaselineArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.scale_at_med_start
        return self.leaf(spec(f"scale_at_med_start:{a.scale}:{a.set}:{a.before_days}-{a.after_days}d", "number",
                              self.key, {"scale": a.scale, "set": a.set, "before": a.before_days,
                                         "after": a.after_days},
                              f"{SCALE_LABELS[a.scale]} total at the start of {a.set} (from {a.before_days} days "
                              f"before to {a.after_days} days after)"), num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        fv, _, _ = _baseline(k, case, s.key, s.param("scale"), s.param("set"), s.param("before"), s.param("after"))
        return fv

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.scale_at_med_start
        return (f"the {SCALE_LABELS[a.scale]} total score when {p.set_title(a.set)} was started (baseline) is "
                f"{p.cmp(a.op, a.value, None, negated)}")


class ScaleImprovementArgs(ScaleBaselineArgs):
    within_days: int = Within  # the latest score must be this recent


class ScaleImprovementSinceMedStart(Leaf):
    """Improvement (%) of the latest PHQ-9 or GAD-7 total since the baseline at the start of the current course
    of the value set: 100 x (baseline - latest) / baseline; negative when worse.  Unknown without a baseline,
    without a later recent score, or with a baseline of 0."""

    group = "scales_vitals"
    scale_improvement_since_med_start: ScaleImprovementArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.scale_improvement_since_med_start
        return self.leaf(spec(f"scale_improvement_since_med_start:{a.scale}:{a.set}:{a.before_days}-"
                              f"{a.after_days}d:{a.within_days}d", "number", self.key,
                              {"scale": a.scale, "set": a.set, "before": a.before_days, "after": a.after_days,
                               "days": a.within_days},
                              f"improvement of the latest {SCALE_LABELS[a.scale]} (within {a.within_days} days) "
                              f"since the start of {a.set}", "%"), num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        scale, days = s.param("scale"), s.param("days")
        label = SCALE_LABELS.get(scale, scale)
        fv, base, start = _baseline(k, case, s.key, scale, s.param("set"), s.param("before"), s.param("after"))
        if base is None or start is None:
            return fv
        since = [x for x in _totals(case, scale) if x.date > start and x.date > base.date]
        if not since:
            return unknown(s.key, f"no {label} since the start ({start}) to compare with the baseline", fv.evidence)
        pick = max(since, key=lambda x: x.date)
        if days_between(case.as_of, pick.date) > days:
            return unknown(s.key, f"no {label} within {days} days (latest {pick.date})",
                           (*fv.evidence, _score_ev(pick, label)))
        if not base.total:
            return unknown(s.key, f"baseline {label} is 0: no improvement can be measured",
                           (*fv.evidence, _score_ev(pick, label)))
        pct = round(100 * (base.total - (pick.total or 0)) / base.total, 4)
        note = f"{round(pct, 1):g} % improvement since the baseline"
        return FactValue(s.key, True, pct, (*fv.evidence, _score_ev(pick, label, note)))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.scale_improvement_since_med_start
        return (f"the latest {SCALE_LABELS[a.scale]} total (within {a.within_days} days) has improved since "
                f"{p.set_title(a.set)} was started by {p.cmp(a.op, a.value, '%', negated)}")


class ScaleDaysAfterChangeArgs(NumCompare):
    scale: ScaleName
    set: str
    within_days: int = Within


class ScaleDaysAfterMedChange(Leaf):
    """How long after the last start or dose change of the value set the latest PHQ-9 or GAD-7 total (within N
    days) was scored: the time on the current dose when it was judged (negative when scored before the change).
    Unknown when the start and dose-change dates are not recorded (an adequate trial is never presumed)."""

    group = "scales_vitals"
    scale_days_after_med_change: ScaleDaysAfterChangeArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.scale_days_after_med_change
        return self.leaf(spec(f"scale_days_after_med_change:{a.scale}:{a.set}:{a.within_days}d", "number", self.key,
                              {"scale": a.scale, "set": a.set, "days": a.within_days},
                              f"days from the last start or dose change of {a.set} to the latest "
                              f"{SCALE_LABELS[a.scale]} (within {a.within_days} days)", "days"), num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        scale, days = s.param("scale"), s.param("days")
        label = SCALE_LABELS.get(scale, scale)
        pick = _latest_within(s.key, case, _totals(case, scale), days, label, lambda old: _score_ev(old, label))
        if isinstance(pick, FactValue):
            return pick
        changed = days_since_change(k, case, s.key, s.param("set"))
        if not changed.known:
            return unknown(s.key, changed.reason or "start or dose-change date not recorded",
                           (*changed.evidence, _score_ev(pick, label)))
        d = case.as_of.toordinal() - int(changed.value)
        gap = float(pick.date.toordinal() - d)
        return FactValue(s.key, True, gap, (*changed.evidence, _score_ev(
            pick, label, f"scored {gap:g} days after the last start or dose change ({date.fromordinal(d)})")))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.scale_days_after_med_change
        return (f"the latest {SCALE_LABELS[a.scale]} was scored {p.cmp(a.op, a.value, 'days', negated)} after "
                f"{p.set_title(a.set)} was last started or its dose changed")
