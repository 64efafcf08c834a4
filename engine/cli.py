"""The `setpoint` command line.

Exit codes: 0 the evaluation ran; 1 a finding is at or above `--fail-on`;
2 bad input or a bad rule base (the message names the file, field and problem).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from engine.errors import RuleBaseError, SetpointError
from engine.rules.schema import SEVERITY_RANK

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Setpoint clinical decision support.")
rules_app = typer.Typer(no_args_is_help=True, help="Inspect the rule base.")
schema_app = typer.Typer(no_args_is_help=True, help="Print JSON Schemas.")
app.add_typer(rules_app, name="rules")
app.add_typer(schema_app, name="schema")


class Fmt(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


class Sev(StrEnum):
    critical = "critical"
    high = "high"
    moderate = "moderate"
    low = "low"
    info = "info"


class MatcherOpt(StrEnum):
    durable = "durable"
    compiled = "compiled"


RulesOpt = Annotated[Path | None, typer.Option("--rules", help="Rule base directory (default: bundled rules/).")]
KnowledgeOpt = Annotated[Path | None, typer.Option("--knowledge", help="Knowledge directory.")]


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"setpoint: error: {message}", err=True)
    raise typer.Exit(code)


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of: {value!r} is not a date (use YYYY-MM-DD)")


def _load(rules: Path | None, knowledge: Path | None, matcher: str = "durable", verify: bool = False):
    from engine.core import Engine

    try:
        return Engine.load(rules=rules, knowledge=knowledge, matcher=matcher, verify=verify)  # type: ignore[arg-type]
    except RuleBaseError as e:
        fail("rule base is invalid:\n  " + "\n  ".join(e.problems))
    except SetpointError as e:
        fail(str(e))


def _read_input(path: str) -> tuple[object, str]:
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    return Path(path), path


@app.command()
def evaluate(
    path: Annotated[str, typer.Argument(help="Snapshot file (JSON or YAML), or - for standard input.")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Evaluation date YYYY-MM-DD (default: the snapshot's as_of, else today).")] = None,
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="Report format.")] = Fmt.text,
    fail_on: Annotated[Sev | None, typer.Option(
        "--fail-on", help="Exit 1 when a finding is at or above this severity.")] = None,
    matcher: Annotated[MatcherOpt, typer.Option("--matcher", help="Matching engine.")] = MatcherOpt.durable,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to a file.")] = None,
    rules: RulesOpt = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Evaluate one patient snapshot and print the report."""
    eng = _load(rules, knowledge, matcher.value)
    data, source = _read_input(path)
    when = _date(as_of)
    try:
        snap = eng.snapshot(data, source)
        result = eng.evaluate(snap, as_of=when or snap.as_of or date.today())
    except SetpointError as e:
        fail(str(e))
    report = eng.renderer.report(result, fmt.value)
    if output:
        output.write_text(report, encoding="utf-8")
    else:
        typer.echo(report, nl=not report.endswith("\n"))
    if fail_on is not None and any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on.value] for f in result.findings):
        raise typer.Exit(1)


@app.command()
def explain(
    path: Annotated[str, typer.Argument(help="Snapshot file, or - for standard input.")],
    rule: Annotated[str, typer.Option("--rule", help="Rule id, e.g. HR-EST-001.")],
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    fmt: Annotated[Fmt, typer.Option("--format", "-f")] = Fmt.text,
    rules: RulesOpt = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Show a rule's condition tree with each condition's outcome for this patient."""
    from engine.explain import explain_rule, render_explanation

    eng = _load(rules, knowledge, "compiled")
    data, source = _read_input(path)
    try:
        snap = eng.snapshot(data, source)
        report = explain_rule(eng, snap, rule, _date(as_of) or snap.as_of or date.today())
    except KeyError:
        fail(f"--rule: no active rule with id {rule!r}")
    except SetpointError as e:
        fail(str(e))
    typer.echo(json.dumps(report, indent=2) if fmt == Fmt.json else render_explanation(report))


@rules_app.command("list")
def rules_list(
    fmt: Annotated[Fmt, typer.Option("--format", "-f")] = Fmt.text,
    rules: RulesOpt = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """List the active rules."""
    eng = _load(rules, knowledge, "compiled")
    rows = [
        {"id": r.id, "version": r.rule.version, "severity": r.rule.severity, "kind": r.rule.kind,
         "domain": r.rule.domain, "topic": r.rule.topic, "title": r.rule.title, "file": r.path.as_posix(),
         "unverified": r.rule.evidence.unverified}
        for r in eng.rulebase.rules
    ]
    if fmt == Fmt.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(f"{eng.rulebase.name} {eng.rulebase.version}: {len(rows)} active rules")
    for row in rows:
        flag = " [unverified]" if row["unverified"] else ""
        typer.echo(f"{row['id']:<12} {row['severity']:<9} {row['kind']:<19} {row['title']}{flag}")


@schema_app.command("snapshot")
def schema_snapshot() -> None:
    """JSON Schema of the patient snapshot."""
    from engine.snapshot.models import Snapshot

    typer.echo(json.dumps(Snapshot.model_json_schema(), indent=2))


@schema_app.command("rule")
def schema_rule() -> None:
    """JSON Schema of a rule file."""
    from engine.rules.schema import Rule

    typer.echo(json.dumps(Rule.model_json_schema(), indent=2))


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
