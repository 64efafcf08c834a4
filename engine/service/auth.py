"""CDS Hooks "Trusting CDS Clients": the EHR's JWT on every hook and feedback call, verified with PyJWT.

    Authorization: Bearer <JWT>

* `alg`: ES256/384/512, RS256/384/512 or PS256/384/512, matching the key's type (`none` and HMAC refused);
* `iss`: one of the configured issuers; its keys come from its configured JWKS URL, or from the
  token's `jku` only when that exact URL is on the issuer's `jku` list; the JWKS is cached and fetched
  again (at most every few seconds) when a `kid` is unknown;
* `aud`: the URL of the endpoint being called (`--public-url` + path);
* `exp` and `iat` required, with a small leeway, and at most 5 minutes apart; `jti` required and never
  accepted twice (the replay cache is in the shared SQLite database, so workers share it).

Failures raise `AuthError` (401 with `WWW-Authenticate: Bearer ...`); the message says what was wrong
without echoing the token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from jwt.algorithms import get_default_algorithms

from .settings import MAX_TOKEN_LIFE, Issuer, Settings
from .urls import UrlError, parse_base

log = logging.getLogger("setpoint.service")

# Asymmetric algorithms only; each with the JWK key type it needs.
ALGORITHMS = {"ES256": "EC", "ES384": "EC", "ES512": "EC",
              "RS256": "RSA", "RS384": "RSA", "RS512": "RSA",
              "PS256": "RSA", "PS384": "RSA", "PS512": "RSA"}
CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
MAX_TOKEN_BYTES = 16 * 1024
MAX_JWKS_BYTES = 256 * 1024
REFRESH_AT_MOST_EVERY = 10.0  # seconds between JWKS fetches for an unknown kid (per URL)


class AuthError(Exception):
    """The request is not authenticated: 401; `code` is the OAuth error code for WWW-Authenticate."""

    def __init__(self, message: str, code: str = "invalid_token"):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Client:
    """Who called: the verified token's issuer and subject (None when unauthenticated)."""

    iss: str | None
    sub: str | None
    jti: str | None = None
    exp: int | None = None


ANONYMOUS = Client(None, None)


@dataclass
class _KeySet:
    keys: dict[str, dict[str, Any]]  # kid ("" when absent) -> JWK
    fetched: float


class JwksCache:
    """Issuers' JWKS, fetched over http(s) without redirects, size-capped, cached for `ttl` seconds."""

    def __init__(self, ttl: float, timeout: float = 5.0, client: httpx.AsyncClient | None = None,
                 min_refresh: float = REFRESH_AT_MOST_EVERY):
        self.ttl, self.min_refresh = ttl, min_refresh
        self.client = client or httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(2.0, timeout)),
                                                  follow_redirects=False, trust_env=False)
        self._sets: dict[str, _KeySet] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def close(self) -> None:
        await self.client.aclose()

    async def key(self, url: str, kid: str | None) -> dict[str, Any]:
        """The JWK for `kid` at `url`: from the cache, else (once per REFRESH_AT_MOST_EVERY) fetched again."""
        now = time.monotonic()
        ks = self._sets.get(url)
        fresh = ks is not None and now - ks.fetched < self.ttl
        if fresh and (found := _pick(ks.keys, kid)) is not None:  # type: ignore[union-attr]
            return found
        lock = self._locks.setdefault(url, asyncio.Lock())
        async with lock:
            ks = self._sets.get(url)
            stale = ks is None or time.monotonic() - ks.fetched >= self.ttl
            recent = ks is not None and time.monotonic() - ks.fetched < self.min_refresh
            if stale or not recent:
                ks = _KeySet(await self._fetch(url), time.monotonic())
                self._sets[url] = ks
        found = _pick(ks.keys, kid) if ks else None
        if found is None:
            raise AuthError(f"no key with kid {_short(kid)} in the issuer's JWKS")
        return found

    async def _fetch(self, url: str) -> dict[str, dict[str, Any]]:
        try:
            async with self.client.stream("GET", url, headers={"Accept": "application/json"}) as resp:
                if resp.status_code != 200:
                    raise AuthError("the issuer's JWKS could not be retrieved", "invalid_token")
                body = bytearray()
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_JWKS_BYTES:
                        raise AuthError("the issuer's JWKS is too large")
        except httpx.HTTPError as e:
            log.warning("JWKS fetch failed (%s)", e.__class__.__name__)
            raise AuthError("the issuer's JWKS could not be retrieved") from e
        try:
            doc = json.loads(bytes(body))
            keys = doc["keys"]
            assert isinstance(keys, list)
        except (ValueError, KeyError, TypeError, AssertionError, RecursionError) as e:
            raise AuthError("the issuer's JWKS is not a JSON Web Key Set") from e
        out: dict[str, dict[str, Any]] = {}
        for k in keys:
            if isinstance(k, dict) and k.get("kty") in ("EC", "RSA") and k.get("use", "sig") == "sig" \
                    and "d" not in k:
                out.setdefault(str(k.get("kid") or ""), k)
        return out


def _pick(keys: dict[str, dict[str, Any]], kid: str | None) -> dict[str, Any] | None:
    if kid:
        return keys.get(kid)
    return next(iter(keys.values())) if len(keys) == 1 else None  # no kid: only an unambiguous set


def _short(v: object) -> str:
    s = repr(v)
    return s if len(s) <= 80 else s[:77] + "..."


def bearer(header: str | None) -> str:
    if not header:
        raise AuthError("an Authorization: Bearer JWT is required", "invalid_request")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header must be 'Bearer <JWT>'", "invalid_request")
    token = token.strip()
    if len(token) > MAX_TOKEN_BYTES:
        raise AuthError("the bearer token is too long")
    return token


class Verifier:
    """Verifies CDS clients' JWTs against the configured issuers."""

    def __init__(self, settings: Settings, jwks: JwksCache, seen: Any):
        self.settings = settings
        self.jwks = jwks
        # .claim_jti(iss, jti, expires) -> bool, False when already used: a short SQLite transaction, run
        # on the event loop (a thread hop would cost more than the insert).
        self.seen = seen
        self._algs = get_default_algorithms()
        self._keys: dict[tuple[int, str], tuple[dict[str, Any], Any]] = {}  # parsed public keys, by JWK

    async def verify(self, authorization: str | None, audience: str | list[str]) -> Client:
        token = bearer(authorization)
        try:
            unverified = jwt.api_jwt.decode_complete(token, options={"verify_signature": False})
            header, claims = unverified["header"], unverified["payload"]
        except jwt.PyJWTError as e:
            raise AuthError("the bearer token is not a well-formed JWT") from e
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise AuthError(f"JWT alg {_short(alg)} is not accepted (use ES384 or RS384)")
        iss = claims.get("iss")
        issuer = self.settings.issuer(iss) if isinstance(iss, str) else None
        if issuer is None:
            raise AuthError(f"JWT iss {_short(iss)} is not a trusted issuer")
        url = self._jwks_url(issuer, header.get("jku"))
        kid = header.get("kid")
        if kid is not None and (not isinstance(kid, str) or len(kid) > 256):
            raise AuthError("JWT kid is not a short string")
        jwk = await self.jwks.key(url, kid)
        key = self._key(jwk, alg)
        try:
            verified = jwt.decode(
                token, key, algorithms=[alg], audience=audience, issuer=issuer.iss,
                leeway=self.settings.jwt_leeway,
                options={"require": ["exp", "iat", "jti", "iss", "aud"], "verify_iat": True})
        except jwt.ExpiredSignatureError as e:
            raise AuthError("the JWT has expired") from e
        except jwt.InvalidAudienceError as e:
            raise AuthError("JWT aud is not the URL of the service endpoint called") from e
        except jwt.ImmatureSignatureError as e:
            raise AuthError("the JWT is not valid yet (iat or nbf in the future)") from e
        except jwt.MissingRequiredClaimError as e:
            raise AuthError(f"the JWT has no {e.claim!r} claim") from e
        except jwt.InvalidSignatureError as e:
            raise AuthError("the JWT signature does not verify") from e
        except jwt.PyJWTError as e:
            raise AuthError(f"the JWT is not valid ({e.__class__.__name__})") from e
        exp, iat, jti = verified["exp"], verified["iat"], verified["jti"]
        if not isinstance(exp, int) or not isinstance(iat, int):
            raise AuthError("JWT exp and iat must be integers")
        if exp - iat > MAX_TOKEN_LIFE:
            raise AuthError(f"the JWT lives {exp - iat} s: at most {MAX_TOKEN_LIFE} s (exp - iat) is accepted")
        if not isinstance(jti, str) or not jti or len(jti) > 256:
            raise AuthError("JWT jti must be a non-empty string of at most 256 characters")
        if not self.seen.claim_jti(issuer.iss, jti, exp + self.settings.jwt_leeway):
            raise AuthError("this JWT (its jti) was already used")
        sub = verified.get("sub")
        return Client(iss=issuer.iss, sub=sub if isinstance(sub, str) else None, jti=jti, exp=exp)

    def _jwks_url(self, issuer: Issuer, jku: object) -> str:
        if jku is None or jku == issuer.jwks_url:
            return issuer.jwks_url
        if isinstance(jku, str) and jku in issuer.jku:
            try:
                parse_base(jku, what="jku", allow_query=True)
            except UrlError as e:
                raise AuthError(str(e)) from e
            return jku
        raise AuthError("JWT jku is not on this issuer's allow-list")

    def _key(self, jwk: dict[str, Any], alg: str) -> Any:
        cached = self._keys.get((id(jwk), alg))
        if cached is not None and cached[0] is jwk:
            return cached[1]
        key = self._parse_key(jwk, alg)
        if len(self._keys) > 64:
            self._keys.clear()
        self._keys[(id(jwk), alg)] = (jwk, key)
        return key

    def _parse_key(self, jwk: dict[str, Any], alg: str) -> Any:
        if jwk.get("kty") != ALGORITHMS[alg] or (jwk.get("alg") not in (None, alg)):
            raise AuthError(f"the issuer's key does not fit JWT alg {alg}")
        if alg in CURVES and jwk.get("crv") != CURVES[alg]:
            raise AuthError(f"the issuer's key curve does not fit JWT alg {alg}")
        try:
            return self._algs[alg].from_jwk(jwk)
        except (jwt.PyJWTError, ValueError, KeyError, TypeError) as e:
            raise AuthError("the issuer's key is not a valid JWK") from e


def www_authenticate(err: AuthError) -> str:
    desc = err.message.replace("\\", "\\\\").replace('"', "'")
    desc = "".join(ch if 0x20 <= ord(ch) < 0x7F else "?" for ch in desc)[:200]
    return f'Bearer realm="setpoint", error="{err.code}", error_description="{desc}"'
