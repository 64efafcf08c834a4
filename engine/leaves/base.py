"""What every condition leaf is made of, and the registry that lists them.

A leaf is one registered class (a subclass of `Leaf`) holding four parts:

* its **argument model**: the pydantic model of the single key it is written with in a rule
  (`lab: {analyte: ..., within_days: ..., op: ..., value: ..., unit: ...}`);
* its **fact spec** (`compile`): the derived fact it needs (a stable key shared by every leaf that
  needs the same fact) and the test applied to it, thresholds already in the fact's canonical unit;
* its **deriver** (`derive`): the fact computed from a normalised case, or explicitly unknown with
  the reason;
* its **phrase** (`phrase`): the condition in plain language, and its negation, for reviewers.

Adding a condition type is one class in the module of its subject plus its tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, model_validator

if TYPE_CHECKING:
    from ..facts.model import FactValue
    from ..knowledge.load import Knowledge
    from ..normalize import Case

FactType = Literal["bool", "number", "string"]
Op = Literal["==", "!=", ">", ">=", "<", "<=", "in"]
NumOp = Literal["==", "!=", ">", ">=", "<", "<="]
Scalar = bool | int | float | str
Specimen = Literal[
    "serum", "plasma", "blood", "saliva", "urine", "dried_urine", "capillary_blood_spot", "ecg", "other"
]
SPECIMENS: tuple[str, ...] = get_args(Specimen)
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


# ------------------------------------------------------------------ facts and tests


@dataclass(frozen=True)
class FactSpec:
    """One derived fact: `key` is shared by every leaf needing the same fact; `family` names the leaf
    type whose deriver computes it."""

    key: str
    type: FactType
    family: str
    params: tuple[tuple[str, Any], ...]
    # What this fact is, in words a reviewer reads ("latest hematocrit within 120 days").
    describe: str
    unit: str | None = None
    _lookup: dict[str, Any] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lookup", dict(self.params))

    def param(self, name: str, default: Any = None) -> Any:
        return self._lookup.get(name, default)

    def value_sets(self) -> list[str]:
        """Every parameter value naming a value set (set, sets, after, during, ...), in order."""
        out: list[str] = []
        for _, value in self.params:
            for v in value if isinstance(value, tuple) else (value,):
                if isinstance(v, str) and v.startswith("VS_") and v not in out:
                    out.append(v)
        return out


@dataclass(frozen=True)
class Check:
    op: str  # ==, !=, >, >=, <, <=, in (and "not in" for negated tests)
    value: Any  # bool | float | str | tuple

    def apply(self, v: Any) -> bool:
        match self.op:
            case "==":
                return bool(v == self.value)
            case "!=":
                return bool(v != self.value)
            case ">":
                return bool(v > self.value)
            case ">=":
                return bool(v >= self.value)
            case "<":
                return bool(v < self.value)
            case "<=":
                return bool(v <= self.value)
            case "in":
                return v in self.value
            case "not in":
                return v not in self.value
        raise ValueError(f"unknown operator {self.op}")

    def negated(self) -> Check:
        """The complementary test over a *known* value (used to compile 'definitely false')."""
        flip = {"==": "!=", "!=": "==", ">": "<=", ">=": "<", "<": ">=", "<=": ">", "in": "not in",
                "not in": "in"}
        return Check(flip[self.op], self.value)

    def text(self, unit: str | None = None) -> str:
        val = self.value
        if isinstance(val, float) and val.is_integer():
            val = int(val)
        if isinstance(val, tuple):
            val = ", ".join(str(x) for x in val)
        suffix = f" {unit}" if unit and unit not in ("1", "") else ""
        return f"{self.op} {val}{suffix}"


TRUE = Check("==", True)


def num(op: str, value: float | int) -> Check:
    return Check(op, float(value))


@dataclass(frozen=True)
class CompiledLeaf:
    """A leaf of one rule, compiled: the fact it reads, the test applied, and the leaf as written."""

    spec: FactSpec
    test: Check
    source: Leaf

    def describe(self) -> str:
        if self.spec.type == "bool":
            return self.spec.describe if self.test.value is True else f"not {self.spec.describe}"
        return f"{self.spec.describe} {self.test.text(self.spec.unit)}"


# ------------------------------------------------------------------ compiling


class CompileContext:
    """What compiling a leaf may consult: the knowledge base's analytes and their units."""

    def __init__(self, k: Knowledge):
        self.k = k

    def canonical(self, analyte: str, unit: str | None = None) -> tuple[float, str]:
        """(factor to the canonical unit, canonical unit); ValueError for an unknown analyte or unit."""
        if analyte not in self.k.analytes:
            raise ValueError(f"unknown analyte {analyte!r}")
        a = self.k.analytes[analyte]
        if unit is None:
            return 1.0, a.canonical_unit
        f = self.k.unit_factor(analyte, unit)
        if f is None:
            raise ValueError(f"unit {unit!r} does not convert to {a.canonical_unit} for {analyte}")
        return f, a.canonical_unit

    @staticmethod
    def mass_factor(unit: str) -> float:
        u = unit.strip().lower().replace("µ", "u").replace("μ", "u").replace("mcg", "ug").removesuffix("/day")
        factors = {"mg": 1.0, "ug": 0.001, "g": 1000.0}
        if u not in factors:
            raise ValueError(f"dose unit {unit!r} is not a mass unit (mg, ug, g)")
        return factors[u]

    @staticmethod
    def specimens(specimens: list[str]) -> None:
        for sp in specimens:
            if sp not in SPECIMENS:
                raise ValueError(f"unknown specimen {sp!r}; expected one of {', '.join(SPECIMENS)}")


# ------------------------------------------------------------------ plain language


OPS = {">": "above", ">=": "at least", "<": "below", "<=": "at most", "==": "exactly", "!=": "other than",
       "in": "one of"}
NEG_OPS = {">": "at most", ">=": "below", "<": "at least", "<=": "above", "==": "other than", "!=": "exactly",
           "in": "none of"}


def lower_first(text: str) -> str:
    """`Systemic estrogen` -> `systemic estrogen`; acronyms (`TSH`, `hCG`, `LDL`) stay as written."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


class Phrases:
    """Titles of value sets and analytes from one knowledge base, and comparison wording."""

    def __init__(self, k: Knowledge):
        self.k = k

    def set_title(self, sid: str) -> str:
        s = self.k.med_sets.get(sid) or self.k.condition_sets.get(sid)
        return lower_first(s.title) if s is not None else sid

    def sets(self, sids: list[str] | tuple[str, ...], joiner: str = " or ") -> str:
        return joiner.join(self.set_title(s) for s in sids)

    def analyte(self, aid: str) -> str:
        a = self.k.analytes.get(aid)
        return lower_first(a.name) if a is not None else aid

    def analytes(self, aids: list[str] | tuple[str, ...]) -> str:
        return " or ".join(self.analyte(a) for a in aids)

    @staticmethod
    def cmp(op: str, value: Any, unit: str | None, negated: bool) -> str:
        words = (NEG_OPS if negated else OPS)[op]
        if isinstance(value, list | tuple):
            return f"{words} {', '.join(_num(v) for v in value)}"
        return f"{words} {_num(value)}" + (f" {unit}" if unit and unit not in ("1", "") else "")

    @staticmethod
    def no(negated: bool, yes: str, no: str) -> str:
        return no if negated else yes


# ------------------------------------------------------------------ argument models


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Compare(Args):
    op: Op
    value: Scalar | list[Scalar]

    @model_validator(mode="after")
    def _value_shape(self) -> Compare:
        if self.op == "in" and not isinstance(self.value, list):
            raise ValueError("op 'in' needs a list value")
        if self.op != "in" and isinstance(self.value, list):
            raise ValueError(f"op {self.op!r} needs a single value, not a list")
        return self


class NumCompare(Args):
    op: NumOp
    value: int | float

    @model_validator(mode="before")
    @classmethod
    def _no_bool(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("value"), bool):
            raise ValueError("value must be a number, not a boolean")
        return data


# ------------------------------------------------------------------ the leaf base class and registry


REGISTRY: dict[str, type[Leaf]] = {}
Group = Literal["medications", "course", "results", "scales_vitals", "patient", "notes_issues"]


class Leaf(BaseModel):
    """A condition leaf as written in a rule: one key, whose value is the leaf's argument model.

    Subclasses declare exactly one field (the key) and implement `compile`, `derive` and `phrase`;
    defining the subclass registers it."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    key: ClassVar[str] = ""
    group: ClassVar[Group]
    # Which knowledge the value sets named in its arguments must come from.
    set_kind: ClassVar[Literal["medication", "condition"]] = "medication"
    # A bare string stands for this argument (`med_active: VS_SSRI` = `{set: VS_SSRI}`).
    shorthand: ClassVar[str | None] = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        names = list(cls.model_fields)
        if len(names) != 1:
            raise TypeError(f"{cls.__name__}: a leaf declares exactly one field (its key), not {names}")
        cls.key = names[0]
        if cls.key in REGISTRY:
            raise TypeError(f"{cls.__name__}: leaf key {cls.key!r} is already registered by "
                            f"{REGISTRY[cls.key].__name__}")
        REGISTRY[cls.key] = cls

    @classmethod
    def args_model(cls) -> type[BaseModel]:
        """The argument model (the key's type, without the string shorthand)."""
        ann = cls.model_fields[cls.key].annotation
        for t in (ann, *get_args(ann)):
            if isinstance(t, type) and issubclass(t, BaseModel):
                return t
        raise TypeError(f"{cls.__name__}: the key's type has no argument model")

    @property
    def args(self) -> Any:
        value = getattr(self, self.key)
        if isinstance(value, str) and self.shorthand:
            return self.args_model()(**{self.shorthand: value})
        return value

    def compile(self, ctx: CompileContext) -> CompiledLeaf:
        raise NotImplementedError

    @staticmethod
    def derive(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
        raise NotImplementedError

    def phrase(self, negated: bool, p: Phrases) -> str:
        raise NotImplementedError

    def leaf(self, spec: FactSpec, test: Check = TRUE) -> CompiledLeaf:
        return CompiledLeaf(spec, test, self)


def spec(key: str, ftype: FactType, family: str, params: dict[str, Any], describe: str,
         unit: str | None = None) -> FactSpec:
    return FactSpec(key, ftype, family, tuple(params.items()), describe, unit)


def deriver_of(spec: FactSpec) -> Callable[[Knowledge, Case, FactSpec], FactValue]:
    return REGISTRY[spec.family].derive
