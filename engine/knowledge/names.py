"""Result names as laboratories write them -> a look-up key, the specimen written in the name, and
whether an unmatched name still resembles a known test.

EHRs and laboratories name the same test many ways: "Lithium LVL", "LITHIUM, SERUM", "Li SerPl-sCnc",
"Estradiol, saliva", "TSH (3rd gen) random".  A name is reduced to its key by lower-casing,
dropping punctuation and dropping words that say nothing about *which* test it is ("level", "LVL",
"random", "serum", "plasma", "SerPl", "Ser/Plas", "blood").  Words naming a specimen the engine treats
differently (saliva, urine, dried urine, capillary blood spot, ECG) are read as the specimen, so that a
salivary estradiol is never compared with serum cut-offs.  Design rule [U], not a clinical claim.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

# Specimen phrases (longest first) -> snapshot specimen.  Serum/plasma/blood words are specimens too,
# but every serum analyte interprets them, so they only matter when nothing else is recorded.
SPECIMEN_PHRASES: tuple[tuple[str, str], ...] = (
    ("dried urine", "dried_urine"), ("blood spot", "capillary_blood_spot"), ("dried blood", "capillary_blood_spot"),
    ("dbs", "capillary_blood_spot"), ("saliva", "saliva"), ("salivary", "saliva"), ("urine", "urine"),
    ("urinary", "urine"), ("ur", "urine"), ("ecg", "ecg"), ("ekg", "ecg"), ("electrocardiogram", "ecg"),
    ("12 lead", "ecg"), ("serum", "serum"), ("ser", "serum"), ("plasma", "plasma"), ("serpl", "serum"),
    ("ser/plas", "serum"), ("ser/pl", "serum"), ("blood", "blood"), ("bld", "blood"), ("whole blood", "blood"),
    ("venous", "blood"), ("arterial", "blood"),
)
# Words that never distinguish one test from another.
FILLER = frozenset({
    "lvl", "level", "levels", "lev", "random", "rand", "conc", "concentration", "result", "results", "test",
    "measurement", "value", "quant", "quantitative", "measured", "ext", "external", "lab", "mcnc", "scnc",
    "ncnc", "acnc", "ccnc", "sp", "of", "in", "by", "the", "bld", "whole", "venous", "arterial",
    "or", "and", "moles", "mass", "volume", "units", "mol", "specimen", "am", "draw", "drawn",
    "3rd", "gen", "generation", "third", "sensitive", "ultrasensitive", "hs", "calc", "calculated", "automated",
    "auto", "count", "pure", "fraction", "method", "direct", "lcms", "lc", "ms", "ia", "immunoassay",
})
# Words too general to say which test a name is about (used by `resembles`).
GENERIC = frozenset({
    "total", "free", "serum", "plasma", "hormone", "blood", "index", "ratio", "interval", "pressure",
    "corrected", "stimulating", "thyroid", "estimated", "glomerular", "filtration", "binding", "globulin",
    "prostate", "specific", "antigen", "cholesterol", "direct", "density", "lipoprotein", "generation",
    "sensitive", "ultrasensitive", "calculated", "weakly", "bound", "fasting", "morning", "packed", "volume",
    "urine", "saliva", "salivary", "qualitative", "quantitative", "pregnancy", "panel", "profile", "complete",
    "alpha", "gamma", "dried", "response", "rhythm", "generic", "night", "awakening", "diurnal", "dialysis",
    "equilibrium", "luteal", "trough", "unconjugated", "acetic", "sulfate", "sulphate", "uncorrected", "creat",
    "neurotransmitter", "metabolite", "metabolites",
})
_SPECIMEN_RE = re.compile(
    r"(?<![a-z0-9])(" + "|".join(re.escape(p) for p, _ in sorted(SPECIMEN_PHRASES, key=lambda x: -len(x[0])))
    + r")(?![a-z0-9])")
_SPECIMEN = dict(SPECIMEN_PHRASES)


# Sample timing written into the name ("Lithium 12 hr post dose", "LITHIUM LVL 12H", "Testosterone trough",
# "Vancomycin pre-dose"): it says when the sample was drawn, not which test it is (engine.dose_timing reads it).
_TIMING = re.compile(
    r"\b\d{1,3}\s*-?\s*(?:h|hr|hrs|hour)\b\.?(?:\s*-?\s*(?:post\s*-?\s*dose|post|pd)\b)?"
    r"|\b(?:post|pre)\s*-?\s*dose\b|\btrough\b|\bpeak\b", re.IGNORECASE)
# "TSH W/REFLEX TO FT4", "TSH with reflex to free T4": the test reported is the one before the reflex.
_REFLEX = re.compile(r"\s*(?:\bw/|\bwith\b|\+)?\s*\breflex(?:ive)?\b.*$", re.IGNORECASE)
# Words that make a name another test about the same substance ("TSH receptor antibody", "free T4 index",
# "PSA free/total ratio"): such a name resembles nothing, it is not relevant.
OTHER_TEST = frozenset({"antibody", "antibodies", "ab", "abs", "receptor", "index", "ratio", "uptake",
                        "challenge", "stimulation", "suppression"})
# Short names that identify a test on their own in a longer laboratory name ("TSH (SENSITIVE) 3RD GEN").
SHORT_DISTINCTIVE = frozenset({"tsh", "qtc", "hct", "egfr"})


def norm_name(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9%+\-/ ]", " ", name.lower().replace("'", "")).split())


class NameKey(NamedTuple):
    key: str  # the name without filler and specimen words
    specimen: str | None  # a specimen other than serum/plasma/blood written in the name, else None


@lru_cache(maxsize=16384)  # laboratory names repeat across records and patients; pure function of the text
def name_key(name: str) -> NameKey:
    """'Estradiol, saliva' -> ('estradiol', 'saliva'); 'LITHIUM LVL (SerPl)' -> ('lithium', None)."""
    text = norm_name(_TIMING.sub(" ", _REFLEX.sub("", name)).replace("-", " - ").replace("_", " "))
    specimen: str | None = None
    for m in _SPECIMEN_RE.finditer(text):
        kind = _SPECIMEN[m.group(1)]
        if kind not in ("serum", "plasma", "blood") and specimen is None:
            specimen = kind
    text = _SPECIMEN_RE.sub(" ", text)
    words = {w for w in re.split(r"[\s/]+", text) if w and w not in FILLER and w != "-"}
    # Word order carries no meaning here: "free testosterone" and "Testosterone, free" are one test.
    return NameKey(" ".join(sorted(words)), specimen)


def distinctive_words(names: list[str]) -> list[str]:
    """The words of an analyte's names that identify it on their own ("lithium", "estradiol", "creatinine")."""
    out: list[str] = []
    for n in names:
        for w in name_key(n).key.split():
            if ((len(w) >= 5 and w.isalpha() and w not in GENERIC) or w in SHORT_DISTINCTIVE) and w not in out:
                out.append(w)
    return out


def resembles(name: str, words: dict[str, str]) -> str | None:
    """The analyte a name that matched no key seems to be about: one of its distinctive words appears in
    the name.  None when nothing does, or when the name says it is another test (OTHER_TEST)."""
    tokens = re.split(r"[^a-z0-9]+", name.lower())
    if OTHER_TEST.intersection(tokens):
        return None
    for w in tokens:
        hit = words.get(w)
        if hit:
            return hit
    return None
