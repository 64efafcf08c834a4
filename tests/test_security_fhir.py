"""Outbound FHIR calls: only servers allowed for the calling client, compared by parsed parts; the EHR's
token never sent anywhere else; no redirects; the answer's size capped while it is read; errors that
do not tell an open port from a closed one.  Every server here is on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from setpoint.service.settings import Settings
from setpoint.service.urls import UrlError, parse_base

from .fhir_data import patient
from .security_util import ISS, EhrKey, JwksServer
from .test_service import FHIR_ALLOW, FHIR_PORT, PV, FakeFhir, Server, free_port

TOKEN = "secret-ehr-access-token"


@pytest.mark.parametrize(("url", "words"), [
    ("http://ehr.example.org@127.0.0.1:9/fhir", "user name or password"),
    ("http://user:pw@ehr.example.org/fhir", "user name or password"),
    ("http://ehr.example.org:80800/fhir", "malformed"),
    ("http://ehr.example.org/fhir/../admin", "dot segments"),
    ("http://ehr.example.org/fhir/%2e%2e/admin", "dot segments"),
    ("http://ehr.example.org/fhir/a%2fb", "encoded slashes"),
    ("ftp://ehr.example.org/fhir", "http or https"),
    ("http://ehr.example.org/fhir#x", "fragment"),
    ("http://ehr.example.org/fhir?x=1", "query"),
    ("http://ehr.example.org/fh ir", "spaces"),
    ("http:///fhir", "no host"),
])
def test_urls_that_are_not_plain_base_urls_are_refused(url: str, words: str) -> None:
    with pytest.raises(UrlError, match=words):
        parse_base(url)


def test_allowed_servers_are_compared_by_parts_not_by_prefix() -> None:
    s = Settings(fhir_allow=("https://ehr.example.org/fhir/r4",))
    assert s.fhir_allowed("https://ehr.example.org/fhir/r4")
    assert s.fhir_allowed("https://EHR.example.org:443/fhir/r4/")  # same host, default port, trailing slash
    assert s.fhir_allowed("https://ehr.example.org/fhir/r4/tenant-a")  # under the allowed path
    for other in ("https://ehr.example.org/fhir/r4x", "https://ehr.example.org/fhir", "http://ehr.example.org/fhir/r4",
                  "https://ehr.example.org:8443/fhir/r4", "https://ehr.example.org.evil.test/fhir/r4",
                  "https://ehr.example.org@evil.test/fhir/r4", "https://ehr.example.org/fhir/r4/../../admin"):
        assert s.fhir_allowed(other) is None, other
    assert Settings().fhir_allowed("https://ehr.example.org/fhir/r4") is None  # nothing allowed by default


class Recorder:
    """An HTTP server on loopback that records who called it and with which Authorization header."""

    def __init__(self, status: int = 200, location: str | None = None):
        self.seen: list[tuple[str, str | None]] = []
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                rec.seen.append((self.path, self.headers.get("Authorization")))
                self.send_response(status)
                if location:
                    self.send_header("Location", location + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/fhir"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _req(server: str) -> dict[str, Any]:
    return {"hook": "patient-view", "hookInstance": "h-ssrf", "fhirServer": server,
            "fhirAuthorization": {"access_token": TOKEN, "token_type": "Bearer", "scope": "patient/*.read",
                                  "expires_in": 300},
            "context": {"patientId": "p1"}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("ssrf")
    s = Server(tmp / "data", tmp / "serve.log", *FHIR_ALLOW)
    yield s
    s.stop()


def test_a_fhir_server_that_is_not_allowed_is_never_called(server: Server) -> None:
    target = Recorder()
    try:
        for url in (target.url, f"http://127.0.0.1:{FHIR_PORT}@127.0.0.1:{target.port}/fhir",
                    f"http://127.0.0.1:{FHIR_PORT}/fhir@127.0.0.1:{target.port}/fhir"):
            r = server.post(PV, _req(url))
            assert r.status_code == 412, r.text
            assert "not one this service may call" in r.json()["error"]
        assert target.seen == []  # not contacted: the token never left
    finally:
        target.close()


def test_redirects_are_not_followed(server: Server) -> None:
    elsewhere = Recorder()
    redirector = Recorder(status=302, location=elsewhere.url.removesuffix("/fhir"))
    redirector.httpd.server_close()
    redirector.httpd.shutdown()
    # Serve the redirector on the allowed port, as an allowed server that was compromised would.
    allowed = ThreadingHTTPServer(("127.0.0.1", FHIR_PORT), redirector.httpd.RequestHandlerClass)
    threading.Thread(target=allowed.serve_forever, daemon=True).start()
    try:
        r = server.post(PV, _req(f"http://127.0.0.1:{FHIR_PORT}/fhir"))
        assert r.status_code == 412 and "HTTP 302" in r.json()["error"]
        assert redirector.seen and elsewhere.seen == []
    finally:
        allowed.shutdown()
        allowed.server_close()
        elsewhere.close()


def test_next_page_links_elsewhere_are_not_followed(server: Server) -> None:
    elsewhere = Recorder()
    fhir = FakeFhir([patient("p1")])
    try:
        req = _req(fhir.url)
        req["prefetch"] = {"observations": {"resourceType": "Bundle", "type": "searchset", "link": [
            {"relation": "next", "url": f"http://127.0.0.1:{FHIR_PORT}@127.0.0.1:{elsewhere.port}/fhir/Observation"}],
            "entry": []}}
        r = server.post(PV, req)
        assert r.status_code == 200, r.text
        assert elsewhere.seen == [] and {a for _, a in fhir.seen} == {f"Bearer {TOKEN}"}
    finally:
        fhir.close()
        elsewhere.close()


def test_a_huge_answer_is_cut_off_while_it_is_read(server: Server) -> None:
    sent: list[int] = []

    class Endless(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.end_headers()  # no Content-Length: the size is only known by reading
            chunk = b" " * 65536
            n = 0
            try:
                self.wfile.write(b'{"resourceType": "Patient", "id": "p1", "x": "')
                while n < 300 * 1024 * 1024:
                    self.wfile.write(chunk)
                    n += len(chunk)
            except OSError:
                pass
            sent.append(n)

    httpd = ThreadingHTTPServer(("127.0.0.1", FHIR_PORT), Endless)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        r = server.post(PV, _req(f"http://127.0.0.1:{FHIR_PORT}/fhir"))
        assert r.status_code == 412 and "bytes" in r.json()["error"], r.text
        # Each search's answer was cut off near the 16 MiB cap (plus socket buffers), not read to 300 MiB.
        assert sent and max(sent) < 24 * 1024 * 1024, sent
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_errors_do_not_tell_an_open_port_from_a_closed_one(tmp_path: Path) -> None:
    closed, silent = free_port(), socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # open, but closes every connection without a word

    def reset() -> None:
        while True:
            try:
                conn, _ = silent.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=reset, daemon=True).start()
    open_port = silent.getsockname()[1]
    s = Server(tmp_path / "data", tmp_path / "ports.log", "--fhir-allow", f"http://127.0.0.1:{closed}/fhir",
               "--fhir-allow", f"http://127.0.0.1:{open_port}/fhir")
    try:
        a = s.post(PV, _req(f"http://127.0.0.1:{closed}/fhir"))
        b = s.post(PV, _req(f"http://127.0.0.1:{open_port}/fhir"))
        assert a.status_code == b.status_code == 412
        assert a.json() == b.json()
        assert "could not be reached" in a.json()["error"]
    finally:
        s.stop()
        silent.close()


def test_fhir_servers_are_allowed_per_issuer(tmp_path: Path) -> None:
    a_key, b_key = EhrKey("ES384"), EhrKey("RS384")
    a_jwks, b_jwks = JwksServer(a_key), JwksServer(b_key)
    other = "https://other-ehr.example.org/"
    fhir = FakeFhir([patient("p1")])
    s = Server(tmp_path / "data", tmp_path / "iss.log", "--trust", f"{ISS}={a_jwks.url}",
               "--trust", f"{other}={b_jwks.url}", "--fhir-allow", f"{ISS}={fhir.url}")
    try:
        ok = s.post(PV, _req(fhir.url), headers={"Authorization": "Bearer " + a_key.token(s.url + PV)})
        assert ok.status_code == 200, ok.text
        calls = len(fhir.seen)
        assert calls > 0
        refused = s.post(PV, _req(fhir.url), headers={
            "Authorization": "Bearer " + b_key.token(s.url + PV, iss=other)})
        assert refused.status_code == 412 and "not one this service may call" in refused.json()["error"]
        assert len(fhir.seen) == calls  # the other issuer's call reached nothing
    finally:
        s.stop()
        fhir.close()
        a_jwks.close()
        b_jwks.close()
