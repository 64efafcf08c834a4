from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 21)
SHARED = ROOT.parent / "shared"


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled rule base."""
    dst = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", dst)
    return dst


def patient(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"patient": {"sex": "female", "age": 58}}
    base.update(extra)
    return base
