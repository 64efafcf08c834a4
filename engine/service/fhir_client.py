"""Fetch what the prefetch did not bring from the EHR's FHIR server (httpx).

Only servers allowed for the calling client are contacted (the caller checks `fhirServer`; every
page link is checked again here, by parsed scheme, host, port and path), so the EHR's access token
never leaves for anywhere else.  One attempt per request, no redirects, no retries, no proxy from the
environment; every request has a timeout and the whole fetch a deadline; the answer's size is
capped while it is read; at most `fhir_max_pages` pages per search; a few requests at a time per
process.  A failure never raises: it becomes an import issue (or, for the Patient, the reason for a
412) worded the same whatever the network did (refused, reset, timed out), so that answers do not
map the network behind the service.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from ..snapshot.models import DataIssue
from .discovery import CATEGORY_WORDS
from .limits import LimitError, Limits, loads
from .models import FhirAuthorization
from .prefetch import Gathered, link
from .settings import Settings
from .urls import BaseUrl, UrlError, parse_base

log = logging.getLogger("setpoint.service")
# Category -> the searches that fill it (relative to the FHIR base; {pid} is the patient id).
QUERIES: dict[str, tuple[str, ...]] = {
    "patient": ("Patient/{pid}",),
    "conditions": ("Condition?patient={pid}",),
    "medications": ("MedicationRequest?patient={pid}", "MedicationStatement?patient={pid}"),
    "observations": ("Observation?patient={pid}",),
    "procedures": ("Procedure?patient={pid}",),
}
CONCURRENCY = 4
UNREACHABLE = "the FHIR server could not be reached or did not answer in time"


class _TooLarge(Exception):
    pass


def under(url: str, base: BaseUrl) -> bool:
    """True when `url` (a page link, query allowed) is on the same server and under `base`'s path."""
    try:
        return parse_base(url, allow_query=True).under(base)
    except UrlError:
        return False


@dataclass
class Fetched:
    entries: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    issues: list[DataIssue] = field(default_factory=list)
    patient_error: str | None = None


class FhirFetcher:
    def __init__(self, settings: Settings, client: httpx.AsyncClient | None = None):
        self.settings = settings
        self.client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(settings.fhir_timeout, connect=min(2.0, settings.fhir_timeout)),
            follow_redirects=False, trust_env=False)
        self._limit = asyncio.Semaphore(CONCURRENCY)
        self.limits = Limits(settings.max_depth, settings.max_string_bytes, settings.max_entries)

    async def close(self) -> None:
        await self.client.aclose()

    async def _get(self, url: str, auth: FhirAuthorization, base: BaseUrl) -> tuple[dict[str, Any] | None, str | None]:
        if not under(url, base):  # never send the token anywhere else
            return None, "the link is not on the fhirServer"
        headers = {"Accept": "application/fhir+json, application/json",
                   "Authorization": f"Bearer {auth.access_token}"}
        limit = self.settings.fhir_max_response_bytes
        try:
            async with self._limit, self.client.stream("GET", url, headers=headers) as resp:
                if resp.status_code != 200:
                    return None, f"the FHIR server answered HTTP {resp.status_code}"
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise _TooLarge
                content = bytearray()
                async for chunk in resp.aiter_raw():
                    content += chunk
                    if len(content) > limit:
                        raise _TooLarge
                if resp.headers.get("content-encoding", "identity").lower() != "identity":
                    return None, "the FHIR server's answer is compressed (not supported)"
        except _TooLarge:
            return None, f"the FHIR server's answer is over {limit} bytes"
        except (httpx.HTTPError, OSError):
            return None, UNREACHABLE
        try:
            body = loads(bytes(content), self.limits)
        except LimitError as e:
            return None, f"the FHIR server's answer is over a limit: {e.message}"
        except ValueError:
            return None, "the FHIR server's answer is not JSON"
        if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
            return None, "the FHIR server's answer is not a FHIR resource"
        return body, None

    async def _search(self, base: BaseUrl, url: str, auth: FhirAuthorization, out: Fetched, what: str,
                      max_pages: int) -> bool:
        """Fetch a search (following next links under `base`) into `out`; False when it failed."""
        pages = 0
        while url and pages < max_pages:
            body, error = await self._get(url, auth, base)
            pages += 1
            if error:
                out.issues.append(DataIssue(source=what, problem=f"could not be retrieved: {error}"))
                return False
            assert body is not None
            if body["resourceType"] != "Bundle":
                out.entries.append((body, None))
                return True
            entry = body.get("entry")
            for e in entry if isinstance(entry, list) else []:
                if isinstance(e, dict) and isinstance(e.get("resource"), dict):
                    out.entries.append((e["resource"], e.get("fullUrl") if isinstance(e.get("fullUrl"), str) else None))
            nxt = link(body, "next")
            url = nxt if nxt and under(nxt, base) else ""
        if url:
            out.issues.append(DataIssue(source=what, problem=f"only the first {max_pages} pages were retrieved"))
        return True

    async def fetch(self, base: BaseUrl, auth: FhirAuthorization, patient_id: str, missing: set[str],
                    gathered: Gathered) -> Fetched:
        """Fetch from `base`, a FHIR server the caller has checked is allowed for this client."""
        out = Fetched()
        pid = quote(patient_id, safe="")
        jobs: list[tuple[str, str, str]] = []  # (category, url, what)
        for category in sorted(missing):
            for q in QUERIES.get(category, ()):
                url = f"{base}/{q.format(pid=pid)}"
                kind = q.split("?")[0].split("/")[0]
                jobs.append((category, url, f"{kind} read" if "/" in q.split("?")[0] else f"{kind} search"))
        pages = [(where, url) for where, url in gathered.next_pages if under(url, base)]
        out.issues.extend(DataIssue(source=where, problem="holds only the first page of a longer search; the next "
                                    "page is not on the fhirServer and was not retrieved")
                          for where, url in gathered.next_pages if not under(url, base))
        ok: dict[str, list[bool]] = {}

        async def run(category: str, url: str, what: str) -> None:
            max_pages = self.settings.fhir_max_pages
            ok.setdefault(category, []).append(await self._search(base, url, auth, out, what, max_pages))

        tasks = [run(c, u, w) for c, u, w in jobs] + [run("", u, f"{w} (further pages)") for w, u in pages]
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=self.settings.fhir_timeout * 3)
        except TimeoutError:
            out.issues.append(DataIssue(source="fhirServer", problem="the FHIR server did not answer in time"))
        for category in missing:
            if ok.get(category) and all(ok[category]):
                out.covered.add(category)
        if "patient" in missing and "patient" not in out.covered:
            reasons = [i.problem for i in out.issues if i.source == "Patient read"]
            out.patient_error = reasons[0] if reasons else "not retrieved"
        log.info("fetched %d resources from the FHIR server for %s", len(out.entries),
                 ", ".join(CATEGORY_WORDS[c] for c in sorted(missing)) or "further pages")
        return out
