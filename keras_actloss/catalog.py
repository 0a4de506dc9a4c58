"""The catalog: one record per activation and loss, and name lookup.

Every other part of the package reads this registry: the layer and loss
classes register themselves here next to their definition, `get_activation`
and `get_loss` resolve names and aliases through it, and the CLI prints it.
It imports nothing heavy so that tools can read it cheaply.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import re
from collections.abc import Callable
from typing import Literal

Kind = Literal["activation", "loss"]

#: The package name classes are registered under for `.keras` serialization.
PACKAGE = "keras_actloss"

#: The tasks of a network's output, as the source articles' cheat sheets name them.
TASKS = ("binary", "multiclass", "multilabel", "regression")

#: The places an activation can sit: a hidden layer, or the output of a task.
ROLES = ("hidden", *(f"{task}_output" for task in TASKS))

#: What a loss expects `y_true` to hold, and how to say it to a user.
TARGETS = {
    "real": "real values",
    "non_negative": "non-negative real values",
    "binary": "0 or 1 per output (probabilities in [0, 1] too)",
    "signed": "-1 or 1 (0 or 1 converted)",
    "one_hot": "one-hot vectors (or probability distributions)",
    "integer_labels": "integer class indices",
    "distribution": "probability distributions (soft targets)",
}

#: What a loss expects `y_pred` to be.
PREDICTIONS = ("values", "probabilities", "probabilities_or_logits", "raw_scores")


@dataclasses.dataclass(frozen=True)
class Article:
    """A source article that describes some of the functions."""

    title: str
    author: str
    year: int | None = None

    def __str__(self):
        year = f", {self.year}" if self.year else ""
        return f'"{self.title}" ({self.author}{year})'


#: The articles the catalog's functions come from, by a short key.
ARTICLES = {
    "mhtechin": Article(
        "Activation Functions and Loss Functions: The Engines of Neural Network Learning",
        "MHTECHIN",
        2026,
    ),
    "mulla": Article(
        "Cost, Activation, Loss Function || Neural Network || Deep Learning. What are these?",
        "M. Z. Mulla",
        2020,
    ),
    "reddy": Article(
        "Activation Functions, Loss Functions, and Hyperparameters: A Deep Dive", "S. Reddy"
    ),
}


def _parse_range(text: str) -> tuple[float, float]:
    match = re.fullmatch(r"\s*[\[(]\s*([^,]+?)\s*,\s*([^,]+?)\s*[\])]\s*", text)
    if not match:
        raise ValueError(
            f"Expected an interval such as '(0, 1)' or '[0, inf)'. Received: output_range={text!r}"
        )
    return tuple(float(bound) for bound in match.groups())


def _check_among(field, values, allowed):
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValueError(f"Expected {field} among {tuple(allowed)}. Received: {field}={unknown}")


@dataclasses.dataclass(frozen=True)
class FunctionInfo:
    """What is known about one function, independent of its code.

    Attributes:
        name: the canonical name (snake_case), e.g. for `hp.Choice`.
        formula: the formula, written once: class docstrings show it too.
        when_to_use: one or two sentences of advice.
        source: the key in `ARTICLES` of the article that describes it.
        aliases: other names `get_activation` / `get_loss` accept.
    """

    name: str
    formula: str
    when_to_use: str
    source: str
    aliases: tuple[str, ...] = ()

    kind: Kind = dataclasses.field(init=False, default="activation")

    def __post_init__(self):
        _check_among("source", [self.source], ARTICLES)

    @property
    def article(self) -> Article:
        return ARTICLES[self.source]


@dataclasses.dataclass(frozen=True)
class ActivationInfo(FunctionInfo):
    """Catalog record of an activation function.

    `output_range` is written as an interval, e.g. ``"(0, 1)"`` or
    ``"[0, inf)"`` (for the default arguments); `bounds` gives it as
    numbers. `elementwise` is False for a function of a whole axis
    (softmax) or of several inputs per output (maxout): those have no
    elementwise `derivative(x)`.
    """

    derivative: str = ""
    output_range: str = "(-inf, inf)"
    zero_centred: bool = False
    monotonic: bool = True
    smooth: bool = True
    roles: frozenset[str] = frozenset()
    learnable: bool = False
    elementwise: bool = True

    kind: Kind = dataclasses.field(init=False, default="activation")

    def __post_init__(self):
        super().__post_init__()
        _parse_range(self.output_range)
        _check_among("roles", self.roles, ROLES)

    @property
    def bounds(self) -> tuple[float, float]:
        """The output range as ``(low, high)`` floats (``±inf`` when unbounded)."""
        return _parse_range(self.output_range)


@dataclasses.dataclass(frozen=True)
class LossInfo(FunctionInfo):
    """Catalog record of a loss (or of a measure to watch rather than minimise).

    Attributes:
        tasks: the tasks it serves, among `TASKS`.
        targets: what `y_true` must hold, a key of `TARGETS`.
        prediction: what `y_pred` must be, among `PREDICTIONS`.
        pairs_with: canonical names of the output activations it goes with.
        differentiable: False when its gradient is zero almost everywhere.
        diagnostic: True when it is a measure to watch rather than to minimise.
    """

    tasks: tuple[str, ...] = ("regression",)
    targets: str = "real"
    prediction: str = "values"
    pairs_with: tuple[str, ...] = ()
    differentiable: bool = True
    diagnostic: bool = False

    kind: Kind = dataclasses.field(init=False, default="loss")

    def __post_init__(self):
        super().__post_init__()
        _check_among("tasks", self.tasks, TASKS)
        _check_among("targets", [self.targets], TARGETS)
        _check_among("prediction", [self.prediction], PREDICTIONS)


@dataclasses.dataclass(frozen=True)
class Entry:
    """A catalog record together with the class that implements it."""

    info: FunctionInfo
    implementation: type

    @property
    def required_arguments(self) -> tuple[str, ...]:
        """Constructor arguments without a default (Maxout's `units`)."""
        parameters = inspect.signature(self.implementation.__init__).parameters.values()
        return tuple(
            p.name
            for p in list(parameters)[1:]
            if p.default is inspect.Parameter.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )


_ENTRIES: dict[Kind, dict[str, Entry]] = {"activation": {}, "loss": {}}
_KEYS: dict[Kind, dict[str, str]] = {"activation": {}, "loss": {}}


def _key(name: str) -> str:
    # "Leaky ReLU", "leaky-relu", "leaky_relu" and "LeakyReLU" name one thing.
    return re.sub(r"[\s_\-]", "", name.lower())


def register(info: FunctionInfo) -> Callable[[type], type]:
    """Class decorator: records `info` in the catalog and registers the class with Keras.

    The one step that makes a new activation layer or loss class part of the
    package: name lookup, the CLI, the generated README tables and the
    catalog-driven tests all read the catalog, and the Keras registration
    (under the package ``keras_actloss``) lets `.keras` files that use it
    load. The class name itself is accepted as an alias, so that
    ``get_activation("LeakyReLU")`` works as well as ``"leaky_relu"``. A
    ``{formula}`` (``{derivative}``) in the docstring of the class, its
    `function` or its `derivative_function` becomes the record's formula
    (derivative), so each is written once.
    """

    def decorate(cls: type) -> type:
        import keras  # the classes are Keras classes: it is loaded already

        base = keras.layers.Layer if info.kind == "activation" else keras.losses.Loss
        if not (isinstance(cls, type) and issubclass(cls, base)):
            raise TypeError(
                f"Expected a subclass of {base.__module__}.{base.__name__} for the "
                f"{info.kind} {info.name!r}. Received: cls={cls!r}"
            )
        keys = _KEYS[info.kind]
        names = (info.name, *info.aliases, cls.__name__)
        for name in names:
            owner = keys.get(_key(name))
            if owner is not None and owner != info.name:
                raise ValueError(f"The {info.kind} name {name!r} is already taken by {owner!r}.")
        cls = keras.saving.register_keras_serializable(package=PACKAGE)(cls)
        _fill_formulas(cls, info)
        for name in names:
            keys[_key(name)] = info.name
        _ENTRIES[info.kind][info.name] = Entry(info, cls)
        return cls

    return decorate


def _fill_formulas(cls, info):
    """Writes the record's formula (and derivative) where docstrings say ``{formula}``."""
    texts = {"{formula}": f"``{info.formula}``"}
    if getattr(info, "derivative", ""):
        texts["{derivative}"] = f"``{info.derivative}``"
    documented = [cls, getattr(cls, "function", None), getattr(cls, "derivative_function", None)]
    for obj in documented:
        if obj is None or not obj.__doc__:  # None under `python -OO`
            continue
        doc = obj.__doc__
        for placeholder, text in texts.items():
            doc = doc.replace(placeholder, text)
        obj.__doc__ = doc


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


def entry_of(obj) -> Entry | None:
    """The entry of a class or instance of the catalog (or of a subclass of one), else None."""
    cls = obj if isinstance(obj, type) else type(obj)
    implementations = {e.implementation: e for kind in _ENTRIES.values() for e in kind.values()}
    return next((implementations[c] for c in cls.__mro__ if c in implementations), None)


def entries(kind: Kind) -> list[Entry]:
    return list(_ENTRIES[kind].values())
