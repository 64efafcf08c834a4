"""Patient, Condition, Procedure and OperationOutcome -> snapshot patient, conditions and import issues."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..errors import format_validation_error
from ..snapshot.models import Condition
from .context import MapContext
from .values import ICD10, ICD10CM, SNOMED, PartialDate, cc_text, codings, to_date
from .vocabulary import Vocabulary

# Condition.clinicalStatus -> snapshot status.
CLINICAL_STATUS = {"active": "active", "recurrence": "active", "relapse": "active", "inactive": "history",
                   "remission": "history", "resolved": "resolved"}
NOT_A_DIAGNOSIS = {"entered-in-error", "refuted"}
PROCEDURE_DONE = {"completed", "in-progress"}


def map_patient(raw: dict[str, Any], model: Any, name: str, ctx: MapContext) -> dict[str, Any]:
    rid = raw.get("id")
    out: dict[str, Any] = {"id": rid if isinstance(rid, str) else None}
    if model.gender in ("male", "female", "other", "unknown"):
        out["sex"] = model.gender
    try:
        out["birth_date"] = to_date(model.birthDate)
    except PartialDate as e:
        ctx.issue(name, f"birthDate: {e}; age not derived")
    return {k: v for k, v in out.items() if v is not None}


def _codes(cc: Any) -> list[dict[str, str]]:
    out = []
    for system, code, _ in codings(cc):
        if system in (ICD10CM, ICD10):  # WHO ICD-10 shares the ICD-10-CM category prefixes the sets use
            out.append({"system": "icd10cm", "code": code})
        elif system == SNOMED:
            out.append({"system": "snomed", "code": code})
    return out


def _add(d: dict[str, Any], name: str, ctx: MapContext) -> None:
    try:
        ctx.conditions.append(Condition.model_validate({k: v for k, v in d.items() if v is not None}))
    except ValidationError as e:
        ctx.issue(name, format_validation_error(e))


def map_condition(raw: dict[str, Any], model: Any, name: str, ctx: MapContext) -> None:
    if any(code in NOT_A_DIAGNOSIS for _, code, _ in codings(model.verificationStatus)):
        return
    if ctx.about_other_patient(name, model.subject):
        return
    clinical = next((CLINICAL_STATUS[c] for _, c, _ in codings(model.clinicalStatus) if c in CLINICAL_STATUS), None)
    if clinical is None:
        abated = any(getattr(model, f) is not None for f in (
            "abatementDateTime", "abatementPeriod", "abatementAge", "abatementRange", "abatementString"))
        clinical = "resolved" if abated else "active"
    try:
        onset = to_date(model.onsetDateTime or (model.onsetPeriod.start if model.onsetPeriod else None))
    except PartialDate:
        onset = None  # an onset year is not needed by any rule; the condition itself is kept
    ctx.seen(onset)
    _add({"id": name, "codes": _codes(model.code), "text": cc_text(model.code), "status": clinical, "onset": onset},
         name, ctx)


def procedure_relevant(raw: dict[str, Any], vocab: Vocabulary) -> bool:
    """A procedure matters when its code is named by a condition set (e.g. hysterectomy)."""
    try:
        cc = raw["code"]
        if any(c.get("system") == SNOMED and c.get("code") in vocab.condition_snomed for c in cc.get("coding") or []):
            return True
        if cc.get("coding"):
            return False
        text = cc.get("text") or ""
        return any(p.search(text) for ps in vocab.knowledge.condition_patterns.values() for p in ps)
    except (KeyError, TypeError, AttributeError):
        return True


def map_procedure(raw: dict[str, Any], model: Any, name: str, ctx: MapContext) -> None:
    """A done procedure is kept as a condition in the patient's history (e.g. hysterectomy: uterus absent)."""
    if model.status not in PROCEDURE_DONE:
        return
    if ctx.about_other_patient(name, model.subject):
        return
    try:
        when = to_date(model.performedDateTime or (model.performedPeriod.start if model.performedPeriod else None))
    except PartialDate:
        when = None
    _add({"id": name, "codes": [c for c in _codes(model.code) if c["system"] == "snomed"],
          "text": cc_text(model.code), "status": "history", "onset": when}, name, ctx)


def map_outcome(model: Any, name: str, ctx: MapContext) -> None:
    """An OperationOutcome error in a Bundle (e.g. a failed prefetch) means data that did not arrive."""
    for issue in model.issue or []:
        if issue.severity in ("error", "fatal"):
            what = issue.diagnostics or cc_text(issue.details) or issue.code
            ctx.issue(name, f"the EHR reported an error instead of data: {what}")
