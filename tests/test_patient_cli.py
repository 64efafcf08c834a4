"""Every whole-patient scenario, run through the command line, gives exactly the findings its feature states.

For each scenario in features/patients, `setpoint evaluate <file> --as-of <date> --format json` is run
as a subprocess (`python -m engine.cli`) and its findings, grouped (related) ones included, are compared
with the scenario's `the findings are exactly:` table, read with the same Gherkin parser and step
vocabulary as the scenario runner (engine/scenarios.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from setpoint import scenarios as sc

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"
PATIENT_FEATURES = sorted((FEATURES / "patients").glob("*.feature"))
SCENARIOS = [s for path in PATIENT_FEATURES for s in sc.parse_feature(path, FEATURES)]


def _steps(scenario: sc.Scenario) -> tuple[str, str, list[tuple[str, str, str]]]:
    """(snapshot path, evaluation date, expected findings) from the scenario's own steps."""
    path = day = None
    expected: list[tuple[str, str, str]] | None = None
    for step in scenario.steps:
        hit = sc.find_step(step.keyword, step.text)
        assert hit is not None, f"{scenario.id}: no step definition matches {step.text!r}"
        sdef, args = hit
        if sdef.func is sc.snapshot_file:
            path = args["path"]
        elif sdef.func is sc.evaluation_date:
            day = args["day"]
        elif sdef.func is sc.findings_exactly:
            assert step.datatable is not None
            expected = [(r["rule"], r["severity"], r.get("outcome", "fired")) for r in sc.rows(step.datatable)]
    assert path and day and expected is not None, f"{scenario.id}: needs a snapshot file, a date and a findings table"
    return path, day, expected


def test_every_example_patient_has_exactly_one_scenario() -> None:
    used = Counter(_steps(s)[0] for s in SCENARIOS)
    files = {f"examples/patients/{p.name}" for p in (ROOT / "examples" / "patients").glob("*.yaml")}
    assert len(files) >= 20
    assert set(used) == files, f"without a scenario: {sorted(files - set(used))}; unknown: {sorted(set(used) - files)}"
    assert all(n == 1 for n in used.values()), used


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_cli_gives_exactly_the_findings_of_the_feature(scenario: sc.Scenario) -> None:
    path, day, expected = _steps(scenario)
    snapshot = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    # The file carries the same date, so `setpoint evaluate <file>` without --as-of gives the same report.
    assert str(snapshot.get("as_of")) == day, f"{path}: as_of {snapshot.get('as_of')} differs from {day}"
    proc = subprocess.run(
        [sys.executable, "-m", "setpoint.cli", "evaluate", path, "--as-of", day, "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["as_of"] == day
    actual = [(f["rule_id"], f["severity"], f["outcome"]) for f in report["findings"]]
    actual += [(g["rule_id"], g["severity"], g["outcome"]) for f in report["findings"] for g in f["related"]]
    assert sorted(actual) == sorted(expected)
