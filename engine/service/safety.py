"""Text the service writes back (error bodies) or to its log, made safe: control characters and lone
surrogates escaped (a newline in a patientId cannot forge a log line), and the length bounded (a 15 MB
field does not come back as a 15 MB answer)."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter, DefaultFormatter

MAX_MESSAGE = 500
MAX_PROBLEMS = 20
MAX_LOG_LINE = 2000
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def clean(text: object, limit: int = MAX_MESSAGE) -> str:
    s = str(text)
    if len(s) > limit * 4:
        s = s[:limit * 4]
    s = _UNSAFE.sub(_escape, s)
    return s if len(s) <= limit else s[:limit - 15] + "... (truncated)"


class SafeDefaultFormatter(DefaultFormatter):
    """uvicorn's formatter, whose lines hold no control characters and are at most MAX_LOG_LINE long."""

    def format(self, record: logging.LogRecord) -> str:
        return clean(super().format(record), MAX_LOG_LINE)


class SafeAccessFormatter(AccessFormatter):
    """uvicorn's access-log formatter, escaped and bounded the same way (a request path is client text)."""

    def format(self, record: logging.LogRecord) -> str:
        return clean(super().format(record), MAX_LOG_LINE)


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging configuration with the safe formatters and the `setpoint` logger at `level`."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["default"]["()"] = f"{__name__}.SafeDefaultFormatter"
    config["formatters"]["access"]["()"] = f"{__name__}.SafeAccessFormatter"
    config["loggers"]["setpoint"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config
