"""Integrity: the release manifest covers rules/, knowledge/ and reports/ and is signed (Ed25519);
`--verify --trusted-key` on `evaluate` and `serve` refuses a release that is unsigned, signed by
another key, or edited after signing -- naming the file -- even when the manifest was rewritten."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "perimenopause-and-lithium.yaml"


def setpoint(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"SETPOINT_HOME": str(home), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "setpoint.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)


@pytest.fixture
def release(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the release (rules, knowledge, reports), signed with a key made here; (home, public key)."""
    home = tmp_path / "home"
    for folder in ("rules", "knowledge", "reports"):
        shutil.copytree(ROOT / folder, home / folder)
    key = tmp_path / "release-key"
    assert setpoint(home, "rules", "keygen", "--out", str(key)).returncode == 0
    assert (key.stat().st_mode & 0o777) == 0o600
    signed = setpoint(home, "rules", "sign", "--key", str(key))
    assert signed.returncode == 0, signed.stderr
    assert (home / "rules" / ".release.json").is_file() and (home / "rules" / ".release.json.sig").is_file()
    files = json.loads((home / "rules" / ".release.json").read_text())["files"]
    assert {f.split("/")[0] for f in files} == {"rules", "knowledge", "reports"}
    return home, tmp_path / "release-key.pub"


def evaluate(home: Path, pub: Path) -> subprocess.CompletedProcess[str]:
    return setpoint(home, "evaluate", str(EXAMPLE), "--as-of", "2026-11-21", "--verify", "--trusted-key", str(pub))


def test_a_signed_release_verifies(release: tuple[Path, Path]) -> None:
    home, pub = release
    r = evaluate(home, pub)
    assert r.returncode == 0, r.stderr
    assert "judgment" in r.stdout


@pytest.mark.parametrize("path", ["knowledge/medications.yaml", "reports/card_detail.md.j2", "rules/rulebase.yaml"])
def test_an_edited_file_is_refused_by_name_even_after_rewriting_the_manifest(release: tuple[Path, Path],
                                                                             path: str) -> None:
    home, pub = release
    with (home / path).open("a") as fh:
        fh.write("\n# tampered\n")
    setpoint(home, "rules", "manifest")  # the rules/ manifest rewritten to match: no help
    r = evaluate(home, pub)
    assert r.returncode == 2
    assert f"{path}: edited since the manifest was written" in r.stderr


def test_an_added_file_is_refused(release: tuple[Path, Path]) -> None:
    home, pub = release
    (home / "knowledge" / "extra.yaml").write_text("x: 1\n")
    r = evaluate(home, pub)
    assert r.returncode == 2 and "knowledge/extra.yaml: added" in r.stderr


def test_unsigned_resigned_and_forged_releases_are_refused(release: tuple[Path, Path], tmp_path: Path) -> None:
    home, pub = release
    manifest = home / "rules" / ".release.json"
    # a manifest edited to match a tampered file: the signature no longer verifies
    doc = json.loads(manifest.read_text())
    doc["files"]["knowledge/medications.yaml"] = "0" * 64
    manifest.write_text(json.dumps(doc))
    r = evaluate(home, pub)
    assert r.returncode == 2 and "signature does not match" in r.stderr
    # signed again by someone else's key
    other = tmp_path / "other-key"
    setpoint(home, "rules", "keygen", "--out", str(other))
    setpoint(home, "rules", "sign", "--key", str(other))
    r = evaluate(home, pub)
    assert r.returncode == 2 and "not by the trusted key" in r.stderr
    # not signed at all
    manifest.unlink()
    r = evaluate(home, pub)
    assert r.returncode == 2 and "not signed" in r.stderr


def test_serve_refuses_a_tampered_release_before_listening(release: tuple[Path, Path], tmp_path: Path) -> None:
    home, pub = release
    with (home / "knowledge" / "analytes.yaml").open("a") as fh:
        fh.write("\n# lithium limit raised\n")
    r = setpoint(home, "serve", "--allow-unauthenticated", "--port", "1", "--data-dir", str(tmp_path / "d"),
                 "--verify", "--trusted-key", str(pub))
    assert r.returncode == 2
    assert "knowledge/analytes.yaml: edited" in r.stderr
