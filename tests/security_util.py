"""Test helpers for the service's security tests: keys generated here, a JWKS served over HTTP on
loopback, and JWTs signed the way an EHR signs them (CDS Hooks "Trusting CDS Clients")."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISS = "https://ehr.example.org/"


class EhrKey:
    """A signing key of an EHR: private key, kid, and its public JWK."""

    def __init__(self, alg: str = "ES384", kid: str | None = None):
        self.alg = alg
        self.kid = kid or f"{alg.lower()}-{uuid.uuid4().hex[:8]}"
        if alg.startswith("ES"):
            curve = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}[alg]
            self.private = ec.generate_private_key(curve)
            self.jwk = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.jwk = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk.update({"kid": self.kid, "use": "sig", "alg": alg})

    def token(self, aud: str, *, iss: str = ISS, life: int = 60, iat: int | None = None, jti: str | None = None,
              headers: dict[str, Any] | None = None, drop: tuple[str, ...] = (), **claims: Any) -> str:
        now = int(time.time()) if iat is None else iat
        payload = {"iss": iss, "aud": aud, "iat": now, "exp": now + life, "jti": jti or str(uuid.uuid4()),
                   "sub": "ehr-client-1", **claims}
        for k in drop:
            payload.pop(k, None)
        return jwt.encode(payload, self.private, algorithm=self.alg, headers={"kid": self.kid, **(headers or {})})


def _b64(d: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()


def unsigned_token(aud: str, kid: str, iss: str = ISS) -> str:
    """`alg: none`: a token anyone can write."""
    now = int(time.time())
    return _b64({"alg": "none", "typ": "JWT", "kid": kid}) + "." + _b64(
        {"iss": iss, "aud": aud, "iat": now, "exp": now + 60, "jti": str(uuid.uuid4())}) + "."


def hmac_token(aud: str, key: EhrKey, iss: str = ISS) -> str:
    """HS256 'signed' with the issuer's public JWK as the secret: the classic algorithm confusion."""
    now = int(time.time())
    secret = json.dumps(key.jwk, sort_keys=True).encode()  # (PyJWT itself refuses to sign this way)
    signing_input = _b64({"alg": "HS256", "typ": "JWT", "kid": key.kid}) + "." + _b64(
        {"iss": iss, "aud": aud, "iat": now, "exp": now + 60, "jti": str(uuid.uuid4())})
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


class JwksServer:
    """An issuer's JWKS endpoint on loopback: `keys` may be changed (key rotation); `hits` counts fetches."""

    def __init__(self, *keys: EhrKey):
        self.keys = list(keys)
        self.hits = 0
        srv = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                srv.hits += 1
                data = json.dumps({"keys": [k.jwk for k in srv.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
