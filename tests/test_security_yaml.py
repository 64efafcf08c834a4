"""engine/yamlsafe.py: YAML without anchors, aliases, over-size or over-deep input (alias bombs)."""

from __future__ import annotations

import time

import pytest
import yaml

from setpoint.errors import SetpointError, UnsafeYamlError
from setpoint.yamlsafe import load_yaml

from .conftest import ROOT

BOMB = """
resourceType: Bundle
type: collection
a: &a [{url: x}, {url: x}, {url: x}, {url: x}, {url: x}, {url: x}, {url: x}, {url: x}, {url: x}]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
entry: [{resource: {resourceType: Patient, id: p1, extension: [*e, *e, *e, *e, *e, *e, *e, *e, *e]}}]
"""


def test_an_alias_bomb_is_refused_quickly_naming_the_line() -> None:
    t0 = time.perf_counter()
    with pytest.raises(UnsafeYamlError, match=r"bomb.yaml: line 4: YAML anchors \(&a\) are not accepted"):
        load_yaml(BOMB, source="bomb.yaml", max_bytes=1 << 20)
    assert time.perf_counter() - t0 < 1


def test_aliases_merge_keys_and_anchors_alone_are_refused() -> None:
    with pytest.raises(UnsafeYamlError, match="anchors"):
        load_yaml("a: &x 1\nb: 2\n", source="s", max_bytes=1000)
    with pytest.raises(UnsafeYamlError, match="aliases"):
        load_yaml("a: *x\n", source="s", max_bytes=1000)  # an undefined alias is refused before PyYAML's error
    with pytest.raises(UnsafeYamlError):
        load_yaml("base: &b {x: 1}\nrule:\n  <<: *b\n", source="s", max_bytes=1000)


def test_over_size_and_over_deep_input_is_refused() -> None:
    with pytest.raises(UnsafeYamlError, match="over the limit of 100 bytes"):
        load_yaml("a: " + "x" * 200, source="big.yaml", max_bytes=100)
    with pytest.raises(UnsafeYamlError, match="nested deeper than 100 levels"):
        load_yaml("[" * 5000 + "]" * 5000, source="deep.yaml", max_bytes=1 << 20)


def test_it_is_a_setpoint_error_and_ordinary_yaml_errors_stay_yaml_errors() -> None:
    assert issubclass(UnsafeYamlError, SetpointError)
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: [1, 2\n", source="s", max_bytes=1000)


def test_every_bundled_yaml_file_loads_the_same_as_safe_load() -> None:
    files = [*ROOT.glob("rules/**/*.yaml"), *ROOT.glob("knowledge/*.yaml"), *ROOT.glob("examples/*.yaml")]
    assert len(files) > 20
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert load_yaml(text, source=str(p), max_bytes=4 << 20) == yaml.safe_load(text), p
