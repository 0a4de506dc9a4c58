"""Name lookup: turn a catalog name or alias into a configured Keras object.

Keras only resolves its own built-in names in `compile(loss="...")` and
`Dense(activation="...")`; these helpers give users (and `hp.Choice`, which
only takes strings) the same convenience for ours.
"""

from __future__ import annotations

from keras_actloss import _validation as check
from keras_actloss import catalog

__all__ = ["activation_names", "describe", "get_activation", "get_loss", "loss_names"]


def get_activation(name, /, **kwargs):
    """Returns a new activation layer for `name` (canonical name or alias).

    Example:
    >>> keras_actloss.get_activation("leaky_relu", negative_slope=0.1)
    <LeakyReLU name=leaky_re_lu, built=True>

    Raises:
        ValueError: for an unknown name (with close matches) or bad arguments.
    """
    return catalog.lookup("activation", name).implementation(**kwargs)


def activation_names(role=None, *, task=None, elementwise=None, include_required=False):
    """Canonical activation names, e.g. for `hp.Choice("activation", ...)`.

    By default every name whose layer builds with no required argument, so
    that ``get_activation(name)`` works for each (`Maxout` needs `units`).

    Args:
        role: `"hidden"` or `"output"`, or None for both.
        task: with `role="output"` (implied), only outputs for this task,
            one of `catalog.TASKS`.
        elementwise: True or False to keep only elementwise activations
            or only the others (softmax, maxout); None for both.
        include_required: also list layers that need arguments.
    """
    if role is not None:
        check.check_choice("role", role, ("hidden", "output"))
    if task is not None:
        check.check_choice("task", task, catalog.TASKS)
        if role == "hidden":
            raise ValueError(f"`task` selects output activations. Received: role={role!r}")
        role = "output"
    check.check_bool("include_required", include_required)
    found = []
    for entry in catalog.entries("activation"):
        info = entry.info
        outputs = {r for r in info.roles if r.endswith("_output")}
        if role == "hidden" and "hidden" not in info.roles:
            continue
        if role == "output" and not outputs:
            continue
        if task is not None and f"{task}_output" not in outputs:
            continue
        if elementwise is not None and info.elementwise != elementwise:
            continue
        if entry.required_arguments and not include_required:
            continue
        found.append(info.name)
    return found


def get_loss(name, /, **kwargs):
    """Returns a new loss for `name` (canonical name or alias), e.g. for `compile`.

    Example:
    >>> keras_actloss.get_loss("huber", delta=2.0)
    Huber(delta=2.0)
    >>> model.compile(loss=keras_actloss.get_loss("bce"))

    Raises:
        ValueError: for an unknown name (with close matches) or bad arguments.
    """
    return catalog.lookup("loss", name).implementation(**kwargs)


def loss_names(task=None, *, trainable=None):
    """Canonical loss names, e.g. for `hp.Choice("loss", ...)`.

    Args:
        task: only losses for this task, one of `catalog.TASKS`.
        trainable: True keeps only losses that gradient descent can
            minimise (not the 0-1 loss, whose gradient is zero, nor the
            mean error, which is unbounded below); False only the others.
    """
    if task is not None:
        check.check_choice("task", task, catalog.TASKS)
    if trainable is not None:
        check.check_bool("trainable", trainable)
    return [
        e.info.name
        for e in catalog.entries("loss")
        if (task is None or task in e.info.tasks)
        and (trainable is None or trainable == (e.info.differentiable and not e.info.diagnostic))
    ]


def describe(name, kind=None):
    """Returns the catalog record for an activation or loss name or alias.

    Args:
        name: a canonical name or alias, e.g. `"silu"` or `"bce"`.
        kind: `"activation"` or `"loss"` to search one kind only; `None`
            (default) searches both.

    Raises:
        ValueError: for an unknown name, with close matches of every kind searched.
    """
    return catalog.find(name, kind).info
