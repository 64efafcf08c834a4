"""Errors the engine raises at its boundaries.  Each names the file or field and the problem."""

from __future__ import annotations

from pydantic import ValidationError


class SetpointError(Exception):
    """Base class: an error with a message fit for a user (no traceback needed)."""


class SnapshotError(SetpointError):
    """The patient snapshot is malformed: the message names the field and the problem."""


class KnowledgeError(SetpointError):
    """A knowledge file is malformed or inconsistent."""


class RuleBaseError(SetpointError):
    """The rule base cannot be loaded; `problems` lists every file, rule id, field and problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("rule base is invalid:\n  " + "\n  ".join(problems))


class IntegrityError(SetpointError):
    """Rule base files do not match their signed manifest."""


class MatcherError(SetpointError):
    """durable-rules failed during an evaluation; the engine falls back to the compiled matcher."""


class FeatureError(SetpointError):
    """A Gherkin feature file cannot be parsed or uses a step that does not exist."""


class ServiceError(SetpointError):
    """A CDS Hooks client error: the HTTP status and a message naming the field and the problem."""

    def __init__(self, status: int, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.status, self.message, self.problems = status, message, problems or []


class UnsafeYamlError(SetpointError):
    """A YAML input uses anchors/aliases, is too large or too deeply nested (engine/yamlsafe.py)."""


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-wrap", "function-before") or "[" in str(part):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def validation_items(err: ValidationError, prefix: str = "") -> list[tuple[str, str]]:
    """Each problem as `(field.path, message)`."""
    out = []
    for e in err.errors(include_url=False):
        where = _loc(tuple(e["loc"]))
        if prefix:
            where = f"{prefix}.{where}" if where != "(top level)" else prefix
        out.append((where, e["msg"].removeprefix("Value error, ")))
    return out


def format_validation_error(err: ValidationError, prefix: str = "") -> str:
    """One line per problem: `field.path: message`."""
    return "; ".join(f"{where}: {msg}" for where, msg in validation_items(err, prefix))
