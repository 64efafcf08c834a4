"""Bounded request bodies: JSON parsed with limits on integer digits, nesting depth, string size,
lone surrogates and the number of resources, each refused with a message naming the limit.

Python's json module would accept a 5,000-digit integer only to fail later (ValueError), a lone
surrogate (`"\\ud800"`) that cannot be written back as UTF-8, and nesting deep enough to make later
recursive code raise RecursionError: all of these were 500s.  Here they are 413/422 before any other
code sees the document.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import orjson

MAX_INT_DIGITS = 64
_INF = float("inf")  # FHIR integers are 32-bit, decimals are at most a few dozen digits


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


def _constant(name: str) -> Any:
    raise LimitError(422, f"{name} is not valid JSON")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def loads(body: bytes, limits: Limits) -> Any:
    """Parse a JSON body (UTF-8) within `limits`; raises LimitError, or ValueError for invalid JSON.

    orjson first (about twice as fast): it refuses by itself what the limits below catch in json's output
    -- lone surrogates, 1e999, integers too long for a double, nesting over 1,024 levels -- and such a body
    is parsed again by json, which gives the message naming the limit.  orjson reads an integer past 64 bits
    (20+ digits, no FHIR integer has them) as a float; nothing fails on it later."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _loads_json(body, limits)
    check(doc, limits, strings=len(body) > limits.max_string_bytes, numbers=False)
    return doc


def _loads_json(body: bytes, limits: Limits) -> Any:
    # Integers go through a hook that refuses long ones before int() does (a regex scan for long digit
    # runs costs more than the hook); infinite floats (1e999) are caught by the walk below.
    try:
        doc = json.loads(body, parse_int=_int, parse_constant=_constant)
    except RecursionError as e:
        raise LimitError(422, f"JSON nested deeper than {limits.max_depth} levels (the limit)") from e
    # Strings need a look only when one could be over the limit, or a \\uD800-\\uDFFF escape was sent
    # (raw surrogates are not valid UTF-8 and fail to parse): both are rare, and walking every string is not.
    strings = len(body) > limits.max_string_bytes or _SURROGATE_ESCAPE.search(body) is not None
    check(doc, limits, strings=strings)
    return doc


def check(doc: Any, limits: Limits, *, strings: bool = True, numbers: bool = True) -> None:
    """Walk `doc` iteratively (no recursion): depth, resource count, (when `strings`) string sizes and
    lone surrogates, and (when `numbers`) infinite floats."""
    if not strings and not numbers:
        _shape(doc, limits)
        return
    max_depth, max_str = limits.max_depth, limits.max_string_bytes
    if strings and isinstance(doc, str):
        _string(doc, max_str)
    stack: list[tuple[Any, int]] = [(doc, 1)]
    resources = 0
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise LimitError(422, f"JSON nested deeper than {max_depth} levels (the limit)")
        if type(node) is dict:
            if "resourceType" in node:
                resources += 1
                if resources > limits.max_entries:
                    raise LimitError(413, f"more than {limits.max_entries} FHIR resources in one request "
                                          "(the limit)")
            if strings:
                for k in node:
                    _string(k, max_str)
            values: Any = node.values()
        elif type(node) is list:
            values = node
        else:
            continue
        for v in values:
            t = type(v)
            if t is dict or t is list:
                stack.append((v, depth + 1))
            elif strings and t is str:
                _string(v, max_str)
            elif t is float and (v == _INF or v == -_INF):
                raise LimitError(422, "a number is too large")


def _shape(doc: Any, limits: Limits) -> None:
    """Depth and resource count only, one level at a time (no per-node bookkeeping: ~3x the plain walk)."""
    level = [doc] if type(doc) is dict or type(doc) is list else []
    depth, resources = 0, 0
    while level:
        depth += 1
        if depth > limits.max_depth:
            raise LimitError(422, f"JSON nested deeper than {limits.max_depth} levels (the limit)")
        below: list[Any] = []
        add = below.append
        for node in level:
            if type(node) is dict:
                if "resourceType" in node:
                    resources += 1
                node = node.values()
            for v in node:
                if type(v) is dict or type(v) is list:
                    add(v)
        if resources > limits.max_entries:
            raise LimitError(413, f"more than {limits.max_entries} FHIR resources in one request (the limit)")
        level = below


def _string(s: str, limit: int) -> None:
    if len(s) > limit:
        raise LimitError(413, f"a string is longer than {limit} characters (the limit)")
    if not s.isascii():
        try:
            s.encode("utf-8")
        except UnicodeEncodeError as e:
            raise LimitError(422, "a string holds a lone surrogate (\\ud800-\\udfff), which is not valid "
                                  "Unicode") from e
