"""The decision log (after Open Policy Agent's): one JSON line per hook call, appended to
`decisions.jsonl` in the data directory.

Each record says who asked (the client's `iss`/`sub`), what was asked (`hookInstance`, service, a
SHA-256 digest of the request body), with which rule base (name, version, content hash) and date,
what was answered (each card's rule id, version and uuid, or the error status) and how long it took.
No patient data, unless the service runs with `--decision-log-inputs`: then `input` holds what the
engine evaluated (the context, the gathered resources and data issues), which `setpoint replay`
evaluates again against another rule base.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILE = "decisions.jsonl"
FORMAT = 1


class DecisionLog:
    def __init__(self, path: Path):
        self.path = path
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        self._fd = os.open(path, flags, 0o600)
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any], raw: dict[str, str] | None = None) -> None:
        """`raw`: fields whose values are already JSON text (ASCII; made by an evaluation worker)."""
        line = json.dumps({"format": FORMAT, **record}, separators=(",", ":"), ensure_ascii=True, default=str)
        for k, v in (raw or {}).items():
            line = line[:-1] + "," + json.dumps(k) + ":" + v + "}"
        line += "\n"
        with self._lock:
            os.write(self._fd, line.encode("ascii"))  # one write per record: lines never interleave

    def close(self) -> None:
        os.close(self._fd)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def read(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each well-formed line of a decision log."""
    with path.open(encoding="ascii", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict):
                yield n, rec
