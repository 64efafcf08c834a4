"""Bounded request bodies: JSON parsed with limits on integer digits, nesting depth, string size,
lone surrogates and the number of resources, each refused with a message naming the limit.

Python's json module would accept a 5,000-digit integer only to fail later (ValueError), a lone
surrogate (`"\\ud800"`) that cannot be written back as UTF-8, and nesting deep enough to make later
recursive code raise RecursionError: all of these were 500s.  Here they are 413/422 before any other
code sees the document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_INT_DIGITS = 64  # FHIR integers are 32-bit, decimals are at most a few dozen digits


class LimitError(Exception):
    """A request over a limit: `status` is 413 (too big) or 422 (malformed), `message` names the limit."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_string_bytes: int
    max_entries: int


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise LimitError(422, f"a number has more than {MAX_INT_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    if len(text) > 2 * MAX_INT_DIGITS:
        raise LimitError(422, f"a number has more than {2 * MAX_INT_DIGITS} characters")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise LimitError(422, "a number is too large")
    return value


def _constant(name: str) -> Any:
    raise LimitError(422, f"{name} is not valid JSON")


def loads(body: bytes, limits: Limits) -> Any:
    """Parse a JSON body (UTF-8) within `limits`; raises LimitError, or ValueError for invalid JSON."""
    try:
        doc = json.loads(body, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError as e:
        raise LimitError(422, f"JSON nested deeper than {limits.max_depth} levels (SETPOINT max_depth)") from e
    check(doc, limits)
    return doc


def check(doc: Any, limits: Limits) -> None:
    """Walk `doc` iteratively (no recursion): depth, string sizes, lone surrogates, resource count."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    resources = 0
    max_depth, max_str = limits.max_depth, limits.max_string_bytes
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise LimitError(422, f"JSON nested deeper than {max_depth} levels (the limit)")
        if isinstance(node, dict):
            if "resourceType" in node:
                resources += 1
                if resources > limits.max_entries:
                    raise LimitError(413, f"more than {limits.max_entries} FHIR resources in one request "
                                          "(the limit)")
            for k, v in node.items():
                _string(k, max_str)
                if isinstance(v, (dict, list)):
                    stack.append((v, depth + 1))
                elif isinstance(v, str):
                    _string(v, max_str)
        elif isinstance(node, list):
            for v in node:
                if isinstance(v, (dict, list)):
                    stack.append((v, depth + 1))
                elif isinstance(v, str):
                    _string(v, max_str)
        elif isinstance(node, str):
            _string(node, max_str)


def _string(s: str, limit: int) -> None:
    if len(s) > limit:
        raise LimitError(413, f"a string is longer than {limit} characters (the limit)")
    if not s.isascii():
        try:
            s.encode("utf-8")
        except UnicodeEncodeError as e:
            raise LimitError(422, "a string holds a lone surrogate (\\ud800-\\udfff), which is not valid "
                                  "Unicode") from e
