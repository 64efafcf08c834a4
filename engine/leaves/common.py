"""Helpers shared by the derivers: evidence items, windows, medication selection, result selection.

Evidence is built from snapshot fields that pydantic already validated, on a hot path (hundreds of
items per evaluation): constructed without re-validating.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from ..facts.model import PRESUMPTION, EvidenceItem, FactValue, evidence_item
from ..knowledge.load import Knowledge
from ..normalize import FUTURE_TOLERANCE_DAYS, Case, NormMed, NormResult, membership

evidence = evidence_item
MIDNIGHT = time(0, 0)  # a date-only collection is read as 00:00: its clock time is not recorded
SCALE_LABELS = {"phq9": "PHQ-9", "gad7": "GAD-7"}


def days_between(a: date, b: date) -> int:
    return (a - b).days


def in_window(case: Case, day: date, days: int) -> bool:
    """Within `days` before the evaluation date, or up to FUTURE_TOLERANCE_DAYS after it (clock skew, a site
    east of the server's time zone)."""
    return -FUTURE_TOLERANCE_DAYS <= days_between(case.as_of, day) <= days


def clock(s: str) -> time:
    h, m = s.split(":")
    return time(int(h), int(m))


def unknown(key: str, reason: str, ev: Iterable[EvidenceItem] = ()) -> FactValue:
    return FactValue(key, False, None, tuple(ev), reason)


# ------------------------------------------------------------------ evidence


def med_ev(m: NormMed, note: str | None = None) -> EvidenceItem:
    parts = [m.dose_text] if m.dose_text else []
    if m.route:
        parts.append(m.route)
    note = note or ("compounded" if m.compounded else None)
    for presumed in m.presumptions:  # e.g. estradiol with dienogest read as the contraceptive
        note = f"{note}; {PRESUMPTION}{presumed}" if note else f"{PRESUMPTION}{presumed}"
    if m.continues:
        course = (f"{PRESUMPTION}{m.label} ({m.record_id}, {m.start}) continues {m.continues}: a dose change or "
                  f"renewal, not a new start (course started {m.course_start})")
        note = f"{note}; {course}" if note else course
    return evidence(label=m.label, value=", ".join(parts) or None, unit=None, date=m.last_start_or_change(),
                    record=m.record_id, note="; ".join(x for x in (note, m.source.date_note) if x) or None)


def maybe_reason(k: Knowledge, m: NormMed) -> str:
    """Why a medication may or may not be in a value set."""
    if m.resembles:
        return f"{m.label} resembles {k.concepts[m.resembles].name} but could not be mapped to it"
    return "route or dose not recorded"


def result_ev(r: NormResult) -> EvidenceItem:
    if r.value is not None:
        value: float | str | None = round(r.value, 4)
        unit = r.unit
    else:
        value = r.value_text if r.raw_value is None else f"{r.comparator or ''}{r.raw_value:g}"
        unit = r.raw_unit
    note = r.problem or r.note or (None if r.specimen in ("serum", "ecg") else r.specimen)
    if r.censored is not None:
        note = f"censored value as written: {r.censored.text}"
    return evidence(label=r.label, value=value, unit=unit, date=r.day, record=r.record_id, note=note)


# ------------------------------------------------------------------ medications


def meds_in(k: Knowledge, case: Case, set_id: str) -> list[tuple[NormMed, bool | None]]:
    """Medications in a value set: True (in it) or None (membership depends on missing route or dose)."""
    return [(case.meds[i], v) for i, v in membership(k, case, set_id).items()]


def active_in(k: Knowledge, case: Case, set_id: str) -> list[NormMed]:
    return [m for m, v in meds_in(k, case, set_id) if v and m.active(case.as_of)]


def course_start(k: Knowledge, case: Case, set_id: str, which: str) -> tuple[date | None, NormMed | None, str | None]:
    """Start of the current course of `set_id`: the `first` or `latest` start date of its active products.

    (start, product, reason-if-unknown).  The first start is unknown when any active product is undated
    (it might be the earliest); the latest start uses the dated products."""
    active = active_in(k, case, set_id)
    if not active:
        return None, None, f"no active {set_id}"
    # A dose change or renewal continues its course: the course start, not the record's own start, counts.
    dated = [m for m in active if m.course_start is not None]
    undated = [m for m in active if m.course_start is None]
    if not dated or (which == "first" and undated):
        return None, (undated or active)[0], f"start date of {(undated or active)[0].label} not recorded"
    pick = min(dated, key=lambda m: (m.course_start, m.record_id)) if which == "first" else \
        max(dated, key=lambda m: (m.course_start, m.record_id))
    return pick.course_start, pick, None


def no_course(key: str, med: NormMed | None, why: str | None) -> FactValue:
    return unknown(key, why or "course start unknown", (med_ev(med),) if med else ())


def days_since_change(k: Knowledge, case: Case, key: str, set_id: str) -> FactValue:
    """Days since the most recent start or dose change of an active product in `set_id`."""
    active = [(m, v) for m, v in meds_in(k, case, set_id) if v and m.active(case.as_of)]
    dated = [m for m, _ in active if m.last_start_or_change()]
    if not active:
        return unknown(key, f"no active {set_id}")
    if not dated:
        return unknown(key, f"start or dose-change date of {active[0][0].label} not recorded",
                       (med_ev(m) for m, _ in active))
    latest = max(dated, key=lambda m: m.last_start_or_change() or date.min)
    d = latest.last_start_or_change()
    assert d is not None
    return FactValue(key, True, float(days_between(case.as_of, d)), (med_ev(latest),))


# ------------------------------------------------------------------ results


def latest(rs: list[NormResult]) -> NormResult | None:
    return max(rs, key=lambda r: (r.collected, r.record_id)) if rs else None


def usable(k: Knowledge, r: NormResult) -> bool:
    return r.value is not None and r.analyte is not None and r.specimen in k.analytes[r.analyte].interpreted_specimens


def latest_lab(k: Knowledge, case: Case, key: str, analyte: str, days: int,
               between: tuple[str, str] | None = None, censored_ok: bool = False
               ) -> tuple[FactValue, NormResult | None]:
    """The latest usable result of `analyte` within `days` (optionally collected between two clock times),
    with the record itself; unknown (and why) when there is none, it is unusable, stale or in the future.

    With `censored_ok`, a censored latest result ("<18") is a fact whose value is its interval
    (engine.facts.model.Censored), resolved against the rule base's thresholds by the fact mapping; the
    record returned then has no exact `value`.  Without it, a censored result cannot be used."""
    name = k.analytes[analyte].name
    mine = [r for r in case.results if r.analyte == analyte]
    interpreted = k.analytes[analyte].interpreted_specimens
    window = [r for r in mine if in_window(case, r.day, days)]
    if between:
        lo, hi = clock(between[0]), clock(between[1])
        window = [r for r in window if lo <= r.collected.time() <= hi]
    if not any(r.specimen in interpreted for r in window):
        # No result of this test in the window, but one that resembles it and could not be read: the rule
        # cannot assess because of that record, rather than stating that there is no result.
        unread = latest([r for r in case.results if r.resembles == analyte and in_window(case, r.day, days)])
        if unread is not None:
            return unknown(key, f"{name} cannot be assessed: {unread.record_id} could not be read "
                                f"({unread.problem})", (result_ev(unread),)), None
    latest_any = latest([r for r in window if r.specimen in interpreted])
    if latest_any is not None and latest_any.censored is not None and censored_ok:
        return FactValue(key, True, latest_any.censored, (result_ev(latest_any),)), latest_any
    if latest_any is not None and latest_any.value is None:
        # The latest result cannot be used (unit, implausible, censored): never fall back to an older one.
        return unknown(key, f"latest {name} ({latest_any.day}) cannot be assessed: {latest_any.problem}",
                       (result_ev(latest_any),)), None
    pick = latest([r for r in window if r.value is not None and r.specimen in interpreted])
    if pick is not None:
        return FactValue(key, True, pick.value, (result_ev(pick),)), pick
    older = latest([r for r in mine if r.value is not None and r.day <= case.as_of])
    clock_window = f" collected {between[0]}-{between[1]}" if between else ""
    if older is not None:
        return unknown(key, f"no {name} result{clock_window} within {days} days (latest {older.day}, "
                            f"{days_between(case.as_of, older.day)} days old)", (result_ev(older),)), None
    future = [r for r in mine if days_between(r.day, case.as_of) > FUTURE_TOLERANCE_DAYS]
    if future:
        return unknown(key, f"{name} result is dated more than {FUTURE_TOLERANCE_DAYS} day after the evaluation "
                            f"date {case.as_of}",
                       (result_ev(r) for r in future)), None
    return unknown(key, f"no {name} result{clock_window} on record"), None
