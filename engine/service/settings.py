"""Service settings, read from SETPOINT_* environment variables.

The environment (rather than arguments) carries them because uvicorn starts each worker process by
importing the app: `setpoint serve` sets these variables before it starts uvicorn.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine.errors import SetpointError

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
}


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "setpoint"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Where the feedback database (setpoint.sqlite3) lives.
    data_dir: Path = Field(default_factory=default_data_dir)
    # Largest request body accepted (bytes); larger ones get 413.
    max_body_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    # Seconds allowed for each request to an EHR's FHIR server (no retries).
    fhir_timeout: float = Field(default=5.0, gt=0, le=60)
    # Pages of one FHIR search followed at most.
    fhir_max_pages: int = Field(default=5, ge=1, le=100)
    # FHIR server base URLs the service may call (comma-separated prefixes); empty: any http(s) server.
    fhir_allow: tuple[str, ...] = ()
    # A fixed evaluation date (replays, tests); default: today, per request.
    as_of: date | None = None
    rules: Path | None = None
    knowledge: Path | None = None
    # Check the rule base against its signed manifest at start-up.
    verify: bool = False

    @field_validator("fhir_allow", mode="before")
    @classmethod
    def _split(cls, v: object) -> object:
        if isinstance(v, str):
            return tuple(p.strip() for p in v.split(",") if p.strip())
        return v

    @classmethod
    def from_env(cls) -> Settings:
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
        """The environment variables that reproduce these settings in a worker process."""
        out = {ENV["data_dir"]: str(self.data_dir), ENV["max_body_bytes"]: str(self.max_body_bytes),
               ENV["fhir_timeout"]: str(self.fhir_timeout), ENV["fhir_max_pages"]: str(self.fhir_max_pages),
               ENV["fhir_allow"]: ",".join(self.fhir_allow), ENV["verify"]: "1" if self.verify else ""}
        if self.as_of:
            out[ENV["as_of"]] = self.as_of.isoformat()
        if self.rules:
            out[ENV["rules"]] = str(self.rules)
        if self.knowledge:
            out[ENV["knowledge"]] = str(self.knowledge)
        return out

    def fhir_allowed(self, url: str) -> bool:
        if not url.startswith(("http://", "https://")):
            return False
        return not self.fhir_allow or any(url.startswith(p) for p in self.fhir_allow)
