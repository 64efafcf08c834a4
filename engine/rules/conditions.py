"""The condition language of rule files (`when:`), as pydantic models.

A condition is a tree: `all` / `any` / `not` over leaves.  Every leaf names one
derived fact (computed in Python by `engine.facts`) and, for numbers and
strings, a comparison.  Windows ("within 120 days"), latest-result selection and
absence are computed as facts before matching, never inside the rules.

Each leaf is written as a one-key mapping, e.g.::

    - med_active: VS_SSRI
    - lab: {analyte: hematocrit, within_days: 120, op: ">", value: 54, unit: "%"}
    - not: {condition: VS_BREAST_CANCER}
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

Op = Literal["==", "!=", ">", ">=", "<", "<=", "in"]
Scalar = bool | int | float | str


class _Leaf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Compare(_Leaf):
    op: Op
    value: Scalar | list[Scalar]

    @model_validator(mode="after")
    def _value_shape(self) -> _Compare:
        if self.op == "in" and not isinstance(self.value, list):
            raise ValueError("op 'in' needs a list value")
        if self.op != "in" and isinstance(self.value, list):
            raise ValueError(f"op {self.op!r} needs a single value, not a list")
        return self


class _NumCompare(_Leaf):
    op: Literal["==", "!=", ">", ">=", "<", "<="]
    value: int | float

    @model_validator(mode="before")
    @classmethod
    def _no_bool(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("value"), bool):
            raise ValueError("value must be a number, not a boolean")
        return data


# ---------------------------------------------------------------- medication leaves


class MedActiveArgs(_Leaf):
    set: str
    compounded: bool | None = None
    prn: bool | None = None


class MedWindowArgs(_Leaf):
    set: str
    days: int = Field(gt=0, le=3650)


class DaysSinceChangeArgs(_NumCompare):
    set: str


class DailyDoseArgs(_NumCompare):
    set: str
    unit: str


class CountActiveArgs(_NumCompare):
    sets: list[str] = Field(min_length=1)


# ---------------------------------------------------------------- condition / patient


class ConditionArgs(_Leaf):
    set: str
    status: Literal["any", "active", "history"] = "any"


PatientField = Literal[
    "age", "sex", "pregnant", "uterus_present", "childbearing_potential", "postmenopausal",
    "years_since_menopause", "weight_kg", "fertility_goal",
]


class PatientArgs(_Compare):
    field: PatientField


# ---------------------------------------------------------------- results


class LabArgs(_NumCompare):
    analyte: str
    within_days: int = Field(gt=0, le=3650)
    unit: str
    # Only samples collected between these local clock times count (e.g. AM cortisol 06:00-10:00).
    collected_between: tuple[str, str] | None = None


class LabWindowArgs(_Leaf):
    analyte: str
    within_days: int = Field(gt=0, le=3650)


class LabSinceChangeArgs(_Leaf):
    analyte: str
    set: str
    min_days_after: int = Field(default=0, ge=0, le=60)


class LabSpecimenArgs(_Leaf):
    analytes: list[str] = Field(min_length=1)
    specimens: list[str] = Field(min_length=1)
    within_days: int = Field(gt=0, le=3650)


class LabUnusableArgs(_Leaf):
    within_days: int = Field(gt=0, le=3650)


class ScaleArgs(_NumCompare):
    scale: Literal["phq9", "gad7"]
    item: Literal["total", "item9"] = "total"
    within_days: int = Field(gt=0, le=3650)


class VitalArgs(_NumCompare):
    kind: Literal["temperature", "systolic_bp", "diastolic_bp", "heart_rate", "weight"]
    within_days: int = Field(gt=0, le=3650)
    unit: str


class NoteArgs(_Leaf):
    kind: str
    within_days: int = Field(gt=0, le=3650)


# ---------------------------------------------------------------- leaf wrappers (one key each)


class MedActive(_Leaf):
    med_active: str | MedActiveArgs


class MedStoppedWithin(_Leaf):
    med_stopped_within: MedWindowArgs


class MedStartedWithin(_Leaf):
    med_started_within: MedWindowArgs


class MedChangedWithin(_Leaf):
    med_changed_within: MedWindowArgs


class DaysSinceMedChange(_Leaf):
    days_since_med_change: DaysSinceChangeArgs


class DailyDose(_Leaf):
    daily_dose: DailyDoseArgs


class CountActive(_Leaf):
    count_active: CountActiveArgs


class HasCondition(_Leaf):
    condition: str | ConditionArgs


class PatientLeaf(_Leaf):
    patient: PatientArgs


class PatientUnknown(_Leaf):
    patient_unknown: PatientField


class Lab(_Leaf):
    lab: LabArgs


class LabMissing(_Leaf):
    lab_missing: LabWindowArgs


class LabSinceMedChange(_Leaf):
    lab_since_med_change: LabSinceChangeArgs


class LabSpecimen(_Leaf):
    lab_specimen: LabSpecimenArgs


class LabUnusable(_Leaf):
    lab_unusable: LabUnusableArgs


class Scale(_Leaf):
    scale: ScaleArgs


class Vital(_Leaf):
    vital: VitalArgs


class Note(_Leaf):
    note: NoteArgs


LEAF_TYPES: dict[str, type[_Leaf]] = {
    "med_active": MedActive,
    "med_stopped_within": MedStoppedWithin,
    "med_started_within": MedStartedWithin,
    "med_changed_within": MedChangedWithin,
    "days_since_med_change": DaysSinceMedChange,
    "daily_dose": DailyDose,
    "count_active": CountActive,
    "condition": HasCondition,
    "patient": PatientLeaf,
    "patient_unknown": PatientUnknown,
    "lab": Lab,
    "lab_missing": LabMissing,
    "lab_since_med_change": LabSinceMedChange,
    "lab_specimen": LabSpecimen,
    "lab_unusable": LabUnusable,
    "scale": Scale,
    "vital": Vital,
    "note": Note,
}

LeafModel = Union[  # noqa: UP007 - pydantic needs the explicit Union for JSON Schema titles
    MedActive, MedStoppedWithin, MedStartedWithin, MedChangedWithin, DaysSinceMedChange, DailyDose,
    CountActive, HasCondition, PatientLeaf, PatientUnknown, Lab, LabMissing, LabSinceMedChange,
    LabSpecimen, LabUnusable, Scale, Vital, Note,
]


class AllOf(_Leaf):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Leaf):
    any: list[Condition] = Field(min_length=1)


class NotOf(_Leaf):
    not_: Condition = Field(alias="not")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Condition(RootModel[Annotated[Union[AllOf, AnyOf, NotOf, LeafModel], Field()]]):  # noqa: UP007
    """One node of a condition tree.  Dispatches on its single key so errors name the right leaf."""

    model_config = ConfigDict(frozen=True)

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
        leaf_type = LEAF_TYPES.get(key)
        if leaf_type is None:
            raise ValueError(f"unknown condition {key!r}; expected all, any, not or one of {sorted(LEAF_TYPES)}")
        return cls.model_construct(root=leaf_type.model_validate(data))


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
Condition.model_rebuild()
