"""engine.normalize.link_courses: a record of the same drug that starts within COURSE_GAP_DAYS of an
earlier record's end continues that course (a dose change or renewal, not a new start).  The bisected
implementation agrees with the definition written plainly, and a long refill history links end to end."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from setpoint.normalize import COURSE_GAP_DAYS, NormMed, link_courses
from setpoint.snapshot.models import Medication

DAY0 = date(2020, 1, 1)
SOURCE = Medication.model_validate({"id": "m", "name": "sertraline"})


def _med(i: int, concepts: tuple[str, ...], start: date | None, end: date | None) -> NormMed:
    return NormMed(record_id=f"r{i:03d}", label="x", concepts=concepts, route=None, daily_mg=None, dose_text=None,
                   start=start, end=end, last_change=None, compounded=False, prn=False, source=SOURCE,
                   course_start=start)


def _plain(meds: list[NormMed]) -> list[NormMed]:
    """The definition, quadratic: each record (by start) continues the earliest-course earlier record of a
    shared concept that ended within the gap of its start."""
    order = sorted(range(len(meds)), key=lambda i: (meds[i].start or date.min, meds[i].record_id))
    out = list(meds)
    for i in order:
        m = out[i]
        if m.start is None or not m.concepts:
            continue
        prior = [out[j] for j in range(len(out)) if j != i and set(out[j].concepts) & set(m.concepts)
                 and out[j].start is not None and out[j].start < m.start and out[j].end is not None
                 and abs((m.start - out[j].end).days) <= COURSE_GAP_DAYS]
        if prior:
            prev = min(prior, key=lambda p: (p.course_start or p.start or date.min, p.record_id))
            out[i] = replace(m, course_start=prev.course_start or prev.start, continues=prev.record_id,
                             last_change=m.last_change or m.start)
    return out


records = st.lists(st.tuples(st.sampled_from([("sertraline",), ("lithium",), ("sertraline", "ssri"), ()]),
                             st.one_of(st.none(), st.integers(0, 400)), st.one_of(st.none(), st.integers(0, 200))),
                   max_size=25)


@settings(max_examples=300, deadline=None)
@given(records)
def test_linking_agrees_with_the_plain_definition(rows: list[tuple[tuple[str, ...], int | None, int | None]]) -> None:
    meds = [_med(i, c, None if s is None else DAY0 + timedelta(days=s),
                 None if s is None or d is None else DAY0 + timedelta(days=s + d)) for i, (c, s, d) in enumerate(rows)]
    assert link_courses(meds) == _plain(meds)


def test_a_long_refill_history_is_one_course_from_its_first_start() -> None:
    refills = [_med(i, ("lithium",), DAY0 + timedelta(days=30 * i), DAY0 + timedelta(days=30 * i + 29))
               for i in range(3000)]
    linked = link_courses(refills[::-1])
    assert {m.course_start for m in linked} == {DAY0}
    assert sum(m.continues is not None for m in linked) == 2999
