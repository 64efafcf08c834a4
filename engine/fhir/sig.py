"""The dose and frequency of a prescription written only in its instructions (the "sig").

EHRs often send "Sertraline 50 MG Oral Tablet" with `dosage.text` "Take 1 tablet by mouth daily" or
"20 mg daily" and no doseQuantity.  Without this the daily dose is unknown and every dose rule says
"cannot assess".  Our own small parser because sig parsing is not a solved problem in any maintained
library we can install (the NLM's sig tools are Java services); it recognises only unambiguous forms
and otherwise leaves the dose unknown, never guessing:

    <amount> <mg|mcg|ug|g> [<frequency>]            "20 mg daily", "0.5mg bid", "100 mcg every morning"
    <count> <tablet|capsule|...> [<frequency>]      "take 1 tablet by mouth twice a day" (x the strength in the name)
"""

from __future__ import annotations

import re

from ..snapshot.models import frequency_per_day

_WORDS = {"one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "half": 0.5, "a": 1.0, "an": 1.0}
_NUM = r"(\d+(?:\.\d+)?|one|two|three|four|half|an?)"
_MASS = re.compile(_NUM + r"\s*(mg|mcg|ug|µg|g)\b(?!\s*/)", re.IGNORECASE)
_COUNT = re.compile(_NUM + r"\s*(tablets?|tabs?|capsules?|caps?|pills?|puffs?)\b", re.IGNORECASE)
# Frequency phrases, most specific first; the per-day counts come from the snapshot's own table.
_FREQ = [
    (re.compile(r"\b(four times (a|per|each) day|four times daily|qid)\b", re.I), "qid"),
    (re.compile(r"\b(three times (a|per|each) day|three times daily|tid|t\.i\.d\.)\b", re.I), "tid"),
    (re.compile(r"\b(twice (a|per|each) day|twice daily|two times (a|per) day|bid|b\.i\.d\.|q12h)\b", re.I), "bid"),
    (re.compile(r"\bq\s?(\d{1,2})\s?h(?:ours?|rs?)?\b|\bevery (\d{1,2}) hours?\b", re.I), "qNh"),
    (re.compile(r"\b(once weekly|once a week|every week|weekly)\b", re.I), "weekly"),
    (re.compile(r"\b(once (a|per|each) day|once daily|daily|every day|qd|q\.d\.|od|every (morning|evening|night)|"
                r"each (morning|evening)|in the (morning|evening)|at (bedtime|night)|nightly|qhs|qam|qpm)\b", re.I),
     "daily"),
]
_PRN = re.compile(r"\b(prn|as needed|when required|if needed)\b", re.IGNORECASE)
_RANGE = re.compile(r"\d\s*(?:-|to|or)\s*\d", re.IGNORECASE)


def _num(text: str) -> float:
    return _WORDS.get(text.lower(), 0.0) or float(text)


def frequency(sig: str) -> tuple[float | None, str | None]:
    """(administrations per day, the phrase as a frequency the snapshot knows)."""
    for pattern, name in _FREQ:
        m = pattern.search(sig)
        if not m:
            continue
        if name == "qNh":
            hours = int(next(g for g in m.groups() if g))
            return (24 / hours, None) if 0 < hours <= 24 else (None, None)
        return frequency_per_day(name), name
    return None, None


def parse(sig: str, strength: tuple[float, str] | None, *, keep_count: bool = False) -> dict[str, object]:
    """Dose, unit and frequency from the instructions; `strength` is the product's single strength per
    unit ("100 MG" tablet), needed to read "1 tablet" as mg.  With `keep_count` (a combination product, whose
    ingredients each have their own strength) "1 tablet" stays a count.  Empty when nothing is unambiguous."""
    if not sig or _RANGE.search(sig):  # "1-2 tablets", "50 or 100 mg": not one dose
        return {}
    masses, counts = _MASS.findall(sig), _COUNT.findall(sig)
    out: dict[str, object] = {}
    if len(masses) == 1 and not counts:
        amount, unit = masses[0]
        out["dose"], out["dose_unit"] = _num(amount), unit.lower().replace("µg", "ug")
    elif len(counts) == 1 and strength is not None and not masses:
        out["dose"], out["dose_unit"] = round(_num(counts[0][0]) * strength[0], 6), strength[1]
    elif len(counts) == 1 and keep_count and not masses:
        word = counts[0][1].lower().rstrip("s")
        out["dose"], out["dose_unit"] = _num(counts[0][0]), {"tab": "tablet", "cap": "capsule"}.get(word, word)
    if not out:
        return {}
    per_day, name = frequency(sig)
    if name:
        out["frequency"] = name
    elif per_day:
        out["times_per_day"] = round(per_day, 6)
    if _PRN.search(sig):
        out["prn"] = True
    return out
