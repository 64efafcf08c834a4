"""The batch's errors: a bad input or option (exit 2) and a run that stopped before the end (exit 1)."""

from __future__ import annotations

from ..errors import SetpointError


class BatchInputError(SetpointError):
    """The batch's input path or options are unusable (exit code 2)."""


class BatchIncomplete(SetpointError):
    """The run stopped (a worker process died, the cluster went away); finished partitions are kept and
    the same command resumes (exit code 1)."""
