"""The patient snapshot: one patient at one moment, as the engine receives it.

Strict by design: unknown fields are rejected, numbers must be numbers, and
tri-state facts (pregnancy, uterus) default to `unknown`, which never counts as
the reassuring answer.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

Number = StrictInt | StrictFloat
# Dates and date-times arrive as ISO strings (JSON) or as date objects (YAML); both are accepted.
LaxDate = Annotated[date, Field(strict=False)]


def _local_clock(v: object) -> object:
    """Keep the clock time as written: `08:30-05:00` is a morning sample, whatever its UTC time."""
    if isinstance(v, str):
        try:
            parsed = datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            try:
                return datetime.combine(date.fromisoformat(v), time(0, 0))
            except ValueError:
                return v
        return parsed.replace(tzinfo=None)
    if isinstance(v, datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, date):
        return datetime.combine(v, time(0, 0))
    return v


LocalDateTime = Annotated[datetime, BeforeValidator(_local_clock), Field(strict=False)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Quantity(_Model):
    value: Number
    unit: str | None = None


class Coding(_Model):
    system: Literal["icd10cm", "snomed", "rxnorm", "atc", "loinc", "text"]
    code: str

    @field_validator("code")
    @classmethod
    def _non_empty(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("code must not be empty")
        return v.strip()


class Patient(_Model):
    id: str | None = None
    birth_date: LaxDate | None = None
    age: StrictInt | None = Field(default=None, ge=0, le=130)
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    pregnancy: Literal["pregnant", "not_pregnant", "unknown"] = "unknown"
    # When the pregnancy status was recorded (a FHIR pregnancy-status observation): the answer is then
    # used only while recent (see engine.normalize).  Without it, `pregnancy` is taken as current.
    pregnancy_recorded: LaxDate | None = None
    uterus: Literal["present", "absent", "unknown"] = "unknown"
    menopause_date: LaxDate | None = None
    weight: Quantity | None = None
    fertility_goal: StrictBool | None = None


class Condition(_Model):
    id: str | None = None
    codes: list[Coding] = []
    text: str | None = None
    status: Literal["active", "resolved", "history"] = "active"
    onset: LaxDate | None = None

    @model_validator(mode="after")
    def _identified(self) -> Condition:
        if not self.codes and not (self.text and self.text.strip()):
            raise ValueError("a condition needs at least one code or a text")
        for c in self.codes:
            if c.system not in ("icd10cm", "snomed", "text"):
                raise ValueError(f"condition code system must be icd10cm or snomed, not {c.system!r}")
        return self


# Administrations per day for common frequency spellings.  Our own table because
# clinical sigs are not a solved parsing problem in any well-kept library we can use.
FREQUENCIES: dict[str, float] = {
    "once": 1.0, "daily": 1.0, "qd": 1.0, "od": 1.0, "once daily": 1.0, "nightly": 1.0, "qhs": 1.0,
    "bid": 2.0, "twice daily": 2.0, "q12h": 2.0,
    "tid": 3.0, "three times daily": 3.0, "q8h": 3.0,
    "qid": 4.0, "four times daily": 4.0, "q6h": 4.0,
    "q4h": 6.0, "q2h": 12.0,
    "weekly": 1 / 7, "once weekly": 1 / 7, "twice weekly": 2 / 7, "every 2 weeks": 1 / 14,
    "every 3 weeks": 1 / 21, "every 4 weeks": 1 / 28, "monthly": 1 / 30, "every 10 weeks": 1 / 70,
    "every 12 weeks": 1 / 84, "every 3 months": 1 / 91,
}
_QH = re.compile(r"^q(\d+)h$")
_TIMES = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:x|times)\s*(?:/|per\s*)?(day|daily|week|weekly)$")


def frequency_per_day(freq: str) -> float | None:
    """Administrations per day, or None when the spelling is not recognised."""
    f = " ".join(freq.lower().replace("-", " ").split())
    if f in FREQUENCIES:
        return FREQUENCIES[f]
    if m := _QH.match(f):
        hours = int(m.group(1))
        return 24 / hours if hours else None
    if m := _TIMES.match(f):
        n = float(m.group(1))
        return n if m.group(2).startswith("day") else n / 7
    return None


class Medication(_Model):
    id: str | None = None
    codes: list[Coding] = []
    name: str | None = None
    dose: Number | None = Field(default=None, gt=0)
    dose_unit: str | None = None
    frequency: str | None = None
    times_per_day: Number | None = Field(default=None, gt=0, le=48)
    route: str | None = None
    start: LaxDate | None = None
    end: LaxDate | None = None
    last_dose_change: LaxDate | None = None
    compounded: StrictBool = False
    prn: StrictBool = False
    stopped_without_taper: StrictBool | None = None
    indication: str | None = None
    # Where the dose came from: structured fields, or the written instructions ("20 mg daily") when the
    # EHR sent no structured dose (said so in the evidence).
    dose_source: Literal["structured", "instructions"] = "structured"
    # How a date was read when it was not given directly (e.g. a stop date from a prescription's validity).
    date_note: str | None = None
    # Known to be stopped (e.g. a FHIR MedicationRequest with status "stopped"): `end` is the stop date
    # when recorded; stopped without an `end` means stopped on an unknown date (never active, and
    # "stopped within N days" is unknown rather than false).
    stopped: StrictBool = False

    @model_validator(mode="after")
    def _coherent(self) -> Medication:
        if not self.codes and not (self.name and self.name.strip()):
            raise ValueError("a medication needs at least one code or a name")
        for c in self.codes:
            if c.system not in ("rxnorm", "atc", "text"):
                raise ValueError(f"medication code system must be rxnorm or atc, not {c.system!r}")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if self.last_dose_change and self.start and self.last_dose_change < self.start:
            raise ValueError(f"last_dose_change ({self.last_dose_change}) is before start ({self.start})")
        if self.dose is not None and not self.dose_unit:
            raise ValueError("dose_unit is required when dose is given")
        if self.frequency and frequency_per_day(self.frequency) is None and self.times_per_day is None:
            raise ValueError(
                f"frequency {self.frequency!r} is not recognised; use e.g. daily, bid, tid, qid, q8h, "
                "weekly, '2 times per day', or give times_per_day"
            )
        return self

    def per_day(self) -> float | None:
        if self.times_per_day is not None:
            return float(self.times_per_day)
        if self.frequency:
            return frequency_per_day(self.frequency)
        return None


Specimen = Literal[
    "serum", "plasma", "blood", "saliva", "urine", "dried_urine", "capillary_blood_spot", "ecg", "other"
]


class ReferenceRange(_Model):
    low: Number | None = None
    high: Number | None = None
    text: str | None = None


class Result(_Model):
    """A laboratory or ECG result."""

    id: str | None = None
    code: str | None = Field(default=None, description="LOINC code")
    name: str | None = None
    value: Number | None = None
    comparator: Literal["<", "<=", ">", ">="] | None = None
    value_text: str | None = Field(default=None, description="coded or text value, e.g. 'positive'")
    unit: str | None = None
    collected: LocalDateTime
    specimen: Specimen | None = None
    reference_range: ReferenceRange | None = None
    flag: Literal["H", "L", "N", "A", "HH", "LL"] | None = None
    hours_since_dose: Number | None = Field(default=None, ge=0)
    sample_timing: Literal["trough", "peak", "random"] | None = Field(
        default=None, description="the kind of sample as labelled, when the hours since the dose are not given")
    timing_note: str | None = Field(
        default=None, max_length=500, description="the record's own words about the sample's timing")

    @model_validator(mode="before")
    @classmethod
    def _split_comparator(cls, data: object) -> object:
        # "<0.01" given as a string value: split into comparator and number.
        if isinstance(data, dict) and isinstance(data.get("value"), str):
            m = re.match(r"^\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$", data["value"])
            if m and "comparator" not in data:
                data = {**data, "comparator": m.group(1), "value": float(m.group(2))}
            else:
                raise ValueError(
                    f"value {data['value']!r} is text: give a number, a number with a comparator "
                    "such as '<0.01', or use value_text for coded values"
                )
        return data

    @model_validator(mode="after")
    def _identified(self) -> Result:
        if not self.code and not (self.name and self.name.strip()):
            raise ValueError("a result needs a LOINC code or a name")
        if self.value is None and self.value_text is None:
            raise ValueError("a result needs a value or a value_text")
        if self.comparator and self.value is None:
            raise ValueError("comparator given without a numeric value")
        return self


class VitalSign(_Model):
    id: str | None = None
    kind: Literal["temperature", "systolic_bp", "diastolic_bp", "heart_rate", "weight"]
    value: Number
    unit: str | None = None
    taken: LocalDateTime


class ScaleScore(_Model):
    id: str | None = None
    scale: Literal["phq9", "gad7"]
    total: StrictInt | None = Field(default=None, ge=0)
    item9: StrictInt | None = Field(default=None, ge=0, le=3)
    date: LaxDate

    @model_validator(mode="after")
    def _ranges(self) -> ScaleScore:
        top = {"phq9": 27, "gad7": 21}[self.scale]
        if self.total is not None and self.total > top:
            raise ValueError(f"{self.scale} total {self.total} is above the maximum {top}")
        if self.scale == "gad7" and self.item9 is not None:
            raise ValueError("item9 belongs to PHQ-9, not GAD-7")
        if self.total is None and self.item9 is None:
            raise ValueError("a scale score needs a total or item9")
        return self


class SmokingRecord(_Model):
    """A tobacco smoking status, the cigarettes smoked a day, or both, as recorded on a date.

    `status` is what the answer means (FHIR: LOINC 72166-2, read through knowledge/smoking.yaml); `per_day`
    is cigarettes a day (FHIR: LOINC 64218-1, or 8663-7 in packs read as 20 cigarettes each, stated in
    `note`).  A status is used only while recent (the rule says how recent); no record leaves the smoking
    status unknown, which never counts as "non-smoker"."""

    id: str | None = None
    status: Literal["current", "former", "never", "unknown"] | None = None
    per_day: Number | None = Field(default=None, ge=0, le=200, description="cigarettes smoked a day")
    answer: str | None = Field(default=None, max_length=200, description="the record's own words")
    note: str | None = Field(default=None, max_length=500, description="how the record was read")
    date: LaxDate

    @model_validator(mode="after")
    def _something(self) -> SmokingRecord:
        if self.status is None and self.per_day is None:
            raise ValueError("a smoking record needs a status or per_day")
        return self


class ClinicalNote(_Model):
    """Structured observations that are not lab results (symptoms, documentation flags)."""

    id: str | None = None
    kind: str = Field(min_length=1)
    value: StrictBool | str = True
    date: LaxDate


class DataIssue(_Model):
    """A record that was supplied but could not be read (e.g. a FHIR entry that cannot be mapped).

    Kept so that nothing is dropped silently: the data-quality rule GN-DQ-010 reports it."""

    source: str = Field(min_length=1, description="the record, e.g. 'Observation/abc' or 'Bundle.entry[3]'")
    problem: str = Field(min_length=1)
    date: LaxDate | None = Field(default=None, description="the record's clinical date, when known")


class TypeCounts(_Model):
    read: int = Field(default=0, ge=0)
    used: int = Field(default=0, ge=0)
    not_readable: int = Field(default=0, ge=0)
    not_relevant: int = Field(default=0, ge=0)


class InputCounts(_Model):
    """What the reader did with each record of the input (set by the FHIR reader; counted from the sections for a
    snapshot).  Every record ends in exactly one of: used; not readable (each named in a data issue); not
    relevant to the rule base (a type or code the engine does not use, or a status such as entered-in-error)."""

    format: Literal["snapshot", "fhir"] = "snapshot"
    read: int = Field(default=0, ge=0)
    used: int = Field(default=0, ge=0)
    not_readable: int = Field(default=0, ge=0)
    not_relevant: int = Field(default=0, ge=0)
    by_type: dict[str, TypeCounts] = Field(default_factory=dict)


class Snapshot(_Model):
    """One patient at one moment."""

    patient: Patient
    conditions: list[Condition] = []
    medications: list[Medication] = []
    results: list[Result] = []
    vitals: list[VitalSign] = []
    scales: list[ScaleScore] = []
    smoking: list[SmokingRecord] = []
    notes: list[ClinicalNote] = []
    data_issues: list[DataIssue] = []
    as_of: LaxDate | None = None
    input: InputCounts | None = None

    @model_validator(mode="after")
    def _unique_ids(self) -> Snapshot:
        seen: dict[str, str] = {}
        for section in ("conditions", "medications", "results", "vitals", "scales", "smoking", "notes"):
            for i, item in enumerate(getattr(self, section)):
                if item.id is None:
                    continue
                if item.id in seen:
                    raise ValueError(f"duplicate id {item.id!r} in {section}[{i}] (first used in {seen[item.id]})")
                seen[item.id] = f"{section}[{i}]"
        return self

    def check_dates(self, as_of: date) -> list[str]:
        """Impossible dates relative to the evaluation date: returned as problems naming the field."""
        problems: list[str] = []
        p = self.patient
        if p.birth_date and p.birth_date > as_of:
            problems.append(f"patient.birth_date: {p.birth_date} is after the evaluation date {as_of}")
        if p.birth_date and p.birth_date < as_of - timedelta(days=365 * 130):
            problems.append(f"patient.birth_date: {p.birth_date} gives an age over 130 years")
        return problems
