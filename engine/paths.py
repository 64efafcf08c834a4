"""Where the rule base, knowledge and report templates live.

In this order: `SETPOINT_HOME` (a folder holding rules/, knowledge/ and reports/); a source checkout
(the folders beside the package, as an editable install sees them); else the copies an installed
wheel carries inside the package (`setpoint/_home/`, read through importlib.resources).  `--rules`,
`--knowledge` and `--reports` override each folder on the command line.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def home() -> Path:
    env = os.environ.get("SETPOINT_HOME")
    if env:
        return Path(env)
    checkout = PACKAGE.parent
    if (checkout / "rules" / "rulebase.yaml").is_file() and (checkout / "knowledge").is_dir():
        return checkout
    return Path(str(files(__package__ or "setpoint") / "_home"))


def rules_dir() -> Path:
    return home() / "rules"


def knowledge_dir() -> Path:
    return home() / "knowledge"


def reports_dir() -> Path:
    return home() / "reports"


def features_dir() -> Path:
    return home() / "features"


def examples_dir() -> Path:
    return home() / "examples"
