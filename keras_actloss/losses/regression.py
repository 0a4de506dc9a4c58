"""Regression losses: MSE, MAE, RMSE, MSLE, the mean error and Huber.

Each loss is its per-sample function (`keras.ops`) and its `Loss` class,
next to each other; `catalog.register` records the class in the catalog and
registers it with Keras."""

from __future__ import annotations

import keras
from keras import ops

from keras_actloss import _keras_internals as internals
from keras_actloss import _validation as check
from keras_actloss import catalog, config
from keras_actloss._tensors import (
    as_float,
    recompute_in_backward,
    upstream_gradient,
)
from keras_actloss.catalog import LossInfo
from keras_actloss.losses._base import PerSampleLoss, align_shapes, per_sample, safe_sqrt

__all__ = [
    "Huber",
    "MeanAbsoluteError",
    "MeanError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "RootMeanSquaredError",
    "huber",
    "mean_absolute_error",
    "mean_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "root_mean_squared_error",
]


def mean_squared_error(y_true, y_pred):
    """Mean squared error (L2 loss) per sample: {formula}.

    Example:
    >>> mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])
    [0.5]

    Args:
        y_true: targets, shape `(batch, d0, .. dN)`.
        y_pred: predictions, the same shape.

    Returns:
        The mean over the last axis, shape `(batch, d0, .. dN-1)`.
    """
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    return per_sample(ops.square(y_pred - y_true))


@catalog.register(
    LossInfo(
        name="mean_squared_error",
        aliases=("mse", "l2", "l2_loss", "squared_error"),
        formula="L = mean((y - y_hat)^2)",
        pairs_with=("linear", "sigmoid"),
        when_to_use=(
            "Regression with normally distributed noise and rare outliers; it penalizes "
            "large errors heavily. Also for targets bounded to [0, 1] with a sigmoid output. "
            "Sensitive to outliers, and its units are squared."
        ),
        source="mhtechin",
    )
)
class MeanSquaredError(PerSampleLoss):
    """Mean squared error (L2 loss): {formula}.

    A drop-in for `keras.losses.MeanSquaredError`.

    Example:
    >>> keras_actloss.losses.MeanSquaredError()([[0.0], [1.0]], [[1.0], [1.0]])
    0.5

    Args:{reduction}
    """

    function = staticmethod(mean_squared_error)
    default_name = "mean_squared_error"


def mean_absolute_error(y_true, y_pred):
    """Mean absolute error (L1 loss) per sample: {formula}.

    Example:
    >>> mean_absolute_error([[0.0, 1.0]], [[2.0, 1.0]])
    [1.0]

    Args:
        y_true: targets, shape `(batch, d0, .. dN)`.
        y_pred: predictions, the same shape.
    """
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    return per_sample(ops.abs(y_pred - y_true))


@catalog.register(
    LossInfo(
        name="mean_absolute_error",
        aliases=("mae", "l1", "l1_loss", "absolute_error"),
        formula="L = mean(|y - y_hat|)",
        pairs_with=("linear",),
        when_to_use=(
            "Regression with outliers: the penalty grows linearly, and its units match the "
            "target. Its gradient has constant size, so it converges less precisely."
        ),
        source="mhtechin",
    )
)
class MeanAbsoluteError(PerSampleLoss):
    """Mean absolute error (L1 loss): {formula}.

    A drop-in for `keras.losses.MeanAbsoluteError`.

    Example:
    >>> keras_actloss.losses.MeanAbsoluteError()([[0.0], [1.0]], [[2.0], [1.0]])
    1.0

    Args:{reduction}
    """

    function = staticmethod(mean_absolute_error)
    default_name = "mean_absolute_error"


def root_mean_squared_error(y_true, y_pred):
    """Root mean squared error per sample: ``sqrt(mean((y_true - y_pred)^2))``.

    The gradient at zero error is 0 (not NaN). The `RootMeanSquaredError`
    loss takes the root after averaging over the batch instead.

    Example:
    >>> root_mean_squared_error([[0.0, 0.0]], [[3.0, 4.0]])
    [3.5355]

    Args:
        y_true: targets, shape `(batch, d0, .. dN)`.
        y_pred: predictions, the same shape.
    """
    return safe_sqrt(mean_squared_error(y_true, y_pred))


@catalog.register(
    LossInfo(
        name="root_mean_squared_error",
        aliases=("rmse",),
        formula="L = sqrt(mean((y - y_hat)^2)) over the batch",
        pairs_with=("linear",),
        when_to_use=(
            "Regression, when the error should be read in the target's units; it has the same "
            "minimum as MSE. Its gradient is that of MSE divided by 2 RMSE."
        ),
        source="mulla",
    )
)
class RootMeanSquaredError(PerSampleLoss):
    """Root mean squared error of the batch: {formula}.

    The root is taken after the reduction, so this is the real RMSE of the
    batch (with `"mean_with_sample_weight"`, the weighted RMSE), not a mean
    of per-sample roots. Its gradient at zero error is 0, not NaN.

    - `"sum_over_batch_size"`, `"mean"`, `"mean_with_sample_weight"`: the
      root of Keras's reduction of the per-sample squared errors. Under a
      `tf.distribute` strategy each replica takes the root of its own part
      of the batch, so the reported loss is the mean of the replicas' RMSEs.
    - `"sum"`: ``sqrt(sum(w * mse_i))``, the root of the summed squared error.
    - `None` / `"none"`: per sample ``sqrt(w * mse_i)``; without weights
      that is `root_mean_squared_error`.

    Keras has RMSE only as a metric; `keras_actloss.metrics` has one too.

    Example:
    >>> keras_actloss.losses.RootMeanSquaredError()([[0.0], [0.0]], [[3.0], [4.0]])
    3.5355

    Args:{reduction}
    """

    function = staticmethod(mean_squared_error)
    default_name = "root_mean_squared_error"

    def __call__(self, y_true, y_pred, sample_weight=None):
        mean_square = super().__call__(y_true, y_pred, sample_weight)
        if self.reduction in (None, "none", "sum"):
            return safe_sqrt(mean_square)
        # Keras divided the mean by the number of replicas; the root must not see that.
        return internals.scale_loss_for_distribution(
            safe_sqrt(internals.unscale_loss_for_distribution(mean_square))
        )


def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean squared logarithmic error per sample: {formula}.

    For non-negative targets and predictions (counts, prices); negative
    values are taken as 0, as Keras clips them (at 1e-7). `log1p` keeps it
    exact for small values, and where the prediction is close to the target
    the log ratio is one ``log1p((p - y) / (1 + y))``, which does not cancel
    (far below it, the difference of the two logs, which does not either).

    Example:
    >>> mean_squared_logarithmic_error([[0.0]], [[math.e - 1]])
    [1.0]

    Args:
        y_true: non-negative targets, shape `(batch, d0, .. dN)`.
        y_pred: non-negative predictions, the same shape.
    """
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    if config.is_fast():  # Keras's formula, clip at epsilon included
        epsilon = keras.config.epsilon()
        first = ops.log(ops.maximum(y_pred, epsilon) + 1.0)
        second = ops.log(ops.maximum(y_true, epsilon) + 1.0)
        return per_sample(ops.square(first - second))
    y_true, y_pred = ops.maximum(y_true, 0.0), ops.maximum(y_pred, 0.0)
    return per_sample(_squared_log_ratio(y_true, y_pred))


def _log_ratio(y, p):
    """log(1 + p) - log(1 + y) for p, y >= 0, to a few ulps.

    As one log1p where p is close to y: the difference of two logs cancels
    there (4e-4 relative error in float32), p - y does not. Where 1 + p is
    less than half of 1 + y, log1p of a ratio near -1 would cancel instead
    (1 + r loses r's digits), and the two logs differ by more than log 2,
    so their difference is exact.
    """
    ratio = (p - y) / (1.0 + y)
    far_below = ops.less(ratio, -0.5)
    # The branch not taken gets a harmless input, so that its gradient is 0, not 0 * inf.
    near = ops.log1p(ops.where(far_below, ops.zeros_like(ratio), ratio))
    return ops.where(far_below, ops.log1p(p) - ops.log1p(y), near)


def _squared_log_ratio(y, p):
    """`_log_ratio(y, p)^2`, with its gradient 2 d / (1 + p) in closed form.

    Autodiff through the two branches would cost a dozen kernels; this is
    one multiplication in the backward pass, of a slope written in
    differentiable ops of `p`, so second derivatives work too. `y` is
    taken as constant (targets get no gradient).
    """

    def slope(v, d):
        return (d + d) / (1.0 + v)

    @ops.custom_gradient
    def forward(v):
        d = _log_ratio(y, v)
        recorded = slope(v, d)

        def grad(*args, upstream=None):
            # From `v` where PyTorch records this backward pass (see `recompute_in_backward`).
            s = slope(v, _log_ratio(y, v)) if recompute_in_backward() else recorded
            return upstream_gradient(args, upstream) * s

        return ops.square(d), grad

    return forward(p)


@catalog.register(
    LossInfo(
        name="mean_squared_logarithmic_error",
        aliases=("msle",),
        formula="L = mean((log(1 + y_hat) - log(1 + y))^2)",
        targets="non_negative",
        pairs_with=("softplus", "relu"),
        when_to_use=(
            "Regression on non-negative targets spanning orders of magnitude (counts, prices), "
            "where relative error matters; it penalizes under-prediction more than over-. "
            "Negative targets or outputs are wrong for it (they are taken as 0)."
        ),
        source="mulla",
    )
)
class MeanSquaredLogarithmicError(PerSampleLoss):
    """Mean squared logarithmic error: {formula}.

    A drop-in for `keras.losses.MeanSquaredLogarithmicError`; negative values
    are taken as 0.

    Example:
    >>> keras_actloss.losses.MeanSquaredLogarithmicError()([[0.0]], [[1.718281828]])
    1.0

    Args:{reduction}
    """

    function = staticmethod(mean_squared_logarithmic_error)
    default_name = "mean_squared_logarithmic_error"


def mean_error(y_true, y_pred):
    """Mean (signed) error per sample: {formula}.

    A bias measure, not a training objective: positive when the model
    predicts too low, negative when too high, and unbounded below.

    Example:
    >>> mean_error([[1.0, 3.0]], [[2.0, 0.0]])
    [1.0]

    Args:
        y_true: targets, shape `(batch, d0, .. dN)`.
        y_pred: predictions, the same shape.
    """
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    return per_sample(y_true - y_pred)


@catalog.register(
    LossInfo(
        name="mean_error",
        aliases=("me", "mean_bias_error", "mbe"),
        formula="ME = mean(y - y_hat)",
        pairs_with=("linear",),
        diagnostic=True,
        when_to_use=(
            "A diagnostic of bias, not a training objective: positive and negative errors "
            "cancel, and it is unbounded below, so minimizing it drives predictions to +inf. "
            "Watch it next to MSE or MAE."
        ),
        source="mulla",
    )
)
class MeanError(PerSampleLoss):
    """Mean (signed) error: {formula}, a measure of bias.

    Positive when the model predicts too low. Unbounded below, so it is a
    diagnostic rather than something to minimize; `keras_actloss.metrics`
    has it as a metric.

    Example:
    >>> keras_actloss.losses.MeanError()([[1.0], [3.0]], [[2.0], [0.0]])
    1.0

    Args:{reduction}
    """

    function = staticmethod(mean_error)
    default_name = "mean_error"


def huber(y_true, y_pred, delta=1.0):
    """Huber loss per sample, averaged over the last axis: {formula}.

    Each side of delta is computed, and differentiated, on its own. It
    approaches MAE (scaled by delta) as delta -> 0 and MSE / 2 as delta -> inf.

    Example:
    >>> huber([[0.0, 0.0]], [[0.5, 3.0]], delta=1.0)
    [1.3125]

    Args:
        y_true: targets, shape `(batch, d0, .. dN)`.
        y_pred: predictions, the same shape.
        delta: float > 0, where the loss turns from quadratic to linear.
    """
    delta = check.check_number("delta", delta, minimum=0.0, strict_minimum=True)
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    error = y_pred - y_true
    abs_error = ops.abs(error)
    # Each branch with its own gradient (e, or delta sign(e)): a branch-free form such as
    # 0.5 q^2 + delta (|e| - q) sums delta - delta in its gradient, which rounds to 1e-6.
    return per_sample(
        ops.where(abs_error <= delta, 0.5 * ops.square(error), delta * (abs_error - 0.5 * delta))
    )


@catalog.register(
    LossInfo(
        name="huber",
        aliases=("huber_loss",),
        formula="L = 0.5 e^2 if |e| <= delta else delta (|e| - 0.5 delta), e = y_hat - y",
        pairs_with=("linear",),
        when_to_use=(
            "Regression with potential outliers, where MSE is too sensitive and MAE converges "
            "too slowly: quadratic near zero, linear for errors beyond delta. The preferred "
            "robust regression loss of the source articles; tune delta to what counts as an "
            "outlier."
        ),
        source="mhtechin",
    )
)
class Huber(PerSampleLoss):
    """Huber loss: quadratic for errors up to `delta`, linear beyond.

    Per element {formula}, averaged over the last axis. A drop-in for
    `keras.losses.Huber` whose `delta` survives saving (Keras 3.15's comes
    back as 1.0).

    Example:
    >>> keras_actloss.losses.Huber(delta=1.0)([[0.0, 0.0]], [[0.5, 3.0]])
    1.3125

    Args:
        delta: float > 0, where the loss turns from quadratic to linear.{reduction}
    """

    function = staticmethod(huber)
    default_name = "huber_loss"

    delta = check.Argument(check.check_number, minimum=0.0, strict_minimum=True)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.delta = delta
