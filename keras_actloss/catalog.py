"""The catalog: one record per activation and loss, and name lookup.

Every other part of the package reads this registry: the layer and loss
classes register themselves here next to their definition, `get_activation`
and `get_loss` resolve names and aliases through it, and the CLI prints it.
It imports nothing heavy so that tools can read it cheaply.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable
from typing import Literal

Kind = Literal["activation", "loss"]

#: The places a function can sit in a network, as the seeds' cheat sheets name them.
ROLES = (
    "hidden",
    "binary_output",
    "multiclass_output",
    "multilabel_output",
    "regression_output",
)

SEED_ARTICLES = {
    "001": "001_0b533b7aed299d4c.txt",
    "002": "002_90713684cf61e57d.txt",
    "003": "003_bd75aff12f2e7b15.txt",
}


def _parse_range(text: str) -> tuple[float, float]:
    match = re.fullmatch(r"\s*[\[(]\s*([^,]+?)\s*,\s*([^,]+?)\s*[\])]\s*", text)
    if not match:
        raise ValueError(
            f"Expected an interval such as '(0, 1)' or '[0, inf)'. Received: output_range={text!r}"
        )
    return tuple(float(bound) for bound in match.groups())


@dataclasses.dataclass(frozen=True)
class FunctionInfo:
    """What the seeds say about one function, independent of its code."""

    name: str
    formula: str
    when_to_use: str
    seed: str
    aliases: tuple[str, ...] = ()

    kind: Kind = dataclasses.field(init=False, default="activation")

    def __post_init__(self):
        if self.seed not in SEED_ARTICLES.values():
            raise ValueError(
                f"Expected one of the seed articles {sorted(SEED_ARTICLES.values())}. "
                f"Received: seed={self.seed!r}"
            )


@dataclasses.dataclass(frozen=True)
class ActivationInfo(FunctionInfo):
    """Catalog record of an activation function.

    `output_range` is written as an interval, e.g. ``"(0, 1)"`` or
    ``"[0, inf)"``; `bounds` gives it as numbers.
    """

    derivative: str = ""
    output_range: str = "(-inf, inf)"
    zero_centred: bool = False
    monotonic: bool = True
    smooth: bool = True
    roles: frozenset[str] = frozenset()
    learnable: bool = False

    kind: Kind = dataclasses.field(init=False, default="activation")

    def __post_init__(self):
        super().__post_init__()
        _parse_range(self.output_range)
        unknown = set(self.roles) - set(ROLES)
        if unknown:
            raise ValueError(f"Expected roles among {ROLES}. Received: roles={sorted(unknown)}")

    @property
    def bounds(self) -> tuple[float, float]:
        """The output range as ``(low, high)`` floats (``±inf`` when unbounded)."""
        return _parse_range(self.output_range)


@dataclasses.dataclass(frozen=True)
class LossInfo(FunctionInfo):
    """Catalog record of a loss (or of a measure the seeds list as a cost).

    Attributes:
        task: the task family the loss serves (`"regression"`,
            `"binary_classification"`, `"multiclass_classification"`, ...).
        target_encoding: what `y_true` must look like.
        prediction: what `y_pred` must be: `"values"` (any real number),
            `"probabilities"`, `"probabilities_or_logits"` or `"raw_scores"`.
        pairs_with: canonical names of the output activations it goes with.
        differentiable: False when its gradient is zero almost everywhere.
        diagnostic: True when it is a measure to watch rather than to minimise.
    """

    task: str = "regression"
    target_encoding: str = "real values"
    prediction: str = "values"
    pairs_with: tuple[str, ...] = ()
    differentiable: bool = True
    diagnostic: bool = False

    kind: Kind = dataclasses.field(init=False, default="loss")


@dataclasses.dataclass(frozen=True)
class Entry:
    """A catalog record together with the class that implements it."""

    info: FunctionInfo
    implementation: type


_ENTRIES: dict[Kind, dict[str, Entry]] = {"activation": {}, "loss": {}}
_KEYS: dict[Kind, dict[str, str]] = {"activation": {}, "loss": {}}


def _key(name: str) -> str:
    # "Leaky ReLU", "leaky-relu", "leaky_relu" and "LeakyReLU" name one thing.
    return re.sub(r"[\s_\-]", "", name.lower())


def entry(info: FunctionInfo) -> Callable[[type], type]:
    """Class decorator that records `info` in the catalog with its class.

    The class name itself is accepted as an alias, so that
    ``get_activation("LeakyReLU")`` works as well as ``"leaky_relu"``.
    """

    def register(cls: type) -> type:
        keys = _KEYS[info.kind]
        names = (info.name, *info.aliases, cls.__name__)
        for name in names:
            owner = keys.get(_key(name))
            if owner is not None and owner != info.name:
                raise ValueError(f"The {info.kind} name {name!r} is already taken by {owner!r}.")
        for name in names:
            keys[_key(name)] = info.name
        _ENTRIES[info.kind][info.name] = Entry(info, cls)
        return cls

    return register


def names(kind: Kind) -> list[str]:
    """Canonical names of one kind, in catalog order."""
    return list(_ENTRIES[kind])


_PLURALS: dict[Kind, str] = {"activation": "activations", "loss": "losses"}


def find(name: str, kind: Kind | None = None) -> Entry:
    """Finds the entry for `name` or an alias among one kind, or among both.

    With `kind=None`, activations are searched first, then losses (no name
    belongs to both). An unknown name raises one `ValueError` that suggests
    close names from every kind searched.
    """
    if kind is None:
        kinds = tuple(_ENTRIES)
    elif kind in _ENTRIES:
        kinds = (kind,)
    else:
        raise ValueError(
            f"Expected kind to be None or one of {', '.join(map(repr, _ENTRIES))}. "
            f"Received: kind={kind!r}"
        )
    if not isinstance(name, str):
        what = " or ".join(kinds)
        raise TypeError(f"Expected the {what} name as a str. Received: name={name!r}")
    for k in kinds:
        canonical = _KEYS[k].get(_key(name))
        if canonical is not None:
            return _ENTRIES[k][canonical]
    known = {
        k: sorted({n for e in _ENTRIES[k].values() for n in (e.info.name, *e.info.aliases)})
        for k in kinds
    }
    every_name = [n for k in kinds for n in known[k]]
    close = difflib.get_close_matches(name.lower(), every_name, n=4, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    listing = " ".join(f"Known {_PLURALS[k]}: {', '.join(known[k])}." for k in kinds)
    raise ValueError(
        f"Unknown {' or '.join(kinds)} {name!r}.{hint} {listing} Received: name={name!r}"
    )


def lookup(kind: Kind, name: str) -> Entry:
    """Finds the entry of one kind for `name` or an alias; suggests close names if absent."""
    return find(name, kind)


def entries(kind: Kind) -> list[Entry]:
    return list(_ENTRIES[kind].values())
