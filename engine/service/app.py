"""The CDS Hooks service (FastAPI): discovery, the three hooks, and feedback.

    GET  /cds-services                  discovery
    POST /cds-services/{id}             a hook call -> {"cards": [...]}
    POST /cds-services/{id}/feedback    accepted / overridden outcomes, stored durably

Bad input gets a 4xx with `{"error": ..., "problems": [...]}` naming the field; 412 when the
Patient is neither prefetched nor retrievable.  Logs at INFO carry no patient data (no ids, no
resource content, no clinician comments): only hook, service, status, counts and timings.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.core import Engine
from engine.errors import ServiceError, SnapshotError, validation_items
from engine.service import hooks
from engine.service.cards import cards
from engine.service.discovery import CATEGORY_WORDS, EXPECTED, SERVICES, Service, discovery
from engine.service.fhir_client import FhirFetcher
from engine.service.models import CONTEXTS, HOOKS, Feedback, HookRequest
from engine.service.prefetch import Gathered, gather
from engine.service.settings import Settings
from engine.service.store import CardLog, Store
from engine.snapshot.models import DataIssue

log = logging.getLogger("setpoint.service")


Problem = ServiceError  # a client error: HTTP status and a message naming the field and the problem


def _problem_response(p: Problem) -> JSONResponse:
    body: dict[str, Any] = {"error": p.message}
    if p.problems:
        body["problems"] = p.problems
    return JSONResponse(body, status_code=p.status)


async def _read_json(request: Request, limit: int) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Problem(400, "Content-Length header is not a number")
        if int(declared) > limit:
            raise Problem(413, f"request body of {int(declared)} bytes is over the limit of {limit} bytes "
                               "(SETPOINT_MAX_BODY_BYTES)")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Problem(413, f"request body is over the limit of {limit} bytes (SETPOINT_MAX_BODY_BYTES)")
    if not body.strip():
        raise Problem(400, "request body is empty: a JSON object is expected")
    try:
        doc = json.loads(bytes(body))
    except json.JSONDecodeError as e:
        raise Problem(400, f"request body is not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}") from e
    except (UnicodeDecodeError, RecursionError) as e:
        raise Problem(400, f"request body is not valid JSON ({e.__class__.__name__})") from e
    if not isinstance(doc, dict):
        raise Problem(422, f"request body must be a JSON object, not {type(doc).__name__}")
    return doc


def _validate(model: type[BaseModel], data: Any, prefix: str = "") -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems = [f"{where}: {msg}" for where, msg in validation_items(e, prefix)]
        raise Problem(422, "; ".join(problems[:5]), problems) from e


class State:
    def __init__(self, settings: Settings, eng: Engine, store: Store):
        self.settings, self.engine, self.store = settings, eng, store
        self.fetcher: FhirFetcher | None = None
        self.cache = hooks.ResultCache()
        self.card_log = CardLog(store)
        self.evaluating = asyncio.Semaphore(1)


def create_app(settings: Settings | None = None, eng: Engine | None = None) -> FastAPI:
    """The ASGI app; uvicorn workers call it with no arguments (settings from SETPOINT_* variables)."""
    settings = settings or Settings.from_env()
    eng = eng or Engine.load(rules=settings.rules, knowledge=settings.knowledge, verify=settings.verify, freeze=True)
    state = State(settings, eng, Store(settings.data_dir))
    _warm_up(eng)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.fetcher = FhirFetcher(settings)
        log.info("Setpoint CDS Hooks service ready: rule base %s %s, %d rules", eng.rulebase.name,
                 eng.rulebase.version, len(eng.rulebase.rules))
        yield
        await state.fetcher.close()
        state.card_log.close()

    app = FastAPI(title="Setpoint CDS Hooks service", version=eng.rulebase.version, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.setpoint = state
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"])

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        log.info("%s %s -> %d", request.method, request.url.path, exc.status)
        log.debug("client error: %s", exc.message)
        return _problem_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = {404: f"no such path {request.url.path}; the services are listed at GET /cds-services",
                   405: f"method {request.method} is not allowed on {request.url.path}"}.get(exc.status_code,
                                                                                        str(exc.detail))
        return JSONResponse({"error": message}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s (%s)", request.method, request.url.path, exc.__class__.__name__)
        return JSONResponse({"error": "internal error; the service log has the details"}, status_code=500)

    @app.get("/cds-services")
    async def services() -> dict[str, Any]:
        return discovery()

    def _service(service_id: str) -> Service:
        s = SERVICES.get(service_id)
        if s is None:
            raise Problem(404, f"unknown CDS service {service_id!r}; known services: {', '.join(SERVICES)}")
        return s

    @app.post("/cds-services/{service_id}")
    async def call(service_id: str, request: Request) -> JSONResponse:
        t0 = time.perf_counter()
        service = _service(service_id)
        req: HookRequest = _validate(HookRequest, await _read_json(request, settings.max_body_bytes))
        if req.hook not in HOOKS:
            raise Problem(400, f"hook: unknown hook {req.hook!r}; this service answers {service.hook!r}")
        if req.hook != service.hook:
            raise Problem(400, f"hook: {req.hook!r} sent to service {service.id!r}, which answers {service.hook!r}")
        context = _validate(CONTEXTS[req.hook], req.context, "context")
        gathered = await _gather(state, req, context)
        as_of = settings.as_of or date.today()
        drafts, orders = hooks.draft_orders(context)
        key = None if gathered.fetched else hooks.ResultCache.key(
            service.id, req.hook, req.context, req.prefetch, as_of.isoformat(), eng.rulebase.content_hash)
        hit = state.cache.get(key) if key is not None else None
        if hit is None:
            # Evaluation is CPU-bound and holds the GIL: one at a time per process, first come first served.
            async with state.evaluating:
                try:
                    hit = await run_in_threadpool(hooks.evaluate_and_cache, eng, gathered, drafts, as_of,
                                                  state.cache, key)
                except SnapshotError as e:
                    raise Problem(422, str(e)) from e
        result, patient_ref = hit
        made, issued = cards(eng, result.findings, orders, patient_ref)
        state.card_log.put(service.id, req.hookInstance, issued)
        counts = {i: sum(c["indicator"] == i for c in made) for i in ("critical", "warning", "info")}
        log.info("%s %s: %d cards (%s) in %.1f ms", req.hook, service.id, len(made),
                 ", ".join(f"{n} {i}" for i, n in counts.items()), (time.perf_counter() - t0) * 1000)
        return JSONResponse({"cards": made})

    @app.post("/cds-services/{service_id}/feedback")
    async def feedback(service_id: str, request: Request) -> JSONResponse:
        service = _service(service_id)
        fb: Feedback = _validate(Feedback, await _read_json(request, settings.max_body_bytes))
        items = [it.model_dump(mode="json") for it in fb.feedback]
        n = await run_in_threadpool(state.store.add_feedback, service.id, items)
        log.info("feedback for %s: %d item(s) stored", service.id, n)
        return JSONResponse({"stored": n})

    return app


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


def _warm_up(eng: Engine) -> None:
    """Build the FHIR models and run one evaluation now, so that the first hook call is not slow."""
    g = gather({"patient": {"resourceType": "Patient", "id": "w0", "gender": "female", "birthDate": "1970-01-01"},
                "all": {"resourceType": "Bundle", "type": "collection",
                        "entry": [{"resource": r} for r in WARM_UP]}})
    hooks.evaluate(eng, g, [], date.today())


async def _gather(state: State, req: HookRequest, context: Any) -> Gathered:
    """The prefetch, completed from the FHIR server when one can be queried; 412 without a Patient."""
    try:
        g = gather(req.prefetch)
        hooks.draft_orders(context)  # a malformed draftOrders Bundle is a 422 before any fetching
    except (ValueError, SnapshotError) as e:
        raise Problem(422, str(e).removeprefix("request: ")) from e
    pid = context.patientId
    ids = g.patient_ids()
    if pid and ids and pid not in ids:
        raise Problem(400, f"prefetch: the Patient ({', '.join(sorted(ids))}) is not context.patientId ({pid})")
    has_patient = any(r.get("resourceType") == "Patient" for r, _ in g.entries)
    missing = {c for c in ("patient", *EXPECTED, "procedures") if c not in g.covered}
    if not has_patient:
        missing.add("patient")
    settings = state.settings
    server, auth = req.fhirServer, req.fhirAuthorization
    why_not = ("no fhirServer was given" if not server else "no fhirAuthorization was given" if not auth
               else "no context.patientId was given" if not pid
               else "the fhirServer is not allowed by SETPOINT_FHIR_ALLOW" if not settings.fhir_allowed(server)
               else None)
    patient_error = None
    if why_not is None and (missing or g.next_pages) and state.fetcher is not None:
        assert server and auth and pid
        fetched = await state.fetcher.fetch(server, auth, pid, missing, g)
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
    else:
        g.issues.extend(DataIssue(source=where, problem="holds only the first page of a longer search; the rest "
                                  f"was not retrieved ({why_not or 'nothing to fetch'})") for where, _ in g.next_pages)
    if "patient" in missing and not has_patient:
        reason = f"it could not be retrieved from the FHIR server: {patient_error}" if patient_error \
            else f"no FHIR server can be queried ({why_not})"
        raise Problem(412, f"required data is absent: the Patient resource was not prefetched and {reason}")
    for c in EXPECTED:
        if c in missing:
            g.issues.append(DataIssue(source=f"prefetch ({CATEGORY_WORDS[c]})",
                                      problem="not provided by the EHR and not retrieved from a FHIR server "
                                              f"({why_not or 'retrieval failed'}): not assessed, not read as none"))
    return g
