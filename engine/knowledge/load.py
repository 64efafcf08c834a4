"""Load `knowledge/` and check its cross-references; build the look-up indexes the engine uses."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import KnowledgeError, UnsafeYamlError, format_validation_error
from ..yamlsafe import load_yaml
from .models import (
    Analyte,
    AnalytesFile,
    ConditionSet,
    ConditionsFile,
    MedicationConcept,
    MedicationProduct,
    MedicationSet,
    MedicationsFile,
    Scale,
    ScalesFile,
    SmokingFile,
    SmokingPerDay,
    Source,
    SourcesFile,
)
from .names import distinctive_words, name_key, norm_name

M = TypeVar("M", bound=BaseModel)
FILES = ("analytes.yaml", "medications.yaml", "conditions.yaml", "scales.yaml", "smoking.yaml", "sources.yaml")


def norm_unit(unit: str) -> str:
    """Case-insensitive unit key: `µg/dL`, `ug/dl` and `mcg/dL` compare equal."""
    u = unit.strip().lower().replace("μ", "u").replace("µ", "u").replace(" ", "")
    return u.replace("mcg", "ug")


__all__ = ["Knowledge", "load_knowledge", "norm_name", "norm_unit"]


def _read(path: Path, model: type[M]) -> M:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), source=str(path))
    except FileNotFoundError as e:
        raise KnowledgeError(f"{path}: file is missing") from e
    except (yaml.YAMLError, UnsafeYamlError) as e:
        raise KnowledgeError(f"{path}: not valid YAML: {e}") from e
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise KnowledgeError(f"{path}: {format_validation_error(e)}") from e


@dataclass(eq=False)  # identity-hashed, so per-knowledge memo caches can key on it
class Knowledge:
    root: Path
    analytes: dict[str, Analyte]
    concepts: dict[str, MedicationConcept]
    med_sets: dict[str, MedicationSet]
    route_aliases: dict[str, str]
    condition_sets: dict[str, ConditionSet]
    scales: dict[str, Scale]
    sources: dict[str, Source]
    content_hash: str
    # Tobacco smoking status: the questions and what each answer means (knowledge/smoking.yaml).
    smoking: SmokingFile
    # indexes
    loinc_to_analyte: dict[str, str] = field(default_factory=dict)
    name_to_analyte: dict[str, str] = field(default_factory=dict)
    # (name key, specimen written in the name) -> analyte id, or None when two analytes share the key.
    name_key_to_analyte: dict[tuple[str, str | None], str | None] = field(default_factory=dict)
    # A distinctive word of an analyte's names -> the analyte (for "resembles a known test").
    analyte_words: dict[str, str] = field(default_factory=dict)
    unit_factors: dict[str, dict[str, float]] = field(default_factory=dict)
    rxnorm_to_concept: dict[str, str] = field(default_factory=dict)
    atc_to_concept: dict[str, str] = field(default_factory=dict)
    synonym_to_concept: dict[str, str] = field(default_factory=dict)
    synonym_pattern: re.Pattern[str] | None = None
    exact_synonyms: dict[str, str] = field(default_factory=dict)
    exact_pattern: re.Pattern[str] | None = None
    route_pattern: re.Pattern[str] | None = None
    scale_loinc: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Smoking: (system, code) of an answer -> current | former | never | unknown; LOINC of an amount question ->
    # its question; answer text patterns (compiled, in order).
    smoking_answers: dict[tuple[str, str], str] = field(default_factory=dict)
    smoking_per_day: dict[str, SmokingPerDay] = field(default_factory=dict)
    smoking_patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    condition_patterns: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)
    condition_narrowing: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)
    # Brand and combination products (normalised name -> the product) and the pattern finding them in a text.
    products: dict[str, MedicationProduct] = field(default_factory=dict)
    product_pattern: re.Pattern[str] | None = None
    # Fixed-combination concepts (concept `combination_of`): (the combination, the ingredients it stands for),
    # largest first.
    combinations: list[tuple[str, frozenset[str]]] = field(default_factory=list)

    def unit_factor(self, analyte_id: str, unit: str) -> float | None:
        """Factor to the analyte's canonical unit, or None for a unit it does not convert from."""
        return self.unit_factors[analyte_id].get(norm_unit(unit))


def load_knowledge(root: Path) -> Knowledge:
    root = Path(root)
    analytes = _read(root / "analytes.yaml", AnalytesFile).analytes
    meds = _read(root / "medications.yaml", MedicationsFile)
    conds = _read(root / "conditions.yaml", ConditionsFile).sets
    scales = _read(root / "scales.yaml", ScalesFile).scales
    sources = _read(root / "sources.yaml", SourcesFile).sources
    smoking = _read(root / "smoking.yaml", SmokingFile)

    digest = hashlib.sha256()
    for name in FILES:
        digest.update(name.encode())
        digest.update((root / name).read_bytes())

    k = Knowledge(
        root=root,
        analytes=_unique(analytes, "analytes.yaml", "analyte"),
        concepts=_unique(meds.concepts, "medications.yaml", "concept"),
        med_sets=_unique(meds.sets, "medications.yaml", "set"),
        route_aliases={},
        condition_sets=_unique(conds, "conditions.yaml", "set"),
        scales=_unique(scales, "scales.yaml", "scale"),
        sources=_unique(sources, "sources.yaml", "source"),
        content_hash=digest.hexdigest(),
        smoking=smoking,
    )
    for prod in meds.products:
        for name in [prod.name, *prod.synonyms]:
            key = norm_name(name)
            if key in k.products:
                raise KnowledgeError(f"medications.yaml: product name {name!r} is listed twice")
            k.products[key] = prod
    for rc in meds.route_classes:
        for alias in [rc.id, *rc.aliases]:
            k.route_aliases[norm_name(alias)] = rc.id
    _index(k)
    _check_references(k)
    return k


def _unique(items: Iterable[M], file: str, what: str) -> dict[str, M]:
    out: dict[str, M] = {}
    for item in items:
        key = item.id  # type: ignore[attr-defined]
        if key in out:
            raise KnowledgeError(f"{file}: duplicate {what} id {key!r}")
        out[key] = item
    return out


def _index(k: Knowledge) -> None:
    for a in k.analytes.values():
        factors: dict[str, float] = {norm_unit(a.canonical_unit): 1.0}
        for alias in a.canonical_aliases:
            factors[norm_unit(alias)] = 1.0
        for conv in a.conversions:
            for u in [conv.unit, *conv.aliases]:
                factors[norm_unit(u)] = conv.factor
        k.unit_factors[a.id] = factors
        for code in a.loinc:
            if code in k.loinc_to_analyte:
                raise KnowledgeError(f"analytes.yaml: LOINC {code} is used by {k.loinc_to_analyte[code]} and {a.id}")
            k.loinc_to_analyte[code] = a.id
        for name in [a.id, a.name, *a.synonyms]:
            k.name_to_analyte.setdefault(norm_name(name), a.id)
        for name in [a.name, *a.synonyms]:
            nk = name_key(name)
            if nk.key:
                known = k.name_key_to_analyte.get((nk.key, nk.specimen), a.id)
                k.name_key_to_analyte[(nk.key, nk.specimen)] = a.id if known == a.id else None
        if a.category in ("lab", "ecg") and a.interpreted_specimens:
            for w in distinctive_words([a.name, *a.synonyms]):
                k.analyte_words.setdefault(w, a.id)
    for c in k.concepts.values():
        for code in c.rxnorm:
            k.rxnorm_to_concept.setdefault(code, c.id)
        for code in c.atc:
            k.atc_to_concept.setdefault(code.upper(), c.id)
        for name in [c.name, *c.synonyms]:
            k.synonym_to_concept.setdefault(norm_name(name), c.id)
        for name in c.case_sensitive_synonyms:
            k.exact_synonyms[name] = c.id
        if c.combination_of:
            k.combinations.append((c.id, frozenset(c.combination_of)))
    k.combinations.sort(key=lambda x: (-len(x[1]), x[0]))
    # Longest synonym first, so "ethinyl estradiol" wins over "estradiol".
    names = sorted(k.synonym_to_concept, key=len, reverse=True)
    k.synonym_pattern = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(n) for n in names) + r")(?![a-z0-9])")
    if k.exact_synonyms:
        exact = sorted(k.exact_synonyms, key=len, reverse=True)
        k.exact_pattern = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(re.escape(n) for n in exact) + r")(?![A-Za-z0-9])")
    if k.products:
        prods = sorted(k.products, key=len, reverse=True)
        k.product_pattern = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(n) for n in prods) + r")(?![a-z0-9])")
    aliases = sorted(k.route_aliases, key=len, reverse=True)
    k.route_pattern = re.compile(r"(?<![a-z])(" + "|".join(re.escape(a) for a in aliases) + r")(?![a-z])")
    for s in k.scales.values():
        for code in s.loinc_total:
            k.scale_loinc[code] = (s.id, "total")
        for item in s.items:
            for code in item.loinc:
                k.scale_loinc[code] = (s.id, item.id)
    for ans in k.smoking.answers:
        if (ans.system, ans.code) in k.smoking_answers:
            raise KnowledgeError(f"smoking.yaml: answer {ans.system} {ans.code} is listed twice")
        k.smoking_answers[(ans.system, ans.code)] = ans.status
    for q in k.smoking.per_day:
        if q.loinc in k.smoking_per_day or q.loinc in k.smoking.status_loinc:
            raise KnowledgeError(f"smoking.yaml: LOINC {q.loinc} is listed twice")
        k.smoking_per_day[q.loinc] = q
    for code in [*k.smoking.status_loinc, *k.smoking_per_day]:
        if code in k.loinc_to_analyte or code in k.scale_loinc:
            raise KnowledgeError(f"smoking.yaml: LOINC {code} is also used by an analyte or a scale")
    k.smoking_patterns = [(re.compile(t.pattern, re.IGNORECASE), t.status) for t in k.smoking.text_patterns]
    for cs in k.condition_sets.values():
        k.condition_patterns[cs.id] = [re.compile(p, re.IGNORECASE) for p in cs.text_patterns]
        if cs.narrowed_out_by:
            k.condition_narrowing[cs.id] = [re.compile(p, re.IGNORECASE) for p in cs.narrowed_out_by]


def _check_references(k: Knowledge) -> None:
    classes = {cl for c in k.concepts.values() for cl in c.classes}
    routes = set(k.route_aliases.values())
    for s in k.med_sets.values():
        where = f"medications.yaml: set {s.id}"
        for cl in s.classes:
            if cl not in classes:
                raise KnowledgeError(f"{where}: class {cl!r} is held by no concept")
        for ing in [*s.ingredients, *s.exclude_ingredients]:
            if ing not in k.concepts:
                raise KnowledgeError(f"{where}: ingredient {ing!r} is not a concept")
        for inc in s.include_sets:
            if inc not in k.med_sets:
                raise KnowledgeError(f"{where}: include_sets names unknown set {inc!r}")
        for r in [*s.routes, *(r for f in s.exclude for r in f.routes)]:
            if r not in routes:
                raise KnowledgeError(f"{where}: route {r!r} is not a route class")
    for c in k.concepts.values():
        for r in [*c.low_dose_max_daily_mg, *c.low_dose_max_unit_mg]:
            if r not in routes:
                raise KnowledgeError(f"medications.yaml: concept {c.id}: route {r!r} is not a route class")
        for ing in c.combination_of:
            if ing not in k.concepts:
                raise KnowledgeError(f"medications.yaml: concept {c.id}: combination_of names {ing!r}, not a concept")
            if k.concepts[ing].combination_of:
                raise KnowledgeError(f"medications.yaml: concept {c.id}: combination_of names {ing!r}, itself a "
                                     "combination")
    synonyms = {norm_name(n): c.id for c in k.concepts.values() for n in [c.name, *c.synonyms]}
    for name, prod in k.products.items():
        where = f"medications.yaml: product {prod.name}"
        for ing in prod.modelled():
            if ing not in k.concepts:
                raise KnowledgeError(f"{where}: ingredient {ing!r} is not a concept (write other:<name> for an "
                                     "ingredient the knowledge base does not model)")
        if name in synonyms:
            raise KnowledgeError(f"{where}: {name!r} is also a synonym of concept {synonyms[name]}; a product "
                                 "name must stand for its ingredients only")
        if prod.source not in k.sources:
            raise KnowledgeError(f"{where}: source {prod.source!r} is not in sources.yaml")
    for s in k.scales.values():
        if s.source not in k.sources:
            raise KnowledgeError(f"scales.yaml: scale {s.id}: source {s.source!r} is not in sources.yaml")
    _check_set_cycles(k)


def _check_set_cycles(k: Knowledge) -> None:
    def visit(sid: str, path: tuple[str, ...]) -> None:
        if sid in path:
            raise KnowledgeError(f"medications.yaml: include_sets cycle {' -> '.join((*path, sid))}")
        for inc in k.med_sets[sid].include_sets:
            visit(inc, (*path, sid))

    for sid in k.med_sets:
        visit(sid, ())
