"""Text to a document: JSON or YAML, with the limits every input file gets.

YAML anchors and aliases are refused: a few hundred bytes of nested aliases expand to gigabytes
("billion laughs"), and neither snapshots nor rule files need them.  PyYAML has no switch for
this, so the composer is told to refuse an alias event (our own rule: no library offers it).
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from engine.errors import SnapshotError

MAX_INPUT_BYTES = 64 * 1024 * 1024  # one patient record or one rule file; EHR exports are far smaller


class InputTooLarge(SnapshotError):
    """An input is over the size limit."""


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"YAML aliases (*{event.anchor}) are not accepted: write the content out",
                event.start_mark)
        return super().compose_node(parent, index)


def load_yaml(text: str) -> Any:
    """`yaml.safe_load` that refuses anchors' aliases.  Raises yaml.YAMLError."""
    return yaml.load(text, Loader=_NoAliasLoader)


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
