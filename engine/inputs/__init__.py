"""Input formats: anything a user hands the engine becomes one `Snapshot`.

    data  ->  document (a mapping)  ->  format (detected)  ->  Snapshot

`read` turns what was given into a document: a `Snapshot` or a mapping as is, `bytes`/`str` as JSON
or YAML *content* (a string is never taken for a file name), and an explicit `pathlib.Path` read
from disk.  Each registered `InputFormat` recognises its documents (`detect`) and maps them into a
snapshot; the first that recognises a document wins.  Adding a format (NDJSON, CDA, ...) is one
module with one class, registered in `FORMATS`.

`evaluation_date` is the one place the evaluation date is decided: the date given, else the
snapshot's own `as_of`, else the caller's default (the CLI and the service: today), else an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import SnapshotError
from ..snapshot.models import Snapshot
from .text import check_size, parse, parse_bytes

if TYPE_CHECKING:
    from ..knowledge.load import Knowledge


class InputFormat(Protocol):
    name: str

    def detect(self, doc: Mapping[str, Any]) -> bool: ...

    def to_snapshot(self, doc: Mapping[str, Any], *, source: str, knowledge: Knowledge,
                    drafts_start: date | None = None, strict_fhir: bool = False) -> Snapshot: ...


def _formats() -> list[InputFormat]:
    from .fhir_bundle import FhirBundle
    from .snapshot import SnapshotDocument

    return [FhirBundle(), SnapshotDocument()]


FORMATS: list[InputFormat] = []


def read(data: Any, source: str | None = None) -> tuple[Any, str]:
    """(document, a name for it in messages).  A `str` is content, never a file name: pass a `Path`."""
    if isinstance(data, Snapshot | Mapping):
        return data, source or "input"
    if isinstance(data, Path):
        name = source or str(data)
        try:
            check_size(data.stat().st_size, name)
            raw = data.read_bytes()
        except FileNotFoundError as e:
            raise SnapshotError(f"{name}: file not found") from e
        except IsADirectoryError as e:
            raise SnapshotError(f"{name}: is a folder, not a file") from e
        except PermissionError as e:
            raise SnapshotError(f"{name}: permission denied") from e
        return parse_bytes(raw, name), name
    if isinstance(data, bytes | bytearray | memoryview):
        name = source or "input"
        return parse_bytes(bytes(data), name), name
    if isinstance(data, str):
        name = source or "input"
        return parse(data, name), name
    raise SnapshotError(f"{source or 'input'}: expected a snapshot or a FHIR Bundle (a mapping, JSON/YAML "
                        f"content or a file path), got {type(data).__name__}")


def to_snapshot(data: Any, knowledge: Knowledge, *, source: str | None = None,
                drafts_start: date | None = None, strict_fhir: bool = False) -> Snapshot:
    """Whatever was given, as a validated snapshot (SnapshotError naming the field and the problem).
    `strict_fhir`: validate every FHIR resource the engine uses whole with fhir.resources (engine.fhir)."""
    doc, name = read(data, source)
    if isinstance(doc, Snapshot):
        return doc
    if not isinstance(doc, Mapping):
        got = "nothing (an empty document)" if doc is None else type(doc).__name__
        raise SnapshotError(f"{name}: expected a snapshot (a mapping with 'patient') or a FHIR Bundle, got {got}")
    if not FORMATS:
        FORMATS.extend(_formats())
    for fmt in FORMATS:
        if fmt.detect(doc):
            return fmt.to_snapshot(doc, source=name, knowledge=knowledge, drafts_start=drafts_start,
                                   strict_fhir=strict_fhir)
    rtype = doc.get("resourceType")
    if isinstance(rtype, str):
        raise SnapshotError(f"{name}: a FHIR {rtype} resource: expected a snapshot or a FHIR Bundle "
                            "(put the resources in a Bundle of type collection)")
    raise SnapshotError(f"{name}: expected a snapshot (a mapping with 'patient') or a FHIR Bundle")


def evaluation_date(explicit: date | None, snapshot: Snapshot, default: date | None = None) -> date:
    when = explicit or snapshot.as_of or default
    if when is None:
        raise SnapshotError("as_of: no evaluation date given (set as_of in the snapshot or pass --as-of)")
    return when
