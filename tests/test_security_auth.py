"""CDS Hooks "Trusting CDS Clients": JWTs signed here with keys generated here, the issuer's JWKS
served over HTTP on loopback, checked by the service's verifier and by `setpoint serve` end to end."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from setpoint.service.auth import AuthError, Client, JwksCache, Verifier
from setpoint.service.settings import Issuer, Settings
from setpoint.service.store import Store

from .conftest import ROOT
from .fhir_data import patient
from .security_util import ISS, EhrKey, JwksServer, hmac_token, unsigned_token
from .test_service import PV, Server, free_port

PUBLIC = "https://cds.example.org"
AUD = PUBLIC + PV


@pytest.fixture
def es_key() -> EhrKey:
    return EhrKey("ES384")


@pytest.fixture
def rs_key() -> EhrKey:
    return EhrKey("RS384")


@pytest.fixture
def jwks(es_key: EhrKey, rs_key: EhrKey) -> Iterator[JwksServer]:
    s = JwksServer(es_key, rs_key)
    yield s
    s.close()


def verify(tmp_path: Path, jwks_url: str, token: str | None, *, aud: str = AUD, jku: tuple[str, ...] = (),
           times: int = 1) -> list[Client | AuthError]:
    """Verify `token` `times` times with one verifier (one JWKS cache, one replay cache)."""
    settings = Settings(data_dir=tmp_path, public_url=PUBLIC,
                        trust=(Issuer(iss=ISS, jwks_url=jwks_url, jku=jku),))

    async def run() -> list[Client | AuthError]:
        cache = JwksCache(ttl=600, min_refresh=0)
        v = Verifier(settings, cache, Store(tmp_path))
        out: list[Client | AuthError] = []
        try:
            for _ in range(times):
                try:
                    out.append(await v.verify(None if token is None else f"Bearer {token}", [aud]))
                except AuthError as e:
                    out.append(e)
        finally:
            await cache.close()
        return out

    return asyncio.run(run())


def refused(result: Client | AuthError, words: str) -> None:
    assert isinstance(result, AuthError), result
    assert words in result.message, result.message


@pytest.mark.parametrize("alg", ["ES384", "RS384", "ES256", "RS256"])
def test_a_token_signed_by_a_trusted_issuer_is_accepted(tmp_path: Path, alg: str) -> None:
    key = EhrKey(alg)
    server = JwksServer(key)
    try:
        [client] = verify(tmp_path, server.url, key.token(AUD))
    finally:
        server.close()
    assert isinstance(client, Client) and client.iss == ISS and client.sub == "ehr-client-1"


def test_alg_none_and_hmac_are_refused(tmp_path: Path, jwks: JwksServer, es_key: EhrKey) -> None:
    refused(verify(tmp_path, jwks.url, unsigned_token(AUD, es_key.kid))[0], "alg 'none' is not accepted")
    refused(verify(tmp_path, jwks.url, hmac_token(AUD, es_key))[0], "alg 'HS256' is not accepted")


def test_an_untrusted_issuer_is_refused_without_fetching_anything(tmp_path: Path, jwks: JwksServer,
                                                                  es_key: EhrKey) -> None:
    refused(verify(tmp_path, jwks.url, es_key.token(AUD, iss="https://evil.example.org/"))[0],
            "not a trusted issuer")
    assert jwks.hits == 0


def test_a_key_the_issuer_did_not_publish_is_refused(tmp_path: Path, jwks: JwksServer) -> None:
    stranger = EhrKey("ES384", kid="es384-stranger")
    refused(verify(tmp_path, jwks.url, stranger.token(AUD))[0], "no key with kid")
    impostor = EhrKey("ES384")
    impostor.kid = next(k.kid for k in jwks.keys if k.alg == "ES384")  # claims a published kid
    refused(verify(tmp_path, jwks.url, impostor.token(AUD))[0], "signature does not verify")


def test_the_key_type_must_fit_the_algorithm(tmp_path: Path, jwks: JwksServer, rs_key: EhrKey) -> None:
    # An RS384 key's kid on an ES384 token: refused before any verification is attempted.
    es = EhrKey("ES384", kid=rs_key.kid)
    refused(verify(tmp_path, jwks.url, es.token(AUD))[0], "does not fit JWT alg ES384")


@pytest.mark.parametrize(("change", "words"), [
    ({"aud": "https://cds.example.org/cds-services/setpoint-order-sign"}, "aud is not the URL"),
    ({"aud": "https://other.example.org" + PV}, "aud is not the URL"),
    ({"iat_offset": -400, "life": 300}, "expired"),
    ({"life": 301}, "at most 300 s"),
    ({"life": 3600}, "at most 300 s"),
    ({"iat_offset": 600}, "not valid yet"),
    ({"drop": ("jti",)}, "no 'jti' claim"),
    ({"drop": ("exp",)}, "no 'exp' claim"),
    ({"drop": ("iat",)}, "no 'iat' claim"),
])
def test_claims_are_checked(tmp_path: Path, jwks: JwksServer, es_key: EhrKey, change: dict[str, Any],
                            words: str) -> None:
    kw = dict(change)
    aud = kw.pop("aud", AUD)
    if "iat_offset" in kw:  # relative to now, not to when the tests were collected
        kw["iat"] = int(time.time()) + kw.pop("iat_offset")
    refused(verify(tmp_path, jwks.url, es_key.token(aud, **kw))[0], words)


def test_a_small_clock_skew_is_tolerated(tmp_path: Path, jwks: JwksServer, es_key: EhrKey) -> None:
    [ok] = verify(tmp_path, jwks.url, es_key.token(AUD, iat=int(time.time()) + 10))
    assert isinstance(ok, Client)


def test_a_token_is_accepted_once(tmp_path: Path, jwks: JwksServer, es_key: EhrKey) -> None:
    first, again = verify(tmp_path, jwks.url, es_key.token(AUD), times=2)
    assert isinstance(first, Client)
    refused(again, "already used")


def test_the_jwks_is_cached_and_fetched_again_for_an_unknown_kid(tmp_path: Path, es_key: EhrKey) -> None:
    server = JwksServer(es_key)
    settings = Settings(data_dir=tmp_path, public_url=PUBLIC, trust=(Issuer(iss=ISS, jwks_url=server.url),))
    rotated = EhrKey("ES384")

    async def run() -> list[Client | AuthError]:
        cache = JwksCache(ttl=600, min_refresh=0)
        v = Verifier(settings, cache, Store(tmp_path))
        out: list[Client | AuthError] = []
        for key in (es_key, es_key, es_key):
            out.append(await v.verify(f"Bearer {key.token(AUD)}", [AUD]))
        server.keys.append(rotated)  # the EHR rotates its keys
        out.append(await v.verify(f"Bearer {rotated.token(AUD)}", [AUD]))
        await cache.close()
        return out

    try:
        results = asyncio.run(run())
        assert all(isinstance(r, Client) for r in results)
        assert server.hits == 2  # once for the first three tokens, once more for the new kid
    finally:
        server.close()


def test_jku_is_used_only_when_on_the_issuers_allow_list(tmp_path: Path, jwks: JwksServer, es_key: EhrKey) -> None:
    attacker_key = EhrKey("ES384")
    attacker = JwksServer(attacker_key)
    try:
        forged = attacker_key.token(AUD, headers={"jku": attacker.url})
        refused(verify(tmp_path, jwks.url, forged)[0], "jku is not on this issuer's allow-list")
        assert attacker.hits == 0  # never even fetched
        [ok] = verify(tmp_path, jwks.url, es_key.token(AUD, headers={"jku": jwks.url}))  # the configured URL
        assert isinstance(ok, Client)
        other = JwksServer(es_key)  # a second JWKS URL the issuer does publish, and we allow
        try:
            [ok] = verify(tmp_path, jwks.url, es_key.token(AUD, headers={"jku": other.url}), jku=(other.url,))
            assert isinstance(ok, Client) and other.hits == 1 and jwks.hits == 1  # (one fetch: the check above)
        finally:
            other.close()
    finally:
        attacker.close()


def test_without_authorization_the_error_says_what_is_expected(tmp_path: Path, jwks: JwksServer) -> None:
    refused(verify(tmp_path, jwks.url, None)[0], "Authorization: Bearer JWT is required")


# ------------------------------------------------------------------ end to end: `setpoint serve`


def _request(pid: str = "p1") -> dict[str, Any]:
    return {"hook": "patient-view", "hookInstance": "h-auth", "context": {"patientId": pid},
            "prefetch": {"patient": patient(pid)}}


@pytest.fixture(scope="module")
def ehr() -> Iterator[tuple[EhrKey, JwksServer]]:
    key = EhrKey("ES384")
    server = JwksServer(key)
    yield key, server
    server.close()


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory, ehr: tuple[EhrKey, JwksServer]) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("secured")
    s = Server(tmp / "data", tmp / "serve.log", "--trust", f"{ISS}={ehr[1].url}")
    yield s
    s.stop()


def test_serve_answers_401_without_a_valid_token(secured: Server, ehr: tuple[EhrKey, JwksServer]) -> None:
    key, _ = ehr
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"},
                    {"Authorization": "Bearer " + key.token("https://elsewhere.example.org" + PV)}):
        r = secured.post(PV, _request(), headers=headers)
        assert r.status_code == 401, r.text
        assert r.headers["WWW-Authenticate"].startswith('Bearer realm="setpoint"')
        assert "not authenticated" in r.json()["error"]
    fb = secured.post(PV + "/feedback", {"feedback": []})
    assert fb.status_code == 401


def test_serve_answers_a_signed_call_once(secured: Server, ehr: tuple[EhrKey, JwksServer]) -> None:
    key, _ = ehr
    token = key.token(secured.url + PV)
    r = secured.post(PV, _request(), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    again = secured.post(PV, _request(), headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401 and "already used" in again.json()["error"]
    # discovery holds no patient data and stays open
    assert httpx.get(secured.url + "/cds-services", timeout=10).status_code == 200


def test_serve_accepts_only_application_json(secured: Server, ehr: tuple[EhrKey, JwksServer]) -> None:
    key, _ = ehr
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        r = httpx.post(secured.url + PV, content=b'{"hook": "patient-view"}', timeout=30, headers={
            "Content-Type": ctype, "Authorization": "Bearer " + key.token(secured.url + PV)})
        assert r.status_code == 415, (ctype, r.text)


def test_cors_is_off_unless_an_origin_is_allowed(secured: Server, tmp_path: Path) -> None:
    pre = {"Origin": "https://attacker.example", "Access-Control-Request-Method": "POST"}
    r = httpx.options(secured.url + PV, headers=pre, timeout=10)
    assert "access-control-allow-origin" not in r.headers
    r = httpx.get(secured.url + "/cds-services", headers={"Origin": "https://attacker.example"}, timeout=10)
    assert "access-control-allow-origin" not in r.headers
    s = Server(tmp_path / "data", tmp_path / "cors.log", "--cors-origin", "https://ehr-app.example.org")
    try:
        ok = httpx.options(s.url + PV, headers={**pre, "Origin": "https://ehr-app.example.org"}, timeout=10)
        assert ok.headers.get("access-control-allow-origin") == "https://ehr-app.example.org"
        no = httpx.options(s.url + PV, headers=pre, timeout=10)
        assert no.headers.get("access-control-allow-origin") != "https://attacker.example"
    finally:
        s.stop()


def _serve_fails(tmp_path: Path, *args: str) -> str:
    p = subprocess.run([sys.executable, "-m", "setpoint.cli", "serve", "--data-dir", str(tmp_path / "d"),
                        "--port", str(free_port()), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr
    return p.stderr


def test_serve_refuses_to_start_without_trust(tmp_path: Path) -> None:
    assert "no trusted CDS client is configured" in _serve_fails(tmp_path)
    assert "only works on a loopback" in _serve_fails(tmp_path, "--host", "0.0.0.0", "--allow-unauthenticated")
    assert "--public-url is required" in _serve_fails(tmp_path, "--host", "0.0.0.0", "--trust",
                                                     f"{ISS}=https://ehr.example.org/jwks")
    assert "expected ISSUER=JWKS_URL" in _serve_fails(tmp_path, "--trust", "https://ehr.example.org/")


def test_unauthenticated_mode_logs_a_warning(tmp_path: Path) -> None:
    s = Server(tmp_path / "data", tmp_path / "u.log")
    s.stop()
    assert "UNAUTHENTICATED" in (tmp_path / "u.log").read_text()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_serve_over_tls_with_the_https_audience(tmp_path: Path, ehr: tuple[EhrKey, JwksServer]) -> None:
    key, jwks = ehr
    cert, pkey = _self_signed(tmp_path)
    ctx = ssl.create_default_context(cafile=str(cert))
    s = Server(tmp_path / "data", tmp_path / "tls.log", "--trust", f"{ISS}={jwks.url}",
               "--ssl-certfile", str(cert), "--ssl-keyfile", str(pkey), tls=ctx)
    try:
        assert s.url.startswith("https://")
        r = s.post(PV, _request(), headers={"Authorization": "Bearer " + key.token(s.url + PV)})
        assert r.status_code == 200, r.text
        with pytest.raises(httpx.HTTPError):  # plain HTTP is not served
            httpx.get(s.url.replace("https", "http") + "/cds-services", timeout=5)
    finally:
        s.stop()


def test_worker_processes_verify_tokens_and_share_the_replay_cache(tmp_path: Path,
                                                                   ehr: tuple[EhrKey, JwksServer]) -> None:
    key, jwks = ehr
    s = Server(tmp_path / "data", tmp_path / "w.log", "--trust", f"{ISS}={jwks.url}", "--workers", "2")
    try:
        token = key.token(s.url + PV)
        # a new connection each time, so the calls spread over both workers
        codes = [s.post(PV, _request(), headers={"Authorization": f"Bearer {token}"}).status_code for _ in range(6)]
        assert codes.count(200) == 1 and codes.count(401) == 5, codes
        assert s.post(PV, _request()).status_code == 401
    finally:
        s.stop()
