"""Durable storage (SQLite) of the cards the service issued and the feedback clinicians gave on them.

Feedback is committed with `synchronous=FULL` before the service answers, so an acknowledged
feedback message survives a crash or restart.  The card log (which rule and version each card uuid
came from) is written by a background thread in batches (`CardLog`), so that hook calls never wait
on the database lock that worker processes share; the view `feedback_by_rule` joins the two.  No
patient data is stored: only card uuids, rule ids, the hook instance and the clinician's override
reason and comment.  WAL mode lets several worker processes share the file.
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.errors import SetpointError

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
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect("FULL") as con:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as e:
            raise SetpointError(f"data directory {data_dir}: cannot open the feedback database ({e})") from e
        self._local = threading.local()

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


class CardLog:
    """Writes issued cards to the store from a background thread, in batches; `flush` waits for it."""

    def __init__(self, store: Store):
        self.store = store
        self._queue: queue.Queue[tuple[str, str, list[IssuedCard]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="setpoint-card-log", daemon=True)
        self._thread.start()

    def put(self, service: str, hook_instance: str, cards: list[IssuedCard]) -> None:
        if cards:
            self._queue.put((service, hook_instance, cards))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch = [item]
            while not self._queue.empty() and len(batch) < 500:
                batch.append(self._queue.get_nowait())
            try:
                for entry in batch:
                    if entry is not None:
                        self.store.record_cards(*entry)
            except sqlite3.Error as e:  # never lose the thread: the log is best effort, feedback is not
                log.error("could not record issued cards (%s)", e.__class__.__name__)
            finally:
                for _ in batch:
                    self._queue.task_done()
            if None in batch:
                return

    def flush(self) -> None:
        self._queue.join()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)
