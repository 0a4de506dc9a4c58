"""Measures from the catalog that are metrics rather than training objectives.

RMSE, the (signed) mean error, the zero-one error (misclassification
rate) and its complement, a binary accuracy that also reads logits and
{-1, 1} labels, as `keras.metrics` that accumulate over an epoch. Each reuses its
per-sample loss function, so the formula is written once.

They are registered as ``keras_actloss>metrics.NAME``: the loss classes
`RootMeanSquaredError` and `MeanError` already hold ``keras_actloss>NAME``,
and Keras's registry would silently let one class replace the other.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_actloss import _keras_internals as internals
from keras_actloss import _validation as check
from keras_actloss import losses as L

_PACKAGE = "keras_actloss"


def _register(cls):
    return keras.saving.register_keras_serializable(_PACKAGE, name=f"metrics.{cls.__name__}")(cls)


class _PerSampleMean(keras.metrics.MeanMetricWrapper):
    """Base class: the (weighted) mean of a per-sample function over all batches seen.

    Both inputs are cast to the metric's dtype first, as Keras's metrics do,
    so a float16 output (mixed precision) cannot overflow the computation.
    The function is evaluated elementwise (each element of the last axis as
    a sample of its own), so that `sample_weight` may be per sample or per
    element; without weights that is the same mean. `get_config` returns
    every constructor argument: `name`, `dtype` and the function's keyword
    arguments.
    """

    function = None

    def __init__(self, name, dtype=None, **arguments):
        super().__init__(fn=type(self).function, name=name, dtype=dtype, **arguments)
        self._arguments = arguments
        internals.set_metric_direction(self, "down")  # lower is better

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = internals.get_keras_mask(y_pred)
        y_true, y_pred = L.align_shapes(y_true, ops.cast(y_pred, self.dtype))
        y_true, y_pred = ops.expand_dims(y_true, -1), ops.expand_dims(y_pred, -1)
        if mask is not None:  # `MeanMetricWrapper` reads it from `y_pred`
            internals.set_keras_mask(y_pred, mask)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **self._arguments}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@_register
class RootMeanSquaredError(_PerSampleMean):
    """Root mean squared error over everything seen: ``sqrt(mean((y_true - y_pred)^2))``.

    The root of the accumulated (weighted) mean of squared errors, like
    `keras.metrics.RootMeanSquaredError`.

    Example:
    >>> m = keras_actloss.metrics.RootMeanSquaredError()
    >>> m.update_state([[0.0], [0.0]], [[3.0], [4.0]])
    >>> m.result()
    3.5355

    Args:
        name: the metric's name.
        dtype: the dtype of the result.
    """

    function = staticmethod(L.mean_squared_error)

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return ops.sqrt(super().result())


@_register
class MeanError(_PerSampleMean):
    """Mean signed error ``mean(y_true - y_pred)``: positive when predictions are too low.

    Example:
    >>> m = keras_actloss.metrics.MeanError()
    >>> m.update_state([[1.0], [3.0]], [[2.0], [0.0]])
    >>> m.result()
    1.0

    Args:
        name: the metric's name.
        dtype: the dtype of the result.
    """

    function = staticmethod(L.mean_error)

    def __init__(self, name="mean_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class _Thresholded(_PerSampleMean):
    """Base class: a per-sample function of a decision at `threshold` on the probability."""

    default_name = None

    def __init__(self, threshold=0.5, from_logits=False, name=None, dtype=None):
        super().__init__(
            name=name or self.default_name,
            dtype=dtype,
            threshold=check.check_threshold("threshold", threshold),
            from_logits=check.check_bool("from_logits", from_logits),
        )


@_register
class ZeroOneError(_Thresholded):
    """Zero-one error, the misclassification rate: ``1 - binary accuracy``.

    An output is predicted positive when ``y_pred > threshold`` (with
    `from_logits=True`, when ``sigmoid(y_pred) > threshold``); a label is
    positive when > 0.5, so {0, 1} and {-1, 1} labels both work.

    Example:
    >>> m = keras_actloss.metrics.ZeroOneError()
    >>> m.update_state([[1.0], [0.0]], [[0.9], [0.7]])
    >>> m.result()
    0.5

    Args:
        threshold: float in (0, 1), the decision threshold on the probability.
        from_logits: whether `y_pred` holds logits (raw scores).
        name: the metric's name.
        dtype: the dtype of the result.
    """

    function = staticmethod(L.zero_one_loss)
    default_name = "zero_one_error"


def binary_accuracy(y_true, y_pred, threshold=0.5, from_logits=False):
    """Per-sample accuracy: one minus the 0-1 loss."""
    return 1.0 - L.zero_one_loss(y_true, y_pred, threshold=threshold, from_logits=from_logits)


@_register
class BinaryAccuracy(_Thresholded):
    """Binary accuracy for probabilities or raw scores, and {0, 1} or {-1, 1} labels.

    Keras's `BinaryAccuracy` thresholds `y_pred` as given and compares it
    with labels in {0, 1}: on logits (a linear output trained with
    `from_logits=True`) it needs `threshold=0`, and with the {-1, 1} labels
    of the hinge losses it counts every -1 as wrong. This one predicts
    positive when ``y_pred > threshold`` (with `from_logits=True`, when
    ``sigmoid(y_pred) > threshold``, so a raw score or a tanh output is
    positive above 0) and takes a label as positive when it is > 0.5. It is
    ``1 - ZeroOneError``.

    Example:
    >>> m = keras_actloss.metrics.BinaryAccuracy(from_logits=True)
    >>> m.update_state([[1.0], [-1.0]], [[2.3], [0.4]])
    >>> m.result()
    0.5

    Args:
        threshold: float in (0, 1), the decision threshold on the probability.
        from_logits: whether `y_pred` holds logits (raw scores).
        name: the metric's name.
        dtype: the dtype of the result.
    """

    function = staticmethod(binary_accuracy)
    default_name = "binary_accuracy"

    def __init__(self, threshold=0.5, from_logits=False, name=None, dtype=None):
        super().__init__(threshold, from_logits, name, dtype)
        internals.set_metric_direction(self, "up")


__all__ = ["BinaryAccuracy", "MeanError", "RootMeanSquaredError", "ZeroOneError"]
