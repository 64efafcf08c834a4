"""Text to a document: JSON or YAML, with the limits every input file gets.

YAML is read by engine.yamlsafe: anchors and aliases are refused ("billion laughs"), as are input over
the size limit and nesting deep enough to exhaust the stack.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import yaml

from ..errors import SnapshotError, UnsafeYamlError
from ..yamlsafe import MAX_BYTES, load_yaml

MAX_INPUT_BYTES = MAX_BYTES  # one patient record or one rule file; EHR exports are far smaller


class InputTooLarge(SnapshotError):
    """An input is over the size limit."""


def check_size(size: int, source: str, limit: int = MAX_INPUT_BYTES) -> None:
    if size > limit:
        raise InputTooLarge(f"{source}: {size} bytes is over the limit of {limit} bytes for one input")


def decode(data: bytes, source: str) -> str:
    check_size(len(data), source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SnapshotError(f"{source}: not UTF-8 text (byte {e.start})") from e


_BOM = b"\xef\xbb\xbf"


def parse_bytes(data: bytes, source: str) -> Any:
    """`decode` and `parse` in one: JSON is read by orjson straight from the bytes (no text copy)."""
    check_size(len(data), source)
    body = data[3:] if data.startswith(_BOM) else data
    if body.lstrip()[:1] in (b"{", b"["):
        bundle = read_bundle(body)
        if bundle is not None:
            return bundle
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # read again below, for json's message naming line and column (or YAML's, or not UTF-8)
    return parse(decode(data, source), source)


def read_bundle(body: bytes) -> Any:
    """A FHIR Bundle's JSON with only the resources the engine uses built (engine.fhir.skim), else None.
    The FHIR code is imported only when the bytes name a Bundle at all."""
    if b'"Bundle"' not in body:
        return None
    from ..fhir.skim import read_bundle as skim

    return skim(body)


def parse(text: str, source: str) -> Any:
    """JSON when it looks like JSON, else YAML; SnapshotError-style messages naming line and column.

    JSON is read by orjson, and by json when orjson refuses it: the same documents are read, except lone
    surrogates (json reads them; orjson does not) and integers past 64 bits (orjson reads them as floats),
    and errors keep json's messages."""
    check_size(len(text), source)
    if not text.strip():
        raise SnapshotError(f"{source}: the input is empty: expected a snapshot (JSON or YAML) or a FHIR Bundle")
    try:
        if text.lstrip().startswith(("{", "[")):
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError:
                return json.loads(text)
        return load_yaml(text, source=source)
    except UnsafeYamlError as e:
        raise SnapshotError(str(e)) from e
    except json.JSONDecodeError as e:
        raise SnapshotError(f"{source}: not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}") from e
    except RecursionError as e:
        raise SnapshotError(f"{source}: nested too deeply to read") from e
    except yaml.YAMLError as e:
        raise SnapshotError(f"{source}: not valid YAML or JSON: {e}") from e
