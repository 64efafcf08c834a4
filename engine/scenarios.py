"""Gherkin scenarios over the engine: the step vocabulary and a runner, shared by pytest-bdd and the CLI.

`features/conftest.py` binds each step below to pytest-bdd with the same sentence; `setpoint rules
test`, `rules audit` and `rules diff` run the same steps through `run_scenario`, so a scenario
means the same thing everywhere.  Scenarios build a snapshot from tables, evaluate it with the
real engine as of an explicit date and assert findings.  Dates in tables may be ISO
(`2026-01-31`), `today`, or relative to the evaluation date (`30d ago`, `in 5d`, `2y ago`).

To add a step: write its function here, register it in `STEPS` with the sentence, and add a
thin wrapper with the identical sentence to `features/conftest.py` (a test checks they agree).

Feature files are parsed with `gherkin-official`, the parser pytest-bdd itself uses (pickles:
backgrounds and scenario outlines expanded exactly as Cucumber defines them).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from .errors import FeatureError
from .findings import EvaluationResult
from .severity import rank

if TYPE_CHECKING:
    from .core import Engine
    from .facts.model import FactValue

Context = dict[str, Any]
DataTable = list[list[str]]
RULE_ID = re.compile(r"\b(?:HR|NC|GN)-[A-Z0-9]{2,6}-\d{3}\b")


def new_context() -> Context:
    return {"as_of": None, "snapshot": {"patient": {}}, "result": None}


_REL = re.compile(r"^(?:(?P<ago>\d+)\s*(?P<u1>[dwmy])\s*ago|in\s*(?P<ahead>\d+)\s*(?P<u2>[dwmy]))$")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def resolve_date(text: str, as_of: date | None) -> str:
    text = text.strip()
    if text in ("", "-"):
        return ""
    if text == "today":
        assert as_of, "set the evaluation date before using relative dates"
        return as_of.isoformat()
    m = _REL.match(text)
    if m:
        assert as_of, "set the evaluation date before using relative dates"
        if m.group("ago"):
            delta = -int(m.group("ago")) * _UNIT_DAYS[m.group("u1")]
        else:
            delta = int(m.group("ahead")) * _UNIT_DAYS[m.group("u2")]
        return (as_of + timedelta(days=delta)).isoformat()
    return text


def rows(datatable: DataTable) -> list[dict[str, str]]:
    header = [h.strip() for h in datatable[0]]
    return [{h: c.strip() for h, c in zip(header, row, strict=True) if c.strip() not in ("", "-")}
            for row in datatable[1:]]


def _num(v: str) -> int | float:
    f = float(v)
    return int(f) if f.is_integer() and "." not in v else f


def _bool(v: str) -> bool:
    return v.lower() in ("yes", "true", "y", "1")


# ------------------------------------------------------------------ given


def evaluation_date(ctx: Context, day: str) -> None:
    ctx["as_of"] = date.fromisoformat(day)


def patient_aged(ctx: Context, sex: str, age: str) -> None:
    ctx["snapshot"]["patient"].update(sex=sex.replace("unknown-sex", "unknown"), age=int(age))


def patient_no_age(ctx: Context, sex: str) -> None:
    ctx["snapshot"]["patient"].update(sex=sex.replace("unknown-sex", "unknown"))


def patient_field(ctx: Context, field: str, value: str) -> None:
    p = ctx["snapshot"]["patient"]
    match field:
        case "pregnancy status":
            p["pregnancy"] = value.replace(" ", "_")
        case "uterus":
            p["uterus"] = value
        case "menopause date":
            p["menopause_date"] = resolve_date(value, ctx["as_of"])
        case "fertility goal":
            p["fertility_goal"] = _bool(value)
        case "birth date":
            p["birth_date"] = resolve_date(value, ctx["as_of"])
            p.pop("age", None)
        case _:
            raise AssertionError(f"unknown patient field {field!r}")


def takes(ctx: Context, datatable: DataTable) -> None:
    for row in rows(datatable):
        med: dict[str, Any] = {}
        for k, v in row.items():
            if k in ("name", "route", "frequency", "dose_unit", "indication"):
                med[k] = v
            elif k in ("rxnorm", "atc"):
                med.setdefault("codes", []).append({"system": k, "code": v})
            elif k in ("dose", "times_per_day"):
                med[k] = _num(v)
            elif k in ("start", "end", "last_dose_change"):
                med[k] = resolve_date(v, ctx["as_of"])
            elif k in ("compounded", "prn", "stopped_without_taper"):
                med[k] = _bool(v)
            else:
                raise AssertionError(f"unknown medication column {k!r}")
        ctx["snapshot"].setdefault("medications", []).append(med)


def has_conditions(ctx: Context, datatable: DataTable) -> None:
    for row in rows(datatable):
        cond: dict[str, Any] = {}
        for k, v in row.items():
            if k in ("icd10cm", "snomed"):
                cond.setdefault("codes", []).append({"system": k, "code": v})
            elif k in ("text", "status"):
                cond[k] = v
            elif k == "onset":
                cond[k] = resolve_date(v, ctx["as_of"])
            else:
                raise AssertionError(f"unknown condition column {k!r}")
        ctx["snapshot"].setdefault("conditions", []).append(cond)


def has_results(ctx: Context, datatable: DataTable) -> None:
    for row in rows(datatable):
        res: dict[str, Any] = {}
        for k, v in row.items():
            if k == "loinc":
                res["code"] = v
            elif k in ("name", "unit", "specimen", "value_text", "comparator", "flag"):
                res[k] = v
            elif k == "value":
                m = re.match(r"^(<=|>=|<|>)(.*)$", v)
                if m:
                    res["comparator"], res["value"] = m.group(1), _num(m.group(2))
                else:
                    res["value"] = _num(v)
            elif k in ("sample_timing", "timing_note"):
                res[k] = v
            elif k == "hours_since_dose":
                res[k] = _num(v)
            elif k == "collected":
                day, _, clock = v.partition(" at ")
                res[k] = resolve_date(day, ctx["as_of"]) + (f"T{clock.strip()}:00" if clock else "")
            else:
                raise AssertionError(f"unknown result column {k!r}")
        ctx["snapshot"].setdefault("results", []).append(res)


def has_scores(ctx: Context, datatable: DataTable) -> None:
    for row in rows(datatable):
        s: dict[str, Any] = {"scale": row["scale"], "date": resolve_date(row["date"], ctx["as_of"])}
        for k in ("total", "item9"):
            if k in row:
                s[k] = int(row[k])
        ctx["snapshot"].setdefault("scales", []).append(s)


def has_vitals(ctx: Context, datatable: DataTable) -> None:
    for row in rows(datatable):
        v: dict[str, Any] = {"kind": row["kind"], "value": _num(row["value"]),
                             "taken": resolve_date(row["taken"], ctx["as_of"])}
        if "unit" in row:
            v["unit"] = row["unit"]
        ctx["snapshot"].setdefault("vitals", []).append(v)


def has_smoking(ctx: Context, datatable: DataTable) -> None:
    """Smoking records: `status` (current, former, never, unknown), `per_day` (cigarettes), `date`, `answer`."""
    for row in rows(datatable):
        rec: dict[str, Any] = {}
        for k, v in row.items():
            if v == "":
                continue
            if k in ("status", "answer", "id"):
                rec[k] = v
            elif k == "per_day":
                rec[k] = _num(v)
            elif k == "date":
                rec[k] = resolve_date(v, ctx["as_of"])
            else:
                raise AssertionError(f"unknown smoking column {k!r}")
        ctx["snapshot"].setdefault("smoking", []).append(rec)


def has_notes(ctx: Context, datatable: DataTable) -> None:
    for row in rows(datatable):
        n: dict[str, Any] = {"kind": row["kind"], "date": resolve_date(row["date"], ctx["as_of"])}
        if "value" in row:
            n["value"] = _bool(row["value"]) if row["value"].lower() in ("yes", "no", "true", "false") else row["value"]
        ctx["snapshot"].setdefault("notes", []).append(n)


def snapshot_file(ctx: Context, path: str, root: Path) -> None:
    """A snapshot file, relative to the project root (the folder holding features/)."""
    ctx["snapshot"] = yaml.safe_load((Path(root) / path).read_text(encoding="utf-8"))


# ------------------------------------------------------------------ when


def evaluate(ctx: Context, engine: Engine, twin: Engine | None = None) -> None:
    """Evaluate the snapshot; with `twin` (the other matcher) also check that both give the same result."""
    result = engine.evaluate(ctx["snapshot"], as_of=ctx["as_of"])
    if twin is not None:
        # Every scenario is also a differential test: both matchers must give the same findings.
        other = twin.evaluate(ctx["snapshot"], as_of=ctx["as_of"])
        assert result.matcher == engine.matcher, f"the {engine.matcher} matcher failed: {result.notes}"
        assert not [n for n in result.notes if "disagreement" in n], f"matchers disagree: {result.notes}"
        assert result.model_dump(exclude={"matcher"}) == other.model_dump(exclude={"matcher"}), (
            f"{result.matcher} and {other.matcher} matchers give different results")
    ctx["result"] = result


# ------------------------------------------------------------------ then


def result_of(ctx: Context) -> EvaluationResult:
    assert ctx["result"] is not None, "the patient was not evaluated"
    return ctx["result"]


def all_findings(r: EvaluationResult) -> list[tuple[str, str, str, str]]:
    """(rule id, severity, outcome, lead rule id) for every finding, grouped ones included."""
    out = []
    for f in r.findings:
        out.append((f.rule_id, f.severity, f.outcome, f.rule_id))
        out.extend((g.rule_id, g.severity, g.outcome, f.rule_id) for g in f.related)
    return out


def describe(r: EvaluationResult) -> str:
    return ", ".join(f"{i} {s} {o}" for i, s, o, _ in all_findings(r)) or "no findings"


def _outcome(r: EvaluationResult, rule_id: str) -> str:
    hit = next((a.outcome for a in r.assessed if a.rule_id == rule_id), None)
    assert hit is not None, f"{rule_id} is not an active rule of this rule base"
    return hit


def fires(ctx: Context, rule_id: str, severity: str) -> None:
    r = result_of(ctx)
    hits = [(s, o) for i, s, o, _ in all_findings(r) if i == rule_id and o == "fired"]
    assert hits, f"{rule_id} did not fire; findings: {describe(r)}"
    assert hits[0][0] == severity, f"{rule_id} fired at {hits[0][0]}, expected {severity}"


def silent(ctx: Context, rule_id: str) -> None:
    r = result_of(ctx)
    outcome = _outcome(r, rule_id)
    assert outcome == "not_fired", f"{rule_id} outcome was {outcome}; findings: {describe(r)}"


def cannot_assess(ctx: Context, rule_id: str) -> None:
    r = result_of(ctx)
    outcome = _outcome(r, rule_id)
    assert outcome == "cannot_assess", f"{rule_id} outcome was {outcome}"


def cannot_assess_finding(ctx: Context, rule_id: str) -> None:
    r = result_of(ctx)
    assert any(i == rule_id and o == "cannot_assess" for i, _, o, _ in all_findings(r)), (
        f"no cannot-assess finding for {rule_id}; findings: {describe(r)}")


def cannot_assess_reason(ctx: Context, text: str) -> None:
    r = result_of(ctx)
    reasons = " | ".join(a.reason or "" for a in r.assessed if a.outcome == "cannot_assess")
    assert text.lower() in reasons.lower(), f"{text!r} not in cannot-assess reasons: {reasons}"


def findings_exactly(ctx: Context, datatable: DataTable) -> None:
    r = result_of(ctx)
    expected = sorted((row["rule"], row["severity"], row.get("outcome", "fired")) for row in rows(datatable))
    actual = sorted((i, s, o) for i, s, o, _ in all_findings(r))
    assert actual == expected, f"expected {expected}\n actual {actual}"


def grouped(ctx: Context, rule_id: str, lead: str) -> None:
    r = result_of(ctx)
    assert any(i == rule_id and ld == lead and i != ld for i, _, _, ld in all_findings(r)), describe(r)


def nothing_above(ctx: Context, severity: str) -> None:
    r = result_of(ctx)
    over = [f"{i} {s}" for i, s, _, _ in all_findings(r) if rank(s) > rank(severity)]
    assert not over, f"findings above {severity}: {over}"


def no_findings(ctx: Context) -> None:
    r = result_of(ctx)
    assert not r.findings, describe(r)


# ------------------------------------------------------------------ the vocabulary

Keyword = Literal["given", "when", "then"]
Style = Literal["parse", "re", "string"]
_FIELD = re.compile(r"\{(\w+)(?::(\w))?\}")
_FIELD_PATTERNS = {None: ".+?", "d": r"[-+]?\d+", "f": r"[-+]?\d*\.?\d+", "w": r"\w+"}


def _parse_to_regex(sentence: str) -> re.Pattern[str]:
    """A `parse`-library sentence as pytest-bdd's `parsers.parse` matches it: whole text, any case."""
    out, pos = "", 0
    for m in _FIELD.finditer(sentence):
        if m.group(2) not in _FIELD_PATTERNS:
            raise ValueError(f"step sentence {sentence!r}: format spec {m.group(2)!r} is not supported")
        out += re.escape(sentence[pos:m.start()]) + f"(?P<{m.group(1)}>{_FIELD_PATTERNS[m.group(2)]})"
        pos = m.end()
    return re.compile(out + re.escape(sentence[pos:]), re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class StepDef:
    keyword: Keyword
    sentence: str  # exactly as in features/conftest.py
    style: Style  # parsers.parse, parsers.re, or a plain string
    func: Callable[..., None]

    @property
    def regex(self) -> re.Pattern[str]:
        if self.style == "parse":
            return _parse_to_regex(self.sentence)
        if self.style == "re":
            return re.compile(self.sentence)
        return re.compile(re.escape(self.sentence))

    def match(self, text: str) -> dict[str, Any] | None:
        m = self.regex.fullmatch(text)
        if m is None:
            return None
        converters = dict(_FIELD.findall(self.sentence)) if self.style == "parse" else {}
        out: dict[str, Any] = {}
        for k, v in m.groupdict().items():
            spec = converters.get(k)
            out[k] = int(v) if spec == "d" else float(v) if spec == "f" else v
        return out


STEPS: tuple[StepDef, ...] = (
    StepDef("given", "the evaluation date is {day}", "parse", evaluation_date),
    StepDef("given", r"an? (?P<sex>female|male|other|unknown-sex) patient aged (?P<age>\d+)", "re", patient_aged),
    StepDef("given", r"an? (?P<sex>female|male|other|unknown-sex) patient of unknown age", "re", patient_no_age),
    StepDef("given", "the patient's {field} is {value}", "parse", patient_field),
    StepDef("given", "the patient takes:", "string", takes),
    StepDef("given", "the patient has conditions:", "string", has_conditions),
    StepDef("given", "the patient has results:", "string", has_results),
    StepDef("given", "the patient has scores:", "string", has_scores),
    StepDef("given", "the patient has vital signs:", "string", has_vitals),
    StepDef("given", "the patient has smoking records:", "string", has_smoking),
    StepDef("given", "the patient has notes:", "string", has_notes),
    StepDef("given", 'the snapshot file "{path}"', "parse", snapshot_file),
    StepDef("when", "the engine evaluates the patient", "string", evaluate),
    StepDef("then", "rule {rule_id} fires with severity {severity}", "parse", fires),
    StepDef("then", "rule {rule_id} does not fire", "parse", silent),
    StepDef("then", "rule {rule_id} cannot be assessed", "parse", cannot_assess),
    StepDef("then", "rule {rule_id} is reported as cannot assess", "parse", cannot_assess_finding),
    StepDef("then", 'the cannot-assess reason mentions "{text}"', "parse", cannot_assess_reason),
    StepDef("then", "the findings are exactly:", "string", findings_exactly),
    StepDef("then", "finding {rule_id} is grouped under {lead}", "parse", grouped),
    StepDef("then", "no finding is above {severity}", "parse", nothing_above),
    StepDef("then", "there are no findings", "string", no_findings),
)
_TYPES: dict[str, Keyword] = {"Context": "given", "Action": "when", "Outcome": "then"}


def find_step(keyword: Keyword | None, text: str) -> tuple[StepDef, dict[str, Any]] | None:
    """The step definition a step's text matches: same keyword, as in pytest-bdd (`*` steps: any)."""
    for s in STEPS:
        if keyword is not None and s.keyword != keyword:
            continue
        args = s.match(text)
        if args is not None:
            return s, args
    return None


# ------------------------------------------------------------------ feature files


@dataclass(frozen=True)
class Step:
    keyword: Keyword | None
    text: str
    line: int
    datatable: DataTable | None = None


@dataclass(frozen=True)
class Scenario:
    file: str  # relative to the features folder
    feature: str
    name: str
    line: int
    steps: tuple[Step, ...]
    tags: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"

    def rule_ids(self) -> set[str]:
        """Rule ids named by the scenario's own steps (its assertions and tables)."""
        out: set[str] = set()
        for s in self.steps:
            out.update(RULE_ID.findall(s.text))
            for row in s.datatable or []:
                for cell in row:
                    out.update(RULE_ID.findall(cell))
        return out



def _locations(node: Any, out: dict[str, int]) -> None:
    if isinstance(node, dict):
        if "id" in node and isinstance(node.get("location"), dict):
            out[str(node["id"])] = int(node["location"]["line"])
        for v in node.values():
            _locations(v, out)
    elif isinstance(node, list):
        for v in node:
            _locations(v, out)


def parse_feature(path: Path, root: Path) -> list[Scenario]:
    from gherkin.errors import CompositeParserException, ParserError
    from gherkin.parser import Parser
    from gherkin.pickles.compiler import Compiler
    from gherkin.token_scanner import TokenScanner

    rel = path.relative_to(root).as_posix()
    try:
        doc = Parser().parse(TokenScanner(path.read_text(encoding="utf-8")))
    except (CompositeParserException, ParserError) as e:
        raise FeatureError(f"{rel}: {e}") from e
    if not doc.get("feature"):
        return []
    doc["uri"] = rel
    lines: dict[str, int] = {}
    _locations(doc, lines)
    feature = doc["feature"]["name"]
    out = []
    for pickle in Compiler().compile(doc):
        steps = []
        for st in pickle["steps"]:
            table = st.get("argument", {}).get("dataTable")
            cells = [[c["value"] for c in row["cells"]] for row in table["rows"]] if table else None
            steps.append(Step(_TYPES.get(st.get("type", "")), st["text"],
                              lines.get(str(st["astNodeIds"][0]), 0), cells))
        line = lines.get(str(pickle["astNodeIds"][-1]), 0)
        out.append(Scenario(rel, feature, pickle["name"], line, tuple(steps),
                            tuple(t["name"] for t in pickle.get("tags", []))))
    return out


def load_features(root: Path) -> list[Scenario]:
    """Every scenario of every .feature file under `root`, in file order."""
    root = Path(root)
    out: list[Scenario] = []
    for path in sorted(root.rglob("*.feature")):
        out.extend(parse_feature(path, root))
    return out


# ------------------------------------------------------------------ running


@dataclass
class ScenarioRun:
    scenario: Scenario
    status: Literal["passed", "failed", "error"]
    message: str | None = None
    result: EvaluationResult | None = None
    as_of: date | None = None
    snapshot: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, FactValue] | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def outcome(self, rule_id: str) -> str | None:
        """fired / not_fired / cannot_assess for an active rule, None when not evaluated."""
        if self.result is None:
            return None
        return next((a.outcome for a in self.result.assessed if a.rule_id == rule_id), None)

    def findings(self) -> set[tuple[str, str, str]]:
        return set() if self.result is None else {(i, s, o) for i, s, o, _ in all_findings(self.result)}


def _call(func: Callable[..., None], ctx: Context, args: dict[str, Any], extra: dict[str, Any]) -> None:
    params = inspect.signature(func).parameters
    func(ctx, **args, **{k: v for k, v in extra.items() if k in params})


def run_scenario(scenario: Scenario, engine: Engine, twin: Engine | None = None, *, root: Path,
                 assertions: bool = True, with_facts: bool = False) -> ScenarioRun:
    """Run one scenario.  `assertions=False` runs only its Given and When steps (to compare rule bases);
    `with_facts=True` keeps the derived facts (for condition coverage)."""
    from .errors import SetpointError

    ctx = new_context()
    run = ScenarioRun(scenario, "passed")
    for step in scenario.steps:
        hit = find_step(step.keyword, step.text)
        if hit is None:
            run.status, run.message = "error", f"line {step.line}: no step definition matches {step.text!r}"
            break
        sdef, args = hit
        if sdef.keyword == "then" and not assertions:
            continue
        extra: dict[str, Any] = {"engine": engine, "twin": twin, "root": root, "datatable": step.datatable}
        try:
            _call(sdef.func, ctx, args, extra)
        except AssertionError as e:
            run.status, run.message = "failed", f"line {step.line}: {step.text}: {e}"
            break
        except (SetpointError, ValueError, KeyError, TypeError, OSError) as e:
            run.status, run.message = "error", f"line {step.line}: {step.text}: {type(e).__name__}: {e}"
            break
    run.result, run.as_of, run.snapshot = ctx["result"], ctx["as_of"], ctx["snapshot"]
    if with_facts and run.result is not None:
        run.facts = engine.facts(engine.case(ctx["snapshot"], ctx["as_of"]))
    return run


Progress = Callable[[int, int], None]  # (scenarios done, scenarios in all)


def run_all(scenarios: Iterable[Scenario], engine: Engine, twin: Engine | None = None, *, root: Path,
            assertions: bool = True, with_facts: bool = False, progress: Progress | None = None) -> list[ScenarioRun]:
    todo = list(scenarios)
    out = []
    for s in todo:
        out.append(run_scenario(s, engine, twin, root=root, assertions=assertions, with_facts=with_facts))
        if progress is not None:
            progress(len(out), len(todo))
    return out
