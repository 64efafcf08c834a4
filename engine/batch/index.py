"""The on-disk index of a batch input: each patient in a deterministic order and where their data is.

Built by streaming the input once, line by line, into SQLite (never the whole input in memory); a
Bulk Data export's resources are grouped per patient by SQL on disk. Partitions are then read back
one at a time. The index is reused while the input's files are unchanged (see `inputs.fingerprint`).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from . import bulk, inputs
from .models import InputKind, Partition, PatientRef

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT NOT NULL);
CREATE TABLE items (patient TEXT NOT NULL, is_patient INTEGER NOT NULL, file INTEGER NOT NULL,
                    offset INTEGER NOT NULL, length INTEGER NOT NULL);
CREATE TABLE patients (ordinal INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, source TEXT NOT NULL);
CREATE TABLE shared (ref TEXT NOT NULL, file INTEGER NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL);
CREATE TABLE needs (patient TEXT NOT NULL, ref TEXT NOT NULL);
"""
BATCH_ROWS = 5000


class Index:
    """An opened index: `count`, `unlinked` (Bulk Data resources naming no patient; a Medication among them
    goes with the patients whose orders reference it), `unreadable` (lines that are not JSON), `partitions()`."""

    def __init__(self, db: Path, kind: InputKind, fingerprint: str):
        self.db = db
        self.kind = kind
        self.fingerprint = fingerprint
        with contextlib.closing(sqlite3.connect(db)) as con:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            self.count = int(con.execute("SELECT count(*) FROM patients").fetchone()[0])
        self.unlinked = int(meta.get("unlinked", "0"))
        self.unreadable = int(meta.get("unreadable", "0"))

    def partition_count(self, size: int) -> int:
        return (self.count + size - 1) // size

    def partitions(self, size: int, numbers: list[int] | None = None) -> Iterator[Partition]:
        """Partition n holds the patients at positions [n*size, (n+1)*size), read from disk one at a time."""
        wanted = range(self.partition_count(size)) if numbers is None else numbers
        with contextlib.closing(sqlite3.connect(self.db)) as con:
            files = tuple(path for _, path in con.execute("SELECT id, path FROM files ORDER BY id"))
            for n in wanted:
                rows = con.execute(
                    "SELECT p.ordinal, p.source, i.file, i.offset, i.length FROM patients p "
                    "JOIN items i ON i.patient = p.key "
                    "WHERE p.ordinal > ? AND p.ordinal <= ? "
                    "ORDER BY p.ordinal, i.is_patient DESC, i.file, i.offset", (n * size, (n + 1) * size))
                refs: list[PatientRef] = []
                current: tuple[int, str] | None = None
                slices: list[tuple[int, int, int]] = []
                for ordinal, source, file, offset, length in rows:
                    if current is not None and current[0] != ordinal:
                        refs.append(self._ref(current, slices))
                        slices = []
                    current = (ordinal, source)
                    slices.append((file, offset, length))
                if current is not None:
                    refs.append(self._ref(current, slices))
                yield Partition.model_construct(number=n, files=files, patients=tuple(refs))

    def _ref(self, current: tuple[int, str], slices: list[tuple[int, int, int]]) -> PatientRef:
        # built from our own index: no validation needed (it costs seconds per large partition)
        return PatientRef.model_construct(ordinal=current[0], source=current[1], kind=self.kind, slices=tuple(slices))


def open_index(path: Path, work: Path) -> Index:
    """The index of `path` in `work/index.sqlite3`, built or rebuilt when the input changed."""
    kind = inputs.detect(path)
    data_files = inputs.files(path, kind)
    fp = inputs.fingerprint(path, kind, data_files)
    db = work / "index.sqlite3"
    if db.exists():
        try:
            with contextlib.closing(sqlite3.connect(db)) as con:
                row = con.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            if row and row[0] == fp:
                return Index(db, kind, fp)
        except sqlite3.DatabaseError:
            pass
    work.mkdir(parents=True, exist_ok=True)
    tmp = db.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(tmp)) as con:
        con.executescript(SCHEMA)
        con.execute("PRAGMA cache_size = -16000")  # at most ~16 MB of page cache
        con.execute("PRAGMA temp_store = FILE")
        meta = _build(con, path, kind, data_files)
        meta["fingerprint"] = fp
        con.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        con.commit()
    tmp.replace(db)
    return Index(db, kind, fp)


def _build(con: sqlite3.Connection, root: Path, kind: InputKind, data_files: list[Path]) -> dict[str, str]:
    for i, f in enumerate(data_files):
        con.execute("INSERT INTO files VALUES (?, ?)", (i, str(f.resolve())))
    if kind is InputKind.folder:
        keys = (f.relative_to(root).as_posix() for f in data_files)
        _insert_many(con, "INSERT INTO patients (key, source) VALUES (?, ?)", ((k, k) for k in keys))
        con.execute("INSERT INTO items SELECT p.key, 0, p.ordinal - 1, 0, -1 FROM patients p")
        con.execute("CREATE INDEX items_patient ON items (patient)")
        return {"kind": kind.value}
    if kind is InputKind.ndjson:
        name = data_files[0].name
        pats: list[tuple[str, str]] = []
        items: list[tuple[str, int, int]] = []
        for n, off, length in _lines(data_files[0]):
            key = f"{n:012d}"
            pats.append((key, f"{name}:{n}"))
            items.append((key, off, length))
            if len(pats) >= BATCH_ROWS:
                _flush(con, pats, items)
        _flush(con, pats, items)
        con.execute("CREATE INDEX items_patient ON items (patient)")
        return {"kind": kind.value}
    unlinked = unreadable = 0
    buffers: dict[str, list[tuple[object, ...]]] = {"items": [], "shared": [], "needs": []}
    for i, f in enumerate(data_files):
        with open(f, "rb") as fh:
            offset = 0
            for line in fh:  # one line at a time: memory is bounded by the longest resource
                length = len(line)
                if line.strip():
                    try:
                        resource = json.loads(line)
                    except ValueError:
                        resource = None
                    if not isinstance(resource, dict):
                        unreadable += 1
                    else:
                        pid, is_patient = bulk.patient_of(resource)
                        if pid is not None:
                            buffers["items"].append((pid, int(is_patient), i, offset, length))
                            if (med := bulk.medication_of(resource)) is not None:
                                buffers["needs"].append((pid, med))
                        else:
                            unlinked += 1
                            if (key := bulk.shared_key(resource)) is not None:
                                buffers["shared"].append((key, i, offset, length))
                    if len(buffers["items"]) >= BATCH_ROWS:
                        _flush_bulk(con, buffers)
                offset += length
    _flush_bulk(con, buffers)
    # A Medication resource goes with every patient whose order references it (once per patient).
    con.execute("CREATE INDEX shared_ref ON shared (ref)")
    con.execute("INSERT INTO items SELECT DISTINCT n.patient, 0, s.file, s.offset, s.length FROM needs n "
                "JOIN shared s ON s.ref = n.ref")
    con.execute("CREATE INDEX items_patient ON items (patient)")
    con.execute("INSERT INTO patients (key, source) SELECT patient, 'Patient/' || patient FROM items "
                "GROUP BY patient ORDER BY patient")
    return {"kind": kind.value, "unlinked": str(unlinked), "unreadable": str(unreadable)}


def _flush_bulk(con: sqlite3.Connection, buffers: dict[str, list[tuple[object, ...]]]) -> None:
    con.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?)", buffers["items"])
    con.executemany("INSERT INTO shared VALUES (?, ?, ?, ?)", buffers["shared"])
    con.executemany("INSERT INTO needs VALUES (?, ?)", buffers["needs"])
    for rows in buffers.values():
        rows.clear()


def _lines(f: Path) -> Iterator[tuple[int, int, int]]:
    """(1-based line number, byte offset, length) of each non-blank line, read one line at a time."""
    with open(f, "rb") as fh:
        offset = 0
        for n, line in enumerate(fh, start=1):
            if line.strip():
                yield n, offset, len(line)
            offset += len(line)


def _insert_many(con: sqlite3.Connection, sql: str, rows: Iterator[tuple[str, str]]) -> None:
    buf: list[tuple[str, str]] = []
    for row in rows:
        buf.append(row)
        if len(buf) >= BATCH_ROWS:
            con.executemany(sql, buf)
            buf.clear()
    con.executemany(sql, buf)


def _flush(con: sqlite3.Connection, pats: list[tuple[str, str]], items: list[tuple[str, int, int]]) -> None:
    con.executemany("INSERT INTO patients (key, source) VALUES (?, ?)", pats)
    con.executemany("INSERT INTO items VALUES (?, 0, 0, ?, ?)", items)
    pats.clear()
    items.clear()
