"""Course-of-treatment leaves: starts, stops, dose changes, washouts, tapers, and the patient at the start."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Literal

from pydantic import Field

from ..facts.model import EvidenceItem, FactValue
from ..knowledge.load import Knowledge
from ..normalize import COURSE_GAP_DAYS, Case, NormMed, age_at
from .base import (
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
    course_start,
    days_between,
    days_since_change,
    evidence,
    maybe_reason,
    med_ev,
    meds_in,
    no_course,
    unknown,
)

# A washout can only be checked when the second product's start date is known; a stopped product older
# than this is not asked about (its washout is long past and cannot be acted on).
WASHOUT_LOOKBACK_DAYS = 365
# "Regular" benzodiazepine use: at least 4 days a week (catalogue N33).
REGULAR_PER_DAY = 4 / 7
# A product of the same set starting this close to another's end continues it (a taper step or a switch).
CONTINUATION_DAYS = 2


class MedWindowArgs(Args):
    set: str
    days: int = Field(gt=0, le=3650)


def _windowed(k: Knowledge, case: Case, s: FactSpec, when: Callable[[NormMed], date | None], what: str,
              undated: Callable[[NormMed], bool] = lambda m: False) -> FactValue:
    days = s.param("days")
    hits, unknowns, maybe = [], [], []
    for m, v in meds_in(k, case, s.param("set")):
        d = when(m)
        if v and d is not None and 0 <= days_between(case.as_of, d) <= days:
            hits.append(m)
        elif v and d is None and undated(m):
            unknowns.append(m)
        elif v is None and d is not None and 0 <= days_between(case.as_of, d) <= days:
            maybe.append(m)  # in the window, but set membership depends on a missing route or dose
    if hits:
        return FactValue(s.key, True, True, tuple(med_ev(m, f"{what} {when(m)}") for m in hits))
    if unknowns:
        return unknown(s.key, f"{what} date of {unknowns[0].label} not recorded", (med_ev(m) for m in unknowns))
    if maybe:
        return unknown(s.key, f"cannot tell whether {maybe[0].label} belongs to {s.param('set')} "
                              "(route or dose not recorded)", (med_ev(m, "route or dose not recorded") for m in maybe))
    return FactValue(s.key, True, False, (), f"no {s.param('set')} {what} within {days} days")


class MedStoppedWithin(Leaf):
    """A product of the value set stopped within the last N days."""

    group = "course"
    med_stopped_within: MedWindowArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.med_stopped_within
        return self.leaf(spec(f"med_stopped_within:{a.set}:{a.days}d", "bool", self.key,
                              {"set": a.set, "days": a.days}, f"{a.set} stopped within {a.days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        # Stopped means an end date before the evaluation date.  A product stopped on an unrecorded date
        # (snapshot `stopped` without `end`) stopped after it started: certainly within the window when it
        # started within it, otherwise unknown, never "no".
        recent = [m for m, v in meds_in(k, case, s.param("set"))
                  if v and m.source.stopped and m.end is None and m.start is not None
                  and 0 <= days_between(case.as_of, m.start) <= s.param("days")]
        if recent:
            return FactValue(s.key, True, True,
                             tuple(med_ev(m, f"started {m.start}, stopped on an unrecorded date") for m in recent))
        return _windowed(k, case, s, lambda m: m.end if m.end and m.end < case.as_of else None, "stopped",
                         undated=lambda m: m.source.stopped and m.end is None)

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.med_stopped_within
        return f"{p.set_title(a.set)} was {'not ' if negated else ''}stopped within the last {a.days} days"


class MedStartedWithin(Leaf):
    """An active product of the value set started within the last N days."""

    group = "course"
    med_started_within: MedWindowArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.med_started_within
        return self.leaf(spec(f"med_started_within:{a.set}:{a.days}d", "bool", self.key,
                              {"set": a.set, "days": a.days}, f"{a.set} started within {a.days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        # An active product with no start date might have started yesterday: unknown, not "no".
        # The start of the continuous course: a dose change or renewal is not a new start.
        return _windowed(k, case, s, lambda m: m.course_start if m.active(case.as_of) else None, "started",
                         undated=lambda m: m.active(case.as_of))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.med_started_within
        return f"{p.set_title(a.set)} was {'not ' if negated else ''}started within the last {a.days} days"


class MedChangedWithin(Leaf):
    """An active product of the value set started or its dose changed within the last N days."""

    group = "course"
    med_changed_within: MedWindowArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.med_changed_within
        return self.leaf(spec(f"med_changed_within:{a.set}:{a.days}d", "bool", self.key,
                              {"set": a.set, "days": a.days},
                              f"{a.set} started or dose changed within {a.days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        return _windowed(k, case, s, lambda m: m.last_start_or_change() if m.active(case.as_of) else None,
                         "start or dose change", undated=lambda m: m.active(case.as_of))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.med_changed_within
        did = "was neither started nor had its dose changed" if negated else "was started or its dose changed"
        return f"{p.set_title(a.set)} {did} within the last {a.days} days"


def _prior_record(case: Case, m: NormMed, changed: date) -> NormMed | None:
    """The record a dose change on `changed` replaced: the one `m` continues, or a record of the same drug
    (a shared concept) that ended within COURSE_GAP_DAYS of the change (the order it replaced)."""
    if m.continues is not None and m.last_change == m.start:
        return next((o for o in case.meds if o.record_id == m.continues), None)
    ended = [o for o in case.meds if o is not m and set(o.concepts) & set(m.concepts) and o.end is not None
             and o.start is not None and o.start < changed and abs(days_between(changed, o.end)) <= COURSE_GAP_DAYS]
    return max(ended, key=lambda o: (o.end or date.min, o.record_id)) if ended else None


class MedStartedOrIncreasedWithin(Leaf):
    """An active product of the value set started, or its daily dose increased, within the last N days.

    A start is the start of a new course (a renewal or a continued order is not one).  A dose change is an
    increase when its daily dose is above that of the record it replaced; a change recorded without the
    previous dose (or with a dose that cannot be computed) is unknown, never read as an increase or not."""

    group = "course"
    med_started_or_increased_within: MedWindowArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.med_started_or_increased_within
        return self.leaf(spec(f"med_started_or_increased_within:{a.set}:{a.days}d", "bool", self.key,
                              {"set": a.set, "days": a.days},
                              f"{a.set} started or its dose increased within {a.days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        days, set_id = s.param("days"), s.param("set")
        hits: list[EvidenceItem] = []
        unknowns: list[tuple[NormMed, str]] = []
        quiet: list[EvidenceItem] = []
        for m, v in meds_in(k, case, set_id):
            if v is False or not m.active(case.as_of):
                continue
            changed = m.last_start_or_change()
            if changed is None:
                unknowns.append((m, f"start or dose-change date of {m.label} not recorded"))
                continue
            if not 0 <= days_between(case.as_of, changed) <= days:
                continue
            if v is None:
                unknowns.append((m, f"cannot tell whether {m.label} belongs to {set_id} ({maybe_reason(k, m)})"))
                continue
            if m.last_change is None:
                hits.append(med_ev(m, f"started {changed}"))
                continue
            prior = _prior_record(case, m, changed)
            if prior is None:
                unknowns.append((m, f"the dose change of {m.label} on {changed} is recorded without the previous "
                                    "dose: whether it was an increase is not known"))
            elif prior.daily_mg is None or m.daily_mg is None:
                unknowns.append((m, f"daily dose of {m.label} or of the order it replaced cannot be computed: "
                                    f"whether the change on {changed} was an increase is not known"))
            elif m.daily_mg > prior.daily_mg:
                hits.append(med_ev(m, f"daily dose increased from {prior.daily_mg:g} to {m.daily_mg:g} mg "
                                      f"on {changed}"))
            else:
                quiet.append(med_ev(m, f"daily dose {'reduced' if m.daily_mg < prior.daily_mg else 'unchanged'} "
                                       f"({prior.daily_mg:g} to {m.daily_mg:g} mg) on {changed}"))
        if hits:
            return FactValue(s.key, True, True, tuple(hits))
        if unknowns:
            return unknown(s.key, unknowns[0][1], (med_ev(m) for m, _ in unknowns))
        return FactValue(s.key, True, False, tuple(quiet),
                         f"no {set_id} start or dose increase within {days} days")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.med_started_or_increased_within
        did = "was neither started nor its dose increased" if negated else "was started or its dose increased"
        return f"{p.set_title(a.set)} {did} within the last {a.days} days"


class DaysSinceChangeArgs(NumCompare):
    set: str


class DaysSinceMedChange(Leaf):
    """Days since the most recent start or dose change of an active product of the value set."""

    group = "course"
    days_since_med_change: DaysSinceChangeArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.days_since_med_change
        return self.leaf(spec(f"days_since_med_change:{a.set}", "number", self.key, {"set": a.set},
                              f"days since {a.set} was started or its dose changed", "days"), num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        return days_since_change(k, case, s.key, s.param("set"))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.days_since_med_change
        return (f"the time since {p.set_title(a.set)} was started or its dose last changed is "
                f"{p.cmp(a.op, a.value, 'days', negated)}")


class DaysSinceStartArgs(NumCompare):
    """Days since the course started: the earliest start date of the active products in `set`."""

    set: str


class DaysSinceMedStart(Leaf):
    """Days since the current course of the value set started (its earliest active start)."""

    group = "course"
    days_since_med_start: DaysSinceStartArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.days_since_med_start
        return self.leaf(spec(f"days_since_med_start:{a.set}", "number", self.key, {"set": a.set},
                              f"days since {a.set} was first started (current course)", "days"), num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        start, med, why = course_start(k, case, s.param("set"), "first")
        if start is None or med is None:
            return no_course(s.key, med, why)
        return FactValue(s.key, True, float(days_between(case.as_of, start)), (med_ev(med, f"started {start}"),))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.days_since_med_start
        return (f"the time since the current course of {p.set_title(a.set)} started is "
                f"{p.cmp(a.op, a.value, 'days', negated)}")


class StartedAfterStopArgs(Args):
    set: str  # the product started (and still active)
    after: str  # the product stopped before it
    days: int = Field(gt=0, le=3650)


class MedStartedAfterStop(Leaf):
    """A product of `set` started within N days after a product of `after` was stopped (a washout)."""

    group = "course"
    med_started_after_stop: StartedAfterStopArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.med_started_after_stop
        return self.leaf(spec(f"med_started_after_stop:{a.set}:{a.after}:{a.days}d", "bool", self.key,
                              {"set": a.set, "after": a.after, "sets": (a.set, a.after), "days": a.days},
                              f"{a.set} started within {a.days} days after {a.after} was stopped"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        days, today = s.param("days"), case.as_of.toordinal()
        started = [m for m, v in meds_in(k, case, s.param("set")) if v and m.active(case.as_of)]
        stopped = [m for m, v in meds_in(k, case, s.param("after")) if v and m.end and m.end <= case.as_of]
        undated: list[tuple[NormMed, NormMed]] = []
        for a in started:
            for b in stopped:
                if a.record_id == b.record_id or b.end is None:
                    continue
                if a.start is None:
                    if today - b.end.toordinal() <= WASHOUT_LOOKBACK_DAYS:
                        undated.append((a, b))
                    continue
                gap = days_between(a.start, b.end)
                if 0 <= gap <= days:
                    return FactValue(s.key, True, True, (
                        med_ev(b, f"stopped {b.end}"), med_ev(a, f"started {a.start}, {gap} days after the stop")))
        if undated:
            a, b = undated[0]
            return unknown(s.key, f"start date of {a.label} not recorded (needed to check the washout after "
                                  f"{b.label} stopped on {b.end})", (med_ev(a), med_ev(b, f"stopped {b.end}")))
        return FactValue(s.key, True, False, (), f"nothing in {s.param('set')} started within {days} days "
                                                 f"after {s.param('after')} was stopped")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.med_started_after_stop
        return (f"{p.set_title(a.set)} was {'not ' if negated else ''}started within {a.days} days after "
                f"{p.set_title(a.after)} was stopped")


def _regular(m: NormMed) -> bool:
    per_day = m.source.per_day()
    return not m.prn and (per_day is None or per_day >= REGULAR_PER_DAY)


class StoppedUntaperedArgs(Args):
    set: str
    days: int = Field(gt=0, le=3650)
    min_use_days: int = Field(default=0, ge=0, le=3650)


class MedStoppedUntapered(Leaf):
    """A regularly used product of the value set stopped without a taper within N days."""

    group = "course"
    med_stopped_untapered: StoppedUntaperedArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.med_stopped_untapered
        return self.leaf(spec(f"med_stopped_untapered:{a.set}:{a.days}d:{a.min_use_days}d", "bool", self.key,
                              {"set": a.set, "days": a.days, "min_use": a.min_use_days},
                              f"regularly used {a.set} stopped without a taper within {a.days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        days, min_use = s.param("days"), s.param("min_use")
        members = [m for m, v in meds_in(k, case, s.param("set")) if v]
        hits, unknowns = [], []
        for m in members:
            if m.end is None or not 0 <= days_between(case.as_of, m.end) <= days or not _regular(m):
                continue
            if any(o is not m and o.start is not None and -1 <= days_between(o.start, m.end) <= CONTINUATION_DAYS
                   for o in members):
                continue  # a lower-dose step or a switch within the set, not a stop
            if min_use and (m.course_start is None or days_between(m.end, m.course_start) < min_use):
                if m.start is None and m.source.stopped_without_taper is not False:
                    unknowns.append((m, f"start date of {m.label} not recorded (duration of use unknown)"))
                continue
            flag = m.source.stopped_without_taper
            if flag is True:
                hits.append(m)
            elif flag is None:
                unknowns.append((m, f"whether {m.label} (stopped {m.end}) was tapered is not recorded"))
        if hits:
            return FactValue(s.key, True, True, tuple(med_ev(m, f"stopped {m.end} without a taper") for m in hits))
        if unknowns:
            return unknown(s.key, unknowns[0][1], (med_ev(m) for m, _ in unknowns))
        return FactValue(s.key, True, False, (), f"no regularly used {s.param('set')} stopped without a taper "
                                                 f"within {days} days")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.med_stopped_untapered
        used = f" (after at least {a.min_use_days} days of use)" if a.min_use_days else ""
        return (f"regularly used {p.set_title(a.set)}{used} was {'not ' if negated else ''}stopped without a "
                f"taper within the last {a.days} days")


class DoseReductionArgs(NumCompare):
    set: str
    days: int = Field(gt=0, le=365)
    min_use_days: int = Field(default=0, ge=0, le=3650)


def _dose_on(ms: list[NormMed], day: date) -> tuple[float | None, list[NormMed]]:
    on = [m for m in ms if (m.start is None or m.start <= day) and (m.end is None or m.end >= day)]
    if any(m.daily_mg is None for m in on):
        return None, on
    return sum(m.daily_mg or 0.0 for m in on), on


class DoseReduction(Leaf):
    """The largest reduction (%) of a regularly used daily dose of the value set within N days."""

    group = "course"
    dose_reduction: DoseReductionArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.dose_reduction
        return self.leaf(spec(f"dose_reduction:{a.set}:{a.days}d:{a.min_use_days}d", "number", self.key,
                              {"set": a.set, "days": a.days, "min_use": a.min_use_days},
                              f"largest reduction of a regularly used {a.set} daily dose within {a.days} days", "%"),
                         num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        days, min_use = s.param("days"), s.param("min_use")
        by_concept: dict[str, list[NormMed]] = {}
        for m, v in meds_in(k, case, s.param("set")):
            if v and m.concepts:
                by_concept.setdefault(m.concepts[0], []).append(m)
        today = case.as_of.toordinal()
        spans = [(date.fromordinal(today - days), case.as_of), (case.as_of, date.fromordinal(today + days))]
        best: float = 0.0
        best_ev: tuple[EvidenceItem, ...] = ()
        unknown_: tuple[tuple[EvidenceItem, ...], str] | None = None
        for ms in by_concept.values():
            for early, late in spans:
                before, on_before = _dose_on(ms, early)
                after, on_after = _dose_on(ms, late)
                if not on_before or not on_after:
                    continue  # not taken at one end: a start or a stop, not a reduction
                ev = tuple(med_ev(m, f"taken on {early}") for m in on_before) + tuple(
                    med_ev(m, f"taken on {late}") for m in on_after if m not in on_before)
                if before is None or after is None:
                    unknown_ = unknown_ or (ev, f"daily dose of {ms[0].label} cannot be computed")
                    continue
                if before <= 0 or after >= before:
                    continue
                pct = round(100 * (before - after) / before, 4)
                starts = [m.course_start for m in ms]
                regular = all(_regular(m) for m in on_before)
                if not regular or pct <= best:
                    continue
                if min_use and any(st is None for st in starts):
                    unknown_ = unknown_ or (ev, f"start date of {ms[0].label} not recorded (duration of use unknown)")
                    continue
                if min_use and days_between(early, min(st for st in starts if st is not None)) < min_use:
                    continue
                best, best_ev = pct, ev
        # A definite reduction is reported even if another product's dose is unknown (it is a lower bound).
        if unknown_ is not None and best == 0:
            return unknown(s.key, unknown_[1], unknown_[0])
        return FactValue(s.key, True, best, best_ev)

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.dose_reduction
        return (f"the largest reduction of a regularly used {p.set_title(a.set)} daily dose within {a.days} days "
                f"is {p.cmp(a.op, a.value, '%', negated)}")


class PatientAtStartArgs(NumCompare):
    """A patient fact at the most recent start of an active product in `set` (true/false/unknown).

    With only an age recorded (no birth date) the age at start is known to within a year: the leaf is
    unknown when that year straddles the threshold."""

    set: str
    field: Literal["age", "years_since_menopause"]


def _interval_check(lo: float, hi: float, op: str, value: float) -> bool | None:
    """Compare every value in [lo, hi] with `op value`: True/False when all agree, None when they differ."""
    outcomes = {Check(op, value).apply(lo), Check(op, value).apply(hi)}
    if op in ("==", "!=") and lo < value < hi:
        outcomes.add(Check(op, value).apply(value))
    return outcomes.pop() if len(outcomes) == 1 else None


class PatientAtMedStart(Leaf):
    """The patient's age, or years since menopause, when the value set was most recently started."""

    group = "course"
    patient_at_med_start: PatientAtStartArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.patient_at_med_start
        what = "age" if a.field == "age" else "years since menopause"
        return self.leaf(spec(f"patient_at_med_start:{a.set}:{a.field}:{a.op}{a.value:g}", "bool", self.key,
                              {"set": a.set, "field": a.field, "op": a.op, "value": float(a.value)},
                              f"{what} when {a.set} was most recently started {a.op} {a.value:g} years"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        start, med, why = course_start(k, case, s.param("set"), "latest")
        if start is None or med is None:
            return no_course(s.key, med, why)
        p = case.snapshot.patient
        field, op, value = s.param("field"), s.param("op"), s.param("value")
        ev = [med_ev(med, f"started {start}")]
        if field == "age":
            if p.birth_date is not None:
                lo = hi = float(age_at(p.birth_date, start))
                ev.append(evidence(label="age at start", value=lo, unit="years", note=f"born {p.birth_date}"))
            elif case.age is not None:
                # Age only (no birth date): the age at start is known to within the years elapsed since.
                d = days_between(case.as_of, start)
                lo, hi = float(case.age - math.ceil(d / 365)), float(case.age - d // 366)
                ev.append(evidence(label="age at start", value=lo if lo == hi else f"{lo:g}-{hi:g}", unit="years",
                                   note=f"age {case.age} now; birth date not recorded"))
            else:
                return unknown(s.key, "age and birth date not recorded", ev)
            what = "age at start"
        else:
            if p.menopause_date is None:
                return unknown(s.key, "menopause date not recorded", ev)
            lo = hi = round(days_between(start, p.menopause_date) / 365.25, 2)
            ev.append(evidence(label="years from menopause to start", value=lo, unit="years",
                               date=p.menopause_date, note="menopause date"))
            what = "years from menopause to start"
        outcome = _interval_check(lo, hi, op, value)
        if outcome is None:
            return unknown(s.key, f"{what} is {lo:g} or {hi:g} (birth date not recorded), so '{op} {value:g}' "
                                  "cannot be decided", ev)
        return FactValue(s.key, True, outcome, tuple(ev))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.patient_at_med_start
        what = "age" if a.field == "age" else "time since menopause"
        return (f"the patient's {what} when {p.set_title(a.set)} was most recently started is "
                f"{p.cmp(a.op, a.value, 'years', negated)}")
