"""The CDS Hooks service (FastAPI): discovery, the three hooks, and feedback.

    GET  /cds-services                  discovery (no patient data; open)
    POST /cds-services/{id}             a hook call -> {"cards": [...]}           (JWT required)
    POST /cds-services/{id}/feedback    accepted / overridden outcomes, stored    (JWT required)

Every POST carries the EHR's JWT (`auth.py`; 401 with WWW-Authenticate otherwise) unless the service
was started with `--allow-unauthenticated` on loopback; bodies must be `application/json` (415) and
within the limits of `limits.py` (413/422 naming the limit).  Bad input gets a 4xx with
`{"error": ..., "problems": [...]}` naming the field, escaped and bounded; 412 when the Patient is
neither prefetched nor retrievable; 503 when an evaluation passes its deadline (its worker process is
killed and replaced) or its worker dies.  The body's bytes go to an evaluation worker (`pool.py`,
`work.py`) that parses, checks, maps, evaluates and renders; this process authenticates, fetches from
FHIR servers and writes the card and decision logs.  Logs carry no patient data at any level: only
hook, service, status, counts and timings.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..core import Engine
from ..errors import ServiceError, SetpointError
from .auth import ANONYMOUS, AuthError, Client, JwksCache, Verifier, www_authenticate
from .decisions import FILE as DECISIONS
from .decisions import DecisionLog, now
from .discovery import SERVICES, Service, discovery
from .fhir_client import FhirFetcher
from .models import Feedback
from .pool import InlineRunner, Pool, PoolError, default_size
from .prefetch import Gathered
from .safety import MAX_PROBLEMS, clean
from .settings import Settings
from .store import Store
from .work import TEST_HOOKS_ENV, Answer, Fetch, Job, Refused, Worker, parse, validate

log = logging.getLogger("setpoint.service")


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


async def _read_body(request: Request, settings: Settings) -> bytes:
    """The request body as bytes, within --max-body-bytes (413); parsed later, by an evaluation worker."""
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
    return bytes(body)


async def _read_json(request: Request, settings: Settings) -> dict[str, Any]:
    """A small body parsed here (feedback)."""
    return parse(await _read_body(request, settings), settings)


class State:
    def __init__(self, settings: Settings, runner: Pool | InlineRunner, store: Store):
        self.settings, self.runner, self.store = settings, runner, store
        self.rulebase = runner.rulebase  # name, version, hash
        self.fetcher: FhirFetcher | None = None
        self.jwks: JwksCache | None = None
        self.verifier: Verifier | None = None
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
    """The ASGI app; uvicorn workers call it with no arguments (settings from SETPOINT_* variables).
    Starts the evaluation worker processes (`settings.eval_processes`, default one per core) and waits
    until each has loaded the engine; with `eng` given, or `eval_processes` 0, evaluates in-process."""
    settings = settings or Settings.from_env()
    check_trust(settings)
    if settings.verify and settings.trusted_key is not None:  # `serve` checked already; workers check again
        from .. import signing

        signing.verify(signing.roots(settings.rules, settings.knowledge), settings.trusted_key)
    test_hooks = os.environ.get(TEST_HOOKS_ENV) == "1"
    if test_hooks:
        log.warning("%s=1: test hooks are on (a test userId makes an evaluation hang or crash); never in production",
                    TEST_HOOKS_ENV)
    size = settings.eval_processes if settings.eval_processes is not None else default_size()
    store = Store(settings.data_dir)
    runner: Pool | InlineRunner
    if size == 0 or eng is not None:  # in-process: evaluations in threads of this process
        eng = eng or Engine.load(rules=settings.rules, knowledge=settings.knowledge, verify=settings.verify,
                                 freeze=True)
        worker = Worker(settings, eng, test_hooks)
        worker.warm_up()
        runner = InlineRunner(worker)
    else:  # worker processes, each loading the engine once (a problem with it is raised here)
        runner = Pool(settings, size, test_hooks)
        runner.start()
    state = State(settings, runner, store)
    rulebase = state.rulebase

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runner.attach()
        state.fetcher = FhirFetcher(settings)
        if settings.trust:
            state.jwks = JwksCache(settings.jwks_cache_seconds, settings.fhir_timeout)
            state.verifier = Verifier(settings, state.jwks, state.store)
        else:
            log.warning("UNAUTHENTICATED: any local process can call this service (--allow-unauthenticated)")
        log.info("Setpoint CDS Hooks service ready: rule base %s %s, %s", rulebase["name"], rulebase["version"],
                 f"{runner.size} evaluation processes" if runner.size else "evaluating in-process")
        yield
        await runner.close()
        await state.fetcher.close()
        if state.jwks is not None:
            await state.jwks.close()
        if state.decisions is not None:
            state.decisions.close()

    app = FastAPI(title="Setpoint CDS Hooks service", version=rulebase["version"], lifespan=lifespan,
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
                                    "rulebase": rulebase, "cards": []})

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

    async def _evaluate(job: Job) -> tuple[Answer | Fetch | Refused, float]:
        try:
            return await runner.run(job, settings.eval_timeout)
        except PoolError as e:
            raise Problem(503, e.message) from e

    @app.post("/cds-services/{service_id}")
    async def call(service_id: str, request: Request) -> Response:
        # The event loop reads the body and hands its bytes to an evaluation worker, which parses,
        # checks, maps, evaluates and renders the answer (work.py); here: auth, FHIR fetches, the card log.
        t0 = time.perf_counter()
        service = _service(service_id)
        client = await _authenticate(request, service)
        t_auth = time.perf_counter()
        request.state.client = {"iss": client.iss, "sub": client.sub}
        raw = await _read_body(request, settings)
        t_read = time.perf_counter()
        as_of = settings.as_of or date.today()
        job = Job(service.id, raw, client.iss, as_of.isoformat(), can_fetch=state.fetcher is not None)
        out, waited = await _evaluate(job)
        t_fetch = 0.0
        if isinstance(out, Fetch):  # the prefetch lacks data: fetch it (here, on the event loop), then evaluate
            allowed = settings.fhir_allowed(out.server, client.iss)  # checked again where the token leaves from
            if allowed is None or state.fetcher is None:
                raise Problem(422, "fhirServer: not a FHIR server this service may call for this client")
            t1 = time.perf_counter()
            job.fetched = await state.fetcher.fetch(allowed, out.auth, out.patient_id, out.missing,
                                                    Gathered(next_pages=out.next_pages))
            t_fetch = time.perf_counter() - t1
            out, waited2 = await _evaluate(job)
            waited += waited2
            if isinstance(out, Fetch):
                raise RuntimeError("a worker asked to fetch twice")
        if isinstance(out, Refused):
            raise Problem(out.status, out.message, out.problems)
        # The card log is committed before the answer leaves: every card shown can get feedback.
        await run_in_threadpool(state.store.record_cards, service.id, out.hook_instance, out.issued)
        total = (time.perf_counter() - t0) * 1000
        if state.decisions is not None:
            record: dict[str, Any] = {
                "hookInstance": out.hook_instance, "time": now(), "service": service.id, "hook": out.hook,
                "client": {"iss": client.iss, "sub": client.sub}, "rulebase": rulebase,
                "status": 200, "as_of": as_of.isoformat(), "input_sha256": out.input_sha256,
                "fetched": out.fetched,
                "cards": [{"rule_id": i.rule_id, "rule_version": i.rule_version, "uuid": i.uuid} for i in out.issued],
                "timings_ms": {"auth": round((t_auth - t0) * 1000, 2), "read": round((t_read - t_auth) * 1000, 2),
                               "queue": round(waited * 1000, 2), "fetch": round(t_fetch * 1000, 2),
                               **out.timings, "total": round(total, 2)}}
            state.decisions.append(record, {"input": out.input_json} if out.input_json is not None else None)
        log.info("%s %s: %d cards (%s) in %.1f ms", out.hook, service.id, len(out.issued),
                 ", ".join(f"{n} {i}" for i, n in out.counts.items()), total)
        return Response(out.body, media_type="application/json")

    @app.post("/cds-services/{service_id}/feedback")
    async def feedback(service_id: str, request: Request) -> JSONResponse:
        service = _service(service_id)
        await _authenticate(request, service)
        doc = await _read_json(request, settings)
        fb: Feedback = validate(Feedback, doc)
        items = [it.model_dump(mode="json") for it in fb.feedback]
        unknown = set(await run_in_threadpool(state.store.unknown_cards, service.id, [it["card"] for it in items]))
        if unknown:
            problems = [f"feedback[{n}].card: not a card this service issued" for n, it in enumerate(items)
                        if it["card"] in unknown]
            raise Problem(422, "; ".join(problems[:5]), problems)
        n = await run_in_threadpool(state.store.add_feedback, service.id, items)
        log.info("feedback for %s: %d item(s) stored", service.id, n)
        return JSONResponse({"stored": n})

    from . import page

    page.install(app, state)  # the clinician's page at / (its own session; the hooks keep their JWT)
    return app
