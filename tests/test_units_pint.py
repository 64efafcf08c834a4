"""The unit tables in knowledge/analytes.yaml, checked against pint (and molar masses where mass<->molar)."""

from __future__ import annotations

import pint
import pytest

from engine.knowledge.load import load_knowledge

from .conftest import ROOT

K = load_knowledge(ROOT / "knowledge")
ureg = pint.UnitRegistry()
# UCUM spellings pint does not know, and the few conventions that are not SI conversions.
NOT_PINT = {"%", "L/L", "fraction", "[IU]/L", "IU/L", "mIU/L", "uIU/mL", "mIU/mL", "U/L", "mEq/L", "mL/min/{1.73_m2}",
            "Cel", "1", "ms", "mm[Hg]", "/min", "{score}"}


def to_pint(unit: str) -> str:
    return (unit.replace("ug", "microgram").replace("µg", "microgram").replace("umol", "micromole")
            .replace("[lb_av]", "pound").replace("mmol", "millimole").replace("nmol", "nanomole")
            .replace("pmol", "picomole"))


CASES = [(a.id, conv.unit, conv.factor) for a in K.analytes.values() for conv in a.conversions
         if conv.unit not in NOT_PINT and a.canonical_unit not in NOT_PINT]


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
