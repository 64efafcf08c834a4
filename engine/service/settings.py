"""Service settings, read from SETPOINT_* environment variables.

The environment (rather than arguments) carries them because uvicorn starts each worker process by
importing the app: `setpoint serve` passes its whole configuration to the workers as one JSON value
(SETPOINT_SETTINGS); the single variables below are what an operator may set by hand.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import SetpointError
from .urls import BaseUrl, UrlError, parse_base

ENV = {
    "data_dir": "SETPOINT_DATA_DIR",
    "max_body_bytes": "SETPOINT_MAX_BODY_BYTES",
    "fhir_timeout": "SETPOINT_FHIR_TIMEOUT",
    "fhir_max_pages": "SETPOINT_FHIR_MAX_PAGES",
    "fhir_allow": "SETPOINT_FHIR_ALLOW",
    "as_of": "SETPOINT_AS_OF",
    "rules": "SETPOINT_RULES",
    "knowledge": "SETPOINT_KNOWLEDGE",
    "verify": "SETPOINT_VERIFY",
    "page_password_file": "SETPOINT_PAGE_PASSWORD_FILE",
    "eval_processes": "SETPOINT_EVAL_PROCESSES",
}
ALL = "SETPOINT_SETTINGS"
MAX_TOKEN_LIFE = 300  # seconds: CDS Hooks asks for short-lived JWTs (exp - iat)


def _url(v: str, what: str) -> str:
    try:
        return str(parse_base(v, what=what))
    except UrlError as e:
        raise ValueError(str(e)) from e


class Issuer(BaseModel):
    """A CDS client (EHR) the service trusts: its `iss`, where its keys are, and its FHIR servers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iss: str = Field(min_length=1, max_length=2048)
    # The issuer's JWKS (its public keys), fetched over http(s) and cached.
    jwks_url: str
    # `jku` header values accepted for this issuer (exactly these URLs); empty: `jku` is ignored.
    jku: tuple[str, ...] = ()
    # FHIR server base URLs this issuer may name as `fhirServer` (scheme, host, port and path prefix).
    fhir_servers: tuple[str, ...] = ()

    @field_validator("jwks_url")
    @classmethod
    def _jwks(cls, v: str) -> str:
        parse_base(v, what="jwks_url", allow_query=True)
        return v

    @field_validator("jku")
    @classmethod
    def _jku(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for u in v:
            parse_base(u, what="jku", allow_query=True)
        return v

    @field_validator("fhir_servers")
    @classmethod
    def _servers(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_url(u, "fhir_servers") for u in v)


class TrustFile(BaseModel):
    """`--trust-file`: {"issuers": [{"iss": ..., "jwks_url": ..., "jku": [...], "fhir_servers": [...]}]}."""

    model_config = ConfigDict(extra="forbid")
    issuers: list[Issuer] = Field(min_length=1)


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "setpoint"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Where the feedback database (setpoint.sqlite3) and the decision log live.
    data_dir: Path = Field(default_factory=default_data_dir)
    # Largest request body accepted (bytes); larger ones get 413.
    max_body_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    # Seconds allowed for each request to an EHR's FHIR server (no retries).
    fhir_timeout: float = Field(default=5.0, gt=0, le=60)
    # Pages of one FHIR search followed at most.
    fhir_max_pages: int = Field(default=5, ge=1, le=100)
    # Largest answer read from a FHIR server (bytes), enforced while reading.
    fhir_max_response_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    # FHIR server base URLs any trusted client (and an unauthenticated one) may name; per-issuer ones
    # are in `trust`.  Empty and no per-issuer servers: the service never calls a FHIR server.
    fhir_allow: tuple[str, ...] = ()
    # A fixed evaluation date (replays, tests); default: today, per request.
    as_of: date | None = None
    rules: Path | None = None
    knowledge: Path | None = None
    # Check the rule base against its manifest at start-up (and its signature with `trusted_key`).
    verify: bool = False
    trusted_key: Path | None = None

    # --- who may call (CDS Hooks "Trusting CDS Clients")
    trust: tuple[Issuer, ...] = ()
    allow_unauthenticated: bool = False
    # The service's URL as the EHR calls it (the JWT `aud` is this + the endpoint path).
    public_url: str | None = None
    # Seconds of clock skew tolerated on `exp`/`iat`.
    jwt_leeway: int = Field(default=30, ge=0, le=120)
    # Seconds a fetched JWKS is used before it is fetched again.
    jwks_cache_seconds: int = Field(default=600, ge=0, le=86400)
    # Browser origins allowed by CORS; empty: CORS is off.
    cors_origins: tuple[str, ...] = ()
    # The clinician's page (engine/service/page.py): a file holding its password (else the environment's
    # SETPOINT_PAGE_PASSWORD).  Without a password the page is open only with allow_unauthenticated.
    page_password_file: Path | None = None
    # Hours a page session lasts.
    page_session_hours: float = Field(default=8.0, gt=0, le=24 * 7)

    # --- bounded work per request
    max_entries: int = Field(default=5000, ge=1)
    max_depth: int = Field(default=48, ge=8, le=200)
    max_string_bytes: int = Field(default=256 * 1024, ge=1024)
    eval_timeout: float = Field(default=20.0, gt=0, le=600)
    # Evaluation worker processes per server process (None: the cores shared among the server
    # processes; 0: evaluate in threads of the server process, as a debugging aid).
    eval_processes: int | None = Field(default=None, ge=0, le=256)

    # --- decision log: one JSON line per hook call (no patient data unless decision_log_inputs)
    decision_log: bool = True
    decision_log_inputs: bool = False

    @field_validator("fhir_allow", "cors_origins", mode="before")
    @classmethod
    def _split(cls, v: object) -> object:
        if isinstance(v, str):
            return tuple(p.strip() for p in v.split(",") if p.strip())
        return v

    @field_validator("fhir_allow")
    @classmethod
    def _allow(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_url(u, "fhir_allow") for u in v)

    @field_validator("public_url")
    @classmethod
    def _public(cls, v: str | None) -> str | None:
        return _url(v, "public_url") if v else None

    @model_validator(mode="after")
    def _unique(self) -> Settings:
        seen = [i.iss for i in self.trust]
        if len(seen) != len(set(seen)):
            raise ValueError("trust: an issuer is configured twice")
        return self

    @classmethod
    def from_env(cls) -> Settings:
        whole = os.environ.get(ALL, "").strip()
        try:
            if whole:
                return cls.model_validate_json(whole)
        except ValidationError as e:
            raise SetpointError(f"service settings ({ALL}): {e.errors(include_url=False)[0]['msg']}") from e
        values = {field: os.environ[var] for field, var in ENV.items() if os.environ.get(var, "").strip()}
        if "verify" in values:
            values["verify"] = values["verify"].strip().lower() in ("1", "true", "yes")  # type: ignore[assignment]
        try:
            return cls.model_validate(values)
        except ValidationError as e:
            # Name the environment variable, not the field.
            problems = [f"{ENV.get(str(err['loc'][0]), err['loc'][0]) if err['loc'] else 'settings'}: {err['msg']}"
                        for err in e.errors(include_url=False)]
            raise SetpointError("service settings: " + "; ".join(problems)) from e

    def to_env(self) -> dict[str, str]:
        """The environment that reproduces these settings in a worker process."""
        return {ALL: self.model_dump_json()}

    def issuer(self, iss: str) -> Issuer | None:
        return next((i for i in self.trust if i.iss == iss), None)

    def fhir_servers_for(self, iss: str | None) -> list[BaseUrl]:
        """The FHIR servers a client may name: the shared list plus its issuer's own."""
        own = self.issuer(iss).fhir_servers if iss is not None and self.issuer(iss) else ()
        return [parse_base(u) for u in (*self.fhir_allow, *own)]

    def fhir_allowed(self, url: str, iss: str | None = None) -> BaseUrl | None:
        """The parsed `url` when it is under a FHIR server allowed for `iss`; else None."""
        try:
            parsed = parse_base(url, what="fhirServer")
        except UrlError:
            return None
        return parsed if any(parsed.under(a) for a in self.fhir_servers_for(iss)) else None


def read_trust_file(path: Path) -> tuple[Issuer, ...]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise SetpointError(f"{path}: cannot read the trust file ({e.strerror})") from e
    if len(raw) > 1024 * 1024:
        raise SetpointError(f"{path}: the trust file is over 1 MiB")
    try:
        return tuple(TrustFile.model_validate(json.loads(raw)).issuers)
    except (ValueError, ValidationError) as e:
        raise SetpointError(f"{path}: not a valid trust file ({str(e).splitlines()[0]})") from e


def parse_trust(value: str) -> Issuer:
    """`--trust ISS=JWKS_URL` (split at the first `=` after the issuer's scheme)."""
    iss, sep, jwks = value.partition("=")
    if not sep or not iss or not jwks:
        raise SetpointError(f"--trust {value!r}: expected ISSUER=JWKS_URL")
    try:
        return Issuer(iss=iss, jwks_url=jwks)
    except ValidationError as e:
        raise SetpointError(f"--trust {value!r}: {e.errors(include_url=False)[0]['msg']}") from e
