"""The condition language of rule files (`when:`): `all` / `any` / `not` over registered leaves.

A condition is a tree.  Every leaf names one derived fact (see `engine.leaves`: one class per
condition type, holding its arguments, fact spec, deriver and plain-language phrase) and, for
numbers and strings, a comparison.  Windows ("within 120 days"), latest-result selection and
absence are computed as facts before matching, never inside the rules.

Each leaf is written as a one-key mapping, e.g.::

    - med_active: VS_SSRI
    - lab: {analyte: hematocrit, within_days: 120, op: ">", value: 54, unit: "%"}
    - not: {condition: VS_BREAST_CANCER}
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from ..leaves import REGISTRY, Leaf, LeafModel


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class AllOf(_Node):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Node):
    any: list[Condition] = Field(min_length=1)


class NotOf(_Node):
    not_: Condition = Field(alias="not")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Condition(RootModel[Annotated[Union[AllOf, AnyOf, NotOf, LeafModel], Field()]]):  # noqa: UP007
    """One node of a condition tree.  Dispatches on its single key so errors name the right leaf."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    @model_validator(mode="wrap")
    @classmethod
    def _dispatch(cls, data: Any, handler: Any) -> Any:
        if isinstance(data, Condition):
            return data
        if not isinstance(data, dict) or len(data) != 1:
            keys = sorted(data) if isinstance(data, dict) else type(data).__name__
            raise ValueError(
                f"a condition must be a mapping with exactly one key (all, any, not or a leaf), got {keys}"
            )
        (key,) = data
        if key == "all":
            return cls.model_construct(root=AllOf.model_validate(data))
        if key == "any":
            return cls.model_construct(root=AnyOf.model_validate(data))
        if key == "not":
            return cls.model_construct(root=NotOf.model_validate(data))
        leaf_type = REGISTRY.get(key)
        if leaf_type is None:
            raise ValueError(f"unknown condition {key!r}; expected all, any, not or one of {sorted(REGISTRY)}")
        return cls.model_construct(root=leaf_type.model_validate(data))


def is_leaf(node: Any) -> bool:
    return isinstance(node, Leaf)


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
Condition.model_rebuild()
