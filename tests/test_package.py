"""The installable package: a wheel carries the rule base, knowledge, templates, py.typed and the licence,
and an installed `setpoint` evaluates a patient from any folder (no checkout needed)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (whl,) = out.glob("setpoint-*.whl")
    return whl


def test_the_wheel_carries_everything_setpoint_reads(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "engine/py.typed" in names
    assert "engine/_home/rules/rulebase.yaml" in names and "engine/_home/knowledge/analytes.yaml" in names
    assert "engine/_home/reports/report.txt.j2" in names
    assert any(n.endswith("licenses/LICENSE") for n in names)
    rule_files = {n for n in names if n.startswith("engine/_home/rules/") and n.endswith(".yaml")}
    assert len(rule_files) == len(list((ROOT / "rules").rglob("*.yaml")))


def test_an_installed_setpoint_evaluates_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)}))
    # The dependencies come from the test's own environment; the wheel itself is what is under test.
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    py = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    case = elsewhere / "case.yaml"
    case.write_text((ROOT / "examples" / "perimenopause-and-lithium.yaml").read_text())
    exe = env_dir / "bin" / "setpoint"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SETPOINT_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([str(exe), "evaluate", "case.yaml", "--as-of", "2026-11-21"], cwd=elsewhere, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "NC-LI-019" in r.stdout and "critical" in r.stdout.lower()
    v = subprocess.run([str(exe), "--version"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert v.stdout.strip() == "setpoint 0.2.0"
