"""Per-rule scenario coverage: `setpoint rules test`.

Definitions (what a reviewer can rely on):

* A scenario *covers* a rule when one of its own steps or tables names the rule's id (an
  assertion such as `rule NC-LI-019 does not fire`, or a row of `the findings are exactly:`).
  Rules that merely happen to be silent in an unrelated scenario are not counted.
* Only scenarios that pass count.
* A rule is *fired* in a covering scenario whose evaluation fired it, *silent* in one where it
  was definitely not met (`not_fired`); a `cannot_assess` outcome is counted separately and is
  neither.
* Every condition leaf (of `when` and of each escalation) is evaluated in each covering
  scenario; it is *taken both ways* when it was true in one and false in another.  A leaf whose
  data was missing is counted as cannot-assess, not as either way.
* Coverage of a rule = the share of its items met: fired, silent, and each leaf true and false.
  The rule base's coverage is the share over all active rules' items together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..matching.tree import eval_leaf
from ..rules.load import LoadedRule, leaf_nodes
from ..scenarios import Progress, Scenario, ScenarioRun, load_features, run_all
from .plain import Phrases

if TYPE_CHECKING:
    from ..core import Engine


@dataclass
class LeafCoverage:
    path: str  # e.g. when.all[1].lab
    text: str  # the compiled condition, e.g. "latest lithium within 14 days >= 1.5 mmol/L"
    plain: str = ""  # in plain language, e.g. "the latest lithium result within 14 days is at least 1.5 mmol/L"
    true: int = 0
    false: int = 0
    unknown: int = 0

    @property
    def both_ways(self) -> bool:
        return self.true > 0 and self.false > 0

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "condition": self.text, "true": self.true, "false": self.false,
                "cannot_assess": self.unknown}


@dataclass
class RuleCoverage:
    rule_id: str
    title: str
    file: str
    scenarios: list[str] = field(default_factory=list)  # ids of covering scenarios that passed
    fired: list[str] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)
    cannot_assess: list[str] = field(default_factory=list)
    leaves: list[LeafCoverage] = field(default_factory=list)

    @property
    def total(self) -> int:
        return 2 + 2 * len(self.leaves)

    @property
    def covered(self) -> int:
        return (bool(self.fired) + bool(self.silent)
                + sum((lf.true > 0) + (lf.false > 0) for lf in self.leaves))

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total

    def gaps(self, plain: bool = False) -> list[str]:
        """What is not covered; `plain` words conditions for a reviewer rather than by field path."""
        out = []
        if not self.fired:
            out.append("no scenario in which it fires")
        if not self.silent:
            out.append("no scenario in which it is silent")
        for lf in self.leaves:
            missing = [w for w, n in (("true", lf.true), ("false", lf.false)) if not n]
            if missing and plain:
                out.append(f"the condition \"{lf.plain or lf.text}\" is never {' or '.join(missing)} in a scenario")
            elif missing:
                out.append(f"{lf.path} ({lf.text}) never {' or '.join(missing)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "title": self.title, "file": self.file,
                "percent": round(self.percent, 1), "scenarios": self.scenarios, "fired": self.fired,
                "silent": self.silent, "cannot_assess": self.cannot_assess,
                "conditions": [lf.to_dict() for lf in self.leaves], "gaps": self.gaps(),
                "gaps_plain": self.gaps(plain=True)}


@dataclass
class CoverageReport:
    rules: list[RuleCoverage]
    runs: list[ScenarioRun]

    @property
    def failures(self) -> list[ScenarioRun]:
        return [r for r in self.runs if not r.passed]

    @property
    def percent(self) -> float:
        total = sum(r.total for r in self.rules)
        return 100.0 * sum(r.covered for r in self.rules) / total if total else 100.0

    def lacking(self) -> list[RuleCoverage]:
        """Active rules without a firing or without a silent scenario."""
        return [r for r in self.rules if not r.fired or not r.silent]

    def by_id(self, rule_id: str) -> RuleCoverage:
        return next(r for r in self.rules if r.rule_id == rule_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenarios": len(self.runs), "passed": sum(r.passed for r in self.runs),
            "failures": [{"scenario": r.scenario.id, "name": r.scenario.name, "status": r.status,
                          "message": r.message} for r in self.failures],
            "percent": round(self.percent, 1),
            "lacking_fire_or_silent": [r.rule_id for r in self.lacking()],
            "rules": [r.to_dict() for r in self.rules],
        }


def _leaf_paths(lr: LoadedRule) -> list[tuple[str, Any, Any]]:
    """(field path, leaf model, compiled leaf) for `when` and every escalation, in rule order."""
    return [(n.path, n.source, n.leaf) for n in leaf_nodes(lr)]


def measure(rules: list[LoadedRule] | tuple[LoadedRule, ...], runs: list[ScenarioRun],
            phrases: Phrases | None = None) -> CoverageReport:
    """Coverage of `rules` by scenario runs made `with_facts=True`."""
    out = []
    for lr in rules:
        leaves = [(p, c) for p, _, c in _leaf_paths(lr)]
        rc = RuleCoverage(lr.id, lr.rule.title, lr.path.as_posix(),
                          leaves=[LeafCoverage(p, c.describe(), phrases.leaf(m) if phrases else "")
                                  for p, m, c in _leaf_paths(lr)])
        for run in runs:
            if not run.passed or lr.id not in run.scenario.rule_ids():
                continue
            rc.scenarios.append(run.scenario.id)
            outcome = run.outcome(lr.id)
            {"fired": rc.fired, "not_fired": rc.silent, "cannot_assess": rc.cannot_assess}.get(
                outcome or "", []).append(run.scenario.id)
            if run.facts is None:
                continue
            for lc, (_, leaf) in zip(rc.leaves, leaves, strict=True):
                v = eval_leaf(leaf, run.facts)
                if v is None:
                    lc.unknown += 1
                elif v:
                    lc.true += 1
                else:
                    lc.false += 1
        out.append(rc)
    return CoverageReport(out, runs)


def run_coverage(engine: Engine, features: Path, twin: Engine | None = None,
                 scenarios: list[Scenario] | None = None, progress: Progress | None = None) -> CoverageReport:
    """Run every scenario under `features` (with the same assertions as pytest-bdd) and measure coverage
    of the engine's active rules.  `twin`, the other matcher, makes every scenario a differential test."""
    scs = scenarios if scenarios is not None else load_features(features)
    runs = run_all(scs, engine, twin, root=Path(features).resolve().parent, with_facts=True, progress=progress)
    return measure(engine.rulebase.rules, runs, Phrases(engine.knowledge))


def render_text(report: CoverageReport, min_coverage: float | None = None) -> str:
    lines = [f"{len(report.runs)} scenarios: {len(report.runs) - len(report.failures)} passed, "
             f"{len(report.failures)} failed", ""]
    for r in report.failures:
        lines.append(f"FAILED {r.scenario.id} {r.scenario.name}\n    {r.message}")
    if report.failures:
        lines.append("")
    lines.append(f"{'rule':<13}{'fired':>6}{'silent':>7}{'n/a':>5}{'conditions':>12}{'cover':>8}")
    for rc in report.rules:
        both = sum(lf.both_ways for lf in rc.leaves)
        lines.append(f"{rc.rule_id:<13}{len(rc.fired):>6}{len(rc.silent):>7}{len(rc.cannot_assess):>5}"
                     f"{f'{both}/{len(rc.leaves)}':>12}{rc.percent:>7.0f}%")
        lines.extend(f"    - {g}" for g in rc.gaps())
    lines += ["", f"rule base coverage: {report.percent:.1f}%"
              + (f" (minimum {min_coverage:g}%)" if min_coverage is not None else "")]
    lacking = report.lacking()
    if lacking:
        lines.append(f"active rules without both a firing and a silent scenario: "
                     f"{', '.join(r.rule_id for r in lacking)}")
    return "\n".join(lines)
