"""Clinical-note and data-issue leaves: documented observations, and supplied records that could not be read."""

from __future__ import annotations

from pydantic import Field

from ..facts.model import FactValue
from ..knowledge.load import Knowledge
from ..normalize import Case
from .base import Args, CompileContext, CompiledLeaf, FactSpec, Leaf, Phrases, spec
from .common import evidence, in_window


class NoteArgs(Args):
    kind: str
    within_days: int = Field(gt=0, le=3650)


class Note(Leaf):
    """A structured note of a kind (a symptom, a documentation flag) within N days."""

    group = "notes_issues"
    note: NoteArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.note
        return self.leaf(spec(f"note:{a.kind}:{a.within_days}d", "bool", self.key,
                              {"kind": a.kind, "days": a.within_days},
                              f"{a.kind.replace('_', ' ')} documented within {a.within_days} days"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        kind, days = s.param("kind"), s.param("days")
        notes = [n for n in case.snapshot.notes
                 if n.kind == kind and n.value is not False and in_window(case, n.date, days)]
        if notes:
            return FactValue(s.key, True, True, tuple(evidence(label=kind.replace("_", " "), value=n.value,
                                                               date=n.date, record=n.id) for n in notes))
        return FactValue(s.key, True, False, ())

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.note
        return f"{a.kind.replace('_', ' ')} is {'not ' if negated else ''}documented within the last " \
               f"{a.within_days} days"


class DataIssueArgs(Args):
    # Undated problems always count; dated ones when within the window.
    within_days: int = Field(gt=0, le=3650)


class DataIssueLeaf(Leaf):
    """A supplied record that could not be read (an import problem), undated or within N days."""

    group = "notes_issues"
    data_issue: DataIssueArgs

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        a = self.data_issue
        return self.leaf(spec(f"data_issue:{a.within_days}d", "bool", self.key, {"days": a.within_days},
                              f"a supplied record that could not be read (undated, or within {a.within_days} days)"))

    @staticmethod
    def derive(k: Knowledge, case: Case, s: FactSpec) -> FactValue:
        # Records supplied but not readable (snapshot `data_issues`, e.g. from FHIR import): undated ones
        # always count, since they cannot be placed outside the window.
        days = s.param("days")
        hits = [i for i in case.snapshot.data_issues if i.date is None or in_window(case, i.date, days)]
        hits += case.data_issues  # found while normalising: always reported
        if hits:
            return FactValue(s.key, True, True, tuple(
                evidence(label=i.source, date=i.date, record=i.source, note=i.problem) for i in hits))
        return FactValue(s.key, True, False, (), "every supplied record could be read")

    def phrase(self, negated: bool, p: Phrases) -> str:
        a = self.data_issue
        return (f"{'no' if negated else 'a'} supplied record could not be read (undated, or dated within the last "
                f"{a.within_days} days)")
