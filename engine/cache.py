"""An on-disk cache of the loaded, validated and compiled rule base, so a CLI call does not pay for it.

The key is a SHA-256 over the engine's own source, the Python version, and the path and content of
every file under the rules, knowledge and report folders: any edit gives a new key, so a stale entry
is never used.  Entries are pickles (the compiled trees are plain Python objects); because loading a
pickle runs code, an entry is read only from a folder and file owned by this user that nobody else
can write (folder 0700, file 0600), else ignored.

Settings: SETPOINT_CACHE=0 turns the cache off; SETPOINT_CACHE_DIR chooses the folder (default
$XDG_CACHE_HOME/setpoint, else ~/.cache/setpoint).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger("setpoint")
FORMAT = 1


def enabled() -> bool:
    return os.environ.get("SETPOINT_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


def folder() -> Path:
    env = os.environ.get("SETPOINT_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "setpoint"


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def key(rules: Path, knowledge: Path, reports: Path, include_drafts: bool) -> str | None:
    """The cache key for these folders, or None when the cache is off or a folder cannot be read."""
    if not enabled():
        return None
    h = hashlib.sha256(f"{FORMAT}|{sys.version}|{include_drafts}".encode())
    try:
        code = Path(__file__).resolve().parent
        for label, root in (("code", code), ("rules", rules), ("knowledge", knowledge), ("reports", reports)):
            for p in _files(Path(root)):
                if label == "code" and p.suffix != ".py":
                    continue
                h.update(f"\0{label}/{p.relative_to(root).as_posix()}\0".encode())
                h.update(p.read_bytes())
    except OSError:
        return None
    return h.hexdigest()


def _private(p: Path) -> bool:
    try:
        st = p.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read(k: str) -> Any | None:
    path = folder() / f"rulebase-{k}.pickle"
    if not path.is_file() or not _private(path.parent) or not _private(path):
        return None
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except Exception as e:  # a truncated or foreign entry is ignored and rewritten
        log.debug("rule base cache entry %s unreadable (%s)", path, e.__class__.__name__)
        return None


def write(k: str, value: Any) -> None:
    d = folder()
    try:
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _private(d):
            return
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".rulebase-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.chmod(tmp, 0o600)
            os.replace(tmp, d / f"rulebase-{k}.pickle")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        for old in sorted(d.glob("rulebase-*.pickle"), key=lambda p: p.stat().st_mtime)[:-8]:
            old.unlink(missing_ok=True)  # keep the 8 most recent rule bases
    except (OSError, pickle.PicklingError, RecursionError) as e:
        log.debug("rule base cache not written (%s)", e.__class__.__name__)
