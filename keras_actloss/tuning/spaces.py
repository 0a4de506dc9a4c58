"""Search-space helpers: activations and output heads from the catalog, for `hp.Choice`.

A head is an output activation and a loss chosen together. The candidates
for a task are every output activation of the catalog for that task times
every trainable loss for it (and both `from_logits` settings of the
cross-entropies), kept only when the pairing checks pass them: `check_pairing`
on a probe model with that output, and `check_targets` on the targets. So no
trial of a search ever builds a pair the validator flags, and the rules are
written once, in `keras_actloss.pairing`.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from keras_actloss import _validation as check
from keras_actloss import catalog, lookup
from keras_actloss.pairing import check_pairing, check_targets
from keras_actloss.pairing.targets import _Summary, _to_numpy, suggest_head

#: The values of `task` the helpers take: the catalog's tasks, or "auto" (inferred from `y`).
TASK_CHOICES = (*catalog.TASKS, "auto")

#: A loss's own hyperparameters, searched only when that loss is chosen:
#: {loss name: {argument: keyword arguments of `hp.Float`}}.
LOSS_HYPERPARAMETERS = {
    "huber": {"delta": {"min_value": 0.1, "max_value": 10.0, "sampling": "log", "default": 1.0}},
}

# Severities that rule a pair out; an "info" finding is advice, not a mismatch.
_REJECTING = ("error", "warning")


@dataclasses.dataclass(frozen=True)
class HeadOption:
    """One output activation and loss (and `from_logits`) that suit a task and its targets.

    Attributes:
        activation: the canonical name of the output activation.
        loss: the canonical name of the loss.
        from_logits: the loss's `from_logits`, or None for a loss without one.
    """

    activation: str
    loss: str
    from_logits: bool | None = None

    @property
    def name(self):
        """The value `hp.Choice` holds, e.g. ``"linear+binary_crossentropy(from_logits)"``."""
        logits = "(from_logits)" if self.from_logits else ""
        return f"{self.activation}+{self.loss}{logits}"

    @property
    def raw_scores(self):
        """Whether the output is a score whose sign decides the class, not a probability."""
        prediction = catalog.lookup("loss", self.loss).info.prediction
        return bool(self.from_logits) or prediction == "raw_scores"

    def loss_arguments(self):
        return {} if self.from_logits is None else {"from_logits": self.from_logits}


def _typical_targets(task, units):
    """Targets of the usual kind for `task` with `units` outputs, when none are given."""
    rows = np.arange(8)
    if task == "binary":
        return (rows % 2).reshape(-1, 1).astype("float32")
    if task == "multilabel":
        return ((rows[:, None] + np.arange(units)) % 3 == 0).astype("float32")
    if task == "multiclass":
        return np.arange(max(units, 2)) % units
    return np.linspace(-2.0, 2.0, 8 * units, dtype="float32").reshape(8, units)


def _check_units(units, task):
    if task in ("multiclass", "multilabel") and units is None:
        raise ValueError(
            f"Expected `units` (the number of classes) or targets `y` for task={task!r}. "
            "Received: neither"
        )
    if units is None:
        return 1
    units = check.check_integer("units", units, minimum=1)
    if task == "multiclass" and units < 2:
        raise ValueError(f"Expected units >= 2 for task='multiclass'. Received: units={units}")
    return units


def _resolve(task, y, units):
    """(task, units, targets array, canonical head) for the arguments of the helpers."""
    check.check_choice("task", task, TASK_CHOICES)
    if y is None:
        if task == "auto":
            raise ValueError("Expected targets `y` with task='auto'. Received: y=None")
        units = _check_units(units, task)
        y = _typical_targets(task, units)
    else:
        y = _to_numpy(y)
    canonical = suggest_head(y, task=None if task == "auto" else task)
    if units is not None and check.check_integer("units", units, minimum=1) != canonical.units:
        raise ValueError(
            f"The targets need {canonical.units} output unit(s) for task={canonical.task!r}. "
            f"Received: units={units}"
        )
    return canonical.task, canonical.units, y, canonical


def _probe(activation, units):
    """The smallest model with this output, for the pairing checks to read."""
    inputs = keras.Input((1,))
    return keras.Model(inputs, lookup.get_activation(activation)(keras.layers.Dense(units)(inputs)))


def _signed(y):
    return bool(np.isin(np.unique(y), (-1.0, 1.0)).all() and np.min(y) < 0)


_cache = {}


def _heads(task, y, units):
    """(the canonical `Head`, the accepted `HeadOption`s with its own first), cached."""
    task, units, y, canonical = _resolve(task, y, units)
    key = (task, units, tuple(y.shape[1:]), _Summary.of(y))
    if key not in _cache:
        accepted = _accepted(task, units, y, canonical)
        if not accepted:
            raise ValueError(
                f"Expected targets that some output head of task={task!r} suits; the pairing "
                f"checks reject every head for these (range [{key[3].low:g}, {key[3].high:g}], "
                f"{key[3].distinct} distinct values). Received: y of shape {y.shape}"
            )
        _cache[key] = canonical, accepted
    return _cache[key]


def _accepted(task, units, y, canonical):
    signed = _signed(y)
    usual = HeadOption(
        catalog.entry_of(canonical.activation).info.name,
        catalog.entry_of(canonical.loss).info.name,
        getattr(canonical.loss, "from_logits", None),
    )
    accepted = []
    for activation in lookup.activation_names(task=task):
        probe = _probe(activation, units)
        for loss in lookup.loss_names(task, trainable=True):
            info = catalog.lookup("loss", loss).info
            if (info.targets == "signed") != signed:
                continue  # the hinge losses for {-1, 1} labels, and only for those
            logits = (False, True) if info.prediction == "probabilities_or_logits" else (None,)
            for from_logits in logits:
                option = HeadOption(activation, loss, from_logits)
                instance = lookup.get_loss(loss, **option.loss_arguments())
                found = check_pairing(probe, instance) + check_targets(probe, y, instance)
                if not any(f.severity in _REJECTING for f in found):
                    accepted.append(option)
    return tuple(sorted(accepted, key=lambda option: option != usual))


def head_options(task, y=None, *, units=None):
    """The heads the pairing checks accept for `task` and targets `y`, the usual one first.

    Without `y`, the task's usual targets are assumed: {0, 1} labels for
    "binary" and "multilabel", integer labels for "multiclass" (sparse
    categorical cross-entropy), real values of either sign for
    "regression". With `y`, the targets decide what the task alone cannot:
    one-hot rows or integer labels, non-negative targets (MSLE), targets in
    [0, 1] (a sigmoid output), {-1, 1} labels (the hinge losses, which are
    offered only for those).

    Args:
        task: one of `catalog.TASKS`, or "auto" to infer it from `y`.
        y: the training targets (optional).
        units: the output's units; needed without `y` for "multiclass" and
            "multilabel", checked against `y` with it.

    Returns:
        A tuple of `HeadOption`s; the first is `suggest_head`'s choice.
    """
    return _heads(task, y, units)[1]


def hp_activation(hp, name="activation", role="hidden", *, values=None, default=None):
    """Chooses an activation of the catalog for `role`, as `hp.Choice(name, ...)`.

    Example:
    >>> def build(hp):
    ...     activation = hp_activation(hp)  # e.g. "leaky_relu"
    ...     x = keras.layers.Dense(32)(inputs)
    ...     x = keras_actloss.get_activation(activation)(x)

    Args:
        hp: a `keras_tuner.HyperParameters`.
        name: the hyperparameter's name.
        role: "hidden", or an output role such as "regression_output"
            (see `catalog.ROLES`).
        values: a subset of the role's names or aliases to choose among;
            default all of them (except those that need arguments, such as
            maxout's `units`).
        default: the value of the first trial; default the first value.

    Returns:
        The chosen canonical name, for `keras_actloss.get_activation`.
    """
    check.check_choice("role", role, catalog.ROLES)
    fitting = [
        e.info.name
        for e in catalog.entries("activation")
        if role in e.info.roles and not e.required_arguments
    ]
    if values is None:
        values = fitting
    else:
        values = list(dict.fromkeys(catalog.lookup("activation", v).info.name for v in values))
        unfit = [v for v in values if v not in fitting]
        if unfit or not values:
            raise ValueError(
                f"Expected activations among {fitting} for role={role!r}. Received: values={unfit}"
            )
    if default is not None:
        default = catalog.lookup("activation", default).info.name
        check.check_choice("default", default, values)
    return hp.Choice(name, values, default=default)


def hp_head(hp, task, y=None, *, units=None, name="head", values=None):
    """Chooses an output activation and a loss together, among the pairs that suit the targets.

    The choice is one `hp.Choice(name, ...)` over `HeadOption.name`s (see
    `head_options` for which pairs are offered); a loss's own
    hyperparameters (`LOSS_HYPERPARAMETERS`, e.g. Huber's `delta`) are
    conditional ones, active only in trials that chose that loss, and
    `from_logits` is part of the head.

    Example:
    >>> def build(hp):
    ...     head = hp_head(hp, "binary")
    ...     x = inputs
    ...     for layer in head.output_layers(name="output"):
    ...         x = layer(x)
    ...     model = keras.Model(inputs, x)
    ...     model.compile("adam", loss=head.loss)

    Args:
        hp: a `keras_tuner.HyperParameters`.
        task: one of `catalog.TASKS`, or "auto" to infer it from `y`.
        y: the training targets (optional, see `head_options`).
        units: the output's units (see `head_options`).
        name: the hyperparameter's name.
        values: a subset of the offered `HeadOption.name`s.

    Returns:
        A `keras_actloss.pairing.Head` with new layer and loss instances.
    """
    canonical, options = _heads(task, y, units)
    return choose_head(hp, name, canonical, chosen_options(options, values, "values"))


def chosen_options(options, names, argument):
    """The `options` named in `names` (all of them for None); unknown names raise."""
    if names is None:
        return options
    offered = {o.name: o for o in options}
    if not names or any(n not in offered for n in names):
        raise ValueError(
            f"Expected heads among {list(offered)}. Received: {argument}={list(names)}"
        )
    return tuple(offered[n] for n in names)


def choose_head(hp, name, canonical, options):
    """`hp_head` for options already computed (a hypermodel computes them once)."""
    chosen = hp.Choice(name, [o.name for o in options], default=options[0].name)
    option = next(o for o in options if o.name == chosen)
    arguments = option.loss_arguments()
    for loss, hyperparameters in LOSS_HYPERPARAMETERS.items():
        users = [o.name for o in options if o.loss == loss]
        if not users:
            continue
        with hp.conditional_scope(name, users):
            for argument, space in hyperparameters.items():
                value = hp.Float(f"{loss}_{argument}", **space)
                if option.loss == loss:
                    arguments[argument] = value
    return dataclasses.replace(
        canonical,
        activation=lookup.get_activation(option.activation),
        loss=lookup.get_loss(option.loss, **arguments),
        reason=f"{option.name}, chosen by the search",
    )
