"""What an output activation or a loss is, however the user spelled it.

Keras names the same thing many ways: ``"mse"``, `keras.losses.mean_squared_error`,
`keras.losses.MeanSquaredError()` and ours are one loss; ``"softmax"``,
`keras.activations.softmax`, `keras.layers.Softmax()`, ``Dense(activation=...)``
and ours one activation. These functions map each spelling to its catalog
entry, so the rules are written once, against the catalog. A spelling they
do not know comes back with `name=None`: the rules then say "not checked"
instead of guessing.
"""

from __future__ import annotations

import dataclasses
import math

import keras

from keras_actloss import catalog
from keras_actloss.activations import ActivationLayer, Step

INF = math.inf

# `keras.activations` functions whose name differs from the catalog's.
_KERAS_ACTIVATION_NAMES = {"silu": "swish"}


@dataclasses.dataclass(frozen=True)
class ActivationUse:
    """An activation as used in a model: its catalog name and its range there.

    `name` is None for an activation the catalog does not know.
    `zero_gradient` is True for a step that passes no gradient.
    """

    name: str | None
    bounds: tuple[float, float] = (-INF, INF)
    spelled: str = ""
    zero_gradient: bool = False

    @property
    def within_unit_interval(self):
        """Whether every output lies in [0, 1], as a probability must."""
        return self.bounds[0] >= 0.0 and self.bounds[1] <= 1.0

    @property
    def linear(self):
        return self.name == "linear"


@dataclasses.dataclass(frozen=True)
class LossUse:
    """A loss as compiled: its catalog record and its `from_logits` flag."""

    info: catalog.LossInfo | None
    from_logits: bool = False
    spelled: str = ""
    ignore_class: int | None = None  # a sparse label the loss skips

    @property
    def name(self):
        return None if self.info is None else self.info.name

    @property
    def class_name(self):
        """Our class of this loss (``'bce'`` -> ``BinaryCrossentropy``), for messages."""
        return catalog.find(self.name, "loss").implementation.__name__


def _catalog_bounds(name):
    return catalog.find(name, "activation").info.bounds


def _known_activation(name, spelled, **fields):
    return ActivationUse(name, fields.pop("bounds", _catalog_bounds(name)), spelled, **fields)


def _spelling(obj):
    """How the user wrote it, for messages: ``'mse'``, ``sigmoid``, ``Softmax``."""
    if isinstance(obj, str):
        return repr(obj)
    if hasattr(obj, "__name__"):  # a function or a class
        return obj.__name__
    return type(obj).__name__


def activation_use(obj):
    """The `ActivationUse` of an activation given as a string, function or layer."""
    spelled = _spelling(obj)
    if obj is None:
        return _known_activation("linear", "None")
    if isinstance(obj, ActivationLayer):
        entry = catalog.entry_of(obj)
        if entry is None:
            return ActivationUse(None, spelled=spelled)
        zero = isinstance(obj, Step) and obj.gradient == "zero"
        return _known_activation(
            entry.info.name, spelled, bounds=obj.output_bounds(), zero_gradient=zero
        )
    layers = keras.layers
    if isinstance(obj, layers.Activation):
        return dataclasses.replace(activation_use(obj.activation), spelled=spelled)
    if isinstance(obj, layers.Softmax):
        return _known_activation("softmax", spelled)
    if isinstance(obj, layers.LeakyReLU):
        return _known_activation("leaky_relu", spelled)
    if isinstance(obj, layers.PReLU):
        return _known_activation("prelu", spelled)
    if isinstance(obj, layers.ELU):
        return _known_activation("elu", spelled, bounds=(-float(obj.alpha), INF))
    if isinstance(obj, layers.ReLU):
        if obj.negative_slope:
            return _known_activation("leaky_relu", spelled)
        high = INF if obj.max_value is None else float(obj.max_value)
        return _known_activation("relu", spelled, bounds=(0.0, high))
    if isinstance(obj, str):
        try:
            obj = keras.activations.get(obj)
        except ValueError:
            try:
                return _known_activation(catalog.find(obj, "activation").info.name, spelled)
            except ValueError:
                return ActivationUse(None, spelled=spelled)
    if callable(obj) and hasattr(obj, "__name__"):
        name = _KERAS_ACTIVATION_NAMES.get(obj.__name__, obj.__name__)
        try:
            return _known_activation(catalog.find(name, "activation").info.name, spelled)
        except ValueError:
            pass
    return ActivationUse(None, spelled=spelled)


def loss_use(obj):
    """The `LossUse` of a loss given as a string, function, class or instance."""
    spelled = _spelling(obj)
    if isinstance(obj, type) and issubclass(obj, keras.losses.Loss):
        try:
            obj = obj()
        except TypeError:
            return LossUse(None, spelled=spelled)
    entry = catalog.entry_of(obj) if isinstance(obj, keras.losses.Loss) else None
    ignore_class = getattr(obj, "ignore_class", None)
    if entry is not None:
        return LossUse(entry.info, bool(getattr(obj, "from_logits", False)), spelled, ignore_class)
    if isinstance(obj, keras.losses.Loss):
        # Keras's loss classes wrap a function (`fn`) and keep `from_logits` (and
        # `ignore_class`) as attributes.
        function = getattr(obj, "fn", None)
        names = [getattr(function, "__name__", None), type(obj).__name__]
        found = _loss_by_names(names, bool(getattr(obj, "from_logits", False)), spelled)
        return dataclasses.replace(found, ignore_class=ignore_class)
    if isinstance(obj, str):
        try:
            resolved = keras.losses.get(obj)
        except ValueError:
            return _loss_by_names([obj], False, spelled)
        return dataclasses.replace(loss_use(resolved), spelled=spelled)
    if callable(obj) and hasattr(obj, "__name__"):
        return _loss_by_names([obj.__name__], False, spelled)
    return LossUse(None, spelled=spelled)


def _loss_by_names(names, from_logits, spelled):
    for name in names:
        if not name:
            continue
        try:
            return LossUse(catalog.find(name, "loss").info, from_logits, spelled)
        except ValueError:
            continue
    return LossUse(None, from_logits, spelled)
