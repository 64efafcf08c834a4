"""Which kind of input a path is, and its files in a deterministic order."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import BatchInputError
from .models import InputKind

NDJSON_SUFFIXES = (".ndjson", ".jsonl")
__all__ = ["BatchInputError", "detect", "files", "fingerprint"]


def detect(path: Path) -> InputKind:
    """A folder with `*.ndjson` files is a Bulk Data export; a folder of `*.json` files holds one
    Bundle per file; an `.ndjson`/`.jsonl` file holds one Bundle per line."""
    if path.is_file():
        if path.suffix.lower() in NDJSON_SUFFIXES:
            return InputKind.ndjson
        raise BatchInputError(f"{path}: expected a folder or an .ndjson file of Bundles "
                              "(evaluate a single record with `setpoint evaluate`)")
    if not path.is_dir():
        raise BatchInputError(f"{path}: no such file or folder")
    if any(p.suffix.lower() == ".ndjson" for p in path.iterdir() if p.is_file()):
        return InputKind.bulk
    if any(True for _ in _json_files(path)):
        return InputKind.folder
    raise BatchInputError(f"{path}: neither *.json Bundle files nor a Bulk Data export (*.ndjson) found")


def _json_files(root: Path):
    return (p for p in root.rglob("*.json") if p.is_file())


def files(path: Path, kind: InputKind) -> list[Path]:
    """The input's data files, sorted by their path relative to the input."""
    if kind is InputKind.ndjson:
        return [path]
    if kind is InputKind.bulk:
        return sorted((p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".ndjson"),
                      key=lambda p: p.name)
    return sorted(_json_files(path), key=lambda p: p.relative_to(path).as_posix())


def fingerprint(path: Path, kind: InputKind, data_files: list[Path]) -> str:
    """Changes when a file is added, removed, resized or touched: then the index is rebuilt."""
    h = hashlib.sha256(f"{kind.value}\n{path.resolve()}\n".encode())
    for f in data_files:
        st = f.stat()
        h.update(f"{f.resolve()}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest()
