"""`import engine` is the import name Setpoint had before 0.3.0: a deprecated alias of `setpoint`.

Installed by the wheel as the top-level `engine` package (see pyproject.toml); it will be removed in
the next release.  Every `engine.<module>` resolves to the very same module object as
`setpoint.<module>` (no second copy of the rule base or the models).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from types import ModuleType

warnings.warn("the import name 'engine' is deprecated and will be removed; use 'setpoint'", DeprecationWarning,
              stacklevel=2)

import setpoint as _setpoint  # noqa: E402


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves `engine.x.y` to the already-importable `setpoint.x.y`."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if name.startswith("engine."):
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module("setpoint" + spec.name[len("engine"):])

    def exec_module(self, module: ModuleType) -> None:
        return None


sys.meta_path.insert(0, _Alias())
sys.modules[__name__] = _setpoint
