"""Name lookup: turn a catalog name or alias into a configured Keras object.

Keras only resolves its own built-in names in `compile(loss="...")` and
`Dense(activation="...")`; these helpers give users (and `hp.Choice`, which
only takes strings) the same convenience for ours.
"""

from __future__ import annotations

from keras_actloss import catalog


def get_activation(name, **kwargs):
    """Returns a new activation layer for `name` (canonical name or alias).

    Example:
    >>> keras_actloss.get_activation("leaky_relu", negative_slope=0.1)
    <LeakyReLU name=leaky_re_lu, built=True>

    Raises:
        ValueError: for an unknown name (with close matches) or bad arguments.
    """
    return catalog.lookup("activation", name).implementation(**kwargs)


def activation_names():
    """The canonical activation names, e.g. for `hp.Choice("activation", ...)`."""
    return catalog.names("activation")


def get_loss(name, **kwargs):
    """Returns a new loss for `name` (canonical name or alias), e.g. for `compile`.

    Example:
    >>> keras_actloss.get_loss("huber", delta=2.0)
    Huber(delta=2.0)
    >>> model.compile(loss=keras_actloss.get_loss("bce"))

    Raises:
        ValueError: for an unknown name (with close matches) or bad arguments.
    """
    return catalog.lookup("loss", name).implementation(**kwargs)


def loss_names():
    """The canonical loss names, e.g. for `hp.Choice("loss", ...)`."""
    return catalog.names("loss")


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
