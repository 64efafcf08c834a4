"""The CDS Hooks service end to end: `setpoint serve` on loopback, called over HTTP.

The server runs as a subprocess (as a user starts it) on a free 127.0.0.1 port, unauthenticated
(`--allow-unauthenticated`, loopback only; tests/test_security_auth.py covers the JWTs); a small fake
FHIR server, also on loopback, on a port the service is told it may call, stands in for an EHR's FHIR
API.  No other address is ever contacted: the specification's example requests are sent with their
fhirServer pointed at the fake one or removed.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from setpoint import Engine
from setpoint.service.store import Store

from .conftest import AS_OF, ROOT
from .fhir_data import SPEC, TWANDA, bundle, med, obs, patient, searchset

LIMIT = 3 * 1024 * 1024
PV = "/cds-services/setpoint-patient-view"
SIGN = "/cds-services/setpoint-order-sign"
SELECT = "/cds-services/setpoint-order-select"
CARD_KEYS = {"uuid", "summary", "detail", "indicator", "source", "suggestions", "selectionBehavior",
             "overrideReasons", "links", "extension"}


def spec(name: str) -> dict[str, Any]:
    return json.loads((SPEC / name).read_text())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


FHIR_PORT = free_port()  # the fake FHIR server's port, allowed with --fhir-allow
FHIR_ALLOW = ("--fhir-allow", f"http://127.0.0.1:{FHIR_PORT}/fhir")


class Server:
    """`setpoint serve` in a subprocess; its log goes to a file the tests read."""

    def __init__(self, data_dir: Path, log: Path, *extra: str, env: dict[str, str] | None = None,
                 tls: ssl.SSLContext | None = None):
        self.port = free_port()
        if "--trust" not in extra and "--trust-file" not in extra:
            extra = ("--allow-unauthenticated", *extra)
        self.tls: ssl.SSLContext | bool = tls or True
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.log_path = log
        env = {**os.environ, "SETPOINT_AS_OF": AS_OF.isoformat(), **(env or {})}
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "setpoint.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(data_dir), "--max-body-bytes", str(LIMIT), *extra],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"setpoint serve exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/cds-services", timeout=2, verify=self.tls).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("setpoint serve did not start within 90 s")

    def post(self, path: str, body: Any, **kw: Any) -> httpx.Response:
        return httpx.post(self.url + path, json=body, timeout=60, verify=self.tls, **kw)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class FakeFhir:
    """A FHIR server on loopback: serves a Patient and searches by type, Observations in two pages."""

    def __init__(self, resources: list[dict[str, Any]], port: int = FHIR_PORT):
        self.resources = resources
        self.seen: list[tuple[str, str | None]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.seen.append((self.path, self.headers.get("Authorization")))
                url = urlsplit(self.path)
                parts = url.path.strip("/").split("/")[1:]  # after "fhir"
                q = parse_qs(url.query)
                if len(parts) == 2:
                    hit = [r for r in fake.resources if r["resourceType"] == parts[0] and r.get("id") == parts[1]]
                    return self._send(hit[0] if hit else None)
                found = [r for r in fake.resources if r["resourceType"] == parts[0]]
                page = int(q.get("page", ["1"])[0])
                body: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "link": [
                    {"relation": "self", "url": f"{fake.url}/{parts[0]}?patient={q['patient'][0]}"}]}
                if parts[0] == "Observation":  # one resource per page, to exercise paging
                    body["entry"] = [{"resource": r} for r in found[page - 1:page]]
                    if page < len(found):
                        nxt = f"{fake.url}/Observation?patient={q['patient'][0]}&page={page + 1}"
                        body["link"].append({"relation": "next", "url": nxt})
                else:
                    body["entry"] = [{"resource": r} for r in found]
                return self._send(body)

            def _send(self, body: dict[str, Any] | None) -> None:
                data = json.dumps(body or {"resourceType": "OperationOutcome", "issue": []}).encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/fhir"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("serve")
    s = Server(tmp / "data", tmp / "serve.log", *FHIR_ALLOW)
    yield s
    s.stop()


def card_ids(resp: httpx.Response) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [c["source"]["topic"]["code"] for c in resp.json()["cards"]]


def check_cards(cards: list[dict[str, Any]]) -> None:
    for c in cards:
        assert set(c) <= CARD_KEYS and {"uuid", "summary", "indicator", "source", "detail"} <= set(c)
        assert len(c["summary"]) <= 140 and c["source"]["label"] == "Setpoint"
        assert c["indicator"] in ("critical", "warning", "info")
        assert c["detail"].endswith("who knows the patient and decides.")


# ------------------------------------------------------------------ discovery and hooks


def test_discovery_lists_the_three_hooks_with_prefetch(server: Server) -> None:
    r = httpx.get(server.url + "/cds-services", timeout=10)
    assert r.status_code == 200
    services = r.json()["services"]
    assert sorted(s["hook"] for s in services) == ["order-select", "order-sign", "patient-view"]
    example = spec("00_services.json")["services"][0]
    for s in services:
        assert {"hook", "id", "title", "description", "prefetch"} <= set(s)
        assert set(example) <= set(s)
        assert s["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert all("{{context.patientId}}" in t for t in s["prefetch"].values())


def test_patient_view_with_a_synthea_record_as_prefetch(server: Server, engine: Engine) -> None:
    record = json.loads(TWANDA.read_text())
    req = {"hook": "patient-view", "hookInstance": "h-twanda",
           "context": {"userId": "Practitioner/1", "patientId": "b85d7e00-3690-4e2a-87a0-f3d2dfc908b3"},
           "prefetch": {"anything": record}}
    r = server.post(PV, req)
    check_cards(r.json()["cards"])
    # The same findings as evaluating the bundle directly.
    direct = engine.evaluate(TWANDA, as_of=AS_OF)
    assert card_ids(r) == [f.rule_id for f in direct.findings]
    assert "GN-DQ-010" not in card_ids(r)


def test_spec_patient_view_request_fetches_what_is_missing(server: Server) -> None:
    fhir = FakeFhir([patient("1288992", "male", "1955-12-23"),
                     med("li", None, "Lithium Carbonate 300 MG Oral Capsule", pid="1288992",
                         authoredOn="2025-06-01"),
                     obs("na", "2951-2", "Sodium", pid="1288992", valueQuantity={"value": 139, "unit": "mmol/L"}),
                     obs("li-level", "14334-7", "Lithium", pid="1288992",
                         valueQuantity={"value": 1.8, "unit": "mmol/L"})])
    try:
        req = spec("01_request.json")
        req["fhirServer"] = fhir.url
        r = server.post(PV, req)
        ids = card_ids(r)
        check_cards(r.json()["cards"])
        assert ids[0] == "NC-LI-019", ids  # the level arrived on the second page of the Observation search
        assert "GN-DQ-010" not in ids
        assert {auth for _, auth in fhir.seen} == {"Bearer some-opaque-fhir-access-token"}
        paths = [p for p, _ in fhir.seen]
        assert any("page=2" in p for p in paths) and not any(p.startswith("/fhir/Patient/") for p in paths)
    finally:
        fhir.close()


def test_spec_patient_view_request_without_fhir_server_reports_what_is_missing(server: Server) -> None:
    req = spec("01_request.json")
    del req["fhirServer"], req["fhirAuthorization"]
    r = server.post(PV, req)
    card = next(c for c in r.json()["cards"] if c["source"]["topic"]["code"] == "GN-DQ-010")
    assert card["indicator"] == "warning"
    for what in ("conditions", "medications", "observations"):
        assert what in card["detail"]


def test_spec_context_and_prefetch_fragments_make_an_accepted_request(server: Server) -> None:
    # 07 (a context) + 09 (a prefetch with "<snipped for brevity>" placeholders and a Practitioner bundle).
    req = {"hook": "patient-view", "hookInstance": "h-fragments", **spec("07_context.json"),
           **spec("09_prefetch.json")}
    r = server.post(PV, req)
    check_cards(r.json()["cards"])
    dq = next(c for c in r.json()["cards"] if c["source"]["topic"]["code"] == "GN-DQ-010")
    # The snipped HbA1c observation has no date: reported, not dropped; what was not sent is listed.
    assert "no effective date" in dq["detail"]
    assert "conditions" in dq["detail"] and "medications" in dq["detail"]


@pytest.mark.parametrize("name", ["03_request.json", "27_request.json"])
def test_spec_requests_without_a_patient_get_412(server: Server, name: str) -> None:
    req = spec(name)
    r = server.post(f"/cds-services/setpoint-{req['hook']}", req)
    assert r.status_code == 412
    assert "Patient" in r.json()["error"]


def test_spec_order_sign_request_with_its_patient(server: Server) -> None:
    req = spec("03_request.json")
    req["prefetch"]["patient"] = patient("1288992", "male", "1955-12-23")
    r = server.post(SIGN, req)
    check_cards(r.json()["cards"])
    dq = next(c for c in r.json()["cards"] if c["source"]["topic"]["code"] == "GN-DQ-010")
    assert "first page" in dq["detail"]  # the prefetched search had a next page nobody could fetch


def test_spec_order_sign_request_fetches_its_patient(server: Server) -> None:
    fhir = FakeFhir([patient("1288992", "male", "1955-12-23")])
    try:
        req = spec("03_request.json")
        req["fhirServer"] = fhir.url
        req.update(spec("10_fhirAuthorization.json"))
        r = server.post(SIGN, req)
        check_cards(r.json()["cards"])
        assert "/fhir/Patient/1288992" in [p for p, _ in fhir.seen]
        dq = next(c for c in r.json()["cards"] if c["source"]["topic"]["code"] == "GN-DQ-010")
        assert "not on the fhirServer" in dq["detail"]  # the prefetched search's next page is elsewhere
    finally:
        fhir.close()


def test_order_sign_and_select_put_the_draft_orders_findings_first(server: Server) -> None:
    record = {"patient": patient(), "meds": searchset(med("li", None, "Lithium Carbonate 300 MG Oral Capsule",
                                                         authoredOn="2025-06-01")),
              "conditions": None, "observations": searchset(
                  obs("li-level", "14334-7", "Lithium", valueQuantity={"value": 1.7, "unit": "mmol/L"}))}
    draft = med("draft-1", None, "Ibuprofen 400 MG Oral Tablet", status="draft")
    base = {"hookInstance": "h-order", "prefetch": record}
    sign = server.post(SIGN, {**base, "hook": "order-sign", "context": {
        "userId": "Practitioner/1", "patientId": "p1", "draftOrders": bundle(draft, with_patient=False)}})
    ids = card_ids(sign)
    assert ids[0] == "NC-LI-026" and "NC-LI-019" in ids[1:]
    assert sign.json()["cards"][0]["detail"].startswith("**Raised by the order being placed.**")
    select = server.post(SELECT, {**base, "hook": "order-select", "context": {
        "userId": "Practitioner/1", "patientId": "p1", "selections": ["MedicationRequest/draft-1"],
        "draftOrders": bundle(draft, with_patient=False)}})
    assert card_ids(select)[0] == "NC-LI-026"


# ------------------------------------------------------------------ feedback


def _issued_card(server: Server) -> dict[str, Any]:
    req = {"hook": "patient-view", "hookInstance": "h-issue", "context": {"patientId": "p1"},
           "prefetch": {"patient": patient(), "all": searchset(
               med("li", None, "Lithium Carbonate 300 MG Oral Capsule", authoredOn="2025-06-01"),
               obs("li-level", "14334-7", "Lithium", valueQuantity={"value": 1.7, "unit": "mmol/L"}))}}
    return server.post(PV, req).json()["cards"][0]


@pytest.mark.parametrize("name", ["20_feedback.json", "21_feedback.json", "22_feedback.json"])
def test_spec_feedback_is_accepted(server: Server, name: str) -> None:
    card = _issued_card(server)
    fb = spec(name)
    fb["feedback"][0]["card"] = card["uuid"]  # the spec's card ids were not issued by this service
    for s in fb["feedback"][0].get("acceptedSuggestions") or []:
        s["id"] = card["suggestions"][0]["uuid"]
    r = server.post(PV + "/feedback", fb)
    assert r.status_code == 200 and r.json() == {"stored": 1}


def test_feedback_on_a_card_this_service_did_not_issue_is_refused(server: Server) -> None:
    r = server.post(PV + "/feedback", spec("20_feedback.json"))
    assert r.status_code == 422 and "feedback[0].card: not a card this service issued" in r.json()["error"]
    card = _issued_card(server)  # issued by the patient-view service, not by order-sign
    fb = {"feedback": [{"card": card["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-21T10:00:00Z"}]}
    assert server.post(SIGN + "/feedback", fb).status_code == 422


def test_feedback_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Server(data, tmp_path / "a.log")
    try:
        req = {"hook": "patient-view", "hookInstance": "h-fb", "context": {"patientId": "p1"},
               "prefetch": {"patient": patient(), "all": searchset(
                   med("li", None, "Lithium Carbonate 300 MG Oral Capsule", authoredOn="2025-06-01"),
                   obs("li-level", "14334-7", "Lithium", valueQuantity={"value": 1.7, "unit": "mmol/L"}))}}
        card = first.post(PV, req).json()["cards"][0]
        fb = {"feedback": [{"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-21T10:00:00Z",
                            "overrideReason": {"reason": card["overrideReasons"][1],
                                               "userComment": "Level repeated today"}}]}
        assert first.post(PV + "/feedback", fb).status_code == 200
    finally:
        first.stop()
    second = Server(data, tmp_path / "b.log")
    try:
        stored = Store(data).feedback(card["uuid"])
        assert len(stored) == 1
        assert stored[0]["rule_id"] == card["source"]["topic"]["code"] == "NC-LI-019"
        assert stored[0]["override_code"] == "already-addressed" and stored[0]["outcome"] == "overridden"
        accepted = {"feedback": [{"card": card["uuid"], "outcome": "accepted",
                                  "outcomeTimestamp": "2026-11-21T11:00:00Z", "acceptedSuggestions": [
                                      {"id": card["suggestions"][0]["uuid"]}]}]}
        assert second.post(PV + "/feedback", accepted).status_code == 200
        stored = Store(data).feedback(card["uuid"])
        assert [s["outcome"] for s in stored] == ["overridden", "accepted"]
        assert stored[1]["rule_id"] == "NC-LI-019"  # the card log survived the restart too
    finally:
        second.stop()


def test_several_worker_processes_share_settings_and_the_database(tmp_path: Path) -> None:
    s = Server(tmp_path / "data", tmp_path / "w.log", "--workers", "2")
    try:
        req = {"hook": "patient-view", "hookInstance": "h-workers", "context": {"patientId": "p1"},
               "prefetch": {"patient": patient(), "all": searchset(
                   med("li", None, "Lithium Carbonate 300 MG Oral Capsule", authoredOn="2025-06-01"),
                   obs("li-level", "14334-7", "Lithium", valueQuantity={"value": 1.7, "unit": "mmol/L"}))}}
        uuids = []
        for _ in range(6):  # spread over both workers
            cards = s.post(PV, req).json()["cards"]
            assert cards[0]["source"]["topic"]["code"] == "NC-LI-019"
            uuids.append(cards[0]["uuid"])
        for u in uuids:
            fb = {"feedback": [{"card": u, "outcome": "accepted", "outcomeTimestamp": "2026-11-21T10:00:00Z"}]}
            assert s.post(PV + "/feedback", fb).status_code == 200
        big = b'{"pad": "' + b"x" * (LIMIT + 1) + b'"}'  # the body limit reached the workers too
        assert httpx.post(s.url + PV, content=big, headers={"Content-Type": "application/json"},
                          timeout=60).status_code == 413
    finally:
        s.stop()
    stored = Store(tmp_path / "data").feedback()
    assert sorted(f["card"] for f in stored) == sorted(uuids) and {f["rule_id"] for f in stored} == {"NC-LI-019"}
    # the page is on (unauthenticated loopback): reports stay in one process's memory, and serve says so
    assert "WARNING: with --workers 2, the clinician's page may answer a report from another process" \
        in (tmp_path / "w.log").read_text()


# ------------------------------------------------------------------ bad input


def _ok_request() -> dict[str, Any]:
    return {"hook": "patient-view", "hookInstance": "h-bad", "context": {"patientId": "p1"},
            "prefetch": {"patient": patient()}}


def _with(path: list[Any], value: Any) -> dict[str, Any]:
    req = copy.deepcopy(_ok_request())
    target = req
    for p in path[:-1]:
        target = target[p]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return req


@pytest.mark.parametrize(("path", "body", "status", "names"), [
    (PV, b'{"hook": "patient-view", ', 400, "not valid JSON"),
    (PV, b"", 400, "empty"),
    (PV, b"[1, 2]", 422, "JSON object"),
    (PV, _with(["hookInstance"], KeyError), 422, "hookInstance"),
    (PV, _with(["context", "patientId"], 1288992), 422, "context.patientId"),
    (PV, _with(["context"], ["patient"]), 422, "context"),
    (PV, _with(["prefetch", "patient"], "Patient/1"), 422, "prefetch.patient"),
    (PV, _with(["prefetch", "labs"], {"resourceType": "Bundle", "type": "bag"}), 422, "prefetch.labs.type"),
    (PV, _with(["prefetch", "labs"], {"resourceType": "Bundle", "type": "searchset", "entry": [7]}), 422,
     "prefetch.labs.entry[0]"),
    (PV, _with(["fhirServer"], "ftp://ehr"), 422, "fhirServer"),
    (PV, _with(["hook"], "patient-open"), 400, "unknown hook"),
    (SIGN, _with(["hook"], "order-sign"), 422, "context.draftOrders"),
    (SIGN, {**_with(["hook"], "order-sign"), "context": {"patientId": "p1", "draftOrders": {"entry": []}}}, 422,
     "Bundle"),
    (PV, _with(["hook"], "order-sign"), 400, "answers 'patient-view'"),
    ("/cds-services/no-such-service", _ok_request(), 404, "unknown CDS service"),
    (PV + "/feedback", {"feedback": []}, 422, "feedback"),
    (PV + "/feedback", {"feedback": [{"card": "x", "outcome": "maybe", "outcomeTimestamp": "2026-11-21T10:00:00Z"}]},
     422, "feedback[0].outcome"),
    (PV + "/feedback", {"feedback": [{"card": "x", "outcome": "accepted", "outcomeTimestamp": "yesterday"}]},
     422, "outcomeTimestamp"),
])
def test_bad_input_gets_a_4xx_naming_the_problem(server: Server, path: str, body: Any, status: int,
                                                 names: str) -> None:
    if isinstance(body, bytes):
        r = httpx.post(server.url + path, content=body, headers={"Content-Type": "application/json"}, timeout=30)
    else:
        r = server.post(path, body)
    assert r.status_code == status, r.text
    assert names in r.json()["error"], r.json()


def test_oversized_bodies_get_413(server: Server) -> None:
    big = b'{"hook": "patient-view", "pad": "' + b"x" * (LIMIT + 10) + b'"}'
    r = httpx.post(server.url + PV, content=big, headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 413 and "limit" in r.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
        yield b'{"pad": "'
        for _ in range(LIMIT // 65536 + 2):
            yield b"y" * 65536
        yield b'"}'

    r = httpx.post(server.url + PV, content=chunks(), headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 413


def test_wrong_method_and_path(server: Server) -> None:
    assert httpx.get(server.url + PV, timeout=10).status_code == 405
    r = httpx.get(server.url + "/nothing-here", timeout=10)
    assert r.status_code == 404 and "GET /cds-services" in r.json()["error"]


def test_no_patient_data_in_the_log_at_info(server: Server) -> None:
    server.post(PV, _with(["context", "patientId"], 17))  # a failing call, too
    record = json.loads(TWANDA.read_text())
    server.post(PV, {"hook": "patient-view", "hookInstance": "h-log", "context": {
        "patientId": "b85d7e00-3690-4e2a-87a0-f3d2dfc908b3"}, "prefetch": {"r": record}})
    log = server.log_path.read_text()
    assert "cards" in log  # the service does log each call...
    for secret in ("b85d7e00-3690-4e2a-87a0-f3d2dfc908b3", "Rippin", "Twanda", "1973-01-28", "Lithium", "1288992"):
        assert secret not in log, secret  # ...but never who the patient is or what the record holds
