"""The CLI as a user runs it: exit codes, formats, messages without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "perimenopause-and-lithium.yaml"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "setpoint.cli", *args], capture_output=True, text=True,
                          input=stdin, cwd=ROOT, timeout=120)


def test_evaluate_text_exit_zero() -> None:
    p = run("evaluate", str(EXAMPLE), "--as-of", "2026-11-21")
    assert p.returncode == 0, p.stderr
    assert "[CRITICAL]" in p.stdout and "HR-EST-001" in p.stdout


def test_fail_on_exit_one() -> None:
    assert run("evaluate", str(EXAMPLE), "--as-of", "2026-11-21", "--fail-on", "critical").returncode == 1


def test_fail_on_not_reached_exit_zero() -> None:
    p = run("evaluate", "-", "--as-of", "2026-11-21", "--fail-on", "moderate",
            stdin='{"patient": {"sex": "male", "age": 40}}')
    assert p.returncode == 0, p.stdout + p.stderr


def test_json_format_from_stdin() -> None:
    p = run("evaluate", "-", "--as-of", "2026-11-21", "--format", "json", stdin=EXAMPLE.read_text())
    assert p.returncode == 0
    assert json.loads(p.stdout)["as_of"] == "2026-11-21"


def test_bad_input_exit_two_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"patient": {"sex": "female", "age": "sixty"}}')
    p = run("evaluate", str(bad), "--as-of", "2026-11-21")
    assert p.returncode == 2
    assert "patient.age" in p.stderr and str(bad) in p.stderr
    assert "Traceback" not in p.stderr


def test_missing_file_exit_two() -> None:
    p = run("evaluate", "nope.yaml", "--as-of", "2026-11-21")
    assert p.returncode == 2 and "file not found" in p.stderr


def test_bad_as_of_exit_two() -> None:
    p = run("evaluate", str(EXAMPLE), "--as-of", "21/11/2026")
    assert p.returncode == 2 and "--as-of" in p.stderr


def test_bad_rule_base_exit_two(rules_copy: Path) -> None:
    f = rules_copy / "neuro" / "lithium" / "lithium-with-nsaid.yaml"
    f.write_text(f.read_text().replace("severity: high", "severity: urgent", 1))
    p = run("evaluate", str(EXAMPLE), "--as-of", "2026-11-21", "--rules", str(rules_copy))
    assert p.returncode == 2
    assert "lithium-with-nsaid.yaml" in p.stderr and "NC-LI-026" in p.stderr and "severity" in p.stderr


def test_rules_list() -> None:
    p = run("rules", "list")
    assert p.returncode == 0 and "HR-EST-001" in p.stdout


def test_schema_snapshot_and_rule() -> None:
    for what in ("snapshot", "rule"):
        p = run("schema", what)
        assert p.returncode == 0 and json.loads(p.stdout)["type"] == "object"


def test_explain_shows_condition_outcomes() -> None:
    p = run("explain", str(EXAMPLE), "--rule", "NC-LI-019", "--as-of", "2026-11-21")
    assert p.returncode == 0, p.stderr
    assert "[TRUE ]" in p.stdout and "1.6" in p.stdout and "2026-11-18" in p.stdout


def test_compiled_matcher_gives_the_same_report() -> None:
    a = run("evaluate", str(EXAMPLE), "--as-of", "2026-11-21", "-f", "json")
    b = run("evaluate", str(EXAMPLE), "--as-of", "2026-11-21", "-f", "json", "--matcher", "compiled")
    da, db = json.loads(a.stdout), json.loads(b.stdout)
    assert da.pop("matcher") == "durable" and db.pop("matcher") == "compiled"
    assert da == db


def _crashing(*args: str) -> subprocess.CompletedProcess[str]:
    code = ("import sys, setpoint.cli as c, setpoint.core as core\n"
            "def boom(*a, **k):\n    raise ZeroDivisionError('division by zero')\n"
            "core.Engine.evaluate = boom\n"
            f"sys.argv = ['setpoint', *{list(args)!r}]\nc.main()\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_an_internal_error_exits_3_with_one_line_and_no_trace() -> None:
    r = _crashing("evaluate", str(EXAMPLE), "--as-of", "2026-11-21")
    assert r.returncode == 3
    assert r.stderr.count("\n") == 1 and "internal error (ZeroDivisionError" in r.stderr
    assert "Traceback" not in r.stderr and "--debug" in r.stderr
    d = _crashing("evaluate", str(EXAMPLE), "--as-of", "2026-11-21", "--debug")
    assert d.returncode == 3 and "Traceback" in d.stderr


def test_an_unwritable_output_is_a_clear_exit_2(tmp_path: Path) -> None:
    r = run("evaluate", str(EXAMPLE), "--as-of", "2026-11-21", "-o", str(tmp_path / "missing" / "x.txt"))
    assert r.returncode == 2 and "--output: cannot write" in r.stderr and "Traceback" not in r.stderr


def test_the_result_schema_is_printed_and_every_result_carries_its_version() -> None:
    r = run("schema", "result")
    schema = json.loads(r.stdout)
    assert r.returncode == 0 and "schema_version" in schema["properties"]
    out = json.loads(run("evaluate", str(EXAMPLE), "--as-of", "2026-11-21", "--format", "json").stdout)
    assert out["schema_version"] == "1"
