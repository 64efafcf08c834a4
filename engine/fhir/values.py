"""Small readers for FHIR data types (engine.fhir.light structs or fhir.resources models, which carry the same
element names and value types): codings, dates, quantities."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
UCUM = "http://unitsofmeasure.org"


class PartialDate(ValueError):
    """A FHIR date or dateTime given only to the year or month (e.g. '2020-05')."""


def codings(cc: Any) -> list[tuple[str, str, str | None]]:
    """(system, code, display) of every coding of a CodeableConcept that has a code."""
    if cc is None or not cc.coding:
        return []
    return [(c.system or "", c.code.strip(), c.display) for c in cc.coding if c.code and c.code.strip()]


def codes_in(cc: Any, system: str) -> list[str]:
    return [code for s, code, _ in codings(cc) if s == system]


def cc_text(cc: Any) -> str | None:
    """The human text of a CodeableConcept: its text, else the first coding display."""
    if cc is None:
        return None
    if cc.text and cc.text.strip():
        return cc.text.strip()
    for c in cc.coding or []:
        if c.display and c.display.strip():
            return c.display.strip()
    return None


def to_date(value: Any) -> date | None:
    """A FHIR date/dateTime as a calendar date (local, as written); raises PartialDate for '2020-05'."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise PartialDate(f"date {value!r} is partial (year or month only)")


def local_datetime(value: Any) -> datetime | None:
    """A FHIR dateTime as the local clock time written: 08:30-05:00 stays 08:30 (a morning sample)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0))
    raise PartialDate(f"date {value!r} is partial (year or month only)")


def number(value: Decimal | float | int | None) -> int | float | None:
    """A FHIR decimal: integral values written without a point become int, others float.

    The strict path gives Decimal (fhir_core reads a JSON float through str(): 1.0 -> Decimal('1.0')); the fast
    path keeps the JSON int or float.  Both read the same: 5 -> 5, 5.0 -> 5.0, 1e+20 -> 10**20."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if type(value) is float and value.is_integer() and "." not in repr(value):
        return int(value)
    return value


def ref_string(ref: Any) -> str | None:
    if ref is None or not ref.reference:
        return None
    return ref.reference.strip()
