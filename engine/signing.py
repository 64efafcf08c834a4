"""Detached Ed25519 signatures of the release manifest (rules/, knowledge/ and reports/), with `cryptography`.

    setpoint rules keygen --out release-key          # release-key (private, 0600) and release-key.pub
    setpoint rules sign --key release-key            # writes rules/.release.json and rules/.release.json.sig
    setpoint serve --verify --trusted-key release-key.pub
    setpoint evaluate patient.json --verify --trusted-key release-key.pub

Verification refuses a release that is unsigned, signed by another key, or whose files were added,
removed or edited after signing, naming each file.  Rewriting the manifest after tampering does not
help: the signature covers the manifest's exact bytes, and only the private key can sign new ones.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import IntegrityError
from .manifest import FOLDERS, RELEASE, RELEASE_SIG, compare_release, compute_release, render

SIG_PREFIX = "setpoint-ed25519:"


def roots(rules: Path | None, knowledge: Path | None, reports: Path | None = None) -> dict[str, Path]:
    from . import paths

    return {"rules": Path(rules or paths.rules_dir()), "knowledge": Path(knowledge or paths.knowledge_dir()),
            "reports": Path(reports or paths.reports_dir())}


def generate(out: Path) -> tuple[Path, Path]:
    """Write a new Ed25519 key pair: `out` (PKCS#8 PEM, 0600) and `out`.pub (SubjectPublicKeyInfo PEM)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    pub = out.with_name(out.name + ".pub")
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    return out, pub


def load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as e:
        raise IntegrityError(f"{path}: not a readable, unencrypted PEM private key ({e.__class__.__name__})") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise IntegrityError(f"{path}: not an Ed25519 private key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as e:
        raise IntegrityError(f"{path}: not a readable PEM public key ({e.__class__.__name__})") from e
    if not isinstance(key, Ed25519PublicKey):
        raise IntegrityError(f"{path}: not an Ed25519 public key")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    import hashlib

    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(folders: dict[str, Path], key_path: Path) -> tuple[Path, Path, dict[str, Any]]:
    """Write the release manifest and its detached signature beside rulebase.yaml."""
    key = load_private(key_path)
    manifest = compute_release(folders)
    data = render(manifest).encode("utf-8")
    target = folders["rules"] / RELEASE
    target.write_bytes(data)
    sig = folders["rules"] / RELEASE_SIG
    sig.write_text(SIG_PREFIX + key_id(key.public_key()) + ":" + base64.b64encode(key.sign(data)).decode() + "\n",
                   encoding="ascii")
    return target, sig, manifest


def verify(folders: dict[str, Path], public_key: Path) -> dict[str, Any]:
    """Raise IntegrityError unless the release manifest is signed by `public_key` and every file matches."""
    key = load_public(public_key)
    target, sig = folders["rules"] / RELEASE, folders["rules"] / RELEASE_SIG
    if not target.is_file() or not sig.is_file():
        raise IntegrityError(f"{target}: the release is not signed (no {RELEASE} and {RELEASE_SIG}); "
                             "sign it with `setpoint rules sign --key KEY`")
    data = target.read_bytes()
    try:
        prefix, kid, b64 = sig.read_text(encoding="ascii").strip().split(":", 2)
        signature = base64.b64decode(b64, validate=True)
        assert prefix + ":" == SIG_PREFIX
    except (ValueError, AssertionError, UnicodeDecodeError) as e:
        raise IntegrityError(f"{sig}: not a Setpoint signature") from e
    if kid != key_id(key):
        raise IntegrityError(f"{sig}: signed by key {kid}, not by the trusted key {key_id(key)} ({public_key})")
    try:
        key.verify(signature, data)
    except InvalidSignature as e:
        raise IntegrityError(f"{target}: the signature does not match (the manifest was edited after signing)") from e
    try:
        recorded = json.loads(data)
    except ValueError as e:
        raise IntegrityError(f"{target}: not valid JSON") from e
    mismatch = compare_release(recorded, folders)
    if mismatch:
        raise IntegrityError("the release does not match its signed manifest:\n  " + "\n  ".join(mismatch.lines()))
    return recorded


__all__ = ["FOLDERS", "generate", "roots", "sign", "verify"]
