"""Fixtures shared by tests/ and features/: one engine per matcher for the whole run."""

from __future__ import annotations

import pytest

from setpoint import Engine


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture(scope="session")
def compiled_engine() -> Engine:
    return Engine.load(matcher="compiled")
