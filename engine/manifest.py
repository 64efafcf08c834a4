"""The rule base manifest: per-file SHA-256 hashes, so edited, added or removed rule files are caught.

`setpoint rules manifest` writes `rules/MANIFEST.sha256.json`; `Engine.load(verify=True)` and
`setpoint serve --verify` refuse a rule base whose files do not match it, naming each file.

The manifest is tamper-evident, not authenticated: whoever can edit a rule file can also rewrite
the manifest.  For authenticity, the release manifest below covers rules/, knowledge/ and reports/
and is signed with Ed25519 (`setpoint rules sign`, engine/signing.py); `--verify --trusted-key`
checks that signature before anything is loaded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import IntegrityError
from .rules.load import MANIFEST, SIGNATURE

FORMAT = 1


def tracked_files(root: Path) -> list[Path]:
    """Every file of the rule base except the manifest itself and hidden files or folders."""
    out = []
    for p in sorted(Path(root).rglob("*")):
        rel = p.relative_to(root)
        hidden = any(part.startswith(".") or part == "__pycache__" for part in rel.parts)
        if p.is_file() and rel.as_posix() != SIGNATURE and not hidden:
            out.append(p)
    return out


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compute(root: Path) -> dict[str, Any]:
    root = Path(root)
    if not (root / MANIFEST).is_file():
        raise IntegrityError(f"{root}: no {MANIFEST}; this is not a rule base")
    try:
        meta = yaml.safe_load((root / MANIFEST).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise IntegrityError(f"{root / MANIFEST}: not valid YAML: {e}") from e
    files = {p.relative_to(root).as_posix(): file_hash(p) for p in tracked_files(root)}
    return {
        "format": FORMAT,
        "algorithm": "sha256",
        "rulebase": meta.get("name") if isinstance(meta, dict) else None,
        "version": meta.get("version") if isinstance(meta, dict) else None,
        "files": files,
    }


def render(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def write_manifest(root: Path) -> Path:
    """Write `MANIFEST.sha256.json` for the rule base at `root`; returns its path."""
    root = Path(root)
    target = root / SIGNATURE
    target.write_text(render(compute(root)), encoding="utf-8")
    return target


@dataclass(frozen=True)
class Mismatch:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    edited: tuple[str, ...]
    version: tuple[str | None, str | None] | None = None  # (manifest, rulebase.yaml) when they differ

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.edited or self.version)

    def lines(self) -> list[str]:
        out = [f"{f}: edited since the manifest was written" for f in self.edited]
        out += [f"{f}: added since the manifest was written" for f in self.added]
        out += [f"{f}: removed since the manifest was written" for f in self.removed]
        if self.version:
            out.append(f"{MANIFEST}: version {self.version[1]} but the manifest records {self.version[0]}")
        return out


def compare(root: Path) -> Mismatch:
    """Differences between the rule base at `root` and its manifest (raises if there is no usable manifest)."""
    root = Path(root)
    path = root / SIGNATURE
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise IntegrityError(f"{path}: missing; write it with `setpoint rules manifest --rules {root}`") from e
    except json.JSONDecodeError as e:
        raise IntegrityError(f"{path}: not valid JSON ({e})") from e
    if not isinstance(recorded, dict) or not isinstance(recorded.get("files"), dict):
        raise IntegrityError(f"{path}: not a Setpoint rule base manifest (no 'files' table)")
    if recorded.get("algorithm") != "sha256":
        raise IntegrityError(f"{path}: unsupported algorithm {recorded.get('algorithm')!r}")
    current = compute(root)
    old, new = recorded["files"], current["files"]
    version = None
    if recorded.get("version") != current["version"]:
        version = (recorded.get("version"), current["version"])
    return Mismatch(
        added=tuple(sorted(set(new) - set(old))),
        removed=tuple(sorted(set(old) - set(new))),
        edited=tuple(sorted(f for f in set(old) & set(new) if old[f] != new[f])),
        version=version,
    )


def verify_manifest(root: Path) -> None:
    """Raise `IntegrityError` naming every file that was added, removed or edited since the manifest."""
    mismatch = compare(root)
    if mismatch:
        raise IntegrityError(f"rule base {root} does not match {SIGNATURE}:\n  " + "\n  ".join(mismatch.lines()))


# ------------------------------------------------------------------ the release manifest (signed)
#
# The per-rule-base manifest above covers rules/ only.  What the service answers depends as much on
# knowledge/ (e.g. a drug's plausibility limits) and reports/ (the wording of every card), so the
# release manifest covers all three folders, and `setpoint rules sign` signs it (engine/signing.py).

RELEASE = ".release.json"  # written beside rulebase.yaml; hidden, so never read as a rule file
RELEASE_SIG = ".release.json.sig"
FOLDERS = ("rules", "knowledge", "reports")


def release_files(roots: dict[str, Path]) -> dict[str, str]:
    """`folder/relative/path` -> SHA-256 for every file of the three folders (hidden files excluded)."""
    out: dict[str, str] = {}
    for label in FOLDERS:
        root = Path(roots[label])
        if not root.is_dir():
            raise IntegrityError(f"{root}: not a folder (the {label} of the release)")
        for p in tracked_files(root):
            out[f"{label}/{p.relative_to(root).as_posix()}"] = file_hash(p)
    return out


def compute_release(roots: dict[str, Path]) -> dict[str, Any]:
    rules = compute(roots["rules"])
    return {"format": FORMAT, "kind": "setpoint-release", "algorithm": "sha256", "rulebase": rules["rulebase"],
            "version": rules["version"], "files": release_files(roots)}


def compare_release(recorded: dict[str, Any], roots: dict[str, Path]) -> Mismatch:
    if recorded.get("kind") != "setpoint-release" or not isinstance(recorded.get("files"), dict):
        raise IntegrityError(f"{RELEASE}: not a Setpoint release manifest")
    if recorded.get("algorithm") != "sha256":
        raise IntegrityError(f"{RELEASE}: unsupported algorithm {recorded.get('algorithm')!r}")
    current = compute_release(roots)
    old, new = recorded["files"], current["files"]
    version = (recorded.get("version"), current["version"]) if recorded.get("version") != current["version"] else None
    return Mismatch(
        added=tuple(sorted(set(new) - set(old))),
        removed=tuple(sorted(set(old) - set(new))),
        edited=tuple(sorted(f for f in set(old) & set(new) if old[f] != new[f])),
        version=version,
    )
