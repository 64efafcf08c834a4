"""The CDS Hooks service (FastAPI): discovery, the three hooks, and feedback.

    GET  /cds-services                  discovery (no patient data; open)
    POST /cds-services/{id}             a hook call -> {"cards": [...]}           (JWT required)
    POST /cds-services/{id}/feedback    accepted / overridden outcomes, stored    (JWT required)

Every POST carries the EHR's JWT (`auth.py`; 401 with WWW-Authenticate otherwise) unless the service
was started with `--allow-unauthenticated` on loopback; bodies must be `application/json` (415) and
within the limits of `limits.py` (413/422 naming the limit).  Bad input gets a 4xx with
`{"error": ..., "problems": [...]}` naming the field, escaped and bounded; 412 when the Patient is
neither prefetched nor retrievable; 503 when an evaluation passes its deadline.  Logs carry no
patient data at any level: only hook, service, status, counts and timings.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
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
from engine.errors import ServiceError, SetpointError, SnapshotError, validation_items
from engine.fhir.context import content_identity
from engine.service import hooks
from engine.service.auth import ANONYMOUS, AuthError, Client, JwksCache, Verifier, www_authenticate
from engine.service.cards import cards
from engine.service.decisions import FILE as DECISIONS
from engine.service.decisions import DecisionLog, now
from engine.service.discovery import CATEGORY_WORDS, EXPECTED, SERVICES, Service, discovery
from engine.service.fhir_client import FhirFetcher
from engine.service.limits import LimitError, Limits, loads
from engine.service.models import CONTEXTS, HOOKS, Feedback, HookRequest
from engine.service.prefetch import Gathered, gather
from engine.service.safety import MAX_PROBLEMS, clean
from engine.service.settings import Settings
from engine.service.store import Store
from engine.snapshot.models import DataIssue

log = logging.getLogger("setpoint.service")
EVALUATION_THREADS = 4  # one evaluating, the others for evaluations abandoned at their deadline


Problem = ServiceError  # a client error: HTTP status and a message naming the field and the problem


def _problem_response(p: Problem) -> JSONResponse:
    body: dict[str, Any] = {"error": clean(p.message)}
    if p.problems:
        body["problems"] = [clean(x, 300) for x in p.problems[:MAX_PROBLEMS]]
    return JSONResponse(body, status_code=p.status)


def _content_type(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise Problem(415, "the request body must be sent as Content-Type: application/json")


async def _read_json(request: Request, settings: Settings) -> tuple[dict[str, Any], bytes]:
    _content_type(request)
    limit = settings.max_body_bytes
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
    raw = bytes(body)
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
    return doc, raw


def _validate(model: type[BaseModel], data: Any, prefix: str = "") -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems = [f"{where}: {msg}" for where, msg in validation_items(e, prefix)]
        raise Problem(422, "; ".join(problems[:5]), problems) from e
    except RecursionError as e:  # belt and braces: the depth limit comes first
        raise Problem(422, "request nested too deeply") from e


class State:
    def __init__(self, settings: Settings, eng: Engine, store: Store):
        self.settings, self.engine, self.store = settings, eng, store
        self.fetcher: FhirFetcher | None = None
        self.jwks: JwksCache | None = None
        self.verifier: Verifier | None = None
        self.cache = hooks.ResultCache()
        self.pool = ThreadPoolExecutor(EVALUATION_THREADS, thread_name_prefix="setpoint-eval")
        self.evaluating = asyncio.Semaphore(1)
        self.decisions = DecisionLog(settings.data_dir / DECISIONS) if settings.decision_log else None


def check_trust(settings: Settings) -> None:
    """Refuse settings that would serve patient data to anyone: no trust configured and no explicit,
    loopback-only `allow_unauthenticated`; or trust without the public URL the JWT `aud` is checked against."""
    if settings.trust and not settings.public_url:
        raise SetpointError("--public-url is required with --trust: the JWT aud is checked against it")
    if not settings.trust and not settings.allow_unauthenticated:
        raise SetpointError("no trusted CDS client is configured: give --trust ISSUER=JWKS_URL (or --trust-file); "
                            "--allow-unauthenticated is for trying the service on a loopback address only")


def create_app(settings: Settings | None = None, eng: Engine | None = None) -> FastAPI:
    """The ASGI app; uvicorn workers call it with no arguments (settings from SETPOINT_* variables)."""
    settings = settings or Settings.from_env()
    check_trust(settings)
    if settings.verify and settings.trusted_key is not None:  # `serve` checked already; workers check again
        from engine import signing

        signing.verify(signing.roots(settings.rules, settings.knowledge), settings.trusted_key)
    eng = eng or Engine.load(rules=settings.rules, knowledge=settings.knowledge, verify=settings.verify, freeze=True)
    state = State(settings, eng, Store(settings.data_dir))
    _warm_up(eng)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.fetcher = FhirFetcher(settings)
        if settings.trust:
            state.jwks = JwksCache(settings.jwks_cache_seconds, settings.fhir_timeout)
            state.verifier = Verifier(settings, state.jwks, state.store)
        else:
            log.warning("UNAUTHENTICATED: any local process can call this service (--allow-unauthenticated)")
        log.info("Setpoint CDS Hooks service ready: rule base %s %s, %d rules", eng.rulebase.name,
                 eng.rulebase.version, len(eng.rulebase.rules))
        yield
        await state.fetcher.close()
        if state.jwks is not None:
            await state.jwks.close()
        state.pool.shutdown(wait=False, cancel_futures=True)
        if state.decisions is not None:
            state.decisions.close()

    app = FastAPI(title="Setpoint CDS Hooks service", version=eng.rulebase.version, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.setpoint = state
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"], allow_credentials=False)

    def _log_refusal(request: Request, status: int) -> None:
        """A hook call answered with an error is a decision too: logged without its content."""
        parts = request.url.path.strip("/").split("/")
        if state.decisions is not None and request.method == "POST" and len(parts) == 2 and parts[1] in SERVICES:
            state.decisions.append({"hookInstance": None, "time": now(), "service": parts[1], "status": status,
                                    "client": getattr(request.state, "client", None),
                                    "rulebase": {"name": eng.rulebase.name, "version": eng.rulebase.version,
                                                 "hash": eng.rulebase.content_hash},
                                    "cards": []})

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        log.info("%s %s -> %d", request.method, clean(request.url.path, 200), exc.status)
        _log_refusal(request, exc.status)
        return _problem_response(exc)

    @app.exception_handler(AuthError)
    async def _unauthenticated(request: Request, exc: AuthError) -> JSONResponse:
        log.info("%s %s -> 401 (%s)", request.method, clean(request.url.path, 200), clean(exc.message, 200))
        _log_refusal(request, 401)
        return JSONResponse({"error": clean(f"not authenticated: {exc.message}")}, status_code=401,
                            headers={"WWW-Authenticate": www_authenticate(exc)})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        path = clean(request.url.path, 200)
        message = {404: f"no such path {path}; the services are listed at GET /cds-services",
                   405: f"method {request.method} is not allowed on {path}"}.get(exc.status_code, str(exc.detail))
        return JSONResponse({"error": clean(message)}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s (%s)", request.method, clean(request.url.path, 200),
                  exc.__class__.__name__)
        return JSONResponse({"error": "internal error; the service log has the details"}, status_code=500)

    @app.get("/cds-services")
    async def services() -> dict[str, Any]:
        return discovery()

    def _service(service_id: str) -> Service:
        s = SERVICES.get(service_id)
        if s is None:
            raise Problem(404, f"unknown CDS service {service_id!r}; known services: {', '.join(SERVICES)}")
        return s

    async def _authenticate(request: Request, service: Service) -> Client:
        if state.verifier is None:
            return ANONYMOUS
        base = settings.public_url or ""
        endpoint = f"{base}/cds-services/{service.id}"
        feedback = request.url.path.endswith("/feedback")
        audience = [endpoint, endpoint + "/feedback"] if feedback else [endpoint]
        return await state.verifier.verify(request.headers.get("authorization"), audience)

    @app.post("/cds-services/{service_id}")
    async def call(service_id: str, request: Request) -> JSONResponse:
        t0 = time.perf_counter()
        service = _service(service_id)
        client = await _authenticate(request, service)
        request.state.client = {"iss": client.iss, "sub": client.sub}
        doc, raw = await _read_json(request, settings)
        req: HookRequest = _validate(HookRequest, doc)
        if req.hook not in HOOKS:
            raise Problem(400, f"hook: unknown hook {req.hook!r}; this service answers {service.hook!r}")
        if req.hook != service.hook:
            raise Problem(400, f"hook: {req.hook!r} sent to service {service.id!r}, which answers {service.hook!r}")
        context = _validate(CONTEXTS[req.hook], req.context, "context")
        gathered = await _gather(state, req, context, client)
        t_gathered = time.perf_counter()
        as_of = settings.as_of or date.today()
        drafts, orders = hooks.draft_orders(context)
        key = None if gathered.fetched else hooks.ResultCache.key(
            service.id, req.hook, req.context, req.prefetch, as_of.isoformat(), eng.rulebase.content_hash)
        hit = state.cache.get(key) if key is not None else None
        if hit is None:
            loop = asyncio.get_running_loop()
            try:
                # Evaluation is CPU-bound and holds the GIL: one at a time per process, first come first
                # served, in a worker thread (the event loop keeps answering).  One that passes its
                # deadline gets 503 and gives up its turn; its thread finishes in the background.
                async with state.evaluating:
                    job = loop.run_in_executor(state.pool, hooks.evaluate_and_cache, eng, gathered, drafts, as_of,
                                               state.cache, key)
                    hit = await asyncio.wait_for(job, timeout=settings.eval_timeout)
            except TimeoutError as e:
                raise Problem(503, f"the evaluation did not finish within {settings.eval_timeout:g} s "
                                   "(the per-request deadline); no cards") from e
            except SnapshotError as e:
                raise Problem(422, str(e)) from e
            except RecursionError as e:
                raise Problem(422, "request nested too deeply to evaluate") from e
        t_evaluated = time.perf_counter()
        result, patient_ref = hit
        made, issued = cards(eng, result.findings, orders, patient_ref)
        # The card log is committed before the answer leaves: every card shown can get feedback.
        await run_in_threadpool(state.store.record_cards, service.id, req.hookInstance, issued)
        total = (time.perf_counter() - t0) * 1000
        if state.decisions is not None:
            record: dict[str, Any] = {
                "hookInstance": req.hookInstance, "time": now(), "service": service.id, "hook": req.hook,
                "client": {"iss": client.iss, "sub": client.sub},
                "rulebase": {"name": eng.rulebase.name, "version": eng.rulebase.version,
                             "hash": eng.rulebase.content_hash},
                "status": 200, "as_of": as_of.isoformat(), "input_sha256": hashlib.sha256(raw).hexdigest(),
                "fetched": gathered.fetched,
                "cards": [{"rule_id": i.rule_id, "rule_version": i.rule_version, "uuid": i.uuid} for i in issued],
                "timings_ms": {"gather": round((t_gathered - t0) * 1000, 2),
                               "evaluate": round((t_evaluated - t_gathered) * 1000, 2), "total": round(total, 2)}}
            if settings.decision_log_inputs:
                record["input"] = {"hook": req.hook, "context": req.context,
                                   "entries": [[r, f] for r, f in gathered.entries],
                                   "issues": [i.model_dump(mode="json") for i in gathered.issues]}
            state.decisions.append(record)
        counts = {i: sum(c["indicator"] == i for c in made) for i in ("critical", "warning", "info")}
        log.info("%s %s: %d cards (%s) in %.1f ms", req.hook, service.id, len(made),
                 ", ".join(f"{n} {i}" for i, n in counts.items()), total)
        return JSONResponse({"cards": made})

    @app.post("/cds-services/{service_id}/feedback")
    async def feedback(service_id: str, request: Request) -> JSONResponse:
        service = _service(service_id)
        await _authenticate(request, service)
        doc, _ = await _read_json(request, settings)
        fb: Feedback = _validate(Feedback, doc)
        items = [it.model_dump(mode="json") for it in fb.feedback]
        unknown = set(await run_in_threadpool(state.store.unknown_cards, service.id, [it["card"] for it in items]))
        if unknown:
            problems = [f"feedback[{n}].card: not a card this service issued" for n, it in enumerate(items)
                        if it["card"] in unknown]
            raise Problem(422, "; ".join(problems[:5]), problems)
        n = await run_in_threadpool(state.store.add_feedback, service.id, items)
        log.info("feedback for %s: %d item(s) stored", service.id, n)
        return JSONResponse({"stored": n})

    from engine.service import page

    page.install(app, state)  # the clinician's page at / (its own session; the hooks keep their JWT)
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


def _one_patient(g: Gathered, pid: str | None) -> None:
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


async def _gather(state: State, req: HookRequest, context: Any, client: Client) -> Gathered:
    """The prefetch, completed from the FHIR server when one can be queried; 412 without a Patient."""
    try:
        g = gather(req.prefetch)
        hooks.draft_orders(context)  # a malformed draftOrders Bundle is a 422 before any fetching
    except (ValueError, SnapshotError) as e:
        raise Problem(422, str(e).removeprefix("request: ")) from e
    pid = context.patientId
    _one_patient(g, pid)
    has_patient = any(r.get("resourceType") == "Patient" for r, _ in g.entries)
    missing = {c for c in ("patient", *EXPECTED, "procedures") if c not in g.covered}
    if not has_patient:
        missing.add("patient")
    settings = state.settings
    server, auth = req.fhirServer, req.fhirAuthorization
    allowed = settings.fhir_allowed(server, client.iss) if server else None
    why_not = ("no fhirServer was given" if not server else "no fhirAuthorization was given" if not auth
               else "no context.patientId was given" if not pid
               else "the fhirServer is not one this service may call for this client" if allowed is None
               else None)
    patient_error = None
    if why_not is None and (missing or g.next_pages) and state.fetcher is not None:
        assert allowed is not None and auth and pid
        fetched = await state.fetcher.fetch(allowed, auth, pid, missing, g)
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
        _one_patient(g, pid)
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
