"""The fast FHIR path: a resource read from its plain JSON value into light typed structs (msgspec) that
hold only the elements the mapper reads, checked with the same rules as fhir.resources.

`parse` has the contract of `engine.fhir.parse.parse` (the strict path, which validates the whole
resource with fhir.resources' R4B models): it returns `Parsed(model)` or `Parsed(None, problem)`, and
never raises.  The structs carry the FHIR element names, so the mapper reads both the same way.

What is checked, per element read:
- strings and codes: a JSON string; a string is not empty, a code has no leading, trailing or double
  whitespace (fhir_core's patterns);
- date, dateTime, instant, time, decimal, integer, positiveInt and boolean: validated by fhir_core's own
  pydantic types (the ones fhir.resources uses), so partial dates stay strings, a time needs a zone, an
  integer is 32-bit, "5" is accepted as an integer and 1.0 as a decimal, exactly as on the strict path;
  the usual forms (a plain int, float or bool; YYYY-MM-DD[Thh:mm:ss[.ffffff]+zz:zz]) are read inline;
- complex types (CodeableConcept, Quantity, Reference, Period, Dosage, ...): objects, lists where FHIR
  has lists, required elements present (Observation.code, Annotation.text, Extension.url, ...);
- choice elements (value[x], effective[x], medication[x], ...): at most one given (one required where FHIR
  requires one), every alternative counted, read or not;
- contained Medication and Specimen resources: read like the resource that contains them.

The differences from the strict path, the only ones (tests/test_fhir_fast_path.py checks each):
1. Elements the engine never reads (Observation.performer, Encounter links, narrative, ...) are not
   checked.  A malformed one makes the strict path refuse the whole resource; the fast path reads the
   resource, and its snapshot is exactly the one it gives without the malformed element.
2. A string made only of whitespace other than space, tab, CR and LF ("\x0b") is refused by
   fhir_core's string pattern; checking that pattern on every string costs more than all the other
   checks, so the fast path reads such a string as written (every reader strips it to "").

A few microseconds per resource.  Nothing about a patient is kept between calls; the only memo is of
dateTime texts already read (a visit's results share their time).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Annotated, Any

import msgspec
from fhir_core import types as ft
from pydantic import TypeAdapter, ValidationError


@dataclass(frozen=True)
class Parsed:
    """A resource read by either path: its model, or None and the problem."""
    model: Any | None
    problem: str | None = None


_CODE_RE = r"^[^\s]+(\s[^\s]+)*$"  # fhir_core.types.Code
# fhir_core's string pattern refuses "" and strings made only of whitespace other than space, tab, CR and LF
# ("\x0b"); checking the pattern on every string costs more than the rest of the check, so only "" is refused
# here and such a string is read as written (the second documented difference: the mapper strips it to "").
Str = Annotated[str, msgspec.Meta(min_length=1)]
Code = Annotated[str, msgspec.Meta(pattern=_CODE_RE)]
Uri = str  # fhir_core.types.Uri: any string

_INT32 = (-2147483648, 2147483647)
_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(kind: str) -> TypeAdapter[Any]:
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = TypeAdapter({
            "date": ft.DateType, "dateTime": ft.DateTimeType, "instant": ft.InstantType, "time": ft.TimeType,
            "decimal": ft.DecimalType, "integer": ft.IntegerType, "positiveInt": ft.PositiveIntType,
            "unsignedInt": ft.UnsignedIntType, "boolean": ft.BooleanType, "id": ft.IdType}[kind])
    return _ADAPTERS[kind]


def _slow(kind: str, field: str, value: Any) -> Any:
    try:
        return _adapter(kind).validate_python(value)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        raise ValueError(f"{field}: {err['msg'].removeprefix('Value error, ')}") from None
    except (TypeError, ValueError) as e:
        raise ValueError(f"{field}: {e or 'not a valid ' + kind}") from None


# The usual forms, read inline; anything else (partial dates, leap seconds, more than 6 decimals of a second,
# an offset past +13:59, a year 0, a value that is not a string) goes through fhir_core's own types.
_COMMON = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                     r"(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]))?")
_FROMISO = datetime.fromisoformat


_DATES: dict[str, date | datetime] = {}  # dateTime text -> value: the results of one visit share their time


def _date(kind: str, field: str, value: Any) -> Any:
    if value is None:
        return None
    if type(value) is str and kind != "time" and (m := _COMMON.fullmatch(value)) is not None \
            and m.group(1) != "0000" and (kind == "dateTime" or (m.group(4) is None) == (kind == "date")):
        try:
            out = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m.group(4) is None \
                else _FROMISO(value)
        except ValueError:
            pass  # e.g. 2021-02-29: the slow path names the problem as fhir_core does
        else:
            if kind == "dateTime":
                if len(_DATES) > 50_000:
                    _DATES.clear()
                _DATES[value] = out
            return out
    return _slow(kind, field, value)


def _decimal(field: str, value: Any) -> Any:
    t = type(value)
    if t is int or value is None:
        return value
    if t is float:
        if not math.isfinite(value):
            raise ValueError(f"{field}: Decimal value string does not match spec regex.")
        return value  # engine.fhir.values.number reads a float as fhir_core's Decimal(str(value)) is read
    out: Decimal = _slow("decimal", field, value)
    return out


def _integer(kind: str, field: str, value: Any) -> Any:
    if type(value) is int:
        low = 1 if kind == "positiveInt" else 0 if kind == "unsignedInt" else _INT32[0]
        if low <= value <= _INT32[1]:
            return value
    elif value is None:
        return None
    return _slow(kind, field, value)


def _boolean(field: str, value: Any) -> Any:
    if value is None or type(value) is bool:
        return value
    return _slow("boolean", field, value)


Choice = tuple[str, tuple[str, ...], bool, Callable[[Any], tuple[Any, ...]]]


def _choice(name: str, fields: tuple[str, ...], required: bool) -> Choice:
    return name, fields, required, attrgetter(*fields) if len(fields) > 1 else lambda o: (getattr(o, fields[0]),)


def _one_of(obj: Any, groups: tuple[Choice, ...]) -> None:
    """At most one alternative of each choice element (exactly one where `required`)."""
    for name, fields, required, get in groups:
        absent = get(obj).count(None)
        if absent >= len(fields) - 1 and (absent < len(fields) or not required):
            continue
        given = [f for f in fields if getattr(obj, f) is not None]
        if len(given) > 1:
            raise ValueError(f"{name}[x]: one value expected, got {', '.join(given)}")
        raise ValueError(f"{name}[x]: a value is required (one of {', '.join(fields)})")


class _S(msgspec.Struct, kw_only=True):
    pass


# ---------------------------------------------------------------------------------------------- data types

class Extension(_S, kw_only=True):
    url: Uri
    valueDuration: Quantity | None = None
    valueQuantity: Quantity | None = None
    valueDateTime: Any = None
    valueString: Str | None = None
    valueDecimal: Any = None
    valueInteger: Any = None

    def __post_init__(self) -> None:
        self.valueDateTime = _date("dateTime", "valueDateTime", self.valueDateTime)
        self.valueDecimal = _decimal("valueDecimal", self.valueDecimal)
        self.valueInteger = _integer("integer", "valueInteger", self.valueInteger)


class Coding(_S, kw_only=True):
    system: Uri | None = None
    code: Code | None = None
    display: Str | None = None
    extension: list[Extension] | None = None


class CodeableConcept(_S, kw_only=True):
    coding: list[Coding] | None = None
    text: Str | None = None


class Quantity(_S, kw_only=True):
    value: Any = None
    comparator: Code | None = None
    unit: Str | None = None
    system: Uri | None = None
    code: Code | None = None

    def __post_init__(self) -> None:
        if type(self.value) is not int:
            self.value = _decimal("value", self.value)


class Reference(_S, kw_only=True):
    reference: Str | None = None
    display: Str | None = None


class Period(_S, kw_only=True):
    start: Any = None
    end: Any = None

    def __post_init__(self) -> None:
        if self.start is not None:
            self.start = _date("dateTime", "start", self.start)
        if self.end is not None:
            self.end = _date("dateTime", "end", self.end)


class Range(_S, kw_only=True):
    low: Quantity | None = None
    high: Quantity | None = None


class Ratio(_S, kw_only=True):
    numerator: Quantity | None = None
    denominator: Quantity | None = None


class SampledData(_S, kw_only=True):
    origin: Quantity | None  # required, may be null (as fhir.resources reads it)
    period: Any
    dimensions: Any
    data: Str | None = None

    def __post_init__(self) -> None:
        if self.period is None or self.dimensions is None:
            raise ValueError(f"{'period' if self.period is None else 'dimensions'}: Field required")
        self.period = _decimal("period", self.period)
        self.dimensions = _integer("positiveInt", "dimensions", self.dimensions)


class Annotation(_S, kw_only=True):
    text: Str

    # authorString/authorReference and time are not read


class TimingRepeat(_S, kw_only=True):
    boundsDuration: Quantity | None = None
    boundsRange: Range | None = None
    boundsPeriod: Period | None = None
    frequency: Any = None
    period: Any = None
    periodUnit: Code | None = None

    def __post_init__(self) -> None:
        _one_of(self, _BOUNDS)
        self.frequency = _integer("positiveInt", "frequency", self.frequency)
        self.period = _decimal("period", self.period)


_BOUNDS = (_choice("bounds", ("boundsDuration", "boundsPeriod", "boundsRange"), False),)


class Timing(_S, kw_only=True):
    repeat: TimingRepeat | None = None
    code: CodeableConcept | None = None


class DoseAndRate(_S, kw_only=True):
    doseQuantity: Quantity | None = None
    doseRange: Range | None = None
    rateQuantity: Quantity | None = None
    rateRange: Range | None = None
    rateRatio: Ratio | None = None

    def __post_init__(self) -> None:
        _one_of(self, _DOSE_RATE)


_DOSE_RATE = (_choice("dose", ("doseQuantity", "doseRange"), False),
              _choice("rate", ("rateQuantity", "rateRange", "rateRatio"), False))


class Dosage(_S, kw_only=True):
    text: Str | None = None
    patientInstruction: Str | None = None
    timing: Timing | None = None
    asNeededBoolean: Any = None
    asNeededCodeableConcept: CodeableConcept | None = None
    route: CodeableConcept | None = None
    doseAndRate: list[DoseAndRate] | None = None

    def __post_init__(self) -> None:
        _one_of(self, _AS_NEEDED)
        self.asNeededBoolean = _boolean("asNeededBoolean", self.asNeededBoolean)


_AS_NEEDED = (_choice("asNeeded", ("asNeededBoolean", "asNeededCodeableConcept"), False),)


# ---------------------------------------------------------------------------------------------- resources

class Patient(_S, kw_only=True):
    gender: Code | None = None
    birthDate: Any = None
    deceasedBoolean: Any = None
    deceasedDateTime: Any = None
    multipleBirthBoolean: Any = None
    multipleBirthInteger: Any = None

    def __post_init__(self) -> None:
        _one_of(self, _PATIENT)
        self.birthDate = _date("date", "birthDate", self.birthDate)
        self.deceasedBoolean = _boolean("deceasedBoolean", self.deceasedBoolean)
        self.deceasedDateTime = _date("dateTime", "deceasedDateTime", self.deceasedDateTime)
        self.multipleBirthBoolean = _boolean("multipleBirthBoolean", self.multipleBirthBoolean)
        self.multipleBirthInteger = _integer("integer", "multipleBirthInteger", self.multipleBirthInteger)


_PATIENT = (_choice("deceased", ("deceasedBoolean", "deceasedDateTime"), False),
            _choice("multipleBirth", ("multipleBirthBoolean", "multipleBirthInteger"), False))


class Condition(_S, kw_only=True):
    subject: Reference | None  # required, may be null (as fhir.resources reads it)
    clinicalStatus: CodeableConcept | None = None
    verificationStatus: CodeableConcept | None = None
    code: CodeableConcept | None = None
    onsetDateTime: Any = None
    onsetPeriod: Period | None = None
    onsetAge: Quantity | None = None
    onsetRange: Range | None = None
    onsetString: Str | None = None
    abatementDateTime: Any = None
    abatementPeriod: Period | None = None
    abatementAge: Quantity | None = None
    abatementRange: Range | None = None
    abatementString: Str | None = None

    def __post_init__(self) -> None:
        _one_of(self, _CONDITION)
        self.onsetDateTime = _date("dateTime", "onsetDateTime", self.onsetDateTime)
        self.abatementDateTime = _date("dateTime", "abatementDateTime", self.abatementDateTime)


_CONDITION = (_choice("onset", ("onsetAge", "onsetDateTime", "onsetPeriod", "onsetRange", "onsetString"), False),
              _choice("abatement", ("abatementAge", "abatementDateTime", "abatementPeriod", "abatementRange",
                                    "abatementString"), False))


class Procedure(_S, kw_only=True):
    status: Code
    subject: Reference | None  # required, may be null (as fhir.resources reads it)
    code: CodeableConcept | None = None
    performedDateTime: Any = None
    performedPeriod: Period | None = None
    performedAge: Quantity | None = None
    performedRange: Range | None = None
    performedString: Str | None = None

    def __post_init__(self) -> None:
        _one_of(self, _PROCEDURE)
        self.performedDateTime = _date("dateTime", "performedDateTime", self.performedDateTime)


_PROCEDURE = (_choice("performed", ("performedAge", "performedDateTime", "performedPeriod", "performedRange",
                             "performedString"), False),)


class OperationOutcomeIssue(_S, kw_only=True):
    severity: Code
    code: Code
    details: CodeableConcept | None = None
    diagnostics: Str | None = None


class OperationOutcome(_S, kw_only=True):
    issue: list[OperationOutcomeIssue]


class DispenseRequest(_S, kw_only=True):
    validityPeriod: Period | None = None


_MEDICATION = _choice("medication", ("medicationCodeableConcept", "medicationReference"), True)


class MedicationRequest(_S, kw_only=True):
    status: Code
    intent: Code
    subject: Reference | None  # required, may be null (as fhir.resources reads it)
    medicationCodeableConcept: CodeableConcept | None = None
    medicationReference: Reference | None = None
    reportedBoolean: Any = None
    reportedReference: Reference | None = None
    dosageInstruction: list[Dosage] | None = None
    dispenseRequest: DispenseRequest | None = None
    authoredOn: Any = None
    priorPrescription: Reference | None = None
    statusReason: CodeableConcept | None = None
    note: list[Annotation] | None = None

    def __post_init__(self) -> None:
        _one_of(self, _MEDICATION_REQUEST)
        self.reportedBoolean = _boolean("reportedBoolean", self.reportedBoolean)
        self.authoredOn = _date("dateTime", "authoredOn", self.authoredOn)


_MEDICATION_REQUEST = (_MEDICATION, _choice("reported", ("reportedBoolean", "reportedReference"), False))


class MedicationStatement(_S, kw_only=True):
    status: Code
    subject: Reference | None  # required, may be null (as fhir.resources reads it)
    medicationCodeableConcept: CodeableConcept | None = None
    medicationReference: Reference | None = None
    basedOn: list[Reference] | None = None
    dosage: list[Dosage] | None = None
    effectiveDateTime: Any = None
    effectivePeriod: Period | None = None
    statusReason: list[CodeableConcept] | None = None
    note: list[Annotation] | None = None

    def __post_init__(self) -> None:
        _one_of(self, _MEDICATION_STATEMENT)
        self.effectiveDateTime = _date("dateTime", "effectiveDateTime", self.effectiveDateTime)


_MEDICATION_STATEMENT = (_MEDICATION, _choice("effective", ("effectiveDateTime", "effectivePeriod"), False))


class MedicationDispense(_S, kw_only=True):
    status: Code
    subject: Reference | None = None
    medicationCodeableConcept: CodeableConcept | None = None
    medicationReference: Reference | None = None
    authorizingPrescription: list[Reference] | None = None
    dosageInstruction: list[Dosage] | None = None
    whenHandedOver: Any = None
    whenPrepared: Any = None
    daysSupply: Quantity | None = None
    statusReasonCodeableConcept: CodeableConcept | None = None
    statusReasonReference: Reference | None = None
    note: list[Annotation] | None = None

    def __post_init__(self) -> None:
        _one_of(self, _MEDICATION_DISPENSE)
        self.whenHandedOver = _date("dateTime", "whenHandedOver", self.whenHandedOver)
        self.whenPrepared = _date("dateTime", "whenPrepared", self.whenPrepared)


_MEDICATION_DISPENSE = (_MEDICATION, _choice("statusReason", ("statusReasonCodeableConcept", "statusReasonReference"),
                                              False))


class Medication(_S, kw_only=True):
    code: CodeableConcept | None = None
    form: CodeableConcept | None = None


class Specimen(_S, kw_only=True):
    type: CodeableConcept | None = None


_VALUES = ("valueBoolean", "valueCodeableConcept", "valueDateTime", "valueInteger", "valuePeriod", "valueQuantity",
           "valueRange", "valueRatio", "valueSampledData", "valueString", "valueTime")


class ReferenceRange(_S, kw_only=True):
    low: Quantity | None = None
    high: Quantity | None = None
    text: Str | None = None


class _Valued(_S, kw_only=True):
    """The value[x] of an Observation and of its components."""
    valueQuantity: Quantity | None = None
    valueCodeableConcept: CodeableConcept | None = None
    valueString: Str | None = None
    valueBoolean: Any = None
    valueInteger: Any = None
    valueRange: Range | None = None
    valueRatio: Ratio | None = None
    valueSampledData: SampledData | None = None
    valueTime: Any = None
    valueDateTime: Any = None
    valuePeriod: Period | None = None
    dataAbsentReason: CodeableConcept | None = None
    referenceRange: list[ReferenceRange] | None = None
    interpretation: list[CodeableConcept] | None = None

    def _values(self) -> None:
        given = _GET_VALUES(self)
        if given.count(None) >= len(_VALUES) - 1 and given[0] is not None:  # only a valueQuantity: the usual case
            return
        _one_of(self, _VALUE)
        self.valueBoolean = _boolean("valueBoolean", self.valueBoolean)
        self.valueInteger = _integer("integer", "valueInteger", self.valueInteger)
        self.valueDateTime = _date("dateTime", "valueDateTime", self.valueDateTime)
        self.valueTime = _date("time", "valueTime", self.valueTime)


_VALUE = (_choice("value", _VALUES, False),)
_GET_VALUES = attrgetter("valueQuantity", *(v for v in _VALUES if v != "valueQuantity"))


class ObservationComponent(_Valued, kw_only=True):
    code: CodeableConcept | None  # required, may be null (as fhir.resources reads it)

    def __post_init__(self) -> None:
        self._values()


class Observation(_Valued, kw_only=True):
    status: Code
    code: CodeableConcept | None  # required, may be null (as fhir.resources reads it)
    subject: Reference | None = None
    effectiveDateTime: Any = None
    effectivePeriod: Period | None = None
    effectiveInstant: Any = None
    effectiveTiming: Timing | None = None
    specimen: Reference | None = None
    component: list[ObservationComponent] | None = None
    extension: list[Extension] | None = None
    note: list[Annotation] | None = None

    def __post_init__(self) -> None:
        self._values()
        when = self.effectiveDateTime
        if when is not None:
            if self.effectivePeriod is not None or self.effectiveInstant is not None \
                    or self.effectiveTiming is not None:
                _one_of(self, _EFFECTIVE)
            self.effectiveDateTime = _DATES.get(when) if type(when) is str and when in _DATES \
                else _date("dateTime", "effectiveDateTime", when)
        else:
            _one_of(self, _EFFECTIVE)
            self.effectiveInstant = _date("instant", "effectiveInstant", self.effectiveInstant)


_EFFECTIVE = (_choice("effective", ("effectiveDateTime", "effectiveInstant", "effectivePeriod", "effectiveTiming"),
                      False),)

MODELS: dict[str, type[Any]] = {m.__name__: m for m in (
    Patient, Condition, Procedure, Observation, MedicationRequest, MedicationStatement, MedicationDispense, Medication,
    Specimen, OperationOutcome)}
CONTAINED_READ = ("Medication", "Specimen")  # contained resources the mapper may resolve and read


def _problem(e: msgspec.ValidationError) -> str:
    """msgspec's "message - at `$.a.b[0]`" as "a.b[0]: message" (the strict path's "field: problem")."""
    text = str(e)
    msg, sep, at = text.rpartition(" - at `$")
    if not sep:
        msg, at = text, ""
    else:
        at = at.rstrip("`").lstrip(".")
    if msg.startswith("Object missing required field `"):
        field = msg.split("`")[1]
        return f"{at + '.' if at else ''}{field}: Field required"
    head, colon, rest = msg.partition(": ")
    if colon and head.replace("[x]", "").isidentifier():  # a message from a check below, naming its element
        return f"{at + '.' if at else ''}{head}: {rest}"
    return f"{at or '(top level)'}: {msg}"


def parse(raw: dict[str, Any]) -> Parsed:
    """Read a resource of a type in MODELS; never raises."""
    model = MODELS.get(str(raw.get("resourceType")))
    if model is None:
        return Parsed(None, f"resource type {raw.get('resourceType')!r} is not read by Setpoint")
    try:
        out = msgspec.convert(raw, model)
        contained = raw.get("contained")
        problem = _contained(contained) if contained is not None else None
    except msgspec.ValidationError as e:
        try:
            problem = _problems(model, raw, e)
        except Exception:  # the first problem is enough
            problem = _problem(e)
    except Exception as e:  # not expected (a value no JSON parser makes): reported, never raised
        problem = f"(top level): {e.__class__.__name__}: {e}"
    return Parsed(None, "not valid FHIR R4: " + problem) if problem else Parsed(out)


def _problems(model: type[Any], raw: dict[str, Any], first: msgspec.ValidationError) -> str:
    """Every element read that is malformed (up to three, in the model's order), as the strict path lists them;
    msgspec stops at the first, so each element is read again on its own (only for a resource that failed)."""
    out: list[str] = []
    for f in msgspec.structs.fields(model):
        value = raw.get(f.encode_name)
        if value is None:
            if f.required:
                out.append(f"{f.encode_name}: Field required")
            continue
        try:
            msgspec.convert(value, f.type)
        except msgspec.ValidationError as e:
            inner = _problem(e)
            out.append(f.encode_name + ("" if inner.startswith("(top level)") else ".") +
                       inner.removeprefix("(top level)"))
    return "; ".join(out[:3]) if out else _problem(first)


def _contained(contained: Any) -> str | None:
    """The problem of the first contained Medication or Specimen the mapper could not read, if any."""
    if not isinstance(contained, list):
        return f"contained: Input should be a valid list, got {type(contained).__name__}"
    for i, c in enumerate(contained):
        if not isinstance(c, dict) or not isinstance(c.get("resourceType"), str):
            return f"contained[{i}]: a contained resource needs a resourceType"
        if c.get("id") is not None:  # what a "#id" reference is resolved by (checked as fhir.resources does)
            try:
                _slow("id", "id", c["id"])
            except ValueError as e:
                return f"contained[{i}].{e}"
        if c["resourceType"] in CONTAINED_READ:
            try:
                msgspec.convert(c, MODELS[c["resourceType"]])
            except msgspec.ValidationError as e:
                return f"contained[{i}].{_problem(e)}"
    return None


Parser = Callable[[dict[str, Any]], Parsed]
