"""The condition leaves, one registered class each, grouped by subject.

    medications    med_active, daily_dose, count_active, total_mme, prednisone_equivalent_dose, med_indication
    course         med_stopped_within, med_started_within, med_changed_within, med_started_or_increased_within,
                   days_since_med_change, days_since_med_start, med_started_after_stop, med_stopped_untapered,
                   dose_reduction, patient_at_med_start
    results        lab, lab_missing, lab_text, lab_trend, lab_fraction, lab_count, lab_specimen,
                   lab_specimen_mismatch, lab_unusable, lab_since_med_change, lab_before_med_start,
                   lab_rise_since_med_start, lab_after_med_start, pre_treatment_labs, med_started_after_lab,
                   dose_changed_after_lab, lab_dose_timing, lab_dose_interval_fraction, lab_collected_outside
    scales_vitals  scale, scale_recorded, scale_since_med_change, scale_at_med_start,
                   scale_improvement_since_med_start, scale_days_after_med_change, vital, vital_missing,
                   vital_recorded
    patient        condition, condition_onset_within, patient, patient_unknown, smoking, smoking_per_day,
                   smoking_per_day_recorded
    notes_issues   note, data_issue

See `engine.leaves.base` for what a leaf is made of.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Union

from . import course, medications, notes_issues, patient, results, scales_vitals  # noqa: F401 - register
from .base import (
    REGISTRY,
    TRUE,
    Check,
    CompileContext,
    CompiledLeaf,
    FactSpec,
    Leaf,
    Phrases,
    lower_first,
)

if TYPE_CHECKING:
    from ..facts.model import FactValue
    from ..knowledge.load import Knowledge
    from ..normalize import Case

log = logging.getLogger("setpoint")

# Every registered leaf class, for the condition model's union (JSON Schema titles are the class names).
LeafModel: Any = Union[tuple(REGISTRY.values())]  # noqa: UP007 - built from the registry at import time


def leaf_type(key: str) -> type[Leaf] | None:
    return REGISTRY.get(key)


def compile_leaf(leaf: Leaf, k: Knowledge | CompileContext) -> CompiledLeaf:
    ctx = k if isinstance(k, CompileContext) else CompileContext(k)
    return leaf.compile(ctx)


def derive(k: Knowledge, case: Case, specs: Iterable[FactSpec]) -> dict[str, FactValue]:
    """Each spec's fact, computed now (the engine derives lazily through `engine.facts.lazy.Facts`)."""
    return {s.key: REGISTRY[s.family].derive(k, case, s) for s in specs}


def reference_problems(leaf: CompiledLeaf, k: Knowledge) -> list[str]:
    """Value sets named by the leaf that are unknown, or of the wrong kind (a condition set used as a drug)."""
    out = []
    kind = type(leaf.source).set_kind
    for sid in leaf.spec.value_sets():
        if sid not in k.med_sets and sid not in k.condition_sets:
            out.append(f"unknown value set {sid!r}")
        elif kind == "condition" and sid in k.med_sets:
            out.append(f"{sid} is a medication set, used as a condition")
        elif kind == "medication" and sid in k.condition_sets:
            out.append(f"{sid} is a condition set, used as a medication")
    return out


__all__ = ["REGISTRY", "TRUE", "Check", "CompileContext", "CompiledLeaf", "FactSpec", "Leaf", "LeafModel", "Phrases",
           "compile_leaf", "derive", "leaf_type", "lower_first", "reference_problems"]
