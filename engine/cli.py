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
    verify: Annotated[bool, typer.Option(
        "--verify", help="Refuse a rule base that does not match its manifest (see `serve --verify`).")] = False,
    trusted_key: Annotated[Path | None, typer.Option(
        "--trusted-key", help="Ed25519 public key (PEM) the release manifest must be signed with.")] = None,
) -> None:
    """Evaluate one patient snapshot and print the report."""
    if trusted_key is not None and not verify:
        fail("--trusted-key needs --verify")
    if verify:
        _verify_rulebase(rules, knowledge, trusted_key)
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
) -> None:
    """Check every rule: schema, references, units, reviews, wording, contradictions, shadowing.

    Exit 1 when there are errors, 0 with warnings only."""
    from engine.review.lint import lint

    report = lint(rules, knowledge, reports, as_of=_date(as_of) or date.today())
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
    from engine import paths
    from engine.review.coverage import render_text, run_coverage
    from engine.scenarios import FeatureError

    eng = _load(rules, knowledge, matcher.value)
    twin = _load(rules, knowledge, "compiled") if eng.matcher == "durable" else None
    folder = features or paths.features_dir()
    if not folder.is_dir():
        fail(f"--features: {folder} is not a folder")
    try:
        report = run_coverage(eng, folder, twin)
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
    from engine.review.audit import build, render
    from engine.scenarios import FeatureError

    try:
        data = build(rules, knowledge, features, _date(as_of) or date.today(), scenarios=scenarios)
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
) -> None:
    """Rules added, removed and changed field by field, and which scenario patients gain or lose findings.

    Exit 1 when conditions or severity changed without a version bump; 2 when a rule base does not load."""
    from engine.review.diff import diff
    from engine.scenarios import FeatureError

    for label, folder in (("OLD", old), ("NEW", new)):
        if not folder.is_dir():
            fail(f"{label}: {folder} is not a folder")
    try:
        result = diff(old, new, knowledge, features)
    except (SetpointError, FeatureError) as e:
        fail(str(e))
    typer.echo(json.dumps(result.to_dict(), indent=2) if fmt == ReviewFmt.json else result.text())
    unloadable = any(p.file.startswith(("OLD:", "NEW:")) for p in result.errors)
    raise typer.Exit(2 if unloadable else (1 if result.errors else 0))


@rules_app.command("manifest")
def rules_manifest(
    rules: RulesOpt = None,
    check: Annotated[bool, typer.Option("--check", help="Verify the manifest instead of writing it.")] = False,
) -> None:
    """Write rules/MANIFEST.sha256.json (per-file SHA-256 and the rule base version), or --check it."""
    from engine import paths
    from engine.errors import IntegrityError
    from engine.manifest import compute, verify_manifest, write_manifest

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


def _verify_rulebase(rules: Path | None, knowledge: Path | None, trusted_key: Path | None) -> None:
    """--verify: the rules/ manifest; with --trusted-key, the signed release manifest (rules, knowledge,
    reports).  Exits 2 naming each file that does not match."""
    from engine import paths
    from engine.manifest import verify_manifest

    try:
        if trusted_key is not None:
            from engine import signing

            signing.verify(signing.roots(rules, knowledge), trusted_key)
        verify_manifest(rules or paths.rules_dir())
    except SetpointError as e:
        fail(str(e))


@rules_app.command("keygen")
def rules_keygen(
    out: Annotated[Path, typer.Option("--out", help="Private key file to create (and OUT.pub).")],
) -> None:
    """Create an Ed25519 key pair for signing releases (the private key file is 0600)."""
    from engine.signing import generate

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
    from engine import signing

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
    from engine.service.replay import render_replay, replay_log

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
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")] = 1,
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
        "--eval-timeout", min=0.1, max=600, help="Seconds one evaluation may take before a 503 (default 20).")]
    = None,
    decision_log: Annotated[bool, typer.Option(
        "--decision-log/--no-decision-log", help="Append one JSON line per hook call to DATA_DIR/decisions.jsonl.")]
    = True,
    decision_log_inputs: Annotated[bool, typer.Option(
        "--decision-log-inputs", help="Also log what was evaluated (PATIENT DATA), for `setpoint replay`.")] = False,
) -> None:
    """Run the CDS Hooks service: discovery, patient-view, order-select, order-sign and feedback."""
    from engine.service.settings import Settings, parse_trust, read_trust_file
    from engine.service.urls import is_loopback

    if trusted_key is not None and not verify:
        fail("--trusted-key needs --verify")
    if (ssl_certfile is None) != (ssl_keyfile is None):
        fail("--ssl-certfile and --ssl-keyfile go together")
    if verify:  # before anything else is loaded: a tampered rule base never serves a request
        _verify_rulebase(rules, knowledge, trusted_key)
    import logging
    import os

    import uvicorn

    from engine.core import Engine
    from engine.service.app import check_trust, create_app
    from engine.service.safety import log_config as safe_log_config
    from engine.service.store import Store

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
                     "eval_timeout": eval_timeout, "public_url": public_url, "trusted_key": trusted_key}
        base = Settings.from_env().model_dump()
        values = base | {k: v for k, v in overrides.items() if v is not None} | {
            "trust": tuple(issuers.values()), "allow_unauthenticated": allow_unauthenticated,
            "fhir_allow": (*base["fhir_allow"], *shared), "cors_origins": tuple(cors_origin or ()),
            "decision_log": decision_log, "decision_log_inputs": decision_log_inputs}
        settings = Settings.model_validate(values)
        check_trust(settings)
        # Load the rule base and open the database now, so that a problem is reported before listening.
        if workers == 1:
            asgi = create_app(settings)
        else:  # the workers build their own app; here only check that they will be able to
            Engine.load(rules=settings.rules, knowledge=settings.knowledge, verify=settings.verify)
            Store(settings.data_dir)
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
    from engine.service.protocol import NoDelayH11Protocol

    tls = {"ssl_certfile": str(ssl_certfile), "ssl_keyfile": str(ssl_keyfile)} if ssl_certfile else {}
    if workers == 1:
        uvicorn.run(asgi, host=host, port=port, log_level=log_level.value, log_config=log_config,
                    http=NoDelayH11Protocol, server_header=False, **tls)
    else:  # each worker process builds the app from the same settings, passed in the environment
        os.environ.update(settings.to_env())
        uvicorn.run("engine.service.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level.value, log_config=log_config, http=NoDelayH11Protocol,
                    server_header=False, **tls)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
