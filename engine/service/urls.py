"""FHIR server and JWKS URLs, parsed and compared by their parts (never as string prefixes).

`http://ehr.example.org@127.0.0.1:9/fhir` (userinfo), `http://ehr.example.org:80800/fhir` (a longer
port), `http://ehr.example.org/fhir/../admin` (dot segments) and `http://ehr.example.org/fhirx` (a
sibling path) are all refused or not matched, where a `startswith` check would have let them through.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


class UrlError(ValueError):
    """A URL that is not a plain http(s) base URL; the message says why."""


@dataclass(frozen=True)
class BaseUrl:
    scheme: str
    host: str
    port: int
    segments: tuple[str, ...]

    @property
    def origin(self) -> str:
        default = DEFAULT_PORTS[self.scheme] == self.port
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + ("" if default else f":{self.port}")

    def __str__(self) -> str:
        return self.origin + "".join(f"/{s}" for s in self.segments)

    def under(self, allowed: BaseUrl) -> bool:
        """Same scheme, host and port, and `allowed`'s path segments are a prefix of ours."""
        return (self.scheme, self.host, self.port) == (allowed.scheme, allowed.host, allowed.port) and \
            self.segments[:len(allowed.segments)] == allowed.segments


def parse_base(url: str, *, what: str = "URL", allow_query: bool = False) -> BaseUrl:
    """Parse an http(s) URL; raises UrlError for userinfo, dot segments, control characters, a fragment
    (and a query unless `allow_query`) or a malformed host or port."""
    if not isinstance(url, str) or not url or len(url) > 2048:
        raise UrlError(f"{what}: not a URL")
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F or ch == "\\" for ch in url):
        raise UrlError(f"{what}: contains spaces, control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise UrlError(f"{what}: malformed ({e})") from e
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlError(f"{what}: must be an http or https URL")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise UrlError(f"{what}: must not carry a user name or password")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise UrlError(f"{what}: has no host")
    if parts.fragment or "#" in url:
        raise UrlError(f"{what}: must not have a fragment")
    if parts.query and not allow_query:
        raise UrlError(f"{what}: must not have a query")
    segments = tuple(s for s in parts.path.split("/") if s)
    for s in segments:
        plain = unquote(s)
        if plain in (".", "..") or "/" in plain or "\\" in plain or "%" in plain:
            raise UrlError(f"{what}: path must not contain dot segments or encoded slashes")
    return BaseUrl(scheme, host, port if port is not None else DEFAULT_PORTS[scheme], segments)


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
