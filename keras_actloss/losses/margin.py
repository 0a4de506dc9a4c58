"""Margin losses on raw scores, and the perceptron's: hinge, squared hinge, perceptron, 0-1.

Each loss is its per-sample function (`keras.ops`) and its `Loss` class,
next to each other; `catalog.register` records the class in the catalog and
registers it with Keras."""

from __future__ import annotations

import math

from keras import ops

from keras_actloss import _validation as check
from keras_actloss import catalog
from keras_actloss._tensors import (
    as_float,
    propagate_nan,
)
from keras_actloss.catalog import LossInfo
from keras_actloss.losses._base import PerSampleLoss, align_shapes, per_sample

__all__ = [
    "Hinge",
    "PerceptronLoss",
    "SquaredHinge",
    "ZeroOneLoss",
    "hinge",
    "perceptron_loss",
    "squared_hinge",
    "zero_one_loss",
]


def _signed_labels(y_true):
    # Keras's rule for hinge losses: labels that are all 0 or 1 become -1 or 1;
    # any other labels are used as given. A `where`, not a `cond`, so that it
    # stays one fused graph.
    binary = ops.all(ops.logical_or(ops.equal(y_true, 0.0), ops.equal(y_true, 1.0)))
    return ops.where(binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """Hinge loss per sample: {formula}.

    The SVM loss on raw scores. Labels are -1 or 1; labels that are all 0 or
    1 are converted, as Keras does.

    Example:
    >>> hinge([[1.0, -1.0]], [[0.5, -2.0]])
    [0.25]

    Args:
        y_true: labels in {-1, 1} (or {0, 1}), shape `(batch, d0, .. dN)`.
        y_pred: raw scores, the same shape.
    """
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    return per_sample(ops.relu(1.0 - _signed_labels(y_true) * y_pred))


@catalog.register(
    LossInfo(
        name="hinge",
        aliases=("hinge_loss", "svm_loss"),
        formula="L = mean(max(0, 1 - y * y_hat)), y in {-1, 1}",
        tasks=("binary",),
        targets="signed",
        prediction="raw_scores",
        pairs_with=("linear", "tanh"),
        when_to_use=(
            "Maximum-margin (SVM-style) binary classification on raw scores, when the margin "
            "matters more than calibrated probabilities. Not after a sigmoid."
        ),
        source="mhtechin",
    )
)
class Hinge(PerSampleLoss):
    """Hinge loss: {formula}.

    Labels that are all 0 or 1 are converted to -1 or 1, as Keras does. A
    drop-in for `keras.losses.Hinge`.

    Example:
    >>> keras_actloss.losses.Hinge()([[1.0], [-1.0]], [[0.5], [-2.0]])
    0.25

    Args:{reduction}
    """

    function = staticmethod(hinge)
    default_name = "hinge"


def squared_hinge(y_true, y_pred):
    """Squared hinge loss per sample: {formula}.

    Smooth at the margin, and penalizes large violations more than `hinge`.

    Example:
    >>> squared_hinge([[1.0, -1.0]], [[0.5, -2.0]])
    [0.125]

    Args:
        y_true: labels in {-1, 1} (or {0, 1}), shape `(batch, d0, .. dN)`.
        y_pred: raw scores, the same shape.
    """
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    return per_sample(ops.square(ops.relu(1.0 - _signed_labels(y_true) * y_pred)))


@catalog.register(
    LossInfo(
        name="squared_hinge",
        aliases=("squared_hinge_loss", "l2_hinge"),
        formula="L = mean(max(0, 1 - y * y_hat)^2), y in {-1, 1}",
        tasks=("binary",),
        targets="signed",
        prediction="raw_scores",
        pairs_with=("linear", "tanh"),
        when_to_use=(
            "Like the hinge loss, but smooth at the margin and harder on large violations."
        ),
        source="mulla",
    )
)
class SquaredHinge(PerSampleLoss):
    """Squared hinge loss: {formula}.

    A drop-in for `keras.losses.SquaredHinge`.

    Example:
    >>> keras_actloss.losses.SquaredHinge()([[1.0], [-1.0]], [[0.5], [-2.0]])
    0.125

    Args:{reduction}
    """

    function = staticmethod(squared_hinge)
    default_name = "squared_hinge"


def perceptron_loss(y_true, y_pred):
    """Rosenblatt's perceptron criterion per sample: {formula}.

    Zero for every correctly classified sample, whatever its margin, and the
    size of the score for a wrong one: the differentiable stand-in for the
    perceptron's misclassification count (`zero_one_loss`).

    Example:
    >>> perceptron_loss([[1.0, -1.0]], [[0.5, 2.0]])
    [1.0]

    Args:
        y_true: labels in {-1, 1} (or {0, 1}), shape `(batch, d0, .. dN)`.
        y_pred: raw scores, the same shape.
    """
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    return per_sample(ops.relu(-_signed_labels(y_true) * y_pred))


@catalog.register(
    LossInfo(
        name="perceptron_loss",
        aliases=("perceptron", "perceptron_criterion"),
        formula="L = mean(max(0, -y * y_hat)), y in {-1, 1}",
        tasks=("binary",),
        targets="signed",
        prediction="raw_scores",
        pairs_with=("linear",),
        when_to_use=(
            "Rosenblatt's perceptron criterion: the differentiable stand-in for counting "
            "misclassifications. Zero for any correct side of the boundary, so it has no "
            "margin; prefer the hinge loss or cross-entropy."
        ),
        source="mhtechin",
    )
)
class PerceptronLoss(PerSampleLoss):
    """Rosenblatt's perceptron criterion: {formula}, on raw scores.

    Labels in {-1, 1}; labels that are all 0 or 1 are converted.

    Example:
    >>> keras_actloss.losses.PerceptronLoss()([[1.0], [-1.0]], [[0.5], [2.0]])
    1.0

    Args:{reduction}
    """

    function = staticmethod(perceptron_loss)
    default_name = "perceptron_loss"


def zero_one_loss(y_true, y_pred, threshold=0.5, from_logits=False):
    """The 0-1 loss per sample, {formula}: the fraction of outputs classified wrongly.

    An output is predicted positive when ``y_pred > threshold`` (with
    `from_logits=True`, when ``sigmoid(y_pred) > threshold``); a label is
    positive when it is > 0.5, so {0, 1} and {-1, 1} labels both work. It is
    ``1 - binary accuracy``. Its gradient is zero everywhere: it passes a
    connected zero, so training with it does not fail, but learns nothing.

    Example:
    >>> zero_one_loss([[1.0, 0.0]], [[0.9, 0.7]])
    [0.5]

    Args:
        y_true: labels in {0, 1} (or {-1, 1}), shape `(batch, d0, .. dN)`.
        y_pred: probabilities, or scores with `from_logits=True`; same shape.
        threshold: float in (0, 1), the decision threshold on the probability.
        from_logits: whether `y_pred` holds logits (raw scores).
    """
    threshold = check.check_threshold("threshold", threshold)
    from_logits = check.check_bool("from_logits", from_logits)
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    boundary = math.log(threshold) - math.log1p(-threshold) if from_logits else threshold
    wrong = ops.not_equal(ops.greater(y_pred, boundary), ops.greater(y_true, 0.5))
    wrong = propagate_nan(ops.cast(wrong, y_pred.dtype), y_true, y_pred)
    # A connected zero gradient (not None), finite also where y_pred is infinite.
    connected_zero = 0.0 * ops.where(ops.isfinite(y_pred), y_pred, 0.0)
    return per_sample(wrong + connected_zero)


@catalog.register(
    LossInfo(
        name="zero_one_loss",
        aliases=("0-1", "0-1_loss", "zero_one", "misclassification", "misclassification_rate"),
        formula="L = 0 if y = y_hat else 1",
        tasks=("binary",),
        targets="binary",
        prediction="probabilities_or_logits",
        pairs_with=("sigmoid", "step"),
        differentiable=False,
        when_to_use=(
            "The original perceptron's loss, the number of misclassifications. Its gradient is "
            "zero everywhere and it cannot tell a near miss from a confident mistake, so "
            "gradient descent cannot minimize it: report it, train with cross-entropy."
        ),
        source="mhtechin",
    )
)
class ZeroOneLoss(PerSampleLoss):
    """The 0-1 loss: {formula}.

    An output is predicted positive when ``y_pred > threshold`` (with
    `from_logits=True`, when ``sigmoid(y_pred) > threshold``); a label is
    positive when > 0.5. Its gradient is zero everywhere (a connected zero,
    so `fit` runs but learns nothing); `keras_actloss.metrics.ZeroOneError`
    is the same measure as a metric.

    Example:
    >>> keras_actloss.losses.ZeroOneLoss()([[1.0], [0.0]], [[0.9], [0.7]])
    0.5

    Args:
        threshold: float in (0, 1), the decision threshold on the probability.
        from_logits: whether `y_pred` holds logits (raw scores).{reduction}
    """

    function = staticmethod(zero_one_loss)
    default_name = "zero_one_loss"
    threshold = check.Argument(check.check_threshold)
    from_logits = check.Argument(check.check_bool)

    def __init__(
        self,
        threshold=0.5,
        from_logits=False,
        reduction="sum_over_batch_size",
        name=None,
        dtype=None,
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.threshold = threshold
        self.from_logits = from_logits
