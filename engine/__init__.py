"""Setpoint: rules-based clinical decision support.

    from engine import Engine
    eng = Engine.load()
    result = eng.evaluate(data, as_of=date(2026, 11, 21))
"""

from engine.core import Engine, __version__
from engine.errors import RuleBaseError, SetpointError, SnapshotError
from engine.findings import EvaluationResult, Finding

__all__ = ["Engine", "EvaluationResult", "Finding", "RuleBaseError", "SetpointError", "SnapshotError", "__version__"]
