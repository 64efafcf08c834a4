"""Patient free text made inert in a card's Markdown `detail`.

Medication names, observation text, notes and data-issue text come from the EHR (and so, in the end,
from whoever typed them); written into Markdown unescaped they could show an image from anywhere,
a `javascript:` link, raw HTML or "**URGENT: double the dose**" in the voice of the rule base.
`escape` backslash-escapes every character Markdown gives a meaning to and folds line breaks;
`safe_finding` escapes the free text of a finding's evidence (and the same text where the rule's
message repeats it); `neutralise` is the last pass over the whole detail: no HTML, no images, no
links (the card's `links` carry the knowledge base's sources instead).
"""

from __future__ import annotations

import re

from ..findings import Finding

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>!|~#&:+\-=^$\"'])")
_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x00-\x1f\x7f]+")


def escape(text: str) -> str:
    """`text` as literal Markdown text on one line."""
    return _SPECIAL.sub(r"\\\1", _BREAKS.sub(" ", text))


def _risky(text: str) -> bool:
    return bool(_SPECIAL.search(text) or _BREAKS.search(text))


def safe_finding(f: Finding) -> Finding:
    """A copy of `f` whose evidence text (and its echoes in the message) is escaped."""
    untrusted: set[str] = set()
    evidence = []
    for e in f.evidence:
        changes: dict[str, object] = {}
        for name in ("label", "unit", "note"):
            v = getattr(e, name)
            if isinstance(v, str) and _risky(v):
                untrusted.add(v)
                changes[name] = escape(v)
        if isinstance(e.value, str) and _risky(e.value):
            untrusted.add(e.value)
            changes["value"] = escape(e.value)
        evidence.append(e.model_copy(update=changes) if changes else e)
    detail = f.detail
    for text in sorted(untrusted, key=len, reverse=True):  # longest first: no half-escaped overlaps
        if len(text) >= 3:
            detail = detail.replace(text, escape(text))
    return f.model_copy(update={"evidence": evidence, "detail": detail})


_TAG = re.compile(r"(?<!\\)<")
_IMAGE = re.compile(r"(?<!\\)!(?=\[)")
_LINK = re.compile(r"(?<!\\)\]\(")
_AUTOLINK = re.compile(r"(?i)\b(javascript|data|vbscript|file|https?|ftp):")


def neutralise(markdown: str) -> str:
    """No raw HTML, images, inline links or bare URLs anywhere in a card's detail."""
    out = _TAG.sub(r"\\<", markdown)
    out = _IMAGE.sub(r"\\!", out)
    out = _LINK.sub(r"]\\(", out)
    return _AUTOLINK.sub(lambda m: m.group(1) + "\\:", out)
