"""The logits behind a sigmoid or softmax output: when a cross-entropy may start from them.

A cross-entropy computed from logits is exact for any logit; from
probabilities it must clip. So the cross-entropies start from the logits
behind `y_pred` whenever they are known to have produced it (see
`_remembered_logits`), and the loss classes keep them across the cast to
the loss's dtype (`cast_keeping_logits`).
"""

from __future__ import annotations

import keras
from keras import ops

from keras_actloss import _keras_internals as internals
from keras_actloss import findings
from keras_actloss._tensors import (
    concrete_bool,
    logits_record,
    remember_logits,
)


def _reproduces(y_pred, logits, activation, axis):
    """Whether `activation(logits)` is bitwise `y_pred`; True where values cannot be read."""
    recomputed = ops.sigmoid(logits) if activation == "sigmoid" else ops.softmax(logits, axis)
    try:
        same = concrete_bool(ops.all(ops.equal(recomputed, y_pred)))
    except ValueError:  # shapes that do not even broadcast
        return False
    return True if same is None else same


def _remembered_logits(y_pred, activation, axis=-1):
    """The logits that `activation` over `axis` turned into `y_pred`, or None.

    Our `Sigmoid` and `Softmax` attach a `LogitsRecord` that says which
    activation and axis produced the output (and, after a mask, the masked
    logits), so it is used exactly when it applies, on every backend, in
    eager and graph mode alike. Keras's own `sigmoid` and `softmax` attach
    bare `_keras_logits`, which Keras's cross-entropies use whichever
    activation it was; here a TensorFlow graph's producing op, or eagerly
    the values, must confirm them, and anything unconfirmed is not used.
    JAX tracers (inside `jit`) carry neither, so there the probabilities
    are used.
    """
    rank = len(y_pred.shape)
    record = logits_record(y_pred)
    if record is not None:
        return record.logits if record.produced(activation, axis, rank) else None
    logits = internals.get_keras_logits(y_pred)
    if logits is None:
        return None
    try:
        op_type = y_pred.op.type
    except AttributeError:  # an eager tensor: no op to ask, check the values
        return logits if _reproduces(y_pred, logits, activation, axis) else None
    # TensorFlow's Softmax op normalises the last axis; over another axis Keras
    # transposes around it, and then the op cannot say which axis it was.
    if activation == "sigmoid":
        return logits if op_type == "Sigmoid" else None
    return logits if op_type == "Softmax" and axis % rank == rank - 1 else None


def cast_keeping_logits(y_pred, dtype, activation, axis=-1):
    """Casts `y_pred` to `dtype` without losing the logits behind it.

    `keras.losses.Loss.__call__` casts predictions to the loss's dtype; under
    mixed precision that turns a float16 sigmoid output into a new float32
    tensor without its logits, and Keras's cross-entropy falls back to
    clipped probabilities. The loss classes cast here first instead, so the
    (cast) logits and the Keras mask travel with the cast tensor.
    """
    if not hasattr(y_pred, "dtype") or keras.backend.standardize_dtype(y_pred.dtype) == dtype:
        return y_pred  # a plain list, or a dtype Keras's cast keeps the tensor for
    logits = _remembered_logits(y_pred, activation, axis)
    if logits is None:
        return y_pred
    mask = internals.get_keras_mask(y_pred)
    cast = remember_logits(
        ops.cast(y_pred, dtype),
        ops.cast(logits, dtype),
        activation,
        None if activation == "sigmoid" else axis,
    )
    if mask is not None:
        internals.set_keras_mask(cast, mask)
    return cast


def scores_and_kind(y_pred, from_logits, activation, axis, function_name):
    """Returns `(tensor, is_logits)`: the logits when known, else the probabilities."""
    if from_logits:
        if logits_record(y_pred) is not None or internals.get_keras_logits(y_pred) is not None:
            # The same finding, in the same form, as the pairing checks report.
            findings.emit(
                [
                    findings.finding(
                        "from-logits-after-squash",
                        f"`{function_name}` received `from_logits=True`, but `y_pred` was "
                        "produced by a sigmoid or softmax activation: it holds probabilities "
                        "and is squashed a second time.",
                        "use `from_logits=False`, or drop the output activation.",
                    )
                ],
                stacklevel=4,
            )
        return y_pred, True
    logits = _remembered_logits(y_pred, activation, axis)
    return (y_pred, False) if logits is None else (logits, True)
