"""A rule's conditions in plain language, for reviewers who do not read YAML.

Rendered from the condition tree (the pydantic models of `engine.rules.conditions`) with the
titles of value sets, analytes and scales from the knowledge base, e.g. "the patient is taking
systemic estrogen (MHT) AND the patient has a diagnosis of breast cancer (current or history),
any status".  Each leaf also has a negative form, so `not:` reads naturally ("the patient is not
taking ...").  `sentence` gives one line; `outline` a nested list for the HTML report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.facts.spec import compile_leaf
from engine.knowledge.load import Knowledge
from engine.rules import conditions as c
from engine.rules.load import canonicaliser, leaf_name

OPS = {">": "above", ">=": "at least", "<": "below", "<=": "at most", "==": "exactly", "!=": "other than",
       "in": "one of"}
NEG_OPS = {">": "at most", ">=": "below", "<": "at least", "<=": "above", "==": "other than", "!=": "exactly",
           "in": "none of"}
PATIENT_FIELDS = {
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
SCALES = {"phq9": "PHQ-9", "gad7": "GAD-7"}


def lower_first(text: str) -> str:
    """`Systemic estrogen` -> `systemic estrogen`; acronyms (`TSH`, `hCG`, `LDL`) stay as written."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _cmp(op: str, value: Any, unit: str | None, negated: bool) -> str:
    words = (NEG_OPS if negated else OPS)[op]
    if isinstance(value, list):
        return f"{words} {', '.join(_num(v) for v in value)}"
    return f"{words} {_num(value)}" + (f" {unit}" if unit and unit not in ("1", "") else "")


class Phrases:
    """Plain-language phrases for leaves, using the titles in one knowledge base."""

    def __init__(self, k: Knowledge):
        self.k = k

    def set_title(self, sid: str) -> str:
        s = self.k.med_sets.get(sid) or self.k.condition_sets.get(sid)
        return lower_first(s.title) if s is not None else sid

    def analyte(self, aid: str) -> str:
        a = self.k.analytes.get(aid)
        return lower_first(a.name) if a is not None else aid

    def leaf(self, leaf: Any, negated: bool = False) -> str:
        """One leaf, or its negation, as a sentence fragment."""
        n = negated
        match leaf:
            case c.MedActive(med_active=str() as sid):
                return f"the patient is {'not ' if n else ''}taking {self.set_title(sid)}"
            case c.MedActive(med_active=c.MedActiveArgs() as a):
                quals = []
                if a.compounded is not None:
                    quals.append("compounded" if a.compounded else "not compounded")
                if a.prn is not None:
                    quals.append("as needed (PRN)" if a.prn else "regularly (not PRN)")
                q = f" ({', '.join(quals)})" if quals else ""
                return f"the patient is {'not ' if n else ''}taking {self.set_title(a.set)}{q}"
            case c.MedStoppedWithin(med_stopped_within=a):
                return f"{self.set_title(a.set)} was {'not ' if n else ''}stopped within the last {a.days} days"
            case c.MedStartedWithin(med_started_within=a):
                return f"{self.set_title(a.set)} was {'not ' if n else ''}started within the last {a.days} days"
            case c.MedChangedWithin(med_changed_within=a):
                did = "was neither started nor had its dose changed" if n else "was started or its dose changed"
                return f"{self.set_title(a.set)} {did} within the last {a.days} days"
            case c.DaysSinceMedChange(days_since_med_change=a):
                return (f"the time since {self.set_title(a.set)} was started or its dose last changed is "
                        f"{_cmp(a.op, a.value, 'days', n)}")
            case c.DailyDose(daily_dose=a):
                return f"the daily dose of {self.set_title(a.set)} is {_cmp(a.op, a.value, a.unit, n)}"
            case c.CountActive(count_active=a):
                sets = " or ".join(self.set_title(s) for s in a.sets)
                return f"the number of active medicines from {sets} is {_cmp(a.op, a.value, None, n)}"
            case c.HasCondition(condition=str() as sid):
                return self._condition(sid, "any", n)
            case c.HasCondition(condition=c.ConditionArgs() as a):
                return self._condition(a.set, a.status, n)
            case c.PatientLeaf(patient=a):
                return self._patient(a.field, a.op, a.value, n)
            case c.PatientUnknown(patient_unknown=fld):
                return f"the patient's {FIELD_NAMES[fld]} is {'' if n else 'not '}recorded"
            case c.Lab(lab=a):
                when = (f" collected between {a.collected_between[0]} and {a.collected_between[1]}"
                        if a.collected_between else "")
                return (f"the latest {self.analyte(a.analyte)} result within {a.within_days} days{when} is "
                        f"{_cmp(a.op, a.value, a.unit, n)}")
            case c.LabMissing(lab_missing=a):
                there = "there is a" if n else "there is no"
                return f"{there} usable {self.analyte(a.analyte)} result within the last {a.within_days} days"
            case c.LabSinceMedChange(lab_since_med_change=a):
                after = f" (at least {a.min_days_after} days after)" if a.min_days_after else ""
                return (f"{self.analyte(a.analyte)} has {'not ' if n else ''}been measured since "
                        f"{self.set_title(a.set)} was started or its dose changed{after}")
            case c.LabSpecimen(lab_specimen=a):
                analytes = " or ".join(self.analyte(x) for x in a.analytes)
                return (f"{analytes} was {'not ' if n else ''}measured in {' or '.join(a.specimens)} "
                        f"within the last {a.within_days} days")
            case c.LabUnusable(lab_unusable=a):
                return (f"{'no' if n else 'a'} result within the last {a.within_days} days has a missing or "
                        "unrecognised unit or an implausible value")
            case c.Scale(scale=a):
                what = "total score" if a.item == "total" else "item 9 score"
                return (f"the latest {SCALES[a.scale]} {what} within {a.within_days} days is "
                        f"{_cmp(a.op, a.value, None, n)}")
            case c.Vital(vital=a):
                return (f"the latest {a.kind.replace('_', ' ').replace('bp', 'blood pressure')} within "
                        f"{a.within_days} days is {_cmp(a.op, a.value, a.unit, n)}")
            case c.Note(note=a):
                return (f"{a.kind.replace('_', ' ')} is {'not ' if n else ''}documented within the last "
                        f"{a.within_days} days")
        return self._generic(leaf, n)

    def _generic(self, leaf: Any, negated: bool) -> str:
        """A leaf without a hand-written phrase: the compiled condition's own description."""
        try:
            cl = compile_leaf(leaf, canonicaliser(self.k))
        except ValueError:
            text, compared = f"{leaf_name(leaf)}: {leaf.model_dump(mode='json')[leaf_name(leaf)]}", False
        else:
            compared = cl.spec.type != "bool"
            value = list(cl.test.value) if isinstance(cl.test.value, tuple) else cl.test.value
            text = (f"{cl.spec.describe} is {_cmp(cl.test.op, value, cl.spec.unit, negated)}" if compared
                    else cl.spec.describe)
        for sid in sorted(set(re.findall(r"\bVS_[A-Z0-9_]+", text)), key=len, reverse=True):
            text = text.replace(sid, self.set_title(sid))
        return f"it is not the case that {text}" if negated and not compared else text

    def _condition(self, sid: str, status: str, negated: bool) -> str:
        which = {"any": "any status", "active": "active", "history": "history only"}[status]
        if negated:
            return f"the patient has no diagnosis of {self.set_title(sid)} on record ({which})"
        return f"the patient has a diagnosis of {self.set_title(sid)} ({which})"

    def _patient(self, fld: str, op: str, value: Any, negated: bool) -> str:
        if fld in PATIENT_FIELDS and op in ("==", "!="):
            yes = (value is True) == (op == "==")
            return PATIENT_FIELDS[fld][0 if yes != negated else 1]
        if fld == "sex" and op == "==":
            return f"the patient is {'not ' if negated else ''}{value}"
        if fld == "age" and op in (">", ">=", "<", "<=") and not negated:
            return f"the patient's age is {_cmp(op, value, 'years', False)}"
        return f"the patient's {FIELD_NAMES[fld]} is {_cmp(op, value, FIELD_UNITS.get(fld), negated)}"


@dataclass(frozen=True)
class Outline:
    """A plain-language tree: `text` is the connective ("all of", "any of", "none of") or the leaf."""

    text: str
    children: tuple[Outline, ...] = ()


def _is_leaf(cond: c.Condition) -> bool:
    return not isinstance(cond.root, c.AllOf | c.AnyOf | c.NotOf)


def sentence(cond: c.Condition, p: Phrases, negated: bool = False, top: bool = True) -> str:
    """The whole condition on one line: AND / OR / NOT, parenthesised where nested."""
    root = cond.root
    if isinstance(root, c.NotOf):
        if _is_leaf(root.not_):
            return p.leaf(root.not_.root, not negated)
        return sentence(root.not_, p, not negated, top=top)
    if isinstance(root, c.AllOf | c.AnyOf):
        is_all = isinstance(root, c.AllOf)
        kids = root.all if is_all else root.any
        # De Morgan under negation: NOT (a AND b) = (NOT a) OR (NOT b).
        joiner = " AND " if is_all != negated else " OR "
        text = joiner.join(sentence(ch, p, negated, top=False) for ch in kids)
        return text if top or len(kids) == 1 else f"({text})"
    return p.leaf(root, negated)


def outline(cond: c.Condition, p: Phrases) -> Outline:
    root = cond.root
    if isinstance(root, c.AllOf):
        return Outline("all of:", tuple(outline(ch, p) for ch in root.all))
    if isinstance(root, c.AnyOf):
        return Outline("any of:", tuple(outline(ch, p) for ch in root.any))
    if isinstance(root, c.NotOf):
        inner = root.not_.root
        if isinstance(inner, c.AnyOf):
            return Outline("none of:", tuple(outline(ch, p) for ch in inner.any))
        if isinstance(inner, c.AllOf):
            return Outline("not all of:", tuple(outline(ch, p) for ch in inner.all))
        if isinstance(inner, c.NotOf):
            return outline(inner.not_, p)
        return Outline(p.leaf(inner, True))
    return Outline(p.leaf(root))


def outline_lines(o: Outline, depth: int = 0) -> list[str]:
    """The outline as indented Markdown bullets."""
    out = [f"{'  ' * depth}- {o.text}"]
    for ch in o.children:
        out.extend(outline_lines(ch, depth + 1))
    return out
