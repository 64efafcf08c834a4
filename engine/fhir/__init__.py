"""FHIR R4 input: Bundles (collection, searchset, transaction, ...) as EHRs and Synthea export them.

Parsed with fhir.resources at the edge (its R4B models read R4) and mapped into the snapshot; see
`engine.fhir.mapper` for what is read and how an unreadable entry is reported.
"""

from engine.fhir.mapper import bundle_to_snapshot, entries, is_bundle

__all__ = ["bundle_to_snapshot", "entries", "is_bundle"]
