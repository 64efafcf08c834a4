"""What a hook request brings: the prefetched resources, read by content whatever their key.

A prefetch value may be a resource, a Bundle of anything (a search result, a whole-record export),
null (the EHR has no data for one of our templates) or an OperationOutcome (the EHR's prefetch
failed).  From them we learn which categories of data arrived, so that a category that did not
arrive is fetched from the FHIR server or reported, and never read as "none".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..fhir import entries
from ..snapshot.models import DataIssue
from .discovery import CATEGORY, PREFETCH

ALL_CATEGORIES = frozenset(CATEGORY.values())


@dataclass
class Gathered:
    entries: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)  # (resource, fullUrl)
    covered: set[str] = field(default_factory=set)
    issues: list[DataIssue] = field(default_factory=list)
    # Searches that arrived incomplete: (where, URL of the next page).
    next_pages: list[tuple[str, str]] = field(default_factory=list)
    # Whether anything was fetched from a FHIR server for this call.
    fetched: bool = False

    def patient_ids(self) -> set[str]:
        return {str(r.get("id")) for r, _ in self.entries if r.get("resourceType") == "Patient" and r.get("id")}

    def add_bundle(self, bundle: dict[str, Any], where: str) -> None:
        """Add a Bundle's resources (raises SnapshotError, naming `where`, for a malformed Bundle)."""
        found = entries(bundle, "request", where)
        types = {raw["resourceType"] for _, raw, _ in found}
        self.entries.extend((raw, full) for _, raw, full in found)
        self.covered.update(CATEGORY[t] for t in types if t in CATEGORY)
        if bundle.get("type") == "searchset":
            searched = search_type(link(bundle, "self"))
            if searched in CATEGORY:
                self.covered.add(CATEGORY[searched])
            nxt = link(bundle, "next")
            if nxt:
                self.next_pages.append((where, nxt))
        elif "Patient" in types:
            self.covered.update(ALL_CATEGORIES)  # a whole-record export (e.g. Synthea): everything there is
        # OperationOutcome entries (a search that partly failed) are reported by the FHIR mapper.


def link(bundle: dict[str, Any], relation: str) -> str | None:
    links = bundle.get("link")
    for lk in links if isinstance(links, list) else []:
        if isinstance(lk, dict) and lk.get("relation") == relation and isinstance(lk.get("url"), str):
            return lk["url"]
    return None


def search_type(url: str | None) -> str | None:
    """The resource type a FHIR search URL searches: `.../MedicationRequest?patient=1` -> MedicationRequest."""
    if not url:
        return None
    path = urlsplit(url).path.rstrip("/")
    return path.rsplit("/", 1)[-1] or None


def outcome_error(raw: dict[str, Any]) -> str | None:
    issues = raw.get("issue")
    for issue in issues if isinstance(issues, list) else []:
        if isinstance(issue, dict) and issue.get("severity") in ("error", "fatal"):
            details = issue.get("details") if isinstance(issue.get("details"), dict) else {}
            return str(issue.get("diagnostics") or details.get("text") or issue.get("code") or "error")
    return None


def gather(prefetch: dict[str, dict[str, Any] | None] | None) -> Gathered:
    g = Gathered()
    for key, value in (prefetch or {}).items():
        where = f"prefetch.{key}"
        category = PREFETCH[key][2] if key in PREFETCH else None
        if value is None:
            if category:
                g.covered.add(category)  # the EHR ran our query and found nothing
            continue
        rtype = value.get("resourceType")
        if not isinstance(rtype, str):
            raise ValueError(f"{where}: not a FHIR resource (no resourceType)")
        if rtype == "Bundle":
            g.add_bundle(value, where)
        elif rtype == "OperationOutcome":
            g.issues.append(DataIssue(source=where, problem="the EHR could not prefetch this data: "
                                      f"{outcome_error(value) or 'no details'}"))
        else:
            g.entries.append((value, None))
            if rtype in CATEGORY:
                g.covered.add(CATEGORY[rtype])
    return g
