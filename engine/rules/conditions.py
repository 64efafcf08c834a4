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

import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

Op = Literal["==", "!=", ">", ">=", "<", "<=", "in"]
Scalar = bool | int | float | str
DOSE_TIMINGS = ("early", "trough", "late", "unrecorded")


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


# ---------------------------------------------------------------- neurochemistry leaves (washout, lithium timing,
# result trends, opioid MME, benzodiazepine tapering, scales after a change, specimen checks)


class StartedAfterStopArgs(_Leaf):
    set: str  # the product started (and still active)
    after: str  # the product stopped before it
    days: int = Field(gt=0, le=3650)


class LabDoseTimingArgs(_Leaf):
    """Timing of the latest result relative to the last dose: early (< 10 h), trough (10-14 h), late (> 14 h)
    or unrecorded.  Compared as text (op == / != / in)."""

    analyte: str
    within_days: int = Field(gt=0, le=3650)
    op: Literal["==", "!=", "in"]
    value: str | list[str]

    @model_validator(mode="after")
    def _timing_values(self) -> LabDoseTimingArgs:
        values = self.value if isinstance(self.value, list) else [self.value]
        if (self.op == "in") != isinstance(self.value, list):
            raise ValueError("op 'in' needs a list value; == and != need a single value")
        bad = [v for v in values if v not in DOSE_TIMINGS]
        if bad:
            raise ValueError(f"dose timing is one of {', '.join(DOSE_TIMINGS)}, not {bad[0]!r}")
        return self


class LabTrendArgs(_NumCompare):
    """The latest result within `within_days` compared with earlier results up to `lookback_days` before it.

    `percent_change`: 100 x (latest - highest earlier) / highest earlier; `previous`: the value of the most
    recent earlier result (`unit` required); `prior_count`: how many earlier results there are."""

    analyte: str
    within_days: int = Field(gt=0, le=3650)
    lookback_days: int = Field(gt=0, le=3650)
    measure: Literal["percent_change", "previous", "prior_count"]
    unit: str | None = None

    @model_validator(mode="after")
    def _unit(self) -> LabTrendArgs:
        if self.measure == "previous" and not self.unit:
            raise ValueError("measure 'previous' compares a result value: give its unit")
        if self.measure != "previous" and self.unit:
            raise ValueError(f"measure {self.measure!r} has no unit")
        return self


class LabTextArgs(_Leaf):
    analyte: str
    within_days: int = Field(gt=0, le=3650)
    values: list[str] = Field(min_length=1)


class TotalMmeArgs(_NumCompare):
    set: str


class StoppedUntaperedArgs(_Leaf):
    set: str
    days: int = Field(gt=0, le=3650)
    min_use_days: int = Field(default=0, ge=0, le=3650)


class DoseReductionArgs(_NumCompare):
    set: str
    days: int = Field(gt=0, le=365)
    min_use_days: int = Field(default=0, ge=0, le=3650)


class ScaleSinceChangeArgs(_Leaf):
    scales: list[Literal["phq9", "gad7"]] = Field(min_length=1)
    set: str


class VitalMissingArgs(_Leaf):
    kind: Literal["temperature", "systolic_bp", "diastolic_bp", "heart_rate", "weight"]
    within_days: int = Field(gt=0, le=3650)


class StartedAfterLabArgs(_Leaf):
    analytes: list[str] = Field(min_length=1)
    specimens: list[str] = Field(min_length=1)
    within_days: int = Field(gt=0, le=3650)  # how far back results count
    days: int = Field(gt=0, le=3650)  # a product started up to this many days after the result


class SpecimenMismatchArgs(_Leaf):
    specimens: list[str] = Field(min_length=1)
    within_days: int = Field(gt=0, le=3650)


class LabFractionArgs(_Leaf):
    analyte: str
    within_days: int = Field(gt=0, le=3650)


class MedStartedAfterStop(_Leaf):
    med_started_after_stop: StartedAfterStopArgs


class LabDoseTiming(_Leaf):
    lab_dose_timing: LabDoseTimingArgs


class LabTrend(_Leaf):
    lab_trend: LabTrendArgs


class LabText(_Leaf):
    lab_text: LabTextArgs


class TotalMme(_Leaf):
    total_mme: TotalMmeArgs


class MedStoppedUntapered(_Leaf):
    med_stopped_untapered: StoppedUntaperedArgs


class DoseReduction(_Leaf):
    dose_reduction: DoseReductionArgs


class ScaleSinceMedChange(_Leaf):
    scale_since_med_change: ScaleSinceChangeArgs


class VitalMissing(_Leaf):
    vital_missing: VitalMissingArgs


class MedStartedAfterLab(_Leaf):
    med_started_after_lab: StartedAfterLabArgs


class LabSpecimenMismatch(_Leaf):
    lab_specimen_mismatch: SpecimenMismatchArgs


class LabFraction(_Leaf):
    lab_fraction: LabFractionArgs


# ---------------------------------------------------------------- import problems (EHR data that could not be read)


class DataIssueArgs(_Leaf):
    # Undated problems always count; dated ones when within the window.
    within_days: int = Field(gt=0, le=3650)


class DataIssueLeaf(_Leaf):
    data_issue: DataIssueArgs


# ---------------------------------------------------------------- hormone leaves (facts relative to the start of a
# course, dose changes after a result, result counts and timing, indications, glucocorticoid equivalents)


class PatientAtStartArgs(_NumCompare):
    """A patient fact at the most recent start of an active product in `set` (true/false/unknown).

    With only an age recorded (no birth date) the age at start is known to within a year: the leaf is
    unknown when that year straddles the threshold."""

    set: str
    field: Literal["age", "years_since_menopause"]


class DoseChangedAfterLabArgs(_Leaf):
    set: str
    analytes: list[str] = Field(min_length=1)
    specimens: list[str] = Field(min_length=1)
    within_days: int = Field(gt=0, le=3650)  # how far back results count
    days: int = Field(ge=0, le=3650)  # a recorded dose change up to this many days after the result


class LabBeforeStartArgs(_NumCompare):
    """The latest result on or before the most recent start of an active product in `set` (a baseline)."""

    analyte: str
    set: str
    within_days: int = Field(gt=0, le=3650)  # how long before the start a result still counts
    unit: str


class LabRiseArgs(_Leaf):
    """Latest result minus the pre-start baseline exceeds `rise_above`, judged only while the latest
    result lies within `first_days` of the start of the course (the earliest start of an active product)."""

    analyte: str
    set: str
    rise_above: float = Field(gt=0)
    unit: str
    first_days: int = Field(gt=0, le=3650)
    baseline_days: int = Field(default=365, gt=0, le=3650)


class DaysSinceStartArgs(_NumCompare):
    """Days since the course started: the earliest start date of the active products in `set`."""

    set: str


class LabAfterStartArgs(_Leaf):
    analyte: str
    set: str
    from_day: int = Field(ge=0, le=3650)  # results from this many days after the start of the course


class ConditionOnsetArgs(_Leaf):
    set: str
    days: int = Field(gt=0, le=3650)


class PreTreatmentLabsArgs(_NumCompare):
    """Results of `analyte` before the course of `set` started (or up to now when no product is active).

    `count`: how many usable results; `after_clock`: how many were collected after `clock` (local time);
    `during_set`: how many were collected while a product in `during` was being taken."""

    analyte: str
    set: str
    within_days: int = Field(gt=0, le=3650)
    measure: Literal["count", "after_clock", "during_set"]
    clock: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    during: str | None = None

    @model_validator(mode="after")
    def _measure_args(self) -> PreTreatmentLabsArgs:
        if (self.measure == "after_clock") != (self.clock is not None):
            raise ValueError("measure 'after_clock' needs clock (HH:MM); other measures take none")
        if (self.measure == "during_set") != (self.during is not None):
            raise ValueError("measure 'during_set' needs during (a medication set); other measures take none")
        return self


class LabIntervalFractionArgs(_NumCompare):
    """Hours from the last dose to the latest result, as a fraction of the dosing interval of `set`."""

    analyte: str
    set: str
    within_days: int = Field(gt=0, le=3650)


class MedIndicationArgs(_Leaf):
    set: str
    pattern: str = Field(min_length=2)  # case-insensitive regular expression on the recorded indication

    @model_validator(mode="after")
    def _regex(self) -> MedIndicationArgs:
        try:
            re.compile(self.pattern)
        except re.error as e:
            raise ValueError(f"pattern is not a valid regular expression: {e}") from e
        return self


class LabCollectedOutsideArgs(_Leaf):
    analyte: str
    within_days: int = Field(gt=0, le=3650)
    between: tuple[str, str]  # local clock times HH:MM; a date-only result has no clock time

    @model_validator(mode="after")
    def _clock(self) -> LabCollectedOutsideArgs:
        for t in self.between:
            if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", t):
                raise ValueError(f"between takes clock times HH:MM, not {t!r}")
        return self


class LabCountArgs(_NumCompare):
    analytes: list[str] = Field(min_length=1)
    specimens: list[str] = Field(min_length=1)
    within_days: int = Field(gt=0, le=3650)
    same_day: bool = False  # the largest number collected on one day


class VitalRecordedArgs(_Leaf):
    """A reading of this kind was taken within the window, usable or not (a unit-less reading counts)."""

    kind: Literal["temperature", "systolic_bp", "diastolic_bp", "heart_rate", "weight"]
    within_days: int = Field(gt=0, le=3650)


class SteroidEquivalentArgs(_NumCompare):
    set: str
    unit: str  # a mass unit of prednisone equivalent per day


class PatientAtMedStart(_Leaf):
    patient_at_med_start: PatientAtStartArgs


class DoseChangedAfterLab(_Leaf):
    dose_changed_after_lab: DoseChangedAfterLabArgs


class LabBeforeMedStart(_Leaf):
    lab_before_med_start: LabBeforeStartArgs


class LabRiseSinceMedStart(_Leaf):
    lab_rise_since_med_start: LabRiseArgs


class DaysSinceMedStart(_Leaf):
    days_since_med_start: DaysSinceStartArgs


class LabAfterMedStart(_Leaf):
    lab_after_med_start: LabAfterStartArgs


class ConditionOnsetWithin(_Leaf):
    condition_onset_within: ConditionOnsetArgs


class PreTreatmentLabs(_Leaf):
    pre_treatment_labs: PreTreatmentLabsArgs


class LabDoseIntervalFraction(_Leaf):
    lab_dose_interval_fraction: LabIntervalFractionArgs


class MedIndication(_Leaf):
    med_indication: MedIndicationArgs


class LabCollectedOutside(_Leaf):
    lab_collected_outside: LabCollectedOutsideArgs


class LabCount(_Leaf):
    lab_count: LabCountArgs


class PrednisoneEquivalentDose(_Leaf):
    prednisone_equivalent_dose: SteroidEquivalentArgs


class VitalRecorded(_Leaf):
    vital_recorded: VitalRecordedArgs


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
    "med_started_after_stop": MedStartedAfterStop,
    "lab_dose_timing": LabDoseTiming,
    "lab_trend": LabTrend,
    "lab_text": LabText,
    "total_mme": TotalMme,
    "med_stopped_untapered": MedStoppedUntapered,
    "dose_reduction": DoseReduction,
    "scale_since_med_change": ScaleSinceMedChange,
    "vital_missing": VitalMissing,
    "med_started_after_lab": MedStartedAfterLab,
    "lab_specimen_mismatch": LabSpecimenMismatch,
    "lab_fraction": LabFraction,
    "data_issue": DataIssueLeaf,
    "patient_at_med_start": PatientAtMedStart,
    "dose_changed_after_lab": DoseChangedAfterLab,
    "lab_before_med_start": LabBeforeMedStart,
    "lab_rise_since_med_start": LabRiseSinceMedStart,
    "days_since_med_start": DaysSinceMedStart,
    "lab_after_med_start": LabAfterMedStart,
    "condition_onset_within": ConditionOnsetWithin,
    "pre_treatment_labs": PreTreatmentLabs,
    "lab_dose_interval_fraction": LabDoseIntervalFraction,
    "med_indication": MedIndication,
    "lab_collected_outside": LabCollectedOutside,
    "lab_count": LabCount,
    "prednisone_equivalent_dose": PrednisoneEquivalentDose,
    "vital_recorded": VitalRecorded,
}

LeafModel = Union[  # noqa: UP007 - pydantic needs the explicit Union for JSON Schema titles
    MedActive, MedStoppedWithin, MedStartedWithin, MedChangedWithin, DaysSinceMedChange, DailyDose,
    CountActive, HasCondition, PatientLeaf, PatientUnknown, Lab, LabMissing, LabSinceMedChange,
    LabSpecimen, LabUnusable, Scale, Vital, Note,
    MedStartedAfterStop, LabDoseTiming, LabTrend, LabText, TotalMme, MedStoppedUntapered, DoseReduction,
    ScaleSinceMedChange, VitalMissing, MedStartedAfterLab, LabSpecimenMismatch, LabFraction,
    DataIssueLeaf,
    PatientAtMedStart, DoseChangedAfterLab, LabBeforeMedStart, LabRiseSinceMedStart, DaysSinceMedStart,
    LabAfterMedStart, ConditionOnsetWithin, PreTreatmentLabs, LabDoseIntervalFraction, MedIndication,
    LabCollectedOutside, LabCount, PrednisoneEquivalentDose, VitalRecorded,
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
