"""FHIR R4 input: Bundles (collection, searchset, transaction, ...) as EHRs and Synthea export them.

Each resource the engine uses is read by the fast path (`engine.fhir.light`: only the elements the mapper
reads, checked as fhir.resources checks them) or, with `strict_fhir`, validated whole by fhir.resources
(`engine.fhir.parse`; its R4B models read R4), and mapped into the snapshot; see `engine.fhir.mapper` for
what is read and how an unreadable entry is reported.
"""

from .mapper import bundle_to_snapshot, entries, is_bundle

__all__ = ["bundle_to_snapshot", "entries", "is_bundle"]
