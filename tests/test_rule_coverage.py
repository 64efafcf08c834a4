"""CI gate: every active rule has a scenario in which it fires and one in which it is silent.

Coverage is measured by engine.review.coverage (a scenario counts for a rule when one of its steps
names the rule; see that module for the definitions).  `setpoint rules test` shows the details."""

from __future__ import annotations

from setpoint import Engine
from setpoint.review.coverage import run_coverage

from .conftest import ROOT


def test_every_active_rule_has_a_firing_and_a_silent_scenario(compiled_engine: Engine) -> None:
    report = run_coverage(compiled_engine, ROOT / "features")
    lacking = [f"{r.rule_id} ({r.file}): " + "; ".join(g for g in r.gaps() if g.startswith("no scenario"))
               for r in report.lacking()]
    # Failing scenarios count for no rule (pytest-bdd reports the failures themselves).
    failed = [f"{r.scenario.id} {r.scenario.name}" for r in report.failures]
    assert not lacking, (f"{len(lacking)} active rule(s) lack a firing or a silent scenario "
                         "(add them under features/):\n" + "\n".join(lacking)
                         + ("\nfailing scenarios, not counted:\n" + "\n".join(failed) if failed else ""))
