"""Pydantic models for the knowledge base (`knowledge/*.yaml`).

Knowledge is data: analytes and their units, medication concepts and value sets,
condition value sets, rating scales and citable sources.  Every file is validated
against these models at load time, and cross-references are checked by `load.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

Sex = Literal["female", "male"]
Specimen = Literal[
    "serum", "plasma", "blood", "saliva", "urine", "dried_urine", "capillary_blood_spot", "ecg", "other"
]
EvidenceTag = Literal["V", "S", "U"]



def _id_matching(pattern: str, message: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(v: str) -> str:
        if not compiled.match(v):
            raise ValueError(message)
        return v

    return AfterValidator(check)


SnakeId = Annotated[str, _id_matching(r"^[a-z][a-z0-9_]*$", "id must be lower_snake_case")]
ValueSetId = Annotated[str, _id_matching(r"^VS_[A-Z0-9_]+$", "value set id must look like VS_UPPER_CASE")]
SourceId = Annotated[str, _id_matching(r"^SRC-[A-Z0-9-]+$", "source id must look like SRC-NAME")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --------------------------------------------------------------------------- analytes


class UnitConversion(_Strict):
    """`value_in_canonical = value * factor` for results reported in `unit`.

    `aliases` are other spellings of the same unit (matched case-insensitively).
    """

    unit: str
    factor: float = Field(gt=0)
    aliases: list[str] = []


class ReferenceRange(_Strict):
    sex: Sex | None = None
    low: float | None = None
    high: float | None = None
    tag: EvidenceTag = "U"
    note: str | None = None


class Plausibility(_Strict):
    """Values outside [min, max] (canonical unit) are physiologically implausible."""

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Plausibility:
        if self.min >= self.max:
            raise ValueError("plausibility min must be below max")
        return self


class Analyte(_Strict):
    id: SnakeId
    name: str
    category: Literal["lab", "vital", "ecg", "scale"] = "lab"
    loinc: list[str] = []
    # Codes whose value is a pure fraction written without a unit (LOINC "pure volume fraction"): a missing
    # unit there reads as "1", and the conversion from "1" applies.
    fraction_loinc: list[str] = []
    loinc_tag: EvidenceTag = "U"
    synonyms: list[str] = []
    canonical_unit: str
    # Unit-less quantities (ratios, counts) set this to true: a missing unit is then expected.
    unitless: bool = False
    molar_mass: float | None = Field(default=None, gt=0, description="g/mol, for mass<->molar checks")
    conversions: list[UnitConversion] = []
    canonical_aliases: list[str] = []
    plausible: Plausibility
    reference_ranges: list[ReferenceRange] = []
    # Specimens whose values may be compared with the thresholds in the rules.
    interpreted_specimens: list[Specimen] = ["serum", "plasma", "blood"]
    # A value below this (in canonical unit) is a fraction reported for a percentage (hematocrit 0.55 = 55 %).
    fraction_below: float | None = None



# --------------------------------------------------------------------------- medications


class MedicationConcept(_Strict):
    """One ingredient (or fixed combination), with the classes it belongs to."""

    id: SnakeId
    name: str
    kind: Literal["drug", "supplement"] = "drug"
    classes: list[str] = Field(min_length=1)
    rxnorm: list[str] = []
    atc: list[str] = []
    synonyms: list[str] = []
    # Synonyms that are also ordinary words ("SAMe" vs "same"): matched with their exact capitalisation.
    case_sensitive_synonyms: list[str] = []
    # Daily dose (mg) at or below which a product counts as "low dose" for its route (e.g. vaginal estradiol).
    low_dose_max_daily_mg: dict[str, float] = {}
    # Largest strength per unit (mg) of a unit-dose form (vaginal tablet, insert) that is low dose whatever
    # the frequency, used when no daily dose is recorded: "Estradiol 10 MCG Vaginal Insert".
    low_dose_max_unit_mg: dict[str, float] = {}
    # Morphine milligram equivalents per mg of the oral daily dose (CDC 2022 table); opioids only.
    mme_factor: float | None = Field(default=None, gt=0)
    # Prednisone milligrams per mg of this glucocorticoid (systemic potency; catalogue H52); glucocorticoids only.
    prednisone_equivalent: float | None = Field(default=None, gt=0)
    # mg of the reference salt per mg of this product, applied before any daily-dose threshold: bupropion
    # hydrobromide 522 mg = bupropion hydrochloride 450 mg (Aplenzin label), factor 450/522.
    dose_factor: float | None = Field(default=None, gt=0)
    # The release form of every product of this concept, when there is only one (read when the text is silent).
    release: Literal["ir", "sr", "xl"] | None = None
    # A fixed combination whose meaning is not the sum of its ingredients: when one product (one medication
    # record) names all of these concepts, it is read as this concept instead of them.  Estradiol with
    # dienogest in one tablet is a combined contraceptive (Natazia), not menopausal estradiol.
    combination_of: list[str] = []
    # A reading the engine presumes whenever a record is this concept, stated in the evidence and the
    # result's presumptions (estradiol with dienogest read as the contraceptive, not the menopausal product).
    presumption: str | None = None
    tag: EvidenceTag = "U"

    @model_validator(mode="after")
    def _combination(self) -> MedicationConcept:
        if self.combination_of and (len(set(self.combination_of)) < 2 or self.id in self.combination_of):
            raise ValueError("combination_of names at least two other, distinct concepts")
        return self



class RouteFilter(_Strict):
    routes: list[str] = []
    low_dose: bool | None = None


class MedicationSet(_Strict):
    """A medication value set: concepts in any of `classes` or named in `ingredients`,
    plus the union of `include_sets`, minus products matching `exclude`."""

    id: ValueSetId
    title: str
    classes: list[str] = []
    ingredients: list[str] = []
    include_sets: list[str] = []
    atc_prefixes: list[str] = []
    routes: list[str] = []
    # Release forms (ir, sr, xl) read from the product text; an unknown form makes membership unknown.
    releases: list[Literal["ir", "sr", "xl"]] = []
    exclude: list[RouteFilter] = []
    exclude_ingredients: list[str] = []
    note: str | None = None


    @model_validator(mode="after")
    def _non_empty(self) -> MedicationSet:
        if not (self.classes or self.ingredients or self.include_sets or self.atc_prefixes):
            raise ValueError("a medication set needs classes, ingredients, include_sets or atc_prefixes")
        return self


class RouteClass(_Strict):
    id: str
    aliases: list[str]


# --------------------------------------------------------------------------- conditions


class ConditionSet(_Strict):
    id: ValueSetId
    title: str
    icd10_prefixes: list[str] = []
    icd10_exclude: list[str] = []
    snomed: list[str] = []
    text_patterns: list[str] = []
    # A broad code standing in for this set (E23.0 hypopituitarism for adrenal insufficiency) is read at its
    # broadest unless the condition's own text narrows it: when every code that matched is one of
    # `narrowable_icd10` and the text matches one of `narrowed_out_by` ("ACTH axis intact"), the set does
    # not apply.  Specific codes (E27.1 Addison's disease) are never narrowed.
    narrowable_icd10: list[str] = []
    narrowed_out_by: list[str] = []
    note: str | None = None

    @field_validator("text_patterns", "narrowed_out_by")
    @classmethod
    def _patterns(cls, v: list[str]) -> list[str]:
        for p in v:
            re.compile(p)
        return v

    @model_validator(mode="after")
    def _non_empty(self) -> ConditionSet:
        if not (self.icd10_prefixes or self.snomed or self.text_patterns):
            raise ValueError("a condition set needs icd10_prefixes, snomed codes or text_patterns")
        return self


# --------------------------------------------------------------------------- scales


class ScaleBand(_Strict):
    min: int
    max: int
    label: str


class ScaleItem(_Strict):
    id: str
    loinc: list[str] = []
    min: int
    max: int
    # What each score means as the patient answered it (index = score), for the reports: "1 (several days)".
    answers: list[str] = []

    @model_validator(mode="after")
    def _answers_cover(self) -> ScaleItem:
        if self.answers and len(self.answers) != self.max - self.min + 1:
            raise ValueError(f"answers must name every score {self.min}..{self.max}")
        return self


class Scale(_Strict):
    id: str
    name: str
    loinc_total: list[str] = []
    total_min: int = 0
    total_max: int
    items: list[ScaleItem] = []
    bands: list[ScaleBand]
    source: str

    @model_validator(mode="after")
    def _bands_cover(self) -> Scale:
        covered = sorted((b.min, b.max) for b in self.bands)
        expected = self.total_min
        for lo, hi in covered:
            if lo != expected:
                raise ValueError(f"bands must cover {self.total_min}..{self.total_max} without gaps")
            expected = hi + 1
        if expected != self.total_max + 1:
            raise ValueError(f"bands must end at {self.total_max}")
        return self


# --------------------------------------------------------------------------- smoking status

SmokingStatus = Literal["current", "former", "never", "unknown"]


class SmokingAnswer(_Strict):
    system: Literal["snomed", "loinc"]
    code: str
    display: str
    status: SmokingStatus
    tag: EvidenceTag = "V"


class SmokingPerDay(_Strict):
    """A question giving the amount smoked a day; `factor` converts its answer to cigarettes a day."""

    loinc: str
    name: str
    factor: float = Field(gt=0)
    # Stated in the evidence whenever the factor is applied (e.g. "a pack read as 20 cigarettes").
    presumption: str | None = None
    tag: EvidenceTag = "U"

    @model_validator(mode="after")
    def _stated(self) -> SmokingPerDay:
        if self.factor != 1 and not self.presumption:
            raise ValueError(f"{self.loinc}: a conversion factor must state its presumption")
        return self


class SmokingTextPattern(_Strict):
    pattern: str
    status: SmokingStatus

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as e:
            raise ValueError(f"not a regular expression: {e}") from e
        return v


class SmokingFile(_Strict):
    status_loinc: list[str] = Field(min_length=1)
    status_loinc_tag: EvidenceTag = "U"
    per_day: list[SmokingPerDay] = []
    answers: list[SmokingAnswer]
    text_patterns: list[SmokingTextPattern] = []


# --------------------------------------------------------------------------- sources


class Source(_Strict):
    id: SourceId
    citation: str
    url: str | None = None
    checked_via: str | None = None
    retracted: bool = False



# --------------------------------------------------------------------------- files


class AnalytesFile(_Strict):
    analytes: list[Analyte]


class MedicationProduct(_Strict):
    """A brand or combination product written without its ingredients' names ("Activella 1 MG / 0.5 MG Oral
    Tablet", "Xulane"): read as each modelled ingredient.  `ingredients` are concept ids in the order the
    product's strengths are written (its label); an ingredient the knowledge base does not model is written
    `other:<name>` so that strengths still line up."""

    name: str
    synonyms: list[str] = []
    ingredients: list[str] = Field(min_length=2)
    source: str
    tag: EvidenceTag = "U"

    def modelled(self) -> list[str]:
        return [i for i in self.ingredients if not i.startswith("other:")]


class MedicationsFile(_Strict):
    route_classes: list[RouteClass]
    concepts: list[MedicationConcept]
    products: list[MedicationProduct] = []
    sets: list[MedicationSet]


class ConditionsFile(_Strict):
    sets: list[ConditionSet]


class ScalesFile(_Strict):
    scales: list[Scale]


class SourcesFile(_Strict):
    sources: list[Source]
