"""Medication leaves: what is taken now, at what dose, for what, and in what equivalents."""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from ..facts.model import FactValue
from ..knowledge.load import Knowledge, norm_unit
from ..normalize import MASS_TO_MG, Case, NormMed, ingredient_dose, sets_with_meds
from .base import (
    Args,
    CompileContext,
    CompiledLeaf,
    FactSpec,
    Leaf,
    NumCompare,
    Phrases,
    num,
    spec,
)
from .common import active_in, maybe_reason, med_ev, meds_in, unknown


class MedActiveArgs(Args):
    set: str
    compounded: bool | None = None
    prn: bool | None = None


class MedActive(Leaf):
    """An active product of the value set (optionally compounded or PRN only)."""

    group = "medications"
    shorthand = "set"
    med_active: str | MedActiveArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a: MedActiveArgs = self.args
        quals = [f"{n}={getattr(a, n)}" for n in ("compounded", "prn") if getattr(a, n) is not None]
        key = f"med_active:{a.set}" + "".join(f":{q}" for q in quals)
        return self.leaf(spec(key, "bool", self.key, {"set": a.set, "compounded": a.compounded, "prn": a.prn},
                              f"active {a.set}" + (f" ({', '.join(quals)})" if quals else "")))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        if s.param("set") not in sets_with_meds(k, case):  # the common case: nothing of this class at all
            return FactValue(s.key, True, False, (), f"no active medication in {s.param('set')}")
        comp, prn = s.param("compounded"), s.param("prn")
        sure, maybe = [], []
        for m, v in meds_in(k, case, s.param("set")):
            if not m.active(case.as_of):
                continue
            if comp is not None and m.compounded != comp:
                continue
            if prn is not None and m.prn != prn:
                continue
            (sure if v else maybe).append(m)
        if sure:
            return FactValue(s.key, True, True, tuple(med_ev(m) for m in sure))
        if maybe:
            return unknown(s.key, f"cannot tell whether {', '.join(m.label for m in maybe)} belongs to "
                                  f"{s.param('set')} ({'; '.join(sorted({maybe_reason(k, m) for m in maybe}))})",
                           (med_ev(m, maybe_reason(k, m)) for m in maybe))
        return FactValue(s.key, True, False, (), f"no active medication in {s.param('set')}")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a: MedActiveArgs = self.args
        quals = []
        if a.compounded is not None:
            quals.append("compounded" if a.compounded else "not compounded")
        if a.prn is not None:
            quals.append("as needed (PRN)" if a.prn else "regularly (not PRN)")
        q = f" ({', '.join(quals)})" if quals else ""
        return f"the patient is {'not ' if negated else ''}taking {p.set_title(a.set)}{q}"


def _dose_unknown(key: str, m: NormMed) -> FactValue:
    return unknown(key, f"daily dose of {m.label} cannot be computed (dose, unit or frequency missing)",
                   (med_ev(m),))


class DailyDoseArgs(NumCompare):
    set: str
    unit: str


class DailyDose(Leaf):
    """The summed daily dose (mg) of the active products of the value set."""

    group = "medications"
    daily_dose: DailyDoseArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.daily_dose
        factor = ctx.mass_factor(a.unit)
        return self.leaf(spec(f"daily_dose:{a.set}", "number", self.key, {"set": a.set}, f"daily dose of {a.set}",
                              "mg"), num(a.op, a.value * factor))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        active = active_in(k, case, s.param("set"))
        if not active:
            return unknown(s.key, f"no active {s.param('set')}")
        # A combination product counts with the ingredients of the set only (bupropion in Auvelity).
        doses = {id(m): m.daily_mg if m.daily_mg is not None else ingredient_dose(k, m, s.param("set"))
                 for m in active}
        dosed = [m for m in active if doses[id(m)] is not None]
        if not dosed:
            return unknown(s.key, f"daily dose of {active[0].label} cannot be computed (dose, unit or frequency "
                                  "missing)", (med_ev(m) for m in active))
        total, notes = 0.0, []
        for m in dosed:
            daily = doses[id(m)]
            assert daily is not None
            factor = next((k.concepts[c].dose_factor for c in m.concepts if k.concepts[c].dose_factor), None)
            mg = daily * (factor or 1.0)
            total += mg
            part = " of the set's ingredient(s) in a combination product" if m.daily_mg is None else ""
            notes.append(f"{daily:g} mg/day{part}" + (f" = {mg:.4g} mg/day as the reference salt" if factor else ""))
        ev = tuple(med_ev(m, note) for m, note in zip(dosed, notes, strict=True))
        if len(dosed) < len(active):
            return unknown(s.key, "daily dose of some products cannot be computed", ev)
        return FactValue(s.key, True, round(total, 6), ev)

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.daily_dose
        return f"the daily dose of {p.set_title(a.set)} is {p.cmp(a.op, a.value, a.unit, negated)}"


class SingleDoseArgs(NumCompare):
    set: str
    unit: str


class SingleDose(Leaf):
    """The largest single dose (mg per administration) among the active products of the value set."""

    group = "medications"
    single_dose: SingleDoseArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.single_dose
        factor = ctx.mass_factor(a.unit)
        return self.leaf(spec(f"single_dose:{a.set}", "number", self.key, {"set": a.set},
                              f"largest single dose of {a.set}", "mg"), num(a.op, a.value * factor))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        active = active_in(k, case, s.param("set"))
        if not active:
            return unknown(s.key, f"no active {s.param('set')}")
        doses: list[tuple[NormMed, float]] = []
        for m in active:
            src = m.source
            factor = MASS_TO_MG.get(norm_unit(src.dose_unit or "")) if src.dose is not None else None
            if factor is None or m.dose_problem:
                return unknown(s.key, f"single dose of {m.label} not recorded in mg", (med_ev(m),))
            salt = next((k.concepts[c].dose_factor for c in m.concepts if k.concepts[c].dose_factor), None)
            doses.append((m, float(src.dose) * factor * (salt or 1.0)))
        m, mg = max(doses, key=lambda d: d[1])
        return FactValue(s.key, True, round(mg, 6), (med_ev(m, f"{mg:g} mg per dose"),))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.single_dose
        return f"the largest single dose of {p.set_title(a.set)} is {p.cmp(a.op, a.value, a.unit, negated)}"


class CountActiveArgs(NumCompare):
    sets: list[str] = Field(min_length=1)


class CountActive(Leaf):
    """How many distinct active products belong to any of the value sets."""

    group = "medications"
    count_active: CountActiveArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.count_active
        sets = tuple(sorted(a.sets))
        return self.leaf(spec(f"count_active:{'+'.join(sets)}", "number", self.key, {"sets": sets},
                              f"number of active agents in {' or '.join(sets)}"), num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        seen: dict[str, NormMed] = {}
        for set_id in s.param("sets"):
            for m, v in meds_in(k, case, set_id):
                if v and m.active(case.as_of):
                    seen.setdefault(m.record_id, m)
        return FactValue(s.key, True, float(len(seen)), tuple(med_ev(m) for m in seen.values()))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.count_active
        return f"the number of active medicines from {p.sets(a.sets)} is {p.cmp(a.op, a.value, None, negated)}"


class TotalMmeArgs(NumCompare):
    set: str


class TotalMme(Leaf):
    """Total oral morphine milligram equivalents per day of the active opioids of the value set."""

    group = "medications"
    total_mme: TotalMmeArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.total_mme
        return self.leaf(spec(f"total_mme:{a.set}", "number", self.key, {"set": a.set},
                              f"total morphine milligram equivalents per day of {a.set}", "MME/day"),
                         num(a.op, a.value))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        total, ev = 0.0, []
        for m in active_in(k, case, s.param("set")):
            factors = [k.concepts[c].mme_factor for c in m.concepts if k.concepts[c].mme_factor]
            if not factors:
                return unknown(s.key, f"no morphine-equivalent factor for {m.label}", (med_ev(m),))
            if m.route != "oral":
                why = "route not recorded" if m.route is None else f"factor applies to oral doses, not {m.route}"
                return unknown(s.key, f"morphine equivalents of {m.label}: {why}", (med_ev(m),))
            if m.daily_mg is None:
                return _dose_unknown(s.key, m)
            mme = m.daily_mg * max(factors)
            total += mme
            ev.append(med_ev(m, f"{m.daily_mg:g} mg/day x {max(factors):g} = {mme:g} MME/day"))
        return FactValue(s.key, True, round(total, 4), tuple(ev))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.total_mme
        return (f"the total daily morphine milligram equivalents of {p.set_title(a.set)} is "
                f"{p.cmp(a.op, a.value, 'MME/day', negated)}")


class SteroidEquivalentArgs(NumCompare):
    set: str
    unit: str  # a mass unit of prednisone equivalent per day


class PrednisoneEquivalentDose(Leaf):
    """The summed daily dose of the active glucocorticoids of the value set, in prednisone equivalents."""

    group = "medications"
    prednisone_equivalent_dose: SteroidEquivalentArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.prednisone_equivalent_dose
        factor = ctx.mass_factor(a.unit)
        return self.leaf(spec(f"prednisone_equivalent_dose:{a.set}", "number", self.key, {"set": a.set},
                              f"daily dose of {a.set} in prednisone equivalents", "mg"), num(a.op, a.value * factor))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        active = active_in(k, case, s.param("set"))
        if not active:
            return unknown(s.key, f"no active {s.param('set')}")
        total, ev = 0.0, []
        for m in active:
            factors = [k.concepts[c].prednisone_equivalent for c in m.concepts if k.concepts[c].prednisone_equivalent]
            if not factors:
                return unknown(s.key, f"no prednisone-equivalent factor for {m.label}", (med_ev(m),))
            if m.daily_mg is None:
                return _dose_unknown(s.key, m)
            eq = m.daily_mg * factors[0]
            total += eq
            ev.append(med_ev(m, f"{m.daily_mg:g} mg/day = {eq:g} mg prednisone equivalent"))
        return FactValue(s.key, True, round(total, 6), tuple(ev))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.prednisone_equivalent_dose
        return (f"the daily dose of {p.set_title(a.set)} in prednisone equivalents is "
                f"{p.cmp(a.op, a.value, a.unit, negated)}")


class MedIndicationArgs(Args):
    set: str
    pattern: str = Field(min_length=2)  # case-insensitive regular expression on the recorded indication

    @model_validator(mode="after")
    def _regex(self) -> MedIndicationArgs:
        try:
            re.compile(self.pattern)
        except re.error as e:
            raise ValueError(f"pattern is not a valid regular expression: {e}") from e
        return self


class MedIndication(Leaf):
    """An active product of the value set whose recorded indication matches a pattern (a positive screen)."""

    group = "medications"
    med_indication: MedIndicationArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.med_indication
        return self.leaf(spec(f"med_indication:{a.set}:{a.pattern}", "bool", self.key,
                              {"set": a.set, "pattern": a.pattern},
                              f"active {a.set} with a recorded indication matching /{a.pattern}/"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        # A positive text screen: a missing indication does not match (and is said so in the reason).
        pattern = re.compile(s.param("pattern"), re.IGNORECASE)
        active = active_in(k, case, s.param("set"))
        hits = [m for m in active if m.source.indication and pattern.search(m.source.indication)]
        if hits:
            return FactValue(s.key, True, True, tuple(med_ev(m, f"indication: {m.source.indication}") for m in hits))
        blank = [m.label for m in active if not m.source.indication]
        return FactValue(s.key, True, False, (), "no matching indication" + (
            f" (no indication recorded for {', '.join(blank)})" if blank else ""))

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.med_indication
        return (f"the patient is {'not ' if negated else ''}taking {p.set_title(a.set)} with a recorded "
                f"indication matching \"{a.pattern}\"")



class MedDoseUnusableArgs(Args):
    within_days: int = Field(gt=0, le=3650)


class MedDoseUnusable(Leaf):
    """A current (or recently stopped) medication whose recorded dose cannot be used: an unknown dose unit or
    an implausible daily amount (checked like lab units, so a unit slip never reaches a dose threshold)."""

    group = "medications"
    med_dose_unusable: MedDoseUnusableArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.med_dose_unusable
        return self.leaf(spec(f"med_dose_unusable:{a.within_days}d", "bool", self.key, {"days": a.within_days},
                              f"a medication taken within {a.within_days} days with an unusable dose "
                              "(unknown unit or implausible amount)"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        days = s.param("days")
        bad = [m for m in case.meds if m.dose_problem
               and (m.active(case.as_of) or (m.end is not None and 0 <= (case.as_of - m.end).days <= days))]
        if bad:
            return FactValue(s.key, True, True, tuple(med_ev(m, m.dose_problem) for m in bad))
        return FactValue(s.key, True, False, (), "every recorded dose is usable")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.med_dose_unusable
        return (f"{'no' if negated else 'a'} medication taken within the last {a.within_days} days has a dose with "
                "an unknown unit or an implausible amount")
