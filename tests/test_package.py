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
    assert "setpoint/py.typed" in names
    assert "setpoint/_home/rules/rulebase.yaml" in names and "setpoint/_home/knowledge/analytes.yaml" in names
    assert "setpoint/_home/reports/report.txt.j2" in names
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "setpoint/core.py" in names and "engine/__init__.py" in names  # the deprecated alias only
    assert not any(n.startswith("engine/") and n != "engine/__init__.py" for n in names)
    assert "setpoint/_deprecated_engine.py" not in names
    rule_files = {n for n in names if n.startswith("setpoint/_home/rules/") and n.endswith(".yaml")}
    assert len(rule_files) == len(list((ROOT / "rules").rglob("*.yaml")))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its folder."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=False)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)}))
    # The dependencies come from the test's own environment; the wheel itself is what is under test.
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    py = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    return env_dir


def test_an_installed_setpoint_evaluates_from_another_folder(installed: Path, tmp_path: Path) -> None:
    env_dir = installed
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
    assert v.stdout.strip() == "setpoint 0.3.0"


def test_a_project_with_its_own_engine_package_imports_setpoint(installed: Path, tmp_path: Path) -> None:
    """The import name is `setpoint`: a project whose own package is called `engine` keeps working."""
    project = tmp_path / "project"
    (project / "engine").mkdir(parents=True)
    (project / "engine" / "__init__.py").write_text("WHO = 'the project'\n")
    code = ("import datetime, engine, setpoint\n"
            "assert engine.WHO == 'the project'\n"
            "r = setpoint.Engine.load().evaluate(open('case.yaml').read(), as_of=datetime.date(2026, 11, 21))\n"
            "print(sorted({f.rule_id for f in r.findings})[:3], setpoint.__version__)\n")
    (project / "case.yaml").write_text((ROOT / "examples" / "perimenopause-and-lithium.yaml").read_text())
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SETPOINT_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([str(installed / "bin" / "python"), "-c", code], cwd=project, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "0.3.0" in r.stdout


def test_import_engine_is_a_deprecated_alias_of_setpoint(installed: Path, tmp_path: Path) -> None:
    code = ("import warnings\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    import engine\n"
            "    from engine.core import Engine\n"
            "import setpoint, setpoint.core\n"
            "assert engine is setpoint and Engine is setpoint.core.Engine\n"
            "print([str(x.message) for x in w if issubclass(x.category, DeprecationWarning)])\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    r = subprocess.run([str(installed / "bin" / "python"), "-c", code], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "deprecated" in r.stdout and "setpoint" in r.stdout
