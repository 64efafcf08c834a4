"""`rules diff OLD NEW --population PATH`: evaluate a population with both rule bases and report, per
rule, how many patients gain or lose which finding (fired / cannot assess)."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field

from .models import BatchOptions
from .run import run_batch

EXAMPLES = 3
Key = tuple[str, str]  # (rule_id, outcome)


class RuleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule_id: str
    title: str
    old_version: str | None = None
    new_version: str | None = None
    gained_fired: int = 0
    lost_fired: int = 0
    gained_cannot_assess: int = 0
    lost_cannot_assess: int = 0
    examples: list[str] = Field(default_factory=list)  # a few patients (their source) who changed


class PopulationDiff(BaseModel):
    model_config = ConfigDict(extra="forbid")
    population: str
    as_of: date
    patients: int
    errors_old: int
    errors_new: int
    rules: list[RuleChange]

    def to_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json")

    def text(self) -> str:
        lines = [f"Population {self.population}: {self.patients} patients as of {self.as_of} "
                 f"(could not be evaluated: {self.errors_old} with OLD, {self.errors_new} with NEW)"]
        if not self.rules:
            lines.append("  no patient gains or loses a finding")
        for r in self.rules:
            same = r.old_version == r.new_version
            version = r.new_version if same else f"{r.old_version or '-'} -> {r.new_version or '-'}"
            lines.append(f"  {r.rule_id} {version}  {r.title}")
            lines.append(f"      fired: +{r.gained_fired} / -{r.lost_fired} patients; "
                         f"cannot assess: +{r.gained_cannot_assess} / -{r.lost_cannot_assess} patients"
                         + (f"  (e.g. {', '.join(r.examples)})" if r.examples else ""))
        return "\n".join(lines) + "\n"


def _per_patient(part: Path) -> tuple[dict[str, set[Key]], dict[str, tuple[str, str]]]:
    """(source -> {(rule, outcome)}, rule -> (version, title)) of one part; error rows are left out."""
    table = pq.read_table(part, columns=["source", "rule_id", "rule_version", "title", "outcome"])
    found: dict[str, set[Key]] = defaultdict(set)
    rules: dict[str, tuple[str, str]] = {}
    for row in table.to_pylist():
        if row["outcome"] == "error":
            continue
        found[row["source"]].add((row["rule_id"], row["outcome"]))
        rules[row["rule_id"]] = (row["rule_version"], row["title"])
    return found, rules


def population_diff(old: Path, new: Path, population: Path, as_of: date, knowledge: Path | None = None,
                    work: Path | None = None, workers: int | None = None, scheduler: str | None = None,
                    progress: bool = False) -> PopulationDiff:
    """Both batches are kept in `work` (resumable) when given, else in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="setpoint-popdiff-") as tmp:
        base = work or Path(tmp)
        reports = [run_batch(BatchOptions(input=population, out=base / f"{label}.parquet", as_of=as_of, rules=rules,
                                          knowledge=knowledge, workers=workers, scheduler=scheduler,
                                          progress=progress))
                   for label, rules in (("old", old), ("new", new))]
        changes: dict[str, RuleChange] = {}
        versions: dict[str, list[tuple[str, str] | None]] = defaultdict(lambda: [None, None])
        for old_part, new_part in zip(reports[0].parts, reports[1].parts, strict=True):
            before, old_rules = _per_patient(old_part)
            after, new_rules = _per_patient(new_part)
            for rid, v in old_rules.items():
                versions[rid][0] = v
            for rid, v in new_rules.items():
                versions[rid][1] = v
            for source in sorted(before.keys() | after.keys()):
                b, a = before.get(source, set()), after.get(source, set())
                for (rid, outcome), gained in [(k, True) for k in a - b] + [(k, False) for k in b - a]:
                    c = changes.setdefault(rid, RuleChange(rule_id=rid, title=""))
                    field = f"{'gained' if gained else 'lost'}_{outcome}"
                    setattr(c, field, getattr(c, field) + 1)
                    if source not in c.examples and len(c.examples) < EXAMPLES:
                        c.examples.append(source)
        for rid, c in changes.items():
            (o, n) = versions[rid]
            c.old_version, c.new_version = (o[0] if o else None), (n[0] if n else None)
            c.title = (n or o or ("", ""))[1]
        s_old, s_new = reports[0].summary, reports[1].summary
        return PopulationDiff(population=str(population), as_of=as_of, patients=s_new.patients,
                              errors_old=s_old.errors, errors_new=s_new.errors,
                              rules=sorted(changes.values(), key=lambda c: c.rule_id))
