"""Free text of a condition as EHRs write it: abbreviations expanded, negated and family-history parts removed.

"No history of seizures" must never be read as a seizure disorder (a false critical alarm), "h/o DVT"
must be read as a history of deep vein thrombosis (a missed contraindication), and "mother had breast
CA" is about the mother.  This is a deliberately small NegEx-style pass (Chapman et al., J Biomed
Inform 2001): cues before a concept negate the rest of their clause, cues after it negate the clause.
Our own code because the maintained implementations (negspacy, medspaCy) need spaCy language models
that cannot be installed here; it is tested on the phrasing the issue and the corpus give.

`affirmed(text)` returns the parts of the text that assert something about the patient, with common
clinical abbreviations spelled out, for the knowledge base's condition patterns to match.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Case-sensitive abbreviations (capitals in clinical notes; "ca" or "pe" in prose are other words).
_UPPER = {
    "CA": "cancer", "DVT": "deep vein thrombosis", "PE": "pulmonary embolism",
    "MI": "myocardial infarction", "CVA": "stroke", "TIA": "transient ischaemic attack",
    "VTE": "venous thromboembolism", "HTN": "hypertension", "DM": "diabetes mellitus", "Dx": "diagnosis",
    "BRCA": "BRCA", "OSA": "obstructive sleep apnoea", "AF": "atrial fibrillation", "CKD": "chronic kidney disease",
    "MDD": "major depressive disorder", "BPAD": "bipolar affective disorder", "GAD": "generalised anxiety disorder",
}
# Case-insensitive abbreviations.
_ANY = {
    r"h/o": "history of", r"hx of": "history of", r"hx": "history", r"s/p": "status post",
    r"sz": "seizure", r"szs": "seizures", r"fhx": "family history", r"fh": "family history",
    r"r/o": "rule out", r"c/o": "complains of", r"w/o": "without", r"w/": "with", r"bx": "biopsy",
    r"ca\.": "cancer",
}
_UPPER_RE = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, sorted(_UPPER, key=len, reverse=True)))
                       + r")(?![A-Za-z0-9])")
_ANY_RE = re.compile(r"(?<![A-Za-z0-9/])(" + "|".join(map(re.escape, sorted(_ANY, key=len, reverse=True)))
                     + r")(?![A-Za-z0-9])", re.IGNORECASE)

# Cues that negate what follows them in the clause.
_PRE = re.compile(
    r"\b(no|not|never|denies|denied|denying|negative for|neg for|without|free of|"
    r"rule out|ruled out for|no evidence of|no signs? of|no history of|no known|nkh|"
    r"family history of|family history|mother|father|sister|brother|maternal|paternal|aunt|uncle|"
    r"grand(?:mother|father)|sibling|daughter|son)\b", re.IGNORECASE)
# Cues that negate the clause when they come after the concept.
_POST = re.compile(r"\b(ruled out|was ruled out|excluded|unlikely|negative|not confirmed|"
                   r"in (?:mother|father|sister|brother|family))\b", re.IGNORECASE)
# Clause boundaries: punctuation and contrastive conjunctions.
_CLAUSE = re.compile(r"[.;:\n]|,|\bbut\b|\bhowever\b|\balthough\b|\bexcept\b", re.IGNORECASE)


def expand(text: str) -> str:
    """Common clinical abbreviations spelled out ("h/o DVT" -> "history of deep vein thrombosis")."""
    out = _ANY_RE.sub(lambda m: _ANY[m.group(1).lower()], text)
    return _UPPER_RE.sub(lambda m: _UPPER[m.group(1)], out)


@lru_cache(maxsize=8192)
def affirmed(text: str) -> str:
    """The affirmed parts of `text` (abbreviations expanded), joined by " | "; "" when nothing is affirmed."""
    kept: list[str] = []
    for clause in _CLAUSE.split(expand(text)):
        clause = clause.strip()
        if not clause or _POST.search(clause):
            continue
        cue = _PRE.search(clause)
        part = clause[:cue.start()].strip() if cue else clause
        if part:
            kept.append(part)
    return " | ".join(kept)


def negated(text: str) -> bool:
    """True when the text asserts nothing about the patient (all of it negated or about relatives)."""
    return bool(text.strip()) and not affirmed(text)
