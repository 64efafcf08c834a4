"""The unit tables in knowledge/analytes.yaml, checked against pint (and molar masses where mass<->molar)."""

from __future__ import annotations

import pint
import pytest

from setpoint.knowledge.load import load_knowledge

from .conftest import ROOT

K = load_knowledge(ROOT / "knowledge")
ureg = pint.UnitRegistry()
# UCUM spellings pint does not know, and the few conventions that are not SI conversions.
# Conventions that are not SI conversions (equivalents, international units, enzyme activity, fractions).
NOT_PINT = ("%", "L/L", "IU", "U/L", "kat", "Eq", "{", "Cel", "mm[Hg]")
UCUM_TO_PINT = {"[lb_av]": "pound", "[in_i]": "inch", "ug": "microgram", "umol": "micromole", "mmol": "millimole",
                "nmol": "nanomole", "pmol": "picomole"}


def to_pint(unit: str) -> str:
    for ucum, name in UCUM_TO_PINT.items():
        unit = unit.replace(ucum, name)
    return unit


CASES = [(a.id, conv.unit, conv.factor) for a in K.analytes.values() for conv in a.conversions
         if not any(x in conv.unit or x in a.canonical_unit for x in NOT_PINT)]


@pytest.mark.parametrize(("analyte", "unit", "factor"), CASES)
def test_conversion_factor_matches_pint(analyte: str, unit: str, factor: float) -> None:
    a = K.analytes[analyte]
    src = ureg.Quantity(1.0, to_pint(unit))
    dst_unit = to_pint(a.canonical_unit)
    if src.dimensionality == ureg.Quantity(1.0, dst_unit).dimensionality:
        expected = src.to(dst_unit).magnitude
    else:
        assert a.molar_mass, f"{analyte}: {unit} -> {a.canonical_unit} needs a molar mass"
        mm = ureg.Quantity(a.molar_mass, "g/mol")
        converted = src * mm if "mol" in to_pint(unit) else src / mm
        expected = converted.to(dst_unit).magnitude
    assert factor == pytest.approx(expected, rel=0.01), f"{analyte}: 1 {unit} = {expected} {a.canonical_unit}"


def test_there_are_mass_molar_cases() -> None:
    assert any(K.analytes[a].molar_mass for a, _, _ in CASES)
    assert len(CASES) >= 8


def test_hematocrit_fraction_and_percent() -> None:
    assert K.unit_factor("hematocrit", "L/L") == 100
    assert K.unit_factor("hematocrit", "%") == 1
