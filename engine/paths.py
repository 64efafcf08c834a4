"""Where the rule base, knowledge and report templates live.

A source checkout (editable install) keeps them beside the package; `SETPOINT_HOME`
points elsewhere (a directory holding rules/, knowledge/ and reports/).
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    env = os.environ.get("SETPOINT_HOME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent


def rules_dir() -> Path:
    return home() / "rules"


def knowledge_dir() -> Path:
    return home() / "knowledge"


def reports_dir() -> Path:
    return home() / "reports"


def features_dir() -> Path:
    return home() / "features"
