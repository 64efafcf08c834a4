"""Fetch what the prefetch did not bring from the EHR's FHIR server (httpx).

One attempt per request, no retries; every request has a timeout and the whole fetch a deadline;
at most `fhir_max_pages` pages per search, and only links under the same server are followed; a few
requests at a time per process.  A failure never raises: it becomes an import issue (or, for the
Patient, the reason for a 412).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from engine.service.discovery import CATEGORY_WORDS
from engine.service.models import FhirAuthorization
from engine.service.prefetch import Gathered, link
from engine.service.settings import Settings
from engine.snapshot.models import DataIssue

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
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


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
            follow_redirects=False)
        self._limit = asyncio.Semaphore(CONCURRENCY)

    async def close(self) -> None:
        await self.client.aclose()

    async def _get(self, url: str, auth: FhirAuthorization) -> tuple[dict[str, Any] | None, str | None]:
        headers = {"Accept": "application/fhir+json, application/json",
                   "Authorization": f"{auth.token_type} {auth.access_token}"}
        try:
            async with self._limit:
                resp = await self.client.get(url, headers=headers)
        except httpx.TimeoutException:
            return None, f"timed out after {self.settings.fhir_timeout:g} s"
        except httpx.HTTPError as e:
            return None, f"could not reach the FHIR server ({e.__class__.__name__})"
        if resp.status_code != 200:
            return None, f"the FHIR server answered HTTP {resp.status_code}"
        if len(resp.content) > MAX_RESPONSE_BYTES:
            return None, "the FHIR server's answer is too large"
        try:
            body = json.loads(resp.content)
        except (ValueError, RecursionError):
            return None, "the FHIR server's answer is not JSON"
        if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
            return None, "the FHIR server's answer is not a FHIR resource"
        return body, None

    async def _search(self, base: str, url: str, auth: FhirAuthorization, out: Fetched, what: str,
                      max_pages: int) -> bool:
        """Fetch a search (following next links under `base`) into `out`; False when it failed."""
        pages = 0
        while url and pages < max_pages:
            body, error = await self._get(url, auth)
            pages += 1
            if error:
                out.issues.append(DataIssue(source=what, problem=f"could not be retrieved: {error}"))
                return False
            assert body is not None
            if body["resourceType"] != "Bundle":
                out.entries.append((body, None))
                return True
            for e in body.get("entry") or []:
                if isinstance(e, dict) and isinstance(e.get("resource"), dict):
                    out.entries.append((e["resource"], e.get("fullUrl") if isinstance(e.get("fullUrl"), str) else None))
            nxt = link(body, "next")
            url = nxt if nxt and nxt.startswith(base + "/") else ""
        if url:
            out.issues.append(DataIssue(source=what, problem=f"only the first {max_pages} pages were retrieved"))
        return True

    async def fetch(self, base: str, auth: FhirAuthorization, patient_id: str, missing: set[str],
                    gathered: Gathered) -> Fetched:
        out = Fetched()
        pid = quote(patient_id, safe="")
        jobs: list[tuple[str, str, str]] = []  # (category, url, what)
        for category in sorted(missing):
            for q in QUERIES.get(category, ()):
                url = f"{base}/{q.format(pid=pid)}"
                kind = q.split("?")[0].split("/")[0]
                jobs.append((category, url, f"{kind} read" if "/" in q.split("?")[0] else f"{kind} search"))
        pages = [(where, url) for where, url in gathered.next_pages if url.startswith(base + "/")]
        out.issues.extend(DataIssue(source=where, problem="holds only the first page of a longer search; the next "
                                    "page is not on the fhirServer and was not retrieved")
                          for where, url in gathered.next_pages if not url.startswith(base + "/"))
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
