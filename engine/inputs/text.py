"""Text to a document: JSON or YAML, with the limits every input file gets.

YAML anchors and aliases are refused: a few hundred bytes of nested aliases expand to gigabytes
("billion laughs") as soon as anything walks the document, and neither snapshots nor rule files
need them.  PyYAML has no switch for this (our own rule: no library offers it).  Documents are read
with libyaml (C) where available; an alias makes PyYAML reuse the same object, so a walk that
visits each container once finds it without expanding anything.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from engine.errors import SnapshotError

MAX_INPUT_BYTES = 64 * 1024 * 1024  # one patient record or one rule file; EHR exports are far smaller


class InputTooLarge(SnapshotError):
    """An input is over the size limit."""


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AliasError(yaml.YAMLError):
    pass


def _refuse_shared(doc: Any) -> None:
    seen: set[int] = set()
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list):
            if id(node) in seen:
                raise AliasError("YAML aliases (*name) are not accepted: write the content out")
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)


def load_yaml(text: str) -> Any:
    """`yaml.safe_load` (libyaml where available) that refuses aliases.  Raises yaml.YAMLError."""
    doc = yaml.load(text, Loader=_Loader)  # a safe loader
    _refuse_shared(doc)
    return doc


def check_size(size: int, source: str, limit: int = MAX_INPUT_BYTES) -> None:
    if size > limit:
        raise InputTooLarge(f"{source}: {size} bytes is over the limit of {limit} bytes for one input")


def decode(data: bytes, source: str) -> str:
    check_size(len(data), source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SnapshotError(f"{source}: not UTF-8 text (byte {e.start})") from e


def parse(text: str, source: str) -> Any:
    """JSON when it looks like JSON, else YAML; SnapshotError-style messages naming line and column."""
    check_size(len(text), source)
    if not text.strip():
        raise SnapshotError(f"{source}: the input is empty: expected a snapshot (JSON or YAML) or a FHIR Bundle")
    try:
        if text.lstrip().startswith(("{", "[")):
            return json.loads(text)
        return load_yaml(text)
    except json.JSONDecodeError as e:
        raise SnapshotError(f"{source}: not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}") from e
    except RecursionError as e:
        raise SnapshotError(f"{source}: nested too deeply to read") from e
    except yaml.YAMLError as e:
        raise SnapshotError(f"{source}: not valid YAML or JSON: {e}") from e
