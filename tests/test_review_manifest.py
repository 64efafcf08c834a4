"""`setpoint rules manifest` and `Engine.load(verify=True)`: a tampered rule base is refused, naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from setpoint import Engine
from setpoint.errors import IntegrityError
from setpoint.manifest import verify_manifest, write_manifest
from setpoint.rules.load import SIGNATURE

from .conftest import ROOT
from .review_util import LITHIUM, NSAID, cli, edit


@pytest.fixture
def signed(rules_copy: Path) -> Path:
    r = cli("rules", "manifest", "--rules", rules_copy)
    assert r.exit_code == 0, r.output
    assert f"wrote {rules_copy / SIGNATURE}" in r.stdout
    return rules_copy


def refused(rules: Path) -> str:
    with pytest.raises(IntegrityError) as e:
        Engine.load(rules=rules, matcher="compiled", verify=True)
    return str(e.value)


def test_committed_manifest_is_current() -> None:
    try:
        verify_manifest(ROOT / "rules")
    except IntegrityError as e:
        pytest.fail(f"rules/{SIGNATURE} is stale; regenerate it with `setpoint rules manifest` "
                    f"(or `make manifest`) and commit it.\n{e}")


def test_manifest_lists_every_file_with_its_hash_and_the_version(signed: Path) -> None:
    m = json.loads((signed / SIGNATURE).read_text(encoding="utf-8"))
    rule_files = {p.relative_to(signed).as_posix() for p in signed.rglob("*.yaml")}
    assert set(m["files"]) == rule_files and "rulebase.yaml" in m["files"] and SIGNATURE not in m["files"]
    assert m["algorithm"] == "sha256" and all(len(h) == 64 for h in m["files"].values())
    assert m["version"] == Engine.load(rules=signed, matcher="compiled").rulebase.version


def test_writing_twice_gives_the_same_bytes(signed: Path) -> None:
    first = (signed / SIGNATURE).read_bytes()
    write_manifest(signed)
    assert (signed / SIGNATURE).read_bytes() == first


def test_a_matching_rule_base_loads_and_the_manifest_is_not_a_rule(signed: Path) -> None:
    eng = Engine.load(rules=signed, matcher="compiled", verify=True)
    assert all(r.path.name != SIGNATURE for r in eng.rulebase.rules)
    assert eng.rulebase.content_hash == Engine.load(rules=signed, matcher="compiled").rulebase.content_hash
    r = cli("rules", "manifest", "--rules", signed, "--check")
    assert r.exit_code == 0 and "every file matches" in r.stdout


def test_an_edited_file_is_refused_and_named(signed: Path) -> None:
    edit(signed, LITHIUM, r"value: 1\.5\b", "value: 2.5")
    msg = refused(signed)
    assert f"{LITHIUM}: edited since the manifest was written" in msg
    assert NSAID not in msg


def test_an_added_file_is_refused_and_named(signed: Path) -> None:
    extra = signed / "neuro" / "lithium" / "extra.yaml"
    extra.write_text((signed / NSAID).read_text(encoding="utf-8").replace("NC-LI-026", "NC-LI-098"), encoding="utf-8")
    assert "neuro/lithium/extra.yaml: added since the manifest was written" in refused(signed)


def test_a_removed_file_is_refused_and_named(signed: Path) -> None:
    (signed / NSAID).unlink()
    assert f"{NSAID}: removed since the manifest was written" in refused(signed)


def test_a_missing_manifest_is_refused(rules_copy: Path) -> None:
    (rules_copy / SIGNATURE).unlink(missing_ok=True)
    assert "write it with `setpoint rules manifest" in refused(rules_copy)


def test_check_exits_one_naming_the_file(signed: Path) -> None:
    edit(signed, NSAID, r"^title: .*$", "title: Lithium with an NSAID (edited)")
    r = cli("rules", "manifest", "--rules", signed, "--check")
    assert r.exit_code == 1 and f"{NSAID}: edited" in r.stderr


def test_serve_verify_refuses_a_tampered_rule_base(signed: Path) -> None:
    (signed / NSAID).unlink()
    r = cli("serve", "--rules", signed, "--verify", "--port", "1")
    assert r.exit_code == 2
    assert f"{NSAID}: removed since the manifest was written" in r.stderr
