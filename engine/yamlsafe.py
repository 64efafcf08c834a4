"""YAML input without alias bombs: `load_yaml` refuses anchors and aliases, input over a size limit and
nesting deep enough to exhaust the stack, with an error naming the source and line.

A 1 KB document whose aliases nest ("billion laughs") expands to gigabytes once loaded: PyYAML's
safe_load builds every alias as a shared object, and any code that walks or copies the result pays
for the expansion.  Snapshots and rule files never need anchors, so they are refused outright.

    from setpoint.yamlsafe import load_yaml
    data = load_yaml(path.read_text(encoding="utf-8"), source=str(path), max_bytes=1024 * 1024)

Other YAML errors are raised as `yaml.YAMLError`, as `yaml.safe_load` raises them.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import UnsafeYamlError

MAX_DEPTH = 100


MAX_BYTES = 64 * 1024 * 1024  # one patient record or one rule or knowledge file
_FAST = getattr(yaml, "CSafeLoader", None)


def load_yaml(text: str, *, source: str, max_bytes: int = MAX_BYTES) -> Any:
    """Parse one YAML document like `yaml.safe_load`, refusing anchors, aliases, over-size and over-deep input.

    A document without "&" or "*" can hold no anchor or alias: it is read with libyaml (C), which is many
    times faster on the large knowledge files; any other document goes through the checking loader."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise UnsafeYamlError(f"{source}: {size} bytes is over the limit of {max_bytes} bytes for this file")
    if _FAST is not None and "&" not in text and "*" not in text:
        try:
            doc = yaml.load(text, Loader=_FAST)  # libyaml's safe loader
        except RecursionError as e:
            raise UnsafeYamlError(f"{source}: nested too deeply") from e
        if _depth(doc) > MAX_DEPTH:
            raise UnsafeYamlError(f"{source}: nested deeper than {MAX_DEPTH} levels")
        return doc
    loader = _Loader(text, source)
    try:
        return loader.get_single_data()
    except RecursionError as e:
        raise UnsafeYamlError(f"{source}: nested too deeply") from e
    finally:
        loader.dispose()


def _depth(doc: Any) -> int:
    """Nesting depth of a loaded document, without recursion."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, d)
            if d <= MAX_DEPTH:
                stack.extend((x, d + 1) for x in (node.values() if isinstance(node, dict) else node))
    return deepest


class _Loader(yaml.SafeLoader):
    def __init__(self, text: str, source: str):
        super().__init__(text)
        self._source = source
        self._depth = 0

    def _where(self, event: yaml.Event) -> str:
        return f"{self._source}: line {event.start_mark.line + 1}" if event.start_mark else self._source

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise UnsafeYamlError(f"{self._where(event)}: YAML aliases (*{event.anchor}) are not accepted")
        if getattr(event, "anchor", None):
            raise UnsafeYamlError(f"{self._where(event)}: YAML anchors (&{event.anchor}) are not accepted")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise UnsafeYamlError(f"{self._where(event)}: nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
