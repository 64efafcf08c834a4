"""Run every Gherkin feature exactly once.

Domain folders with their own test module (features/hormone, features/neuro, features/general) are
collected there, so `pytest features/hormone` runs one domain; this module collects every other
feature file (top level and any folder without a module), so none can be left out by accident.
"""

from pathlib import Path

from pytest_bdd import scenarios

HERE = Path(__file__).parent
_owned = {p.parent for p in HERE.glob("*/test_*.py")}
_rest = sorted(str(p.relative_to(HERE)) for p in HERE.rglob("*.feature") if not any(d in p.parents for d in _owned))
if _rest:
    scenarios(*_rest)
