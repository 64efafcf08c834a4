"""Patient and condition leaves: diagnoses on record, and facts about the patient (age, sex, pregnancy,
smoking...)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ..facts.model import PRESUMPTION, EvidenceItem, FactValue
from ..knowledge.load import Knowledge
from ..normalize import FUTURE_TOLERANCE_DAYS, Case
from ..snapshot.models import SmokingRecord
from .base import (
    Args,
    Check,
    Compare,
    CompileContext,
    CompiledLeaf,
    FactSpec,
    FactType,
    Leaf,
    NumCompare,
    Phrases,
    num,
    spec,
)
from .common import days_between, evidence, in_window, unknown

CHILDBEARING_AGES = (12, 55)
PatientField = Literal[
    "age", "sex", "pregnant", "uterus_present", "childbearing_potential", "postmenopausal",
    "years_since_menopause", "weight_kg", "fertility_goal",
]
PATIENT_FIELD_TYPES: dict[str, FactType] = {
    "age": "number", "sex": "string", "pregnant": "bool", "uterus_present": "bool",
    "childbearing_potential": "bool", "postmenopausal": "bool", "years_since_menopause": "number",
    "weight_kg": "number", "fertility_goal": "bool",
}
SEX_VALUES = ("female", "male", "other")
FIELD_PHRASES = {
    "pregnant": ("the patient is pregnant", "the patient is not pregnant"),
    "uterus_present": ("the patient has a uterus", "the patient has no uterus"),
    "childbearing_potential": ("the patient could become pregnant (childbearing potential)",
                               "the patient could not become pregnant (no childbearing potential)"),
    "postmenopausal": ("the patient is postmenopausal", "the patient is not postmenopausal"),
    "fertility_goal": ("the patient wants to conceive", "the patient does not want to conceive"),
}
FIELD_NAMES = {"age": "age", "sex": "sex", "pregnant": "pregnancy status", "uterus_present": "uterus status",
               "childbearing_potential": "childbearing potential", "postmenopausal": "menopausal status",
               "years_since_menopause": "years since menopause", "weight_kg": "weight",
               "fertility_goal": "fertility goal"}
FIELD_UNITS = {"age": "years", "years_since_menopause": "years", "weight_kg": "kg"}


def _cond_ev(c: Any, note: str | None = None) -> EvidenceItem:
    return evidence(label=c.label, date=c.onset, record=c.record_id,
                    note=note or (f"{c.status}; read from free text (no code)" if c.from_text else c.status))


# ------------------------------------------------------------------ conditions


class ConditionArgs(Args):
    set: str
    status: Literal["any", "active", "history"] = "any"


class HasCondition(Leaf):
    """A condition of the value set on record (any status, active, or history only)."""

    group = "patient"
    set_kind = "condition"
    shorthand = "set"
    condition: str | ConditionArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a: ConditionArgs = self.args
        return self.leaf(spec(f"condition:{a.set}:{a.status}", "bool", self.key, {"set": a.set, "status": a.status},
                              f"condition in {a.set}" + ("" if a.status == "any" else f" ({a.status})")))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        status = s.param("status")
        hits = [c for c in case.conditions
                if s.param("set") in c.sets and (status == "any" or c.status == status
                                                 or (status == "history" and c.status == "resolved"))]
        if hits:
            return FactValue(s.key, True, True, tuple(_cond_ev(c) for c in hits))
        return FactValue(s.key, True, False, (), f"no condition in {s.param('set')}")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a: ConditionArgs = self.args
        which = {"any": "any status", "active": "active", "history": "history only"}[a.status]
        if negated:
            return f"the patient has no diagnosis of {p.set_title(a.set)} on record ({which})"
        return f"the patient has a diagnosis of {p.set_title(a.set)} ({which})"


class ConditionOnsetArgs(Args):
    set: str
    days: int = Field(gt=0, le=3650)


class ConditionOnsetWithin(Leaf):
    """A condition of the value set whose onset was within the last N days."""

    group = "patient"
    set_kind = "condition"
    condition_onset_within: ConditionOnsetArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.condition_onset_within
        return self.leaf(spec(f"condition_onset_within:{a.set}:{a.days}d", "bool", self.key,
                              {"set": a.set, "days": a.days}, f"condition in {a.set} with onset within {a.days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        days = s.param("days")
        mine = [c for c in case.conditions if s.param("set") in c.sets]
        recent = [c for c in mine if c.onset is not None and in_window(case, c.onset, days)]
        if recent:
            return FactValue(s.key, True, True, tuple(_cond_ev(c) for c in recent))
        undated = [c for c in mine if c.onset is None]
        if undated:
            return unknown(s.key, f"onset date of {undated[0].label} not recorded",
                           (evidence(label=c.label, record=c.record_id, note="onset not recorded") for c in undated))
        return FactValue(s.key, True, False, (), f"no condition in {s.param('set')} with onset within {days} days")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.condition_onset_within
        return (f"{'no' if negated else 'a'} diagnosis of {p.set_title(a.set)} began within the last {a.days} days")


# ------------------------------------------------------------------ the patient


def uterus_absent_by_code(case: Case) -> bool:
    return any("VS_UTERUS_ABSENT" in c.sets for c in case.conditions)


def patient_value(k: Knowledge, case: Case, field: str) -> tuple[object | None, str | None, tuple[EvidenceItem, ...]]:
    """(value, reason-if-unknown, evidence)."""
    p = case.snapshot.patient
    if field == "age":
        if case.age is None:
            return None, "age and birth date not recorded", ()
        src = f"born {p.birth_date}" if p.birth_date else "age as recorded"
        return float(case.age), None, (evidence(label="age", value=case.age, unit="years", note=src),)
    if field == "sex":
        if p.sex == "unknown":
            return None, "sex not recorded", ()
        return p.sex, None, (evidence(label="sex", value=p.sex),)
    if field == "pregnant":
        if case.pregnancy == "unknown":
            return None, case.pregnancy_note or "pregnancy status unknown", ()
        return case.pregnancy == "pregnant", None, (evidence(label="pregnancy status", value=case.pregnancy,
                                                             date=p.pregnancy_recorded),)
    if field == "uterus_present":
        if p.uterus == "unknown":
            if uterus_absent_by_code(case):
                return False, None, (evidence(label="uterus", value="absent", note="coded hysterectomy"),)
            if p.sex == "female":
                # Presumption (issue 10 §6): a female patient has a uterus unless a hysterectomy or an absent
                # uterus is on record.  Stated in the evidence and listed in the result, so that the
                # unopposed-estrogen rules fire from EHR records, which rarely record "uterus present".
                return True, None, (evidence(
                    label="uterus", value="presumed present",
                    note=f"{PRESUMPTION}uterus presumed present: no hysterectomy or absent uterus on record"),)
            return None, "uterus status (hysterectomy) not recorded", ()
        return p.uterus == "present", None, (evidence(label="uterus", value=p.uterus),)
    if field == "postmenopausal":
        if p.menopause_date or any("VS_MENOPAUSE" in c.sets for c in case.conditions):
            return True, None, (evidence(label="menopause", value="documented", date=p.menopause_date),)
        if p.sex == "male":
            return False, None, (evidence(label="sex", value="male"),)
        return None, "menopausal status not recorded", ()
    if field == "years_since_menopause":
        if not p.menopause_date:
            return None, "menopause date not recorded", ()
        yrs = days_between(case.as_of, p.menopause_date) / 365.25
        return round(yrs, 2), None, (evidence(label="menopause date", date=p.menopause_date),)
    if field == "weight_kg":
        if p.weight is None or not p.weight.unit:
            return None, "weight (with unit) not recorded", ()
        f = k.unit_factor("weight", p.weight.unit) if "weight" in k.analytes else None
        if f is None:
            return None, f"weight unit {p.weight.unit!r} not recognised", ()
        return float(p.weight.value) * f, None, (evidence(label="weight", value=p.weight.value, unit=p.weight.unit),)
    if field == "fertility_goal":
        if p.fertility_goal is None:
            return None, "fertility plans not recorded", ()
        return p.fertility_goal, None, (evidence(label="fertility goal", value=p.fertility_goal),)
    if field == "childbearing_potential":
        return _childbearing(case)
    raise ValueError(field)


def _childbearing(case: Case) -> tuple[object | None, str | None, tuple[EvidenceItem, ...]]:
    p = case.snapshot.patient
    if p.sex == "male":
        return False, None, (evidence(label="sex", value="male"),)
    if p.sex == "unknown":
        return None, "sex not recorded", ()
    if p.sex == "other":
        return None, "childbearing potential cannot be derived from sex 'other'", ()
    if case.age is None:
        return None, "age not recorded", ()
    ev = [evidence(label="sex", value=p.sex), evidence(label="age", value=case.age, unit="years")]
    lo, hi = CHILDBEARING_AGES
    if not lo <= case.age <= hi:
        return False, None, tuple(ev)
    if p.menopause_date or any("VS_MENOPAUSE" in c.sets or "VS_BSO" in c.sets for c in case.conditions):
        return False, None, (*ev, evidence(label="menopause or bilateral oophorectomy", value="documented"))
    if p.uterus == "absent" or uterus_absent_by_code(case):
        return False, None, (*ev, evidence(label="uterus", value="absent"))
    return True, None, tuple(ev)


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


class PatientArgs(Compare):
    field: PatientField


class PatientLeaf(Leaf):
    """A fact about the patient compared with a value: age, sex, pregnancy, uterus, menopause, weight..."""

    group = "patient"
    patient: PatientArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.patient
        ftype = PATIENT_FIELD_TYPES[a.field]
        unit = FIELD_UNITS.get(a.field)
        return self.leaf(spec(f"patient:{a.field}", ftype, self.key, {"field": a.field}, f"patient {a.field}", unit),
                         _typed_test(a.op, a.value, ftype, f"patient {a.field}"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        value, reason, ev = patient_value(k, case, s.param("field"))
        if value is None:
            return unknown(s.key, reason or "not recorded", ev)
        return FactValue(s.key, True, value, ev)

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.patient
        fld, op, value = a.field, a.op, a.value
        if fld in FIELD_PHRASES and op in ("==", "!="):
            yes = (value is True) == (op == "==")
            return FIELD_PHRASES[fld][0 if yes != negated else 1]
        if fld == "sex" and op == "==":
            return f"the patient is {'not ' if negated else ''}{value}"
        if fld == "age" and op in (">", ">=", "<", "<=") and not negated:
            return f"the patient's age is {p.cmp(op, value, 'years', False)}"
        return f"the patient's {FIELD_NAMES[fld]} is {p.cmp(op, value, FIELD_UNITS.get(fld), negated)}"


class PatientUnknownArgs(Args):
    field: PatientField


class PatientUnknown(Leaf):
    """A fact about the patient is not recorded (so rules can ask for it)."""

    group = "patient"
    shorthand = "field"
    patient_unknown: PatientField | PatientUnknownArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        fld = self.args.field
        return self.leaf(spec(f"patient_unknown:{fld}", "bool", self.key, {"field": fld},
                              f"patient {fld} not recorded"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        value, reason, ev = patient_value(k, case, s.param("field"))
        if value is None:
            return FactValue(s.key, True, True, (evidence(label=s.param("field"), value="unknown", note=reason),))
        return FactValue(s.key, True, False, ev)

    def phrase(self, negated: bool, p: Phrases) -> str:
        return f"the patient's {FIELD_NAMES[self.args.field]} is {'' if negated else 'not '}recorded"


# ------------------------------------------------------------------ smoking
# Tobacco smoking (issue 11): the latest recorded status within a window, and the cigarettes smoked a day.
# Absence is not "non-smoker": with no recent status the fact is unknown, and the rule says "cannot assess".

SmokingStatusValue = Literal["current", "former", "never"]
SMOKING_WORDS = {"current": "a current smoker", "former": "a former smoker", "never": "a never smoker",
                 "unknown": "unknown"}
SmokingWithin = Field(default=730, gt=0, le=3650)


def _smoking_ev(x: SmokingRecord, record: str) -> EvidenceItem:
    """A status as its meaning (the record's own words in the note), or an amount in cigarettes a day."""
    if x.status is not None:
        extra = f"{x.per_day:g} cigarettes a day" if x.per_day is not None else None
        note = "; ".join(n for n in (f"recorded as {x.answer!r}" if x.answer else None, extra, x.note) if n)
        return evidence(label="smoking status", value=SMOKING_WORDS[x.status].removeprefix("a "), date=x.date,
                        record=record, note=note or None)
    return evidence(label="cigarettes smoked a day", value=x.per_day, date=x.date, record=record,
                    note=x.note or (f"recorded as {x.answer!r}" if x.answer else None))


def _smoking_records(case: Case, what: str) -> list[tuple[SmokingRecord, str]]:
    """(record, record id) of the snapshot's smoking records carrying `what` ("status" | "per_day"), dated no
    later than the evaluation date (FUTURE_TOLERANCE_DAYS allowed: later ones are reported in normalisation)."""
    out = []
    for i, x in enumerate(case.snapshot.smoking):
        if getattr(x, what) is None or days_between(case.as_of, x.date) < -FUTURE_TOLERANCE_DAYS:
            continue
        out.append((x, x.id or f"smoking[{i}]"))
    return out


def smoking_status(case: Case, key: str, days: int) -> FactValue:
    """The latest known smoking status recorded within `days` (current | former | never), or unknown with why.

    An "unknown if ever smoked" answer is passed over for an earlier known one in the window; two different
    statuses on the latest date make it unknown (the record contradicts itself)."""
    records = _smoking_records(case, "status")
    if not records:
        return unknown(key, "no smoking status on record")
    recent = [(x, r) for x, r in records if in_window(case, x.date, days)]
    known = [(x, r) for x, r in recent if x.status != "unknown"]
    if not known:
        latest_x, latest_r = max(records, key=lambda t: (t[0].date, t[1]))
        if recent:
            return unknown(key, f"smoking status recorded as unknown within {days} days",
                           tuple(_smoking_ev(x, r) for x, r in recent))
        return unknown(key, f"no smoking status within {days} days (latest {latest_x.date}: "
                            f"{SMOKING_WORDS[latest_x.status or 'unknown']}): not current",
                       (_smoking_ev(latest_x, latest_r),))
    day = max(x.date for x, _ in known)
    on_day = sorted(((x, r) for x, r in known if x.date == day), key=lambda t: t[1])
    statuses = {x.status for x, _ in on_day}
    ev = tuple(_smoking_ev(x, r) for x, r in on_day)
    if len(statuses) > 1:
        return unknown(key, f"conflicting smoking statuses recorded on {day}: {', '.join(sorted(map(str, statuses)))}",
                       ev)
    return FactValue(key, True, on_day[0][0].status, ev)


class SmokingArgs(Args):
    status: SmokingStatusValue
    within_days: int = SmokingWithin


class Smoking(Leaf):
    """The patient's latest smoking status recorded within N days is current, former or never; unknown when no
    status is recorded in the window (never read as a non-smoker)."""

    group = "patient"
    smoking: SmokingArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.smoking
        return self.leaf(spec(f"smoking:{a.within_days}d", "string", self.key, {"days": a.within_days},
                              f"latest smoking status within {a.within_days} days"), Check("==", a.status))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        return smoking_status(case, s.key, s.param("days"))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.smoking
        return (f"the patient is {'not ' if negated else ''}{SMOKING_WORDS[a.status]} (the latest smoking status "
                f"recorded within {a.within_days} days)")


def _per_day(case: Case, days: int) -> list[tuple[SmokingRecord, str]]:
    return [(x, r) for x, r in _smoking_records(case, "per_day") if in_window(case, x.date, days)]


class SmokingPerDayArgs(NumCompare):
    within_days: int = SmokingWithin


class SmokingPerDay(Leaf):
    """The cigarettes smoked a day, as last recorded within N days (packs read as 20 cigarettes, stated);
    unknown when no amount is recorded in the window."""

    group = "patient"
    smoking_per_day: SmokingPerDayArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.smoking_per_day
        return self.leaf(spec(f"smoking_per_day:{a.within_days}d", "number", self.key, {"days": a.within_days},
                              f"cigarettes smoked a day, latest within {a.within_days} days", "cigarettes/day"),
                         num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        days = s.param("days")
        recent = _per_day(case, days)
        if not recent:
            older = _smoking_records(case, "per_day")
            if older:
                x, r = max(older, key=lambda t: (t[0].date, t[1]))
                return unknown(s.key, f"no cigarettes-a-day amount within {days} days (latest {x.date})",
                               (_smoking_ev(x, r),))
            return unknown(s.key, "cigarettes smoked a day not recorded")
        x, r = max(recent, key=lambda t: (t[0].date, t[1]))
        return FactValue(s.key, True, float(x.per_day or 0), (_smoking_ev(x, r),))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.smoking_per_day
        return (f"the patient smokes {p.cmp(a.op, a.value, 'cigarettes a day', negated)} (as last recorded within "
                f"{a.within_days} days)")


class SmokingPerDayRecordedArgs(Args):
    within_days: int = SmokingWithin


class SmokingPerDayRecorded(Leaf):
    """An amount smoked a day (cigarettes or packs) was recorded within N days: known either way, so a rule can
    tell "fewer than 15 a day or amount not recorded" from "15 or more"."""

    group = "patient"
    smoking_per_day_recorded: SmokingPerDayRecordedArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.smoking_per_day_recorded
        return self.leaf(spec(f"smoking_per_day_recorded:{a.within_days}d", "bool", self.key,
                              {"days": a.within_days},
                              f"cigarettes smoked a day recorded within {a.within_days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        days = s.param("days")
        recent = _per_day(case, days)
        if recent:
            ordered = sorted(recent, key=lambda t: t[0].date)
            return FactValue(s.key, True, True, tuple(_smoking_ev(x, r) for x, r in ordered))
        return FactValue(s.key, True, False, (), f"no amount smoked a day recorded within {days} days")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.smoking_per_day_recorded
        return (f"the number of cigarettes smoked a day is {'not ' if negated else ''}recorded within the last "
                f"{a.within_days} days")
