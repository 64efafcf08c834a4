"""The clinician's web page: paste or upload a record, read the report, give feedback per finding.

    GET  /                          the input form (or the sign-in form)
    POST /login, /logout            a session for the page (password from --page-password-file or
                                    SETPOINT_PAGE_PASSWORD; open only with --allow-unauthenticated on loopback)
    POST /evaluate                  a FHIR Bundle or a snapshot (JSON/YAML), pasted or uploaded, and the
                                    evaluation date -> 303 to the report
    GET  /report/{id}               the report (engine/report_view.py), each finding expandable to its
                                    explanation (what `setpoint explain` shows) and with a feedback form
    POST /report/{id}/feedback      accepted / overridden with a reason, stored in the same feedback store
                                    as the CDS Hooks feedback endpoint (engine/service/store.py)
    GET  /page/{name}.css           the page's style sheets (no CDN, nothing from the network)

Server-rendered Jinja (reports/page/), no JavaScript.  The CDS Hooks endpoints keep their JWT: the page
has its own session, a signed cookie (HMAC-SHA256 with a key kept in the data directory, so worker
processes share it; HttpOnly, SameSite=Strict, Secure over https) holding a CSRF token every form carries.
Every page answer carries a strict Content-Security-Policy and is not cached.  Bodies are bounded as the
service's are (--max-body-bytes; JSON depth, string and entry limits).  Reports are kept in this
process's memory only (at most REPORTS_KEPT, for REPORT_HOURS, visible to the session that made them):
no patient data is written to disk; the feedback store holds card uuids, rule ids and the clinician's
reason and comment, as for CDS Hooks cards.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..core import Engine
from ..errors import SetpointError, SnapshotError, validation_items
from ..explain import explain_rules
from ..findings import EvaluationResult
from ..severity import Severity
from .cards import OVERRIDE_REASONS, OVERRIDE_SYSTEM
from .limits import LimitError, Limits, loads
from .models import Feedback
from .safety import clean
from .store import IssuedCard, private_dir

if TYPE_CHECKING:
    from .app import State

log = logging.getLogger("setpoint.service")

SERVICE = "setpoint-page"  # the feedback store's service name for the page's findings
COOKIE = "setpoint_page"
SECRET_FILE = "page-session.key"
PASSWORD_ENV = "SETPOINT_PAGE_PASSWORD"
REPORTS_KEPT = 64
REPORT_HOURS = 2.0
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY", "Cache-Control": "no-store", "Cross-Origin-Opener-Policy": "same-origin"}
STYLES = {"report.css": "partials/report.css", "page.css": "page/page.css"}
MAX_COMMENT = 2000


# ------------------------------------------------------------------ password and session


def page_password(settings: Any) -> str | None:
    """The page's password: --page-password-file (first line), else SETPOINT_PAGE_PASSWORD; None when neither."""
    if settings.page_password_file is not None:
        try:
            text = Path(settings.page_password_file).read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise SetpointError(f"--page-password-file {settings.page_password_file}: cannot read it "
                                f"({e.strerror or e})") from e
        password = text[0].strip() if text else ""
        if not password:
            raise SetpointError(f"--page-password-file {settings.page_password_file}: the file is empty")
        return password
    env = os.environ.get(PASSWORD_ENV, "")
    return env if env.strip() else None


def session_key(data_dir: Path) -> bytes:
    """The key signing page sessions: 32 random bytes in the data directory (0600), made once and shared by
    the worker processes (written to a temporary file and linked into place, so that no process ever reads
    a half-written key)."""
    private_dir(Path(data_dir))
    path = Path(data_dir) / SECRET_FILE
    if not path.exists():
        tmp = path.with_name(f"{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic; another process may have won the race, whose key is then used
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_bytes()
    if len(key) < 32:
        raise SetpointError(f"{path}: the page session key is too short; delete it to make a new one")
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Session:
    sid: str
    csrf: str
    auth: bool
    exp: float
    fresh: bool = False  # not yet sent to the browser


class Sessions:
    """Stateless signed sessions: {sid, csrf, auth, exp, realm} in a cookie, with an HMAC-SHA256 of it.  The
    realm is a digest of the page's password (or "open"): a session signed in under one password, or made
    while the page was open, is not signed in once the password is set or changed."""

    def __init__(self, key: bytes, hours: float, password: str | None = None):
        self.key, self.seconds = key, hours * 3600
        self.realm = "open" if password is None else _b64(hmac.new(key, b"realm:" + password.encode(),
                                                                    hashlib.sha256).digest()[:12])

    def _sign(self, payload: bytes) -> str:
        return _b64(hmac.new(self.key, payload, hashlib.sha256).digest())

    def new(self, auth: bool = False) -> Session:
        return Session(secrets.token_urlsafe(18), secrets.token_urlsafe(24), auth, time.time() + self.seconds, True)

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE, "")
        body, _, sig = raw.partition(".")
        if not body or not sig or len(raw) > 1024:
            return None
        try:
            payload = _unb64(body)
            if not hmac.compare_digest(self._sign(payload), sig):
                return None
            d = json.loads(payload)
            s = Session(str(d["sid"]), str(d["csrf"]), bool(d["auth"]) and d.get("realm") == self.realm,
                        float(d["exp"]))
        except (ValueError, KeyError, TypeError):
            return None
        return s if s.exp > time.time() else None

    def cookie(self, s: Session) -> str:
        payload = json.dumps({"sid": s.sid, "csrf": s.csrf, "auth": s.auth, "exp": s.exp, "realm": self.realm},
                             separators=(",", ":")).encode()
        return f"{_b64(payload)}.{self._sign(payload)}"


# ------------------------------------------------------------------ reports kept in memory


@dataclass
class PageReport:
    id: str
    sid: str
    created: float
    result: EvaluationResult
    source: str
    cards: dict[str, str]  # finding anchor -> card uuid (in the feedback store)
    explanations: dict[str, dict[str, Any]]
    issued: list[IssuedCard] = field(default_factory=list)


class Reports:
    def __init__(self, kept: int = REPORTS_KEPT, hours: float = REPORT_HOURS):
        self.kept, self.seconds = kept, hours * 3600
        self._items: OrderedDict[str, PageReport] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, r: PageReport) -> None:
        with self._lock:
            self._items[r.id] = r
            while len(self._items) > self.kept:
                self._items.popitem(last=False)

    def get(self, rid: str, sid: str) -> PageReport | None:
        with self._lock:
            r = self._items.get(rid)
            if r is None or r.created + self.seconds < time.time():
                self._items.pop(rid, None)
                return None
            return r if hmac.compare_digest(r.sid, sid) else None


# ------------------------------------------------------------------ evaluation


class PageError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def evaluate_page(eng: Engine, data: Any, as_of: date, source: str) -> tuple[EvaluationResult, dict[str, Any]]:
    """The result and each reported finding's explanation (plain phrases added)."""
    snap = eng.snapshot(data, source=source)
    result = eng.evaluate(snap, as_of=as_of)
    ids = [f.rule_id for f in result.findings]
    return result, explain_rules(eng, snap, ids, as_of)


def _document(raw: bytes, settings: Any, name: str) -> Any:
    """JSON within the service's limits (depth, strings, entries), else YAML content for the snapshot reader."""
    text = raw.lstrip()
    if text[:1] in (b"{", b"["):
        try:
            return loads(raw, Limits(settings.max_depth, settings.max_string_bytes, settings.max_entries))
        except LimitError as e:
            raise PageError(e.status, f"{name}: {e.message}") from e
        except json.JSONDecodeError as e:
            raise PageError(400, f"{name} is not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}") from e
        except (UnicodeDecodeError, ValueError) as e:
            raise PageError(400, f"{name} is not valid JSON ({e.__class__.__name__})") from e
    return raw  # YAML (a snapshot): the reader parses it safely


# ------------------------------------------------------------------ the routes


OFF = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Setpoint: the page is off</title>"
       "</head><body><h1>The page is off</h1><p>This service was started without a page password: give "
       f"--page-password-file or {PASSWORD_ENV} (or --allow-unauthenticated on a loopback address).</p></body></html>")


def _install_off(app: FastAPI) -> None:
    """The page's addresses when it is off: 403 saying how to turn it on (no engine is loaded for it)."""

    async def off() -> Response:
        resp = HTMLResponse(OFF, status_code=403)
        resp.headers.update(HEADERS)
        return resp

    for path in ("/", "/login", "/logout", "/evaluate", "/report/{rid}", "/report/{rid}/feedback"):
        app.add_api_route(path, off, methods=["GET", "POST"], include_in_schema=False)


def install(app: FastAPI, state: State) -> None:
    """Add the page's routes to the service."""
    settings = state.settings
    password = page_password(settings)
    open_page = password is None and settings.allow_unauthenticated
    enabled = password is not None or open_page
    if not enabled:
        log.info("the clinician's page is off: no page password (--page-password-file or %s)", PASSWORD_ENV)
        _install_off(app)
        return
    # The page evaluates in this process, not in the hooks' worker pool: it also explains each finding and
    # renders with the engine's templates.  The in-process engine when the service has one; else one loaded
    # here.  A clinician's page sees a few requests a minute: one at a time, in a thread of its own, so the
    # event loop stays free for the hooks.
    inline = getattr(state.runner, "worker", None)
    eng: Engine = inline.engine if inline is not None else Engine.load(
        rules=settings.rules, knowledge=settings.knowledge, verify=settings.verify, freeze=True)
    threads = ThreadPoolExecutor(2, thread_name_prefix="setpoint-page")  # one evaluating, one abandoned at its deadline
    turn = asyncio.Semaphore(1)  # binds to the running loop on first use (Python >= 3.10)
    sessions = Sessions(session_key(settings.data_dir), settings.page_session_hours, password)
    reports = Reports()
    secure = bool(settings.public_url and settings.public_url.startswith("https://"))

    def page(name: str, request: Request, s: Session, status: int = 200, **data: Any) -> HTMLResponse:
        html = eng.renderer.render(f"page/{name}.html.j2", csrf=s.csrf, signed_in=s.auth and password is not None,
                                   rulebase=eng.rulebase, **data)
        return _respond(HTMLResponse(html, status_code=status), s, request)

    def _respond(resp: Response, s: Session | None, request: Request | None = None) -> Response:
        resp.headers.update(HEADERS)
        if s is not None and s.fresh:
            https = secure or (request is not None and request.url.scheme == "https")
            resp.set_cookie(COOKIE, sessions.cookie(s), max_age=int(sessions.seconds), httponly=True,
                            samesite="strict", secure=https, path="/")
        return resp

    def _session(request: Request) -> Session:
        s = sessions.read(request)
        if s is None:
            s = sessions.new(auth=open_page)
        return s

    def _allowed(s: Session) -> bool:
        return open_page or (password is not None and s.auth)

    async def _form(request: Request, s: Session) -> Any:
        """The form, read within the body limit, after the CSRF token is checked."""
        limit = settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
            raise PageError(413, f"the upload is over the limit of {limit} bytes (--max-body-bytes)")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise PageError(413, f"the upload is over the limit of {limit} bytes (--max-body-bytes)")
        request._body = bytes(body)  # starlette parses the form from it
        try:
            form = await request.form(max_files=1, max_fields=20, max_part_size=limit)
        except Exception as e:  # malformed multipart or urlencoded body
            raise PageError(400, f"the form could not be read ({e.__class__.__name__})") from e
        token = form.get("csrf")
        if not isinstance(token, str) or not hmac.compare_digest(token, s.csrf):
            raise PageError(403, "the form has expired or did not come from this page: reload the page and try again")
        return form

    def _problem(request: Request, s: Session, e: PageError) -> HTMLResponse:
        return page("message", request, s, status=e.status, title="Could not do that", message=clean(e.message))

    def _guard(request: Request) -> tuple[Session, Response | None]:
        s = _session(request)
        if not _allowed(s):
            return s, page("login", request, s, status=401)
        return s, None

    @app.get("/page/{name}", include_in_schema=False)
    async def style(name: str) -> Response:
        tpl = STYLES.get(name)
        if tpl is None:
            return _respond(Response("not found", status_code=404, media_type="text/plain"), None)
        css = eng.renderer.render(tpl)
        resp = Response(css, media_type="text/css")
        resp.headers.update(HEADERS)
        resp.headers["Cache-Control"] = "max-age=3600"
        return resp

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        s, stop = _guard(request)
        if stop is not None:
            return stop
        return page("form", request, s, as_of=(settings.as_of or date.today()).isoformat(), error=None)

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        s = _session(request)
        try:
            form = await _form(request, s)
        except PageError as e:
            return _problem(request, s, e)
        given = form.get("password")
        ok = password is not None and isinstance(given, str) and hmac.compare_digest(
            hashlib.sha256(given.encode()).digest(), hashlib.sha256(password.encode()).digest())
        if not ok:
            await asyncio.sleep(1.0)  # slows guessing
            log.info("page sign-in refused")
            return page("login", request, s, status=401, error="That password is not right.")
        fresh = sessions.new(auth=True)  # a new session id and CSRF token once signed in
        return _respond(RedirectResponse("/", status_code=303), fresh, request)

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        s = _session(request)
        try:
            await _form(request, s)
        except PageError as e:
            return _problem(request, s, e)
        return _respond(RedirectResponse("/", status_code=303), sessions.new(auth=False), request)

    @app.post("/evaluate", include_in_schema=False)
    async def evaluate(request: Request) -> Response:
        s, stop = _guard(request)
        if stop is not None:
            return stop
        as_of_text = ""
        try:
            form = await _form(request, s)
            as_of_text = str(form.get("as_of") or "").strip()
            try:
                as_of = date.fromisoformat(as_of_text)
            except ValueError as e:
                raise PageError(400, f"evaluation date {as_of_text!r}: expected a date as YYYY-MM-DD") from e
            upload, pasted = form.get("file"), form.get("record")
            raw, name, source = b"", "the pasted record", "pasted record"
            if isinstance(upload, UploadFile) and upload.filename:
                raw, source = await upload.read(), clean(Path(upload.filename).name, 100)
                name = f"the file {source!r}"
            if not raw.strip() and isinstance(pasted, str):
                raw, name, source = pasted.encode("utf-8"), "the pasted record", "pasted record"
            if not raw.strip():
                raise PageError(400, "nothing to evaluate: paste a FHIR Bundle or a snapshot, or choose a file")
            doc = _document(raw, settings, name)
            loop = asyncio.get_running_loop()
            try:
                async with turn:
                    job = loop.run_in_executor(threads, evaluate_page, eng, doc, as_of, source)
                    result, explanations = await asyncio.wait_for(job, timeout=settings.eval_timeout)
            except TimeoutError as e:
                raise PageError(503, f"the evaluation did not finish within {settings.eval_timeout:g} s") from e
            except (SnapshotError, SetpointError) as e:
                raise PageError(422, str(e)) from e
            except RecursionError as e:
                raise PageError(422, "the record is nested too deeply to evaluate") from e
            except Exception as e:  # a bug: a message on the form, the details in the log (no patient data)
                log.error("page evaluation failed (%s)", e.__class__.__name__)
                raise PageError(500, "internal error while evaluating; the service log has the details") from e
        except PageError as e:
            return page("form", request, s, status=e.status, as_of=as_of_text or date.today().isoformat(),
                        error=clean(e.message))
        rid = uuid.uuid4().hex
        cards: dict[str, str] = {}
        issued: list[IssuedCard] = []
        view = eng.renderer.view(result)
        for f in view.summary:
            card = str(uuid.uuid4())
            cards[f.anchor] = card
            issued.append(IssuedCard(uuid=card, rule_id=f.rule_id, rule_version=f.rule_version,
                                     topic=next(x.topic for x in result.findings if x.rule_id == f.rule_id),
                                     indicator=Severity(f.severity).indicator, suggestions=()))
        await run_in_threadpool(state.store.record_cards, SERVICE, rid, issued)
        reports.add(PageReport(rid, s.sid, time.time(), result, source, cards, explanations, issued))
        log.info("page evaluation: %d findings", len(result.findings))
        return _respond(RedirectResponse(f"/report/{rid}", status_code=303), s, request)

    def _report_or_none(rid: str, s: Session) -> PageReport | None:
        return reports.get(rid, s.sid) if len(rid) == 32 and rid.isalnum() else None

    @app.get("/report/{rid}", include_in_schema=False)
    async def report(rid: str, request: Request, show_all: int = 0) -> Response:
        s, stop = _guard(request)
        if stop is not None:
            return stop
        pr = _report_or_none(rid, s)
        if pr is None:
            return page("message", request, s, status=404, title="Report not available",
                        message="This report is not held any more (reports are kept in memory for "
                                f"{REPORT_HOURS:g} hours, for the session that made them): evaluate the record again.")
        stored = await run_in_threadpool(_feedback, state.store, list(pr.cards.values()))
        return page("report", request, s, v=eng.renderer.view(pr.result, bool(show_all)), r=pr.result,
                    counts=pr.result.counts(), report_id=pr.id, cards=pr.cards, explanations=pr.explanations,
                    feedback=stored, reasons=OVERRIDE_REASONS, show_all=bool(show_all), source=pr.source)

    @app.post("/report/{rid}/feedback", include_in_schema=False)
    async def feedback(rid: str, request: Request) -> Response:
        s, stop = _guard(request)
        if stop is not None:
            return stop
        try:
            form = await _form(request, s)
            pr = _report_or_none(rid, s)
            if pr is None:
                raise PageError(404, "this report is not held any more: evaluate the record again")
            card = str(form.get("card") or "")
            if card not in pr.cards.values():
                raise PageError(422, "feedback for a finding that is not in this report")
            outcome = str(form.get("outcome") or "")
            if outcome not in ("accepted", "overridden"):
                raise PageError(422, "choose accepted or overridden")
            item: dict[str, Any] = {"card": card, "outcome": outcome,
                                    "outcomeTimestamp": datetime.now(UTC).isoformat(timespec="seconds")}
            if outcome == "overridden":
                code = str(form.get("reason") or "")
                display = dict(OVERRIDE_REASONS).get(code)
                if display is None:
                    raise PageError(422, "an override needs a reason: choose one from the list")
                comment = str(form.get("comment") or "").strip()
                if len(comment) > MAX_COMMENT:
                    raise PageError(422, f"the comment is over {MAX_COMMENT} characters")
                item["overrideReason"] = {"reason": {"system": OVERRIDE_SYSTEM, "code": code, "display": display},
                                          **({"userComment": comment} if comment else {})}
            try:
                fb = Feedback.model_validate({"feedback": [item]})
            except ValidationError as e:
                raise PageError(422, "; ".join(f"{w}: {m}" for w, m in validation_items(e, "")[:3])) from e
            items = [it.model_dump(mode="json", exclude_none=True) for it in fb.feedback]
            await run_in_threadpool(state.store.add_feedback, SERVICE, items)
        except PageError as e:
            return _problem(request, s, e)
        anchor = next((a for a, c in pr.cards.items() if c == card), "")
        log.info("page feedback stored: %s", outcome)
        return _respond(RedirectResponse(f"/report/{rid}#{anchor}", status_code=303), s, request)


def _feedback(store: Any, cards: list[str]) -> dict[str, dict[str, Any]]:
    """The latest feedback recorded for each card."""
    out: dict[str, dict[str, Any]] = {}
    for c in cards:
        rows = store.feedback(card=c)
        if rows:
            out[c] = rows[-1]
    return out
