"""The `setpoint` command line.

Exit codes: 0 the evaluation ran; 1 a finding is at or above `--fail-on`; 2 bad input or a bad rule
base (the message names the file, field and problem); 3 an internal error (a one-line message;
`--debug` prints the trace).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from .errors import RuleBaseError, SetpointError

if TYPE_CHECKING:
    from .batch import PopulationDiff

EPILOG = ("Exit codes: 0 ran; 1 a finding at or above --fail-on; 2 bad input or rule base; 3 internal error "
          "(add --debug for the trace).  Example: setpoint evaluate case.yaml --as-of 2026-11-21 --fail-on high")
app = typer.Typer(add_completion=False, no_args_is_help=True, help="Setpoint clinical decision support.",
                  epilog=EPILOG, pretty_exceptions_enable=False)
rules_app = typer.Typer(no_args_is_help=True, help="Inspect the rule base.")
schema_app = typer.Typer(no_args_is_help=True, help="Print JSON Schemas.")
app.add_typer(rules_app, name="rules")
app.add_typer(schema_app, name="schema")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"setpoint {version('setpoint')}")
        except PackageNotFoundError:  # pragma: no cover - running from a checkout without an install
            typer.echo("setpoint (not installed)")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Setpoint clinical decision support."""


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


StrictFhirOpt = Annotated[bool, typer.Option(
    "--strict-fhir", help="Validate every FHIR resource the engine uses whole with fhir.resources (slower; the "
                          "default reads only the elements used, with the same checks; SETPOINT_STRICT_FHIR=1).")]


def _load(rules: Path | None, knowledge: Path | None, matcher: str = "durable", verify: bool = False,
          once: bool = False):
    """The engine; `once` for a command that evaluates one case and exits (freezing it out of the garbage
    collector would cost a full collection, ~60 ms, and save nothing)."""
    from .core import Engine

    try:
        return Engine.load(rules=rules, knowledge=knowledge, matcher=matcher, verify=verify,  # type: ignore[arg-type]
                           freeze=_PROCESS["freeze"] and not once)
    except RuleBaseError as e:
        fail("rule base is invalid:\n  " + "\n  ".join(e.problems))
    except SetpointError as e:
        fail(str(e))


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar with counts, rate and ETA on standard error, when it is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


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
    show_all: Annotated[bool, typer.Option(
        "--all", help="Also list every rule that did not fire, with why (text, Markdown, HTML).")] = False,
    rules: RulesOpt = None,
    knowledge: KnowledgeOpt = None,
    verify: Annotated[bool, typer.Option(
        "--verify", help="Refuse a rule base that does not match its manifest (see `serve --verify`).")] = False,
    trusted_key: Annotated[Path | None, typer.Option(
        "--trusted-key", help="Ed25519 public key (PEM) the release manifest must be signed with.")] = None,
    strict_fhir: StrictFhirOpt = False,
) -> None:
    """Evaluate one patient snapshot and print the report."""
    if trusted_key is not None and not verify:
        fail("--trusted-key needs --verify")
    if verify:
        _verify_rulebase(rules, knowledge, trusted_key)
    eng = _load(rules, knowledge, matcher.value, once=True)
    data, source = _read_input(path)
    when = _date(as_of)
    try:
        snap = eng.snapshot(data, source=source, strict_fhir=strict_fhir or None)
        result = eng.evaluate(snap, as_of=when, default_as_of=date.today())
    except SetpointError as e:
        fail(str(e))
    report = eng.renderer.report(result, fmt.value, show_all=show_all)
    if output:
        try:
            output.write_text(report, encoding="utf-8")
        except OSError as e:
            fail(f"--output: cannot write {output}: {e.strerror or e}")
    else:
        typer.echo(report, nl=not report.endswith("\n"))
    if fail_on is not None and result.at_or_above(fail_on.value):
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
    from .explain import explain_rule, render_explanation

    eng = _load(rules, knowledge, "compiled", once=True)
    data, source = _read_input(path)
    try:
        report = explain_rule(eng, eng.snapshot(data, source=source), rule, _date(as_of), default_as_of=date.today())
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
    from .snapshot.models import Snapshot

    typer.echo(json.dumps(Snapshot.model_json_schema(), indent=2))


@schema_app.command("result")
def schema_result() -> None:
    """JSON Schema of an evaluation result (`--format json`), with its schema_version."""
    from .findings import EvaluationResult

    typer.echo(json.dumps(EvaluationResult.model_json_schema(), indent=2))


@schema_app.command("rule")
def schema_rule() -> None:
    """JSON Schema of a rule file."""
    from .rules.schema import Rule

    typer.echo(json.dumps(Rule.model_json_schema(), indent=2))


# ------------------------------------------------------------------ the safety reviewer's toolkit


class ReviewFmt(StrEnum):
    text = "text"
    json = "json"


class AuditFmt(StrEnum):
    html = "html"
    markdown = "markdown"


FeaturesOpt = Annotated[Path | None, typer.Option("--features", help="Gherkin features folder (default: features/).")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Today's date for review due dates (default: today).")]


@rules_app.command("lint")
def rules_lint(
    rules: RulesOpt = None,
    knowledge: KnowledgeOpt = None,
    fmt: Annotated[ReviewFmt, typer.Option("--format", "-f")] = ReviewFmt.text,
    as_of: AsOfOpt = None,
    reports: Annotated[Path | None, typer.Option("--reports", help="Report templates folder.")] = None,
    require_signoff: Annotated[bool, typer.Option(
        "--require-signoff", help="An active rule without reviewed.clinical_signoff is an error (production "
                                  "gates).")] = False,
) -> None:
    """Check every rule: schema, references, units, reviews, wording, contradictions, shadowing.

    Exit 1 when there are errors, 0 with warnings only."""
    from .review.lint import lint

    report = lint(rules, knowledge, reports, as_of=_date(as_of) or date.today(), require_signoff=require_signoff)
    typer.echo(json.dumps(report.to_dict(), indent=2) if fmt == ReviewFmt.json else report.text())
    raise typer.Exit(1 if report.errors else 0)


@rules_app.command("test")
def rules_test(
    rules: RulesOpt = None,
    knowledge: KnowledgeOpt = None,
    features: FeaturesOpt = None,
    min_coverage: Annotated[float | None, typer.Option(
        "--min-coverage", min=0, max=100, help="Exit 1 when the rule base's coverage (%) is below this.")] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit 1 when an active rule lacks a firing or a silent scenario.")] = False,
    fmt: Annotated[ReviewFmt, typer.Option("--format", "-f")] = ReviewFmt.text,
    matcher: Annotated[MatcherOpt, typer.Option(
        "--matcher", help="durable: also check every scenario against the compiled matcher, as pytest-bdd does; "
                          "compiled: the compiled matcher alone (faster).")] = MatcherOpt.durable,
) -> None:
    """Run the Gherkin scenarios and report per-rule coverage (fired, silent, each condition both ways).

    Exit 1 when a scenario fails or coverage is below --min-coverage."""
    from . import paths
    from .review.coverage import render_text, run_coverage
    from .scenarios import FeatureError

    eng = _load(rules, knowledge, matcher.value)
    twin = _load(rules, knowledge, "compiled") if eng.matcher == "durable" else None
    folder = features or paths.features_dir()
    if not folder.is_dir():
        fail(f"--features: {folder} is not a folder")
    try:
        with progress_bar("scenarios") as tick:
            report = run_coverage(eng, folder, twin, progress=tick)
    except FeatureError as e:
        fail(str(e))
    typer.echo(json.dumps(report.to_dict(), indent=2) if fmt == ReviewFmt.json else render_text(report, min_coverage))
    below = min_coverage is not None and report.percent < min_coverage
    raise typer.Exit(1 if report.failures or below or (strict and report.lacking()) else 0)


@rules_app.command("audit")
def rules_audit(
    fmt: Annotated[AuditFmt, typer.Option("--format", "-f")] = AuditFmt.html,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to a file.")] = None,
    rules: RulesOpt = None,
    knowledge: KnowledgeOpt = None,
    features: FeaturesOpt = None,
    as_of: AsOfOpt = None,
    scenarios: Annotated[bool, typer.Option(
        "--scenarios/--no-scenarios", help="Run the scenarios for coverage.")] = True,
) -> None:
    """A reviewer's report of the whole rule base: each rule in plain language, sources, reviews, coverage."""
    from .review.audit import build, render
    from .scenarios import FeatureError

    try:
        with progress_bar("scenarios") as tick:
            data = build(rules, knowledge, features, _date(as_of) or date.today(), scenarios=scenarios, progress=tick)
    except (SetpointError, FeatureError) as e:
        fail(str(e))
    report = render(data, fmt.value)
    if output:
        output.write_text(report, encoding="utf-8")
        typer.echo(f"wrote {output}: {data['counts']['rules']} rules", err=True)
    else:
        typer.echo(report, nl=not report.endswith("\n"))


@rules_app.command("diff")
def rules_diff(
    old: Annotated[Path, typer.Argument(help="The old rule base folder.")],
    new: Annotated[Path, typer.Argument(help="The new rule base folder.")],
    knowledge: KnowledgeOpt = None,
    features: Annotated[Path | None, typer.Option(
        "--features", help="Scenarios for the behavioural diff (default: features/ beside NEW, else bundled).")] = None,
    fmt: Annotated[ReviewFmt, typer.Option("--format", "-f")] = ReviewFmt.text,
    population: Annotated[Path | None, typer.Option(
        "--population", help="Also evaluate this population (as for `setpoint batch`) with both rule bases and "
                             "report, per rule, how many patients gain or lose which finding.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Evaluation date for --population, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Rules added, removed and changed field by field, and which scenario patients gain or lose findings.

    Exit 1 when conditions or severity changed without a version bump; 2 when a rule base does not load."""
    from .review.diff import diff
    from .scenarios import FeatureError

    for label, folder in (("OLD", old), ("NEW", new)):
        if not folder.is_dir():
            fail(f"{label}: {folder} is not a folder")
    if population is not None and not population.exists():
        fail(f"--population: {population} does not exist")
    try:
        with progress_bar("scenarios, old and new rule bases") as tick:
            result = diff(old, new, knowledge, features, progress=tick)
    except (SetpointError, FeatureError) as e:
        fail(str(e))
    unloadable = any(p.file.startswith(("OLD:", "NEW:")) for p in result.errors)
    when = _date(as_of) or date.today()
    with_population = population is not None and not unloadable
    if fmt == ReviewFmt.json:
        pop = _population_diff(old, new, population, when, knowledge) if with_population else None
        typer.echo(json.dumps(result.to_dict() | ({"population": pop.to_dict()} if pop else {}), indent=2))
    else:
        typer.echo(result.text())
        if with_population:  # printed after the rule diff, which the reader can start on meanwhile
            typer.echo(_population_diff(old, new, population, when, knowledge).text(), nl=False)
    raise typer.Exit(2 if unloadable else (1 if result.errors else 0))


def _population_diff(old: Path, new: Path, population: Path | None, as_of: date,
                     knowledge: Path | None) -> PopulationDiff:
    assert population is not None
    from .batch import population_diff

    try:
        return population_diff(old, new, population, as_of, knowledge, progress=sys.stderr.isatty())
    except SetpointError as e:
        fail(str(e))


@rules_app.command("manifest")
def rules_manifest(
    rules: RulesOpt = None,
    check: Annotated[bool, typer.Option("--check", help="Verify the manifest instead of writing it.")] = False,
) -> None:
    """Write rules/MANIFEST.sha256.json (per-file SHA-256 and the rule base version), or --check it."""
    from . import paths
    from .errors import IntegrityError
    from .manifest import compute, verify_manifest, write_manifest

    folder = rules or paths.rules_dir()
    try:
        if check:
            verify_manifest(folder)
            typer.echo(f"{folder}: every file matches the manifest")
            return
        target = write_manifest(folder)
        m = compute(folder)
    except IntegrityError as e:
        fail(str(e), 1 if check else 2)
    typer.echo(f"wrote {target}: {len(m['files'])} files, rule base {m['rulebase']} {m['version']}")


# ------------------------------------------------------------------ population screening


@app.command()
def batch(
    input: Annotated[Path, typer.Argument(
        help="A folder of Bundle JSON files, an NDJSON file of Bundles, or a FHIR Bulk Data export folder.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The Parquet file to write: one row per finding.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluation date YYYY-MM-DD (default: today).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Run on this Dask distributed scheduler, e.g. tcp://host:8786 (default: local processes).")]
    = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, max=256, help="Local worker processes (default: one per core).")] = None,
    partition_size: Annotated[int | None, typer.Option(
        "--partition-size", min=1, max=100_000,
        help="Patients per partition, the unit of work and of resuming (default: 1/64 of the population, 10-200).")]
    = None,
    work: Annotated[Path | None, typer.Option(
        "--work", help="Folder of the input index and finished partitions (default: OUT.work); rerun to resume.")]
    = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
    rules: RulesOpt = None,
    knowledge: KnowledgeOpt = None,
    strict_fhir: StrictFhirOpt = False,
) -> None:
    """Screen a population: every patient's findings to Parquet, a per-rule summary (JSON) and an HTML page.

    A patient whose record cannot be evaluated becomes a row with outcome "error" and the run goes on.
    Exit 0 when the run completed; 1 when it stopped early (rerun to resume); 2 for a bad input path, option or
    rule base."""
    from .batch import BatchIncomplete, BatchOptions, run_batch

    opts = BatchOptions(input=input, out=out, as_of=_date(as_of) or date.today(), scheduler=scheduler,
                        workers=workers, partition_size=partition_size, work=work, rules=rules, knowledge=knowledge,
                        progress=progress, strict_fhir=strict_fhir)
    try:
        report = run_batch(opts)
    except BatchIncomplete as e:
        fail(str(e), 1)
    except SetpointError as e:
        fail(str(e))
    s = report.summary
    typer.echo(f"{s.patients} patients ({s.errors} could not be evaluated), {s.findings} findings as of {s.as_of}; "
               f"wrote {report.out}, {report.summary_path}, {report.html_path} "
               f"({report.partitions_reused} of {report.partitions} partitions reused)")
    if s.unreadable_lines:
        typer.echo(f"warning: {s.unreadable_lines} Bulk Data lines were not JSON objects and were left out", err=True)


def _verify_rulebase(rules: Path | None, knowledge: Path | None, trusted_key: Path | None) -> None:
    """--verify: the rules/ manifest; with --trusted-key, the signed release manifest (rules, knowledge,
    reports).  Exits 2 naming each file that does not match."""
    from . import paths
    from .manifest import verify_manifest

    try:
        if trusted_key is not None:
            from . import signing

            signing.verify(signing.roots(rules, knowledge), trusted_key)
        verify_manifest(rules or paths.rules_dir())
    except SetpointError as e:
        fail(str(e))


@rules_app.command("keygen")
def rules_keygen(
    out: Annotated[Path, typer.Option("--out", help="Private key file to create (and OUT.pub).")],
) -> None:
    """Create an Ed25519 key pair for signing releases (the private key file is 0600)."""
    from .signing import generate

    if out.exists():
        fail(f"--out: {out} exists; not overwriting a key")
    key, pub = generate(out)
    typer.echo(f"wrote {key} (private: keep it off the servers) and {pub} (give it to --trusted-key)")


@rules_app.command("sign")
def rules_sign(
    key: Annotated[Path, typer.Option("--key", help="Ed25519 private key (PEM), from `setpoint rules keygen`.")],
    rules: RulesOpt = None,
    knowledge: KnowledgeOpt = None,
    reports: Annotated[Path | None, typer.Option("--reports", help="Report templates folder.")] = None,
) -> None:
    """Sign the release: a manifest of rules/, knowledge/ and reports/ and its detached Ed25519 signature."""
    from . import signing

    try:
        target, sig, m = signing.sign(signing.roots(rules, knowledge, reports), key)
    except SetpointError as e:
        fail(str(e))
    typer.echo(f"wrote {target} ({len(m['files'])} files, rule base {m['rulebase']} {m['version']}) and {sig}")


@app.command()
def replay(
    log: Annotated[Path, typer.Argument(help="A decision log (DATA_DIR/decisions.jsonl).")],
    rules: RulesOpt = None,
    knowledge: KnowledgeOpt = None,
    fmt: Annotated[ReviewFmt, typer.Option("--format", "-f")] = ReviewFmt.text,
) -> None:
    """What another rule base would have answered for the logged hook calls.

    Needs a log written with `serve --decision-log-inputs`; records without inputs are counted, not replayed.
    Exit 1 when any answer differs."""
    from .service.replay import render_replay, replay_log

    eng = _load(rules, knowledge)
    try:
        report = replay_log(eng, log)
    except (OSError, SetpointError) as e:
        fail(f"{log}: {e}")
    typer.echo(json.dumps(report, indent=2) if fmt == ReviewFmt.json else render_replay(report))
    raise typer.Exit(1 if report["changed"] else 0)


# ------------------------------------------------------------------ the CDS Hooks service


class LogLevel(StrEnum):
    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8080,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64,
        help="Server (uvicorn) processes: each reads requests, authenticates, fetches from FHIR servers and "
             "writes the card log, and has its own --eval-processes. More than 1 only helps when the server "
             "side, not evaluation, is the bottleneck.")] = 1,
    eval_processes: Annotated[int | None, typer.Option(
        "--eval-processes", min=0, max=256,
        help="Evaluation worker processes per server process (default: $SETPOINT_EVAL_PROCESSES, else the "
             "number of cores divided by --workers, at least 1). Each loads the engine once; an evaluation "
             "past --eval-timeout is stopped by killing its worker, which is replaced. 0: evaluate in "
             "threads of the server process (debugging; a late evaluation cannot be stopped).")] = None,
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Folder of the feedback database and decision log (default: $SETPOINT_DATA_DIR, else "
                           "~/.local/share/setpoint); created 0700.")] = None,
    max_body_bytes: Annotated[int | None, typer.Option(
        "--max-body-bytes", min=1, help="Largest request body accepted (default: 16 MiB).")] = None,
    log_level: Annotated[LogLevel, typer.Option("--log-level", help="Log level (no patient data at any level).")]
    = LogLevel.info,
    rules: RulesOpt = None,
    knowledge: KnowledgeOpt = None,
    verify: Annotated[bool, typer.Option(
        "--verify", help="Refuse a rule base whose files do not match its manifest (with --trusted-key: its "
                         "signed release manifest, covering rules/, knowledge/ and reports/).")] = False,
    trusted_key: Annotated[Path | None, typer.Option(
        "--trusted-key", help="Ed25519 public key (PEM) the release manifest must be signed with (needs --verify).")]
    = None,
    trust: Annotated[list[str] | None, typer.Option(
        "--trust", help="A trusted CDS client: ISSUER=JWKS_URL (repeatable).")] = None,
    trust_file: Annotated[Path | None, typer.Option(
        "--trust-file", help='Trusted CDS clients as JSON: {"issuers": [{"iss", "jwks_url", "jku": [], '
                             '"fhir_servers": []}]}.')] = None,
    fhir_allow: Annotated[list[str] | None, typer.Option(
        "--fhir-allow", help="A FHIR server base URL the service may call: URL (any trusted client) or "
                             "ISSUER=URL (that client only); repeatable. Default: none.")] = None,
    public_url: Annotated[str | None, typer.Option(
        "--public-url", help="The service's URL as EHRs call it (JWT aud); default http(s)://HOST:PORT.")] = None,
    allow_unauthenticated: Annotated[bool, typer.Option(
        "--allow-unauthenticated", help="Accept calls without a JWT (loopback --host only; for trying it out).")]
    = False,
    ssl_certfile: Annotated[Path | None, typer.Option("--ssl-certfile", help="TLS certificate (PEM).")] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option("--ssl-keyfile", help="TLS private key (PEM).")] = None,
    cors_origin: Annotated[list[str] | None, typer.Option(
        "--cors-origin", help="A browser origin allowed by CORS (repeatable; default: CORS off).")] = None,
    eval_timeout: Annotated[float | None, typer.Option(
        "--eval-timeout", min=0.1, max=600,
        help="Seconds one evaluation may take before a 503 and its worker is stopped (default 20); a request "
             "also waits at most this long for a free worker.")]
    = None,
    decision_log: Annotated[bool, typer.Option(
        "--decision-log/--no-decision-log", help="Append one JSON line per hook call to DATA_DIR/decisions.jsonl.")]
    = True,
    decision_log_inputs: Annotated[bool, typer.Option(
        "--decision-log-inputs", help="Also log what was evaluated (PATIENT DATA), for `setpoint replay`.")] = False,
    page_password_file: Annotated[Path | None, typer.Option(
        "--page-password-file", help="File whose first line is the password of the clinician's page at / (else "
                                     "$SETPOINT_PAGE_PASSWORD; without either the page is open only with "
                                     "--allow-unauthenticated).")] = None,
    strict_fhir: StrictFhirOpt = False,
) -> None:
    """Run the CDS Hooks service (discovery, patient-view, order-select, order-sign and feedback) and the
    clinician's page at / (paste or upload a record, read the report, record feedback)."""
    from .service.settings import Settings, parse_trust, read_trust_file
    from .service.urls import is_loopback


    if trusted_key is not None and not verify:
        fail("--trusted-key needs --verify")
    if (ssl_certfile is None) != (ssl_keyfile is None):
        fail("--ssl-certfile and --ssl-keyfile go together")
    if verify:  # before anything else is loaded: a tampered rule base never serves a request
        _verify_rulebase(rules, knowledge, trusted_key)
    import logging
    import os

    import uvicorn

    if strict_fhir:  # read by Engine.load in this process and in every worker process it starts
        os.environ["SETPOINT_STRICT_FHIR"] = "1"

    from .core import Engine
    from .service.app import check_trust, create_app
    from .service.safety import log_config as safe_log_config
    from .service.store import Store

    try:
        issuers = {i.iss: i for i in read_trust_file(trust_file)} if trust_file else {}
        for value in trust or []:
            i = parse_trust(value)
            issuers[i.iss] = i
        shared: list[str] = []
        for value in fhir_allow or []:
            iss, sep, url = value.partition("=")
            if sep and "?" not in iss and iss in issuers:
                issuers[iss] = issuers[iss].model_copy(update={"fhir_servers": (*issuers[iss].fhir_servers, url)})
            elif sep and "?" not in iss:
                fail(f"--fhir-allow {value!r}: {iss!r} is not a trusted issuer (give --trust first)")
            else:
                shared.append(value)
        if issuers and allow_unauthenticated:
            fail("--allow-unauthenticated and --trust exclude each other")
        if allow_unauthenticated and not is_loopback(host):
            fail(f"--allow-unauthenticated only works on a loopback --host (127.0.0.1, ::1), not {host!r}")
        scheme = "https" if ssl_certfile else "http"
        if issuers and not public_url:
            if host in ("0.0.0.0", "::", ""):
                fail(f"--public-url is required when listening on {host!r}: the JWT aud is checked against it")
            public_url = f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"
        overrides = {"data_dir": data_dir, "max_body_bytes": max_body_bytes, "rules": rules, "knowledge": knowledge,
                     "eval_timeout": eval_timeout, "public_url": public_url, "trusted_key": trusted_key,
                     "page_password_file": page_password_file.resolve() if page_password_file else None}
        base = Settings.from_env().model_dump()
        values = base | {k: v for k, v in overrides.items() if v is not None} | {
            "trust": tuple(issuers.values()), "allow_unauthenticated": allow_unauthenticated,
            "fhir_allow": (*base["fhir_allow"], *shared), "cors_origins": tuple(cors_origin or ()),
            "decision_log": decision_log, "decision_log_inputs": decision_log_inputs}
        if eval_processes is not None:
            values["eval_processes"] = eval_processes
        elif values.get("eval_processes") is None:
            from .service.pool import default_size

            values["eval_processes"] = default_size(workers)
        settings = Settings.model_validate(values)
        check_trust(settings)
        # Load the rule base and open the database now, so that a problem is reported before listening.
        if workers == 1:
            asgi = create_app(settings)
        else:  # the workers build their own app; here only check that they will be able to
            Engine.load(rules=settings.rules, knowledge=settings.knowledge, verify=settings.verify)
            Store(settings.data_dir)
            from .service.page import page_password, session_key

            if page_password(settings) is not None or settings.allow_unauthenticated:  # the page is on
                typer.echo(f"WARNING: with --workers {workers}, the clinician's page may answer a report from "
                           "another process, which does not hold it (reports stay in memory): use --workers 1 "
                           "for the page (its evaluation processes already use every core)", err=True)
            session_key(settings.data_dir)  # made once, before the workers share it
    except RuleBaseError as e:
        fail("rule base is invalid:\n  " + "\n  ".join(e.problems))
    except SetpointError as e:
        fail(str(e))
    except ValueError as e:  # pydantic: a malformed URL or setting
        fail(str(e).splitlines()[0] + ": " + (str(e).splitlines()[2:3] or [""])[0].strip())
    log_config = safe_log_config(log_level.value)
    if allow_unauthenticated:
        logging.getLogger("setpoint.cli").warning("--allow-unauthenticated: no client authentication")
        typer.echo("WARNING: unauthenticated: any process on this machine can call the service", err=True)
    typer.echo(f"Setpoint CDS Hooks service on {scheme}://{host}:{port}/cds-services "
               f"(feedback database in {settings.data_dir})", err=True)
    typer.echo(f"The clinician's page: {scheme}://{f'[{host}]' if ':' in host else host}:{port}/", err=True)
    from .service.protocol import http_protocol

    tls = {"ssl_certfile": str(ssl_certfile), "ssl_keyfile": str(ssl_keyfile)} if ssl_certfile else {}
    if workers == 1:
        uvicorn.run(asgi, host=host, port=port, log_level=log_level.value, log_config=log_config,
                    http=http_protocol(), server_header=False, **tls)
    else:  # each worker process builds the app from the same settings, passed in the environment
        os.environ.update(settings.to_env())
        uvicorn.run(f"{__package__}.service.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level.value, log_config=log_config, http=http_protocol(),
                    server_header=False, **tls)


# A `setpoint` process keeps its engine for its lifetime, so it freezes it out of the garbage collector's
# way; the CLI called in-process (tests, embedding) does not.
_PROCESS = {"freeze": False}


def main() -> None:
    """The `setpoint` entry point: no traceback reaches a user unless `--debug` is given."""
    import traceback

    _PROCESS["freeze"] = True
    debug = "--debug" in sys.argv[1:]
    if debug:
        sys.argv.remove("--debug")
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # anything not already turned into a message and an exit code is a bug
        if debug:
            traceback.print_exc()
        detail = " ".join(str(e).split())[:300]
        typer.echo(f"setpoint: internal error ({e.__class__.__name__}: {detail}); this is a bug, please report it"
                   + ("" if debug else " (rerun with --debug for the trace)"), err=True)
        sys.exit(3)


if __name__ == "__main__":  # pragma: no cover
    main()
