"""One hook call's CPU work, from the raw request body to the answer's bytes.

The event loop of the service only reads the body, digests it and hands it over; everything else runs
here, in an evaluation worker process (`pool.py`), or in a thread of the server with
`--eval-processes 0`: JSON parsed within the limits, the request and its context validated, the
prefetch gathered, patient identity checked, the snapshot mapped, evaluated and turned into cards,
serialised.  A call whose prefetch lacks data a FHIR server could give is answered in two steps: the
first says what to fetch (`Fetch`), the server fetches it (httpx, on its event loop, only from an
allowed server) and sends the body again with what was fetched (`Job.fetched`).

Results are kept in an LRU per worker, keyed as before by a digest of the service, hook, context,
prefetch, date and rule base hash (only for calls answered from the prefetch alone); a hit gives the
same cards with new uuids.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from ..core import Engine
from ..errors import ServiceError, SnapshotError, validation_items
from ..fhir.context import content_identity
from ..snapshot.models import DataIssue
from . import hooks
from .cards import cards
from .discovery import CATEGORY_WORDS, EXPECTED, SERVICES
from .fhir_client import Fetched
from .limits import LimitError, Limits, loads
from .models import CONTEXTS, HOOKS, FhirAuthorization, HookRequest
from .prefetch import Gathered, gather
from .settings import Settings
from .store import IssuedCard

Problem = ServiceError  # a client error: HTTP status and a message naming the field and the problem

# Test-only: with SETPOINT_TEST_HOOKS=1 in the environment of the service, a request whose
# context.userId is one of these makes its evaluation sleep, or its worker process die, so that
# tests can exercise the deadline and crash handling on a real server.  Ignored otherwise.
TEST_HOOKS_ENV = "SETPOINT_TEST_HOOKS"
TEST_SLOW = "Practitioner/setpoint-test-slow"
TEST_CRASH = "Practitioner/setpoint-test-crash"


@dataclass
class Job:
    """What the event loop hands a worker: bytes and a few scalars (cheap to send to another process)."""

    service: str
    body: bytes
    iss: str | None
    as_of: str
    can_fetch: bool = True
    fetched: Fetched | None = None  # the second step of a call that needed a FHIR fetch


@dataclass
class Fetch:
    """The first step's answer when data is missing and a FHIR server may be asked for it."""

    server: str
    auth: FhirAuthorization
    patient_id: str
    missing: set[str]
    next_pages: list[tuple[str, str]]


@dataclass
class Answer:
    body: bytes  # the JSON response {"cards": [...]}
    issued: list[IssuedCard]
    hook: str
    hook_instance: str
    fetched: bool
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    input_json: str | None = None  # what was evaluated, for --decision-log-inputs (patient data)
    input_sha256: str = ""


@dataclass
class Refused:
    status: int
    message: str
    problems: list[str] | None = None


def validate(model: type[BaseModel], data: Any, prefix: str = "") -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems = [f"{where}: {msg}" for where, msg in validation_items(e, prefix)]
        raise Problem(422, "; ".join(problems[:5]), problems) from e
    except RecursionError as e:  # belt and braces: the depth limit comes first
        raise Problem(422, "request nested too deeply") from e


def parse(raw: bytes, settings: Settings) -> dict[str, Any]:
    try:
        doc = loads(raw, Limits(settings.max_depth, settings.max_string_bytes, settings.max_entries))
    except LimitError as e:
        raise Problem(e.status, e.message) from e
    except json.JSONDecodeError as e:
        raise Problem(400, f"request body is not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}") from e
    except (UnicodeDecodeError, ValueError) as e:
        raise Problem(400, f"request body is not valid JSON ({e.__class__.__name__})") from e
    if not isinstance(doc, dict):
        raise Problem(422, f"request body must be a JSON object, not {type(doc).__name__}")
    return doc


def one_patient(g: Gathered, pid: str | None) -> None:
    """400/422 unless every Patient in the request is one and the same (and is context.patientId)."""
    patients = [r for r, _ in g.entries if r.get("resourceType") == "Patient"]
    ids = {str(r.get("id")) for r in patients if r.get("id") is not None}
    if len(ids) > 1:
        raise Problem(422, f"prefetch: holds {len(ids)} different Patients; a request is about one patient")
    if len({content_identity(r) for r in patients}) > 1:
        raise Problem(422, "prefetch: holds two Patient resources with the same id but different content; "
                           "which one is the patient cannot be told")
    if pid and ids and pid not in ids:
        raise Problem(400, "prefetch: the Patient is not context.patientId")


def renew(made: list[dict[str, Any]], issued: list[IssuedCard]) -> tuple[list[dict[str, Any]], list[IssuedCard]]:
    """The same cards with new uuids (a cached answer: every card a clinician sees is a new card)."""
    out_cards, out_issued = [], []
    for c, i in zip(made, issued, strict=True):
        c = {**c, "uuid": str(uuid.uuid4())}
        if "suggestions" in c:
            c["suggestions"] = [{**s, "uuid": str(uuid.uuid4())} for s in c["suggestions"]]
        out_cards.append(c)
        out_issued.append(replace(i, uuid=c["uuid"], suggestions=tuple(s["uuid"] for s in c.get("suggestions", ()))))
    return out_cards, out_issued


def dumps(content: Any) -> bytes:
    """As starlette's JSONResponse renders."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")


class Worker:
    """The engine and the result cache of one evaluation process (or of the server, in-process)."""

    def __init__(self, settings: Settings, eng: Engine, test_hooks: bool = False):
        self.settings, self.engine = settings, eng
        self.cache = hooks.ResultCache()
        self.test_hooks = test_hooks

    def warm_up(self) -> None:
        """Build the FHIR models and run one evaluation, so that the first hook call is not slow."""
        g = gather({"patient": {"resourceType": "Patient", "id": "w0", "gender": "female", "birthDate": "1970-01-01"},
                    "all": {"resourceType": "Bundle", "type": "collection",
                            "entry": [{"resource": r} for r in WARM_UP]}})
        hooks.evaluate(self.engine, g, [], date.today())

    def handle(self, job: Job) -> Answer | Fetch | Refused:
        try:
            return self._handle(job)
        except Problem as p:
            return Refused(p.status, p.message, list(p.problems) if p.problems else None)
        except SnapshotError as e:
            return Refused(422, str(e))
        except RecursionError:
            return Refused(422, "request nested too deeply to evaluate")

    def _handle(self, job: Job) -> Answer | Fetch:
        t0 = time.perf_counter()
        settings, eng = self.settings, self.engine
        service = SERVICES[job.service]
        doc = parse(job.body, settings)
        req: HookRequest = validate(HookRequest, doc)
        if req.hook not in HOOKS:
            raise Problem(400, f"hook: unknown hook {req.hook!r}; this service answers {service.hook!r}")
        if req.hook != service.hook:
            raise Problem(400, f"hook: {req.hook!r} sent to service {service.id!r}, which answers {service.hook!r}")
        context = validate(CONTEXTS[req.hook], req.context, "context")
        try:
            g = gather(req.prefetch)
            drafts, orders = hooks.draft_orders(context)  # a malformed draftOrders Bundle: 422 before any fetching
        except (ValueError, SnapshotError) as e:
            raise Problem(422, str(e).removeprefix("request: ")) from e
        pid = context.patientId
        one_patient(g, pid)
        has_patient = any(r.get("resourceType") == "Patient" for r, _ in g.entries)
        missing = {c for c in ("patient", *EXPECTED, "procedures") if c not in g.covered}
        if not has_patient:
            missing.add("patient")
        server, auth = req.fhirServer, req.fhirAuthorization
        allowed = settings.fhir_allowed(server, job.iss) if server else None
        why_not = ("no fhirServer was given" if not server else "no fhirAuthorization was given" if not auth
                   else "no context.patientId was given" if not pid
                   else "the fhirServer is not one this service may call for this client" if allowed is None
                   else None)
        patient_error = None
        if why_not is None and (missing or g.next_pages) and job.can_fetch:
            assert allowed is not None and auth and pid and server
            if job.fetched is None:
                return Fetch(server, auth, pid, missing, list(g.next_pages))
            fetched = job.fetched
            g.fetched = True
            g.entries.extend(fetched.entries)
            g.covered |= fetched.covered
            g.issues.extend(fetched.issues)
            missing -= fetched.covered
            patient_error = fetched.patient_error
            if "patient" not in fetched.covered and not has_patient:
                missing.add("patient")
            else:
                missing.discard("patient")
            one_patient(g, pid)
        else:
            g.issues.extend(DataIssue(source=where, problem="holds only the first page of a longer search; the rest "
                                      f"was not retrieved ({why_not or 'nothing to fetch'})")
                            for where, _ in g.next_pages)
        if "patient" in missing and not has_patient:
            reason = f"it could not be retrieved from the FHIR server: {patient_error}" if patient_error \
                else f"no FHIR server can be queried ({why_not})"
            raise Problem(412, f"required data is absent: the Patient resource was not prefetched and {reason}")
        for c in EXPECTED:
            if c in missing:
                g.issues.append(DataIssue(source=f"prefetch ({CATEGORY_WORDS[c]})",
                                          problem="not provided by the EHR and not retrieved from a FHIR server "
                                                  f"({why_not or 'retrieval failed'}): not assessed, not read as none"))
        t_gathered = time.perf_counter()
        self._test_hook(context)
        as_of = date.fromisoformat(job.as_of)
        key = None if g.fetched else hooks.ResultCache.key(
            service.id, req.hook, req.context, req.prefetch, job.as_of, eng.rulebase.content_hash)
        hit = self.cache.get(key) if key is not None else None
        if hit is None:
            result, patient_ref = hooks.evaluate(eng, g, drafts, as_of)
            made, issued = cards(eng, result.findings, orders, patient_ref)
            if key is not None:
                self.cache.put(key, (made, issued))
        else:
            made, issued = renew(*hit)
        body = dumps({"cards": made})
        t_done = time.perf_counter()
        input_json = None
        if settings.decision_log_inputs:
            input_json = json.dumps({"hook": req.hook, "context": req.context,
                                     "entries": [[r, f] for r, f in g.entries],
                                     "issues": [i.model_dump(mode="json") for i in g.issues]},
                                    separators=(",", ":"), ensure_ascii=True, default=str)
        counts = {i: sum(c["indicator"] == i for c in made) for i in ("critical", "warning", "info")}
        return Answer(body=body, issued=issued, input_sha256=hashlib.sha256(job.body).hexdigest(),
                      hook=req.hook, hook_instance=req.hookInstance, fetched=g.fetched,
                      counts=counts, input_json=input_json,
                      timings={"gather": round((t_gathered - t0) * 1000, 2),
                               "evaluate": round((t_done - t_gathered) * 1000, 2)})

    def _test_hook(self, context: Any) -> None:
        if not self.test_hooks:
            return
        if context.userId == TEST_SLOW:
            time.sleep(3600)
        elif context.userId == TEST_CRASH:
            import os
            import signal

            os.kill(os.getpid(), signal.SIGKILL)


WARM_UP = [
    {"resourceType": "Observation", "id": "w1", "status": "final", "code": {"text": "TSH"},
     "effectiveDateTime": "2026-01-01T08:00:00Z", "valueQuantity": {"value": 1, "unit": "mIU/L"},
     "specimen": {"reference": "Specimen/w6"}},
    {"resourceType": "Condition", "id": "w2", "subject": {"reference": "Patient/w0"},
     "code": {"text": "hypothyroidism"}},
    {"resourceType": "MedicationRequest", "id": "w3", "status": "active", "intent": "order",
     "subject": {"reference": "Patient/w0"}, "medicationReference": {"reference": "Medication/w5"}},
    {"resourceType": "MedicationStatement", "id": "w4", "status": "active", "subject": {"reference": "Patient/w0"},
     "medicationCodeableConcept": {"text": "levothyroxine"}},
    {"resourceType": "Medication", "id": "w5", "code": {"text": "levothyroxine"}},
    {"resourceType": "Specimen", "id": "w6", "type": {"text": "serum"}},
    {"resourceType": "MedicationDispense", "id": "w7", "status": "completed", "medicationCodeableConcept": {
        "text": "levothyroxine"}},
    {"resourceType": "Procedure", "id": "w8", "status": "completed", "subject": {"reference": "Patient/w0"},
     "code": {"text": "hysterectomy"}},
    {"resourceType": "OperationOutcome", "issue": [{"severity": "information", "code": "informational"}]},
]
