"""Snapshot -> normalised case: codes resolved to concepts and value sets, results in canonical units.

Nothing here decides anything clinical.  A result whose unit is missing or not
convertible, or whose converted value is implausible, is kept with a `problem`
and never given a canonical value, so it can never reach a threshold.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from . import dose_timing
from .clinical_text import affirmed
from .facts.model import PRESUMPTION, Censored
from .knowledge.load import Knowledge, norm_name, norm_unit
from .knowledge.models import MedicationSet
from .knowledge.names import name_key, resembles
from .snapshot.models import Condition, DataIssue, Medication, Result, Snapshot

MASS_TO_MG = {"mg": 1.0, "ug": 0.001, "g": 1000.0, "ng": 1e-6}
# A dated pregnancy-status answer is used only while recent: "pregnant" for up to 42 weeks, "not
# pregnant" for 30 days before the evaluation date.  Older answers leave it unknown, which never counts
# as "not pregnant".  Design choice [U].
PREGNANT_VALID_DAYS = 294
NOT_PREGNANT_VALID_DAYS = 30
# Clock skew and time zones: a record dated up to this many days after the evaluation date still counts.
FUTURE_TOLERANCE_DAYS = 1
# A record of the same drug starting no more than this many days after another's end continues its course
# (EHRs write a dose change or a renewal as a new order and close the old one).  Design choice [U], the same
# gap as the taper logic's continuation (engine.leaves.course.CONTINUATION_DAYS).
COURSE_GAP_DAYS = 2


@dataclass(frozen=True)
class NormResult:
    record_id: str
    analyte: str | None
    label: str
    raw_value: float | None
    raw_unit: str | None
    comparator: str | None
    value_text: str | None
    value: float | None  # canonical unit; None whenever problem is set
    unit: str | None  # canonical unit
    collected: datetime
    specimen: str
    problem: str | None
    note: str | None  # e.g. "fraction converted to %"
    hours_since_dose: float | None
    # "trough", "peak" or "random" as labelled when no hours are known; the record's words about the timing.
    sample_timing: str | None = None
    timing_note: str | None = None
    # Not recognised, but its name resembles this analyte: a rule needing that analyte cannot assess it.
    resembles: str | None = None
    # A censored value ("<18 pmol/L") as an interval in the canonical unit; `problem` says it is censored.
    censored: Censored | None = None

    @property
    def day(self) -> date:
        return self.collected.date()


@dataclass(frozen=True)
class NormMed:
    record_id: str
    label: str
    concepts: tuple[str, ...]
    route: str | None
    daily_mg: float | None
    dose_text: str | None
    start: date | None
    end: date | None
    last_change: date | None
    compounded: bool
    prn: bool
    source: Medication
    release: str | None = None  # ir, sr or xl when the product text says (see resolve_release)
    dose_problem: str | None = None  # why the recorded dose is not used (daily_mg is then None)
    # Start of the continuous course this record belongs to: a record of the same drug starting within
    # COURSE_GAP_DAYS of an earlier record's end continues it (a dose change or renewal, not a new start).
    course_start: date | None = None
    continues: str | None = None  # the record this one continues, when it does
    # A combination product's daily dose per ingredient (mg), when its text gives each strength:
    # ("estradiol", 1.0), ("norethisterone", 0.5).  daily_mg stays None: no single number is the dose.
    ingredient_mg: tuple[tuple[str, float], ...] = ()
    # Mapped to no concept, but its name looks like this one ("Sertaline", "Lithum carbonate"): rules about
    # that concept cannot assess it rather than read it as absent.
    resembles: str | None = None
    # Readings presumed for this record's concepts (knowledge `presumption`), stated in its evidence.
    presumptions: tuple[str, ...] = ()

    def active(self, as_of: date) -> bool:
        if self.source.stopped and self.end is None:
            return False  # stopped on an unrecorded date
        started = self.start is None or self.start <= as_of
        return started and (self.end is None or self.end >= as_of)

    def last_start_or_change(self) -> date | None:
        return self.last_change or self.start


def link_courses(meds: list[NormMed]) -> list[NormMed]:
    """Each record with the start of its continuous course: a record continues an earlier one of the same
    drug (a shared concept) that ended within COURSE_GAP_DAYS of its start;
    the later record's start is then a dose change, stated in its evidence, not a new start.

    O(n log n) in the records of one drug (a long Synthea history holds hundreds of refills): records are
    visited by start, and the earlier ones of each concept are kept sorted by their end, so the ones that
    ended within the gap are a bisected slice."""
    order = sorted(range(len(meds)), key=lambda i: (meds[i].start or date.min, meds[i].record_id))
    ended: dict[str, list[tuple[date, int]]] = {}  # per concept: (end, index) of records that started earlier
    out = list(meds)
    pending: list[int] = []  # records of the start being visited: "earlier" only for later starts
    visiting: date | None = None
    gap = timedelta(days=COURSE_GAP_DAYS)
    for i in order:
        m = out[i]
        if m.start != visiting:
            for j in pending:
                for c in out[j].concepts:
                    insort(ended.setdefault(c, []), (out[j].end, j))  # type: ignore[arg-type]
            pending, visiting = [], m.start
        if m.start is None or not m.concepts:
            continue  # course_start is the record's own start (set when it was built)
        if m.end is not None:
            pending.append(i)
        # The earlier record ended when this one started (within the gap either way); one that keeps running
        # alongside is a second product, not the same course continued.
        prior: set[int] = set()
        for c in m.concepts:
            runs = ended.get(c, [])
            lo = bisect_left(runs, (m.start - gap, -1))
            hi = bisect_right(runs, (m.start + gap, len(meds)))
            prior.update(j for _, j in runs[lo:hi])
        if not prior:
            continue
        prev = min((out[j] for j in prior), key=lambda p: (p.course_start or p.start or date.min, p.record_id))
        out[i] = replace(m, course_start=prev.course_start or prev.start, continues=prev.record_id,
                         last_change=m.last_change or m.start)
    return out


@dataclass(frozen=True)
class NormCondition:
    record_id: str
    label: str
    sets: frozenset[str]
    status: str
    onset: date | None
    from_text: bool = False  # matched from free text only (no code): said so in the evidence


@dataclass
class Case:
    snapshot: Snapshot
    as_of: date
    age: int | None
    meds: list[NormMed]
    conditions: list[NormCondition]
    results: list[NormResult]
    # Pregnancy status as of the evaluation date, and why it is unknown when a recorded answer has lapsed.
    pregnancy: str = "unknown"
    pregnancy_note: str | None = None
    # set id -> {med index: True (in set) | None (membership unknown: e.g. dose missing for a low-dose filter)}
    med_membership: dict[str, dict[int, bool | None]] = field(default_factory=dict)
    med_sets: list[dict[str, bool | None]] | None = None  # per medication: its value sets (memoised)
    any_med_sets: frozenset[str] | None = None  # every value set some medication may belong to
    # Problems found while normalising (e.g. a result dated well after the evaluation date), reported like
    # the snapshot's own data_issues.
    data_issues: list[DataIssue] = field(default_factory=list)


def _record_id(prefix: str, index: int, given: str | None) -> str:
    return given if given else f"{prefix}[{index}]"


def age_at(birth: date, when: date) -> int:
    return when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))


# ------------------------------------------------------------------ medications


def resolve_concepts(k: Knowledge, med: Medication) -> tuple[str, ...]:
    """Codes win over names; names match through synonyms, case-insensitively, longest first."""
    return _resolve_concepts(k, tuple((c.system, c.code) for c in med.codes), med.name)


@lru_cache(maxsize=8192)
def _resolve_concepts(k: Knowledge, codes: tuple[tuple[str, str], ...], name: str | None) -> tuple[str, ...]:
    found: list[str] = []
    for system, code in codes:
        cid = None
        if system == "rxnorm":
            cid = k.rxnorm_to_concept.get(code)
        elif system == "atc":
            cid = k.atc_to_concept.get(code.upper())
        if cid and cid not in found:
            found.append(cid)
    if found:
        return _combined(k, found)
    texts = [name or ""] + [code for system, code in codes if system == "text"]
    for text in texts:
        if not text or k.synonym_pattern is None:
            continue
        hits = [k.synonym_to_concept[m.group(1)] for m in k.synonym_pattern.finditer(norm_name(text))]
        if k.product_pattern is not None:  # a brand or combination product: each modelled ingredient
            hits += [c for m in k.product_pattern.finditer(norm_name(text)) for c in k.products[m.group(1)].modelled()]
        if k.exact_pattern is not None:
            hits += [k.exact_synonyms[m.group(1)] for m in k.exact_pattern.finditer(text)]
        for cid in hits:
            if cid not in found:
                found.append(cid)
    return _combined(k, found)


def _combined(k: Knowledge, found: list[str]) -> tuple[str, ...]:
    """The concepts of one product with each fixed combination it names read as that combination (knowledge
    concept `combination_of`): estradiol and dienogest in one record are the contraceptive estradiol
    valerate/dienogest, not menopausal estradiol beside a progestin.  A combination found by its own code
    ("atc:G03AB08") absorbs its ingredients found by theirs."""
    # First the combinations found by themselves (a code, a brand): they absorb their ingredients, so a
    # product named "Climodien (estradiol valerate / dienogest)" is the menopausal combination alone; then
    # those found only by their ingredients (the first listed wins when two share the same ingredients).
    for named in (True, False):
        for combo, parts in k.combinations:
            if (combo in found) if named else parts <= set(found):
                out: list[str] = []
                for c in found:  # the combination takes the place of the first of its ingredients
                    c = combo if c in parts else c
                    if c not in out:
                        out.append(c)
                found = out
    return tuple(found)


_SR = re.compile(r"\b(sr|sustained[- ]release|12\s*h(?:r|our)?s?)\b", re.IGNORECASE)
_XL = re.compile(r"\b(xl|xr|er|extended[- ]release|24\s*h(?:r|our)?s?|once[- ]daily)\b", re.IGNORECASE)
_IR = re.compile(r"\b(ir|immediate[- ]release)\b", re.IGNORECASE)
_FORM = re.compile(r"\b\d+(?:\.\d+)?\s*mg\b.*\b(tablet|capsule)\b", re.IGNORECASE)


def resolve_release(k: Knowledge, med: Medication, concepts: tuple[str, ...]) -> str | None:
    """The release form: written in the product text, sr ("SR", "12 HR"), xl ("XL", "24 HR", "extended
    release") or ir; else the only form the product exists in (knowledge); else read from the regimen (three or
    more doses a day is immediate release); else from an RxNorm-style name with a strength and an oral form
    but no release words (RxNorm names only the modified-release forms).  Otherwise unknown."""
    text = med.name or ""
    if _SR.search(text):
        return "sr"
    if _XL.search(text):
        return "xl"
    if _IR.search(text):
        return "ir"
    only = {k.concepts[c].release for c in concepts if k.concepts[c].release}
    if len(only) == 1:
        return only.pop()
    per_day = med.per_day()
    if (per_day is not None and per_day >= 3) or _FORM.search(text):
        return "ir"
    return None


def resolve_route(k: Knowledge, med: Medication) -> str | None:
    if med.route:
        return k.route_aliases.get(norm_name(med.route), norm_name(med.route))
    # Route written in the product name ("... Topical Cream", "... Transdermal System"): longest alias wins.
    if k.route_pattern is None or not med.name:
        return None
    m = k.route_pattern.search(norm_name(med.name))
    return k.route_aliases[m.group(1)] if m else None


# A delivery rate written in the product ("estradiol 0.0075 MG/24HR Vaginal System", "0.05 MG/DAY Transdermal
# Patch", "fentanyl 25 MCG/HR") is the daily dose, whatever the instructions say about changing it.
_RATE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(mg|mcg|ug|µg)\s*/\s*(24\s*hr?s?|24h|day|d|hr?)\b", re.IGNORECASE)
# A unit-dose vaginal form (tablet, insert, pessary, softgel) and its single strength ("Estradiol 10 MCG
# Vaginal Insert"): low dose is decided by the strength per unit when no daily dose is recorded.
_UNIT_FORM = re.compile(r"\b(tablet|tab|insert|pessary|softgel|capsule)s?\b", re.IGNORECASE)
_UNIT_STRENGTH = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(mg|mcg|ug|µg)\b(?!\s*/)", re.IGNORECASE)


def rate_mg_per_day(name: str | None) -> float | None:
    if not name:
        return None
    found = _RATE.findall(name)
    if len(found) != 1:
        return None
    amount, unit, per = found[0]
    factor = MASS_TO_MG[norm_unit(unit.lower())]
    hours = per.lower().replace(" ", "")
    per_day = 24.0 if hours in ("h", "hr") else 1.0
    return float(amount) * factor * per_day


def unit_strength_mg(name: str | None) -> float | None:
    """The single strength of a unit-dose form named in the product text, in mg (None otherwise)."""
    if not name or not _UNIT_FORM.search(name) or _RATE.search(name):
        return None
    found = _UNIT_STRENGTH.findall(name)
    if len(found) != 1:
        return None
    amount, unit = found[0]
    return float(amount) * MASS_TO_MG[norm_unit(unit.lower())]


_SEGMENTS = re.compile(r"\s+/\s+")


def ingredient_strengths(k: Knowledge, name: str | None, concepts: tuple[str, ...]) -> tuple[
        tuple[str, float, bool], ...]:
    """(concept, mg, per day?) of each ingredient of a combination product whose text gives every strength.

    RxNorm writes "estradiol 1 MG / norethindrone acetate 0.5 MG Oral Tablet" (each segment names its
    ingredient) and brands "Activella 1 MG / 0.5 MG Oral Tablet" (the order of the label: knowledge
    `products`).  A rate ("0.05 MG/Day") is a daily amount; a strength is per unit.  Anything less clear
    gives () and the dose stays unknown."""
    if not name or not concepts:
        return ()
    parts = _SEGMENTS.split(name)
    if len(parts) < 2:
        return ()
    strengths: list[tuple[float, bool] | None] = []
    for part in parts:
        rate, unit = _RATE.findall(part), _UNIT_STRENGTH.findall(part)
        if len(rate) == 1:
            amount, mass, per = rate[0]
            per_day = 24.0 if per.lower().replace(" ", "") in ("h", "hr") else 1.0
            strengths.append((float(amount) * MASS_TO_MG[norm_unit(mass.lower())] * per_day, True))
        elif len(unit) == 1:
            strengths.append((float(unit[0][0]) * MASS_TO_MG[norm_unit(unit[0][1].lower())], False))
        else:
            strengths.append(None)
    if any(x is None for x in strengths):
        return ()
    named = [_resolve_concepts(k, (), part) for part in parts]
    if all(len(n) == 1 for n in named) and len({n[0] for n in named}) == len(named):
        order: list[str | None] = [n[0] for n in named]
    else:
        products = [k.products[m.group(1)] for m in k.product_pattern.finditer(norm_name(name))] \
            if k.product_pattern is not None else []
        if len(products) != 1 or len(products[0].ingredients) != len(parts):
            return ()
        order = [None if i.startswith("other:") else i for i in products[0].ingredients]
    return tuple((c, x[0], x[1]) for c, x in zip(order, strengths, strict=True) if c is not None and x is not None)


def ingredient_daily_mg(k: Knowledge, med: Medication, concepts: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """Daily mg of each ingredient of a combination product: a rate as written, a strength per unit times the
    units per dose (tablet, capsule, ...) times the doses a day; () when any of it is unknown."""
    found = ingredient_strengths(k, med.name, concepts)
    if not found:
        return ()
    units: float | None = None
    if med.dose is not None and med.dose_unit and norm_unit(med.dose_unit) in COUNT_OR_VOLUME_UNITS - {"ml"}:
        per_day = med.per_day()
        units = float(med.dose) * per_day if per_day is not None else None
    out = []
    for concept, mg, is_rate in found:
        if is_rate:
            out.append((concept, round(mg, 6)))
        elif units is not None:
            out.append((concept, round(mg * units, 6)))
        else:
            return ()
    return tuple(out)


def ingredient_dose(k: Knowledge, med: NormMed, set_id: str) -> float | None:
    """The daily mg of a combination product's ingredients that belong to value set `set_id` (None if none do)."""
    total, hit = 0.0, False
    for concept, mg in med.ingredient_mg:
        if set_memberships(k, MedSignature((concept,), med.route, None, (), med.release)).get(set_id):
            total, hit = total + mg, True
    return total if hit else None


# Above this a daily dose is not believed (a unit slip such as citalopram "40 g"): no drug or supplement of
# the knowledge base is given at more than a few grams a day.  Design choice [U].
IMPLAUSIBLE_DAILY_MG = 10_000.0
# Dose units that are counts or volumes: no mass per day without the strength (not a problem, just unknown).
COUNT_OR_VOLUME_UNITS = {"tablet", "tablets", "tab", "tabs", "capsule", "capsules", "cap", "caps", "pill", "pills",
                         "each", "ea", "dose", "doses", "puff", "puffs", "patch", "patches", "ml", "drop", "drops",
                         "application", "pump", "pumps", "actuation", "actuations", "unit", "units", "iu",
                         "g/day-gel"}


def dose_problem(med: Medication, mg_per_day: float | None) -> str | None:
    """Why a recorded dose cannot be used: an unknown unit, or an implausible daily amount (None if usable)."""
    if med.dose is None or not med.dose_unit:
        return None
    unit = norm_unit(med.dose_unit).removesuffix("/day").removesuffix("/d")
    if unit not in MASS_TO_MG and unit not in COUNT_OR_VOLUME_UNITS:
        return f"dose unit {med.dose_unit!r} is not recognised (expected mg, ug or g, or a count)"
    if mg_per_day is not None and mg_per_day > IMPLAUSIBLE_DAILY_MG:
        return (f"daily dose {mg_per_day:g} mg ({med.dose:g} {med.dose_unit}) is implausible (more than "
                f"{IMPLAUSIBLE_DAILY_MG / 1000:g} g a day): not used")
    return None


def daily_mg(med: Medication) -> float | None:
    if med.dose is None or not med.dose_unit:
        return rate_mg_per_day(med.name)
    factor = MASS_TO_MG.get(norm_unit(med.dose_unit).removesuffix("/day").removesuffix("/d"))
    if factor is None:
        return None
    per_day_unit = norm_unit(med.dose_unit).endswith(("/day", "/d"))
    per_day = 1.0 if per_day_unit else med.per_day()
    if per_day is None:
        return None
    return float(med.dose) * factor * per_day


@dataclass(frozen=True)
class MedSignature:
    """Everything value-set membership depends on; equal signatures have equal memberships."""

    concepts: tuple[str, ...]
    route: str | None
    low_dose: bool | None
    atc: tuple[str, ...]
    release: str | None = None


def signature(k: Knowledge, med: NormMed) -> MedSignature:
    atc = tuple(cd.code.upper() for cd in med.source.codes if cd.system == "atc")
    return MedSignature(med.concepts, med.route, _is_low_dose(k, med), atc, med.release)


@lru_cache(maxsize=8192)
def set_memberships(k: Knowledge, sig: MedSignature) -> dict[str, bool | None]:
    """Membership of one medication signature in every value set (False omitted), memoised across evaluations."""
    out: dict[str, bool | None] = {}
    done: set[str] = set()

    def of(set_id: str) -> bool | None:
        if set_id not in done:
            done.add(set_id)
            v = _in_set(k, k.med_sets[set_id], sig, of)
            if v is not False:
                out[set_id] = v
        return out.get(set_id, False)

    for set_id in k.med_sets:
        of(set_id)
    return out


def _in_set(k: Knowledge, s: MedicationSet, med: MedSignature, sub: Callable[[str], bool | None]) -> bool | None:
    """Whether `med` is in value set `s`: True, False, or None when it depends on data we lack.

    Asymmetric on purpose (our own rule, no library decides this): an *inclusion* filter such as
    `routes: [oral]` with an unknown route gives None (cannot tell), but an *exclusion* such as
    "low-dose vaginal estrogen is not systemic" applies only when route and dose establish it, so a
    missing route never hides a contraindication.
    """
    hit = any(set(k.concepts[c].classes) & set(s.classes) or c in s.ingredients for c in med.concepts)
    if not hit and s.atc_prefixes:
        prefixes = tuple(p.upper() for p in s.atc_prefixes)
        hit = any(code.startswith(prefixes) for code in med.atc)
    result: bool | None = hit
    if not hit:
        for inc in s.include_sets:
            inner = sub(inc)
            if inner:
                result = True
                break
            if inner is None:
                result = None
    if result is False:
        return False
    if s.exclude_ingredients and med.concepts and all(c in s.exclude_ingredients for c in med.concepts):
        return False
    if s.routes:
        if med.route is None:
            result = None
        elif med.route not in s.routes:
            return False
    if s.releases:
        if med.release is None:
            result = None
        elif med.release not in s.releases:
            return False
    for f in s.exclude:
        if f.routes and med.route not in f.routes:
            continue
        if f.low_dose is not None and med.low_dose is not f.low_dose:
            continue
        return False
    return result


def _is_low_dose(k: Knowledge, med: NormMed) -> bool | None:
    limits = [k.concepts[c].low_dose_max_daily_mg.get(med.route or "") for c in med.concepts]
    limits = [x for x in limits if x is not None]
    if not limits:
        return False
    if med.daily_mg is None:
        unit_limits = [x for c in med.concepts if (x := k.concepts[c].low_dose_max_unit_mg.get(med.route or ""))]
        strength = unit_strength_mg(med.source.name) if unit_limits and len(med.concepts) == 1 else None
        if strength is not None:
            return strength <= max(unit_limits)  # by strength and form: e.g. a 10 ug vaginal insert
        return None
    return med.daily_mg <= max(limits)


# A word of an unmapped product this close to a concept's one-word name is taken as a misspelling of it:
# difflib's ratio 2*matches/total; 0.85 lets one or two letters differ in a name of 6+ letters ("Sertaline",
# "Lithum", "Escitalopam").  Design choice [U]: it only ever makes a rule "cannot assess", never fire.
RESEMBLANCE = 0.85


def resembled_concept(k: Knowledge, name: str | None) -> str | None:
    """The concept an unmapped product name seems to misspell, or None."""
    if not name:
        return None
    for word in re.findall(r"[a-z]{6,}", name.lower()):
        hit = _close_concept(k, word)
        if hit:
            return hit
    return None


@lru_cache(maxsize=16384)
def _close_concept(k: Knowledge, word: str) -> str | None:
    words = _concept_words(k)
    if word in words:
        return None  # an exact word of a multi-word name that did not match as a whole: not a misspelling
    candidates = [w for w in words if abs(len(w) - len(word)) <= 2 and w[0] == word[0]]
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=RESEMBLANCE)
    return words[close[0]] if close else None


@lru_cache(maxsize=4)
def _concept_words(k: Knowledge) -> dict[str, str]:
    """One-word names and synonyms of 6+ letters -> their concept."""
    out: dict[str, str] = {}
    for c in k.concepts.values():
        for n in [c.name, *c.synonyms]:
            n = n.lower()
            if re.fullmatch(r"[a-z]{6,}", n):
                out.setdefault(n, c.id)
    return out


# ------------------------------------------------------------------ conditions


def condition_sets(k: Knowledge, cond: Condition) -> frozenset[str]:
    icd = tuple(c.code.replace(".", "").upper() for c in cond.codes if c.system == "icd10cm")
    sct = tuple(c.code for c in cond.codes if c.system == "snomed")
    texts = (cond.text or "", *(c.code for c in cond.codes if c.system == "text"))
    return _condition_sets(k, icd, sct, texts)


@lru_cache(maxsize=8192)
def _condition_sets(k: Knowledge, icd: tuple[str, ...], sct: tuple[str, ...], texts: tuple[str, ...]) -> frozenset[str]:
    coded = bool(icd or sct)
    raw = tuple(t for t in texts if t)
    # Free text is read for what it affirms about the patient: abbreviations spelled out, negated and
    # family-history parts left out ("no history of seizures", "mother had breast CA").
    texts = tuple(a for t in texts if t and (a := affirmed(t)))
    out = set()
    for s in k.condition_sets.values():
        excluded = tuple(s.icd10_exclude)
        by_icd = any(code.startswith(tuple(s.icd10_prefixes)) and not (excluded and code.startswith(excluded))
                     for code in icd)
        broad = tuple(s.narrowable_icd10)
        in_set = [code for code in icd if code.startswith(tuple(s.icd10_prefixes))]
        if by_icd and broad and all(code.startswith(broad) for code in in_set) \
                and any(p.search(t) for p in k.condition_narrowing.get(s.id, ()) for t in raw) \
                and not any(p.search(t) for p in k.condition_patterns[s.id] for t in texts):
            by_icd = False  # a broad code whose own text narrows it ("hypopituitarism, ACTH axis intact")
        by_snomed = any(code in s.snomed for code in sct)
        # Codes win over names: free text is matched only for conditions that carry no code.
        by_text = not coded and any(p.search(t) for p in k.condition_patterns[s.id] for t in texts if t)
        if by_icd or by_snomed or by_text:
            out.add(s.id)
    return frozenset(out)


# ------------------------------------------------------------------ results


def resolve_analyte(k: Knowledge, code: str | None, name: str | None) -> str | None:
    """The analyte of a result: its LOINC code, else its name as written, else its name's key (filler and
    specimen words dropped, engine.knowledge.names)."""
    if code and code in k.loinc_to_analyte:
        return k.loinc_to_analyte[code]
    return _analyte_by_name(k, name) if name else None


@lru_cache(maxsize=8192)
def _analyte_by_name(k: Knowledge, name: str) -> str | None:
    hit = k.name_to_analyte.get(norm_name(name))
    if hit:
        return hit
    nk = name_key(name)
    if not nk.key:
        return None
    if (nk.key, nk.specimen) in k.name_key_to_analyte:
        return k.name_key_to_analyte[(nk.key, nk.specimen)]
    return k.name_key_to_analyte.get((nk.key, None)) if nk.specimen else None


def resembled_analyte(k: Knowledge, name: str | None) -> str | None:
    """The analyte an unmapped result name resembles, unless the name says a specimen that analyte is never
    interpreted in (then it is not relevant rather than unreadable)."""
    like = resembles(name, k.analyte_words) if name else None
    if like is None or name is None:
        return None
    specimen = name_key(name).specimen
    return None if specimen and specimen not in k.analytes[like].interpreted_specimens else like


def unmapped_note(k: Knowledge, code: str | None, name: str | None, like: str | None) -> str:
    """Why a result's test is not recognised, naming the known test it resembles, if any."""
    what = f"unrecognised test {name or code!r}" + (f" (code {code})" if code and name else "")
    if like:
        what += f": resembles {k.analytes[like].name} but could not be mapped to it"
    return what


def normalise_result(k: Knowledge, r: Result, record_id: str) -> NormResult:
    analyte_id = resolve_analyte(k, r.code, r.name)
    label = r.name or (k.analytes[analyte_id].name if analyte_id else r.code) or record_id
    # No specimen recorded: the one written in the name ("Estradiol, saliva"), else the analyte's usual one
    # (serum for most, ECG for QTc, urine for urine hCG).
    usual = k.analytes[analyte_id].interpreted_specimens if analyte_id else []
    specimen = r.specimen or (name_key(r.name).specimen if r.name else None) or (usual[0] if usual else "serum")
    value: float | None = None
    unit: str | None = None
    problem: str | None = None
    note: str | None = None
    like: str | None = None
    censored: Censored | None = None
    if analyte_id is not None and specimen == "other" and k.analytes[analyte_id].category == "ecg":
        # An ECG measurement whose "specimen" names the test or the device rather than a body fluid.
        specimen = "ecg"
    if analyte_id is None:
        like = resembled_analyte(k, r.name)
        problem = unmapped_note(k, r.code, r.name, like)
    elif r.value is None:
        problem = None if r.value_text is not None else "no value"
    else:
        a = k.analytes[analyte_id]
        unit = a.canonical_unit
        if (not r.unit or not r.unit.strip()) and r.code in a.fraction_loinc and k.unit_factor(analyte_id, "1"):
            factor = k.unit_factor(analyte_id, "1") or 1.0
            value = float(r.value) * factor
            note = (f"{PRESUMPTION}LOINC {r.code} is a pure fraction written without a unit: {r.value:g} read as "
                    f"{value:g} {a.canonical_unit}")
            if not (a.plausible.min <= value <= a.plausible.max):
                problem = (f"value {r.value:g} ({value:.4g} {a.canonical_unit}) is physiologically implausible "
                           f"(expected {a.plausible.min:g}-{a.plausible.max:g} {a.canonical_unit})")
        elif not r.unit or not r.unit.strip():
            if a.unitless:
                value = float(r.value)
            else:
                problem = f"unit missing (expected {a.canonical_unit} or a unit that converts to it)"
        else:
            factor = k.unit_factor(analyte_id, r.unit)
            if factor is None:
                problem = f"unit {r.unit!r} is not recognised for {a.name}"
            else:
                value = float(r.value) * factor
                if a.fraction_below is not None and factor == 1.0 and value < a.fraction_below:
                    # e.g. hematocrit 0.55 reported as "%": a fraction, converted x100 (catalogue G04).
                    value = value * 100
                    note = f"reported as a fraction ({r.value:g}); converted to {value:g} {a.canonical_unit}"
                if not (a.plausible.min <= value <= a.plausible.max):
                    problem = (
                        f"value {r.value:g} {r.unit} ({value:.4g} {a.canonical_unit}) is physiologically "
                        f"implausible (expected {a.plausible.min:g}-{a.plausible.max:g} {a.canonical_unit})"
                    )
        if problem:
            value = None
        elif value is not None and specimen not in a.interpreted_specimens:
            problem = f"{specimen} specimen: serum cut-offs do not apply"
            value = None
        elif value is not None and r.comparator:
            # "<18 pmol/L": the interval of values it allows (bounded by plausibility), not a number.  Rules
            # whose thresholds all lie outside it can still use it (engine.facts.lazy); anything needing an
            # exact number reads the problem below.
            written = f"{r.comparator}{r.value:g}" + (f" {r.unit}" if r.unit else "")
            low, high = (a.plausible.min, value) if r.comparator.startswith("<") else (value, a.plausible.max)
            interval = Censored(low, r.comparator.startswith("<") or r.comparator == ">=", high,
                                r.comparator.startswith(">") or r.comparator == "<=", written)
            value = None
            if low < high or (low == high and interval.low_inclusive and interval.high_inclusive):
                censored = interval
                problem = f"censored value {written}, not an exact number"
            else:
                problem = f"censored value {written} is outside the plausible range"
    return NormResult(
        record_id=record_id, analyte=analyte_id, label=label,
        raw_value=float(r.value) if r.value is not None else None, raw_unit=r.unit, comparator=r.comparator,
        value_text=r.value_text, value=value, unit=unit, collected=r.collected, specimen=specimen,
        problem=problem, note=note, resembles=like, censored=censored, **_timing(r),
    )


def _timing(r: Result) -> dict[str, Any]:
    """Hours since the last dose and the sample's label: as given, else as the record's words say them
    (engine.dose_timing: "drawn 12 h after the last dose", "last dose 20:00", "trough")."""
    hours = float(r.hours_since_dose) if r.hours_since_dose is not None else None
    label = r.sample_timing
    said = dose_timing.read(r.timing_note) if r.timing_note else None
    if said is not None:
        if hours is None:
            hours = said.hours_before(r.collected)
        if label is None and hours is None:
            label = said.label
    return {"hours_since_dose": hours, "sample_timing": label, "timing_note": r.timing_note}


# ------------------------------------------------------------------ case


def normalise(k: Knowledge, snap: Snapshot, as_of: date) -> Case:
    p = snap.patient
    age = age_at(p.birth_date, as_of) if p.birth_date else p.age
    meds = []
    for i, m in enumerate(snap.medications):
        concepts = resolve_concepts(k, m)
        # A rate in a combination product's text ("0.05/0.14 mg/day") is not the dose of every ingredient.
        mg = daily_mg(m) if m.dose is not None or len(concepts) < 2 else None
        problem = dose_problem(m, mg)
        meds.append(
            NormMed(
                record_id=_record_id("medications", i, m.id),
                label=m.name or ", ".join(f"{c.system}:{c.code}" for c in m.codes),
                concepts=concepts, release=resolve_release(k, m, concepts),
                route=resolve_route(k, m),
                daily_mg=None if problem else mg, dose_problem=problem,
                dose_text=(f"{m.dose:g} {m.dose_unit}" + (f" {m.frequency}" if m.frequency else "")
                           + (" (from the written instructions)" if m.dose_source == "instructions" else ""))
                if m.dose is not None else None,
                start=m.start, end=m.end, last_change=m.last_dose_change,
                compounded=m.compounded, prn=m.prn, source=m, course_start=m.start,
                ingredient_mg=ingredient_daily_mg(k, m, concepts) if mg is None and not problem else (),
                resembles=None if concepts else resembled_concept(k, m.name),
                presumptions=tuple(p for p in (k.concepts[c].presumption for c in concepts) if p),
            )
        )
    meds = link_courses(meds)
    unmapped = [DataIssue(source=m.record_id, problem=(
        f"medication {m.label!r} resembles {k.concepts[m.resembles].name} but could not be mapped to it; rules about "
        f"{k.concepts[m.resembles].name} cannot assess it")) for m in meds if m.resembles]
    conds = [
        NormCondition(
            record_id=_record_id("conditions", i, c.id),
            label=c.text or ", ".join(f"{x.system}:{x.code}" for x in c.codes),
            sets=condition_sets(k, c), status=c.status, onset=c.onset,
            from_text=not any(x.system in ("icd10cm", "snomed") for x in c.codes),
        )
        for i, c in enumerate(snap.conditions)
    ]
    results, issues = _dated(
        [_safe_result(k, r, _record_id("results", i, r.id)) for i, r in enumerate(snap.results)], as_of)
    pregnancy, note = pregnancy_status(p.pregnancy, p.pregnancy_recorded, as_of)
    # Smoking records dated after the evaluation date (beyond the tolerance) are not used: reported.
    ahead = [issue for i, x in enumerate(snap.smoking)
             if (issue := _too_far_ahead(x.id or f"smoking[{i}]", "smoking record", x.date, as_of)) is not None]
    return Case(snapshot=snap, as_of=as_of, age=age, meds=meds, conditions=conds, results=results,
                pregnancy=pregnancy, pregnancy_note=note, data_issues=[*unmapped, *issues, *ahead])


def _safe_result(k: Knowledge, r: Result, record_id: str) -> NormResult:
    """A result normalised, or, when its values break the arithmetic, kept with the reason it cannot be read."""
    try:
        return normalise_result(k, r, record_id)
    except (ArithmeticError, ValueError, TypeError) as e:
        return NormResult(
            record_id=record_id, analyte=resolve_analyte(k, r.code, r.name), label=r.name or r.code or record_id,
            raw_value=None, raw_unit=r.unit, comparator=r.comparator, value_text=None, value=None, unit=None,
            collected=r.collected, specimen=r.specimen or "serum", note=None, **_timing(r),
            problem=f"value {r.value!r} could not be read ({e.__class__.__name__})")


def _dated(results: list[NormResult], as_of: date) -> tuple[list[NormResult], list[DataIssue]]:
    """Results dated after the evaluation date: up to FUTURE_TOLERANCE_DAYS later they are used, and that is
    stated (clock skew, a site east of the server's time zone); later ones are reported, never silently
    ignored."""
    out: list[NormResult] = []
    issues: list[DataIssue] = []
    for r in results:
        ahead = (r.day - as_of).days
        if (issue := _too_far_ahead(r.record_id, r.label, r.day, as_of)) is not None:
            issues.append(issue)
        elif ahead > 0 and r.problem is None:
            skew = (f"{PRESUMPTION}{r.label} ({r.record_id}) dated {r.day}, after the evaluation date {as_of}, "
                    "used as current (clock skew or time zone)")
            r = replace(r, note=f"{r.note}; {skew}" if r.note else skew)
        out.append(r)
    return out, issues


def _too_far_ahead(source: str, label: str, day: date, as_of: date) -> DataIssue | None:
    """The data issue of a record dated more than FUTURE_TOLERANCE_DAYS after the evaluation date (not used)."""
    ahead = (day - as_of).days
    if ahead <= FUTURE_TOLERANCE_DAYS:
        return None
    return DataIssue(source=source, date=day,
                     problem=f"{label} is dated {day}, {ahead} days after the evaluation date {as_of}: not used")


def pregnancy_status(status: str, recorded: date | None, as_of: date) -> tuple[str, str | None]:
    """(status as of `as_of`, why it is unknown): a dated answer counts only while it is recent."""
    if status == "unknown" or recorded is None:
        return status, None
    age = (as_of - recorded).days
    words = status.replace("_", " ")
    if age < -FUTURE_TOLERANCE_DAYS:
        return "unknown", f"pregnancy status '{words}' is recorded on {recorded}, after the evaluation date"
    valid = PREGNANT_VALID_DAYS if status == "pregnant" else NOT_PREGNANT_VALID_DAYS
    if age > valid:
        return "unknown", (f"pregnancy status '{words}' was recorded on {recorded}, more than {valid} days "
                           "ago: not current")
    return status, None


def membership(k: Knowledge, case: Case, set_id: str) -> dict[int, bool | None]:
    """Memoised value-set membership of every medication (True / None=unknown; False omitted)."""
    cached = case.med_membership.get(set_id)
    if cached is None:
        per_med = _med_sets(k, case)
        cached = {i: sets[set_id] for i, sets in enumerate(per_med) if set_id in sets}
        case.med_membership[set_id] = cached
    return cached


def _med_sets(k: Knowledge, case: Case) -> list[dict[str, bool | None]]:
    """Each medication's value sets (memoised on the case)."""
    if case.med_sets is None:
        case.med_sets = [_memberships(k, m) for m in case.meds]
    return case.med_sets


def _memberships(k: Knowledge, m: NormMed) -> dict[str, bool | None]:
    if m.resembles is None:
        return set_memberships(k, signature(k, m))
    # Unmapped but resembling a concept: in that concept's sets "maybe" (None), never "yes".
    as_if = MedSignature((m.resembles,), m.route, None, (), m.release)
    return {sid: None for sid in set_memberships(k, as_if)}


def sets_with_meds(k: Knowledge, case: Case) -> frozenset[str]:
    """Every value set at least one of the patient's medications is (or may be) in: any other set is empty."""
    if case.any_med_sets is None:
        case.any_med_sets = frozenset(s for sets in _med_sets(k, case) for s in sets)
    return case.any_med_sets
