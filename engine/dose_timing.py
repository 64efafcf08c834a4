"""When a sample was drawn relative to the last dose, as laboratories and clinicians write it.

A lithium or testosterone level means little without it, and EHRs rarely carry it as a number: it is
in the test name ("Lithium 12 hr post dose", "Testosterone trough"), a note on the result ("drawn 12
hours after the last dose", "last dose 20:00"), a component or an extension.  `read(text)` returns
what one piece of text says:

- `hours`: hours from the last dose to the sample, when the text gives them ("4 h post-dose",
  "drawn 12 hours after the last dose", "30 min after dose", "12-hour level");
- `label`: "trough" (trough, pre-dose, before the next dose), "peak", or "random" when the text
  names the kind of sample without hours;
- `last_dose_clock`: the clock time of the last dose ("last dose 20:00", "last dose at 8 pm"), which
  becomes hours once the sample's own clock time is known (`hours_before`).

Text that says the timing is unknown ("time of last dose unknown", "not a trough") gives nothing: an
unknown timing is never guessed.  Our own small reader because no maintained library parses this
phrasing; it is tested on the wording of the real-world corpus.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Literal, NamedTuple

Label = Literal["trough", "peak", "random"]

_UNIT = r"(?:h|hr|hrs|hour|hours|min|mins|minute|minutes)"
_NUM = r"(\d{1,3}(?:\.\d+)?)"
_DOSE = (r"(?:the\s+)?(?:last|previous|prior|evening|morning|nightly|night(?:ly)?)?\s*"
         r"(?:dose|dosing|tablet|tab|injection|inj)")
# "12 hours after the last dose", "4 h post-dose", "12hr post dose", "30 min after dose", "12 h since last dose"
_AFTER = re.compile(
    _NUM + r"\s*-?\s*(" + _UNIT + r")\b\.?\s*(?:\(\s*)?(?:post[\s-]?(?:dose|dosing|injection)|pd\b|"
    r"post\b(?!\s*-?\s*(?:menopaus|partum|op|natal|prandial|void))|"
    r"after\s+" + _DOSE + r"|since\s+" + _DOSE + r"|from\s+" + _DOSE + r")", re.IGNORECASE)
# "12-hour lithium level", "12 hr level", "12h lvl", "12 hour serum lithium" (the classic 12-hour standardised level)
_HOUR_LEVEL = re.compile(_NUM + r"\s*-?\s*(h|hr|hrs|hour)\b\.?\s*(?:(?:serum|plasma|lithium|li|post)\s+)*"
                         r"(?:level|lvl|sample|trough|draw)\b"
                         r"|\b(?:level|lvl)\s*,?\s*" + _NUM + r"\s*-?\s*(h|hr|hrs|hour)\b", re.IGNORECASE)
# "last dose 20:00", "last dose at 8 pm", "last dose taken 21.30"
_LAST_CLOCK = re.compile(r"last\s+(?:dose|tablet|tab)\s+(?:was\s+)?(?:taken\s+)?(?:at\s+|@\s*)?"
                         r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?![\d/-])", re.IGNORECASE)
_TROUGH = re.compile(r"\b(trough|pre[\s-]?dose|before\s+(?:the\s+)?(?:next|morning|usual)\s+dose)\b", re.IGNORECASE)
_PEAK = re.compile(r"\bpeak\b", re.IGNORECASE)
_RANDOM = re.compile(r"\brandom\b", re.IGNORECASE)
# The text says the timing is not known, or is not what a word would suggest.
_UNKNOWN = re.compile(r"\b(unknown|not\s+known|unsure|not\s+recorded|not\s+documented|unclear|"
                      r"not\s+(?:a\s+)?(?:trough|peak)|non[\s-]?trough)\b", re.IGNORECASE)


class DoseTiming(NamedTuple):
    hours: float | None
    label: Label | None
    last_dose_clock: time | None
    text: str  # the text it was read from, for the evidence

    def hours_before(self, collected: datetime) -> float | None:
        """Hours from the last dose to a sample collected at `collected` (local clock time).

        A sample stored at exactly midnight usually has no clock time at all (a date only), so it gives
        nothing rather than a guess."""
        if self.hours is not None:
            return self.hours
        if self.last_dose_clock is None or collected.time() == time(0, 0):
            return None
        dose = datetime.combine(collected.date(), self.last_dose_clock)
        if dose > collected:
            dose -= timedelta(days=1)
        return round((collected - dose).total_seconds() / 3600, 2)


def _hours(value: str, unit: str) -> float:
    n = float(value)
    return round(n / 60, 2) if unit.lower().startswith("m") else n


_READ: dict[str, DoseTiming | None] = {}  # text -> what it says: test names repeat across every record


def read(text: str | None) -> DoseTiming | None:
    """What `text` says about the sample's timing after the last dose; None when it says nothing usable."""
    if not text:
        return None
    try:
        return _READ[text]
    except KeyError:
        pass
    if len(_READ) > 20_000:
        _READ.clear()
    _READ[text] = found = _read(text)
    return found


def _read(text: str) -> DoseTiming | None:
    if not text.strip():
        return None
    if _UNKNOWN.search(text):
        return None
    m = _AFTER.search(text)
    if m:
        return DoseTiming(_hours(m.group(1), m.group(2)), None, None, text.strip())
    m = _HOUR_LEVEL.search(text)
    if m:
        return DoseTiming(float(m.group(1) or m.group(3)), None, None, text.strip())
    m = _LAST_CLOCK.search(text)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        meridiem = (m.group(3) or "").lower().replace(".", "")
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return DoseTiming(None, None, time(hour, minute), text.strip())
    for pattern, label in ((_TROUGH, "trough"), (_PEAK, "peak"), (_RANDOM, "random")):
        if pattern.search(text):
            return DoseTiming(None, label, None, text.strip())  # type: ignore[arg-type]
    return None


def first(texts: list[str | None]) -> DoseTiming | None:
    """The first text (in the order given: most specific first) that says something about the timing."""
    for t in texts:
        found = read(t)
        if found is not None:
            return found
    return None
