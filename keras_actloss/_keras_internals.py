"""Every Keras internal this package relies on, in one place.

Keras 3 has no public API for these; its own losses, metrics and
activations use them. A Keras release that moves one breaks this module
alone, and `tests/test_keras_internals.py` names which.
"""

from __future__ import annotations

from keras.src.backend import get_keras_mask, set_keras_mask
from keras.src.losses.loss import scale_loss_for_distribution, unscale_loss_for_distribution

__all__ = [
    "get_keras_logits",
    "node_inputs",
    "producer",
    "get_keras_mask",
    "scale_loss_for_distribution",
    "set_keras_logits",
    "set_keras_mask",
    "set_metric_direction",
    "unscale_loss_for_distribution",
]

# `keras.activations.sigmoid` and `softmax` leave their input on their output
# under this name, and Keras's cross-entropies start again from it when they
# find it (whichever activation it came from).
_KERAS_LOGITS = "_keras_logits"


def get_keras_logits(tensor):
    """The logits Keras (or anyone) attached to `tensor`, or None."""
    return getattr(tensor, _KERAS_LOGITS, None)


def set_keras_logits(tensor, logits):
    """Attaches `logits` for Keras's cross-entropies; False where the tensor takes no attributes.

    JAX tracers (inside `jit`, so inside `fit` and `evaluate` on JAX) take none.
    """
    try:
        setattr(tensor, _KERAS_LOGITS, logits)
    except AttributeError:
        return False
    return True


def set_metric_direction(metric, direction):
    """Tells Keras's callbacks (`EarlyStopping`, `ModelCheckpoint`) which way is better.

    `direction` is "up" or "down"; Keras reads `Metric._direction`.
    """
    metric._direction = direction


def producer(tensor):
    """The layer that produced a symbolic tensor and which of its outputs it is.

    Returns `(layer, node_index, tensor_index)` from Keras's
    `_keras_history`, or None for a model input.
    """
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return None
    return history.operation, history.node_index, history.tensor_index


def node_inputs(layer, node_index):
    """The symbolic input tensors of one call (node) of `layer`."""
    return list(layer._inbound_nodes[node_index].input_tensors)
