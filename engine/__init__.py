"""Setpoint: rules-based clinical decision support.

    from setpoint import Engine
    eng = Engine.load()
    result = eng.evaluate(data, as_of=date(2026, 11, 21))
"""

from .core import Engine, __version__
from .errors import RuleBaseError, SetpointError, SnapshotError
from .findings import EvaluationResult, Finding

__all__ = ["Engine", "EvaluationResult", "Finding", "RuleBaseError", "SetpointError", "SnapshotError", "__version__"]
