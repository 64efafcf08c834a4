"""Durable storage (SQLite) of the cards the service issued and the feedback clinicians gave on them.

Feedback is committed with `synchronous=FULL` before the service answers, so an acknowledged
feedback message survives a crash or restart.  The card log (which rule and version each card uuid
came from) is written in one transaction per hook call before the answer is sent, so every card a
clinician can see is in the log even after kill -9 (WAL: a committed transaction survives the
process); feedback is accepted only for cards in it.  The view `feedback_by_rule` joins the two.
The JWT replay cache (`jti`s seen, until they expire) lives here too, so worker processes share it.
No patient data is stored: only card uuids, rule ids, the hook instance and the clinician's
override reason and comment.  The folder is created 0700 and the database files 0600.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import SetpointError

log = logging.getLogger("setpoint.service")

SCHEMA = """
CREATE TABLE IF NOT EXISTS cards (
    uuid TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    hook_instance TEXT,
    rule_id TEXT NOT NULL,
    rule_version TEXT NOT NULL,
    topic TEXT,
    indicator TEXT NOT NULL,
    suggestions TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service TEXT NOT NULL,
    card TEXT NOT NULL,
    outcome TEXT NOT NULL,
    outcome_timestamp TEXT NOT NULL,
    accepted_suggestions TEXT,
    override_code TEXT,
    override_system TEXT,
    override_display TEXT,
    user_comment TEXT,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_card ON feedback(card);
CREATE TABLE IF NOT EXISTS jti (
    iss TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (iss, jti)
);
CREATE VIEW IF NOT EXISTS feedback_by_rule AS
    SELECT f.*, c.rule_id, c.rule_version, c.topic, c.indicator
    FROM feedback f LEFT JOIN cards c ON c.uuid = f.card;
"""


@dataclass(frozen=True)
class IssuedCard:
    uuid: str
    rule_id: str
    rule_version: str
    topic: str
    indicator: str
    suggestions: tuple[str, ...]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    FILE = "setpoint.sqlite3"

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / self.FILE
        try:
            private_dir(self.path.parent)
            old = os.umask(0o077)  # the database, its -wal and -shm files: owner only
            try:
                with self._connect("FULL") as con:
                    con.execute("PRAGMA journal_mode=WAL")
                    con.executescript(SCHEMA)
            finally:
                os.umask(old)
            for p in (self.path, self.path.with_name(self.FILE + "-wal"), self.path.with_name(self.FILE + "-shm")):
                if p.exists():
                    p.chmod(0o600)
        except (OSError, sqlite3.Error) as e:
            raise SetpointError(f"data directory {data_dir}: cannot open the feedback database ({e})") from e
        self._local = threading.local()
        self._purged = 0.0

    def _connect(self, synchronous: str) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        con.execute("PRAGMA busy_timeout=10000")
        con.execute(f"PRAGMA synchronous={synchronous}")
        return con

    @contextmanager
    def _tx(self, synchronous: str) -> Iterator[sqlite3.Connection]:
        """A transaction on this thread's connection (sqlite3 connections belong to one thread)."""
        con = getattr(self._local, synchronous, None)
        if con is None:
            con = self._connect(synchronous)
            setattr(self._local, synchronous, con)
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def record_cards(self, service: str, hook_instance: str, cards: Iterable[IssuedCard]) -> None:
        rows = [(c.uuid, service, hook_instance, c.rule_id, c.rule_version, c.topic, c.indicator,
                 json.dumps(list(c.suggestions)), _now()) for c in cards]
        if not rows:
            return
        with self._tx("NORMAL") as con:
            con.executemany("INSERT OR IGNORE INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def claim_jti(self, iss: str, jti: str, expires: float) -> bool:
        """Record a JWT id until it expires; False when it was already recorded (a replay)."""
        now = time.time()
        with self._tx("NORMAL") as con:
            if now - self._purged > 60:
                con.execute("DELETE FROM jti WHERE expires < ?", (now,))
                self._purged = now
            try:
                con.execute("INSERT INTO jti VALUES (?, ?, ?)", (iss, jti, expires))
            except sqlite3.IntegrityError:
                return False
        return True

    def unknown_cards(self, service: str, uuids: Iterable[str]) -> list[str]:
        """The uuids among `uuids` that this service did not issue."""
        wanted = list(dict.fromkeys(uuids))
        con = self._connect("NORMAL")  # a read: no write lock
        try:
            known = {r[0] for r in con.execute(
                f"SELECT uuid FROM cards WHERE service = ? AND uuid IN ({','.join('?' * len(wanted))})",
                (service, *wanted))} if wanted else set()
        finally:
            con.close()
        return [u for u in wanted if u not in known]

    def add_feedback(self, service: str, items: Iterable[dict[str, Any]]) -> int:
        """Store feedback items (already validated); returns how many were stored."""
        n = 0
        with self._tx("FULL") as con:
            for it in items:
                reason = (it.get("overrideReason") or {}).get("reason") or {}
                con.execute(
                    "INSERT INTO feedback (service, card, outcome, outcome_timestamp, accepted_suggestions, "
                    "override_code, override_system, override_display, user_comment, received_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (service, it["card"], it["outcome"], it["outcomeTimestamp"],
                     json.dumps([s["id"] for s in it.get("acceptedSuggestions") or []]),
                     reason.get("code"), reason.get("system"), reason.get("display"),
                     (it.get("overrideReason") or {}).get("userComment"), _now()))
                n += 1
        return n

    def feedback(self, card: str | None = None) -> list[dict[str, Any]]:
        """Stored feedback with the rule each card came from, oldest first (optionally for one card)."""
        con = self._connect("NORMAL")
        try:
            con.row_factory = sqlite3.Row
            sql = "SELECT * FROM feedback_by_rule" + (" WHERE card = ?" if card else "") + " ORDER BY id"
            return [dict(r) for r in con.execute(sql, (card,) if card else ())]
        finally:
            con.close()

    def card(self, uuid: str) -> dict[str, Any] | None:
        con = self._connect("NORMAL")
        try:
            con.row_factory = sqlite3.Row
            row = con.execute("SELECT * FROM cards WHERE uuid = ?", (uuid,)).fetchone()
            return dict(row) if row else None
        finally:
            con.close()


def private_dir(path: Path) -> None:
    """Create `path` (and parents) readable by the owner only; tighten an existing one to 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
