"""Keras `Loss` classes for every loss in the seed articles.

Each class is a thin shell over its per-sample function in
`keras_actloss.losses.functions`, carries its catalog record, and is
registered for `.keras` serialization under the package name
``keras_actloss``. Where Keras has the same loss, the class has Keras's name,
constructor arguments (in Keras's order) and default `name`, so it is a
drop-in replacement; unlike Keras's, its `get_config` returns every
argument, so nothing is lost on save and load.
"""

from __future__ import annotations

import keras
from keras.src.losses.loss import (  # no public alias; Keras's own losses use them
    scale_loss_for_distribution,
    unscale_loss_for_distribution,
)

from keras_actloss import _validation as check
from keras_actloss import catalog
from keras_actloss.catalog import LossInfo
from keras_actloss.losses import functions as F

SEED_1 = catalog.SEED_ARTICLES["001"]
SEED_2 = catalog.SEED_ARTICLES["002"]

_PACKAGE = "keras_actloss"

_REDUCTION_DOC = """
        reduction: how `__call__` reduces the per-sample losses, as in Keras:
            `"sum_over_batch_size"` (default) or `"mean"`: the weighted sum
            divided by the number of elements; `"mean_with_sample_weight"`:
            divided by the sum of the weights; `"sum"`; `None` or `"none"`:
            the weighted per-sample losses.
        name: the loss's name (Keras's default name where Keras has the loss).
        dtype: the dtype (or `keras.DTypePolicy`) of the computation; `None`
            means `keras.config.floatx()`. Inputs are cast to it."""


class PerSampleLoss(keras.losses.Loss):
    """Base class: a Keras loss over one per-sample function.

    Subclasses name their function and return their constructor arguments
    from `arguments()`; `call` and `get_config` both read that one dict, so a
    constructor argument cannot be forgotten by either. `call` returns one
    loss per sample and `keras.losses.Loss.__call__` applies `sample_weight`,
    masks and the `reduction`, as Keras's own losses do.

    `output_activation` names the activation ("sigmoid" or "softmax") whose
    logits the function can use; `__call__` keeps them across the cast to
    the loss's dtype (see `functions.cast_keeping_logits`).
    """

    function = None
    default_name = None
    output_activation = None

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(
            name=name or self.default_name, reduction=check.check_reduction(reduction), dtype=dtype
        )
        # What the user asked for, so that a reload under another floatx keeps it.
        self._dtype_config = None if dtype is None else self._dtype_policy.name

    def arguments(self):
        """The function's keyword arguments (also the loss's config)."""
        return {}

    def call(self, y_true, y_pred):
        return type(self).function(y_true, y_pred, **self.arguments())

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.output_activation is not None:
            axis = self.arguments().get("axis", -1)
            y_pred = F.cast_keeping_logits(y_pred, self.dtype, self.output_activation, axis)
        return super().__call__(y_true, y_pred, sample_weight)

    def get_config(self):
        return {**super().get_config(), "dtype": self._dtype_config, **self.arguments()}

    def __repr__(self):
        # The constructor call that rebuilds this loss, with only the arguments
        # that differ from the defaults: `Huber(delta=2.0)`, `MeanSquaredError()`.
        import inspect

        def same(value, default):
            if value is default:
                return True
            if isinstance(value, bool) or isinstance(default, bool):
                return False  # True == 1, but `from_logits=True` is not `axis=1`
            try:
                return bool(value == default)
            except (TypeError, ValueError):  # e.g. an array, whose `==` is elementwise
                return False

        config = self.get_config()
        shown = []
        parameters = inspect.signature(type(self).__init__).parameters.values()
        for parameter in list(parameters)[1:]:  # [0] is `self`
            if parameter.name not in config:
                continue
            value = config[parameter.name]
            default = parameter.default
            if parameter.name == "name" and default is None:
                default = self.default_name  # what `name=None` gives
            if default is not inspect.Parameter.empty and same(value, default):
                continue
            shown.append(f"{parameter.name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


# --- regression -------------------------------------------------------------------


@catalog.entry(
    LossInfo(
        name="mean_squared_error",
        aliases=("mse", "l2", "l2_loss", "squared_error"),
        formula="L = mean((y - y_hat)^2)",
        task="regression",
        target_encoding="real values",
        prediction="values",
        pairs_with=("linear", "sigmoid"),
        when_to_use=(
            "Regression with normally distributed noise and rare outliers; it penalizes "
            "large errors heavily. Also for targets bounded to [0, 1] with a sigmoid output. "
            "Sensitive to outliers, and its units are squared."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class MeanSquaredError(PerSampleLoss):
    """Mean squared error (L2 loss): ``loss = mean((y_true - y_pred)^2)``.

    A drop-in for `keras.losses.MeanSquaredError`.

    Example:
    >>> keras_actloss.losses.MeanSquaredError()([[0.0], [1.0]], [[1.0], [1.0]])
    0.5

    Args:{reduction}
    """

    function = staticmethod(F.mean_squared_error)
    default_name = "mean_squared_error"


@catalog.entry(
    LossInfo(
        name="mean_absolute_error",
        aliases=("mae", "l1", "l1_loss", "absolute_error"),
        formula="L = mean(|y - y_hat|)",
        task="regression",
        target_encoding="real values",
        prediction="values",
        pairs_with=("linear",),
        when_to_use=(
            "Regression with outliers: the penalty grows linearly, and its units match the "
            "target. Its gradient has constant size, so it converges less precisely."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class MeanAbsoluteError(PerSampleLoss):
    """Mean absolute error (L1 loss): ``loss = mean(|y_true - y_pred|)``.

    A drop-in for `keras.losses.MeanAbsoluteError`.

    Example:
    >>> keras_actloss.losses.MeanAbsoluteError()([[0.0], [1.0]], [[2.0], [1.0]])
    1.0

    Args:{reduction}
    """

    function = staticmethod(F.mean_absolute_error)
    default_name = "mean_absolute_error"


@catalog.entry(
    LossInfo(
        name="root_mean_squared_error",
        aliases=("rmse",),
        formula="L = sqrt(mean((y - y_hat)^2)) over the batch",
        task="regression",
        target_encoding="real values",
        prediction="values",
        pairs_with=("linear",),
        when_to_use=(
            "Regression, when the error should be read in the target's units; it has the same "
            "minimum as MSE. Its gradient is that of MSE divided by 2 RMSE."
        ),
        seed=SEED_2,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class RootMeanSquaredError(PerSampleLoss):
    """Root mean squared error of the batch: ``sqrt(weighted mean((y_true - y_pred)^2))``.

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

    function = staticmethod(F.mean_squared_error)
    default_name = "root_mean_squared_error"

    def __call__(self, y_true, y_pred, sample_weight=None):
        mean_square = super().__call__(y_true, y_pred, sample_weight)
        if self.reduction in (None, "none", "sum"):
            return F.safe_sqrt(mean_square)
        # Keras divided the mean by the number of replicas; the root must not see that.
        return scale_loss_for_distribution(F.safe_sqrt(unscale_loss_for_distribution(mean_square)))


@catalog.entry(
    LossInfo(
        name="mean_squared_logarithmic_error",
        aliases=("msle",),
        formula="L = mean((log(1 + y_hat) - log(1 + y))^2)",
        task="regression",
        target_encoding="non-negative real values",
        prediction="values",
        pairs_with=("softplus", "relu"),
        when_to_use=(
            "Regression on non-negative targets spanning orders of magnitude (counts, prices), "
            "where relative error matters; it penalizes under-prediction more than over-. "
            "Negative targets or outputs are wrong for it (they are taken as 0)."
        ),
        seed=SEED_2,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class MeanSquaredLogarithmicError(PerSampleLoss):
    """Mean squared logarithmic error: ``mean((log1p(y_pred) - log1p(y_true))^2)``.

    A drop-in for `keras.losses.MeanSquaredLogarithmicError`; negative values
    are taken as 0.

    Example:
    >>> keras_actloss.losses.MeanSquaredLogarithmicError()([[0.0]], [[1.718281828]])
    1.0

    Args:{reduction}
    """

    function = staticmethod(F.mean_squared_logarithmic_error)
    default_name = "mean_squared_logarithmic_error"


@catalog.entry(
    LossInfo(
        name="mean_error",
        aliases=("me", "mean_bias_error", "mbe"),
        formula="ME = mean(y - y_hat)",
        task="regression",
        target_encoding="real values",
        prediction="values",
        pairs_with=("linear",),
        diagnostic=True,
        when_to_use=(
            "A diagnostic of bias, not a training objective: positive and negative errors "
            "cancel, and it is unbounded below, so minimizing it drives predictions to +inf. "
            "Watch it next to MSE or MAE."
        ),
        seed=SEED_2,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class MeanError(PerSampleLoss):
    """Mean (signed) error: ``mean(y_true - y_pred)``, a measure of bias.

    Positive when the model predicts too low. Unbounded below, so it is a
    diagnostic rather than something to minimize; `keras_actloss.metrics`
    has it as a metric.

    Example:
    >>> keras_actloss.losses.MeanError()([[1.0], [3.0]], [[2.0], [0.0]])
    1.0

    Args:{reduction}
    """

    function = staticmethod(F.mean_error)
    default_name = "mean_error"


@catalog.entry(
    LossInfo(
        name="huber",
        aliases=("huber_loss",),
        formula="L = 0.5 e^2 if |e| <= delta else delta (|e| - 0.5 delta), e = y_hat - y",
        task="regression",
        target_encoding="real values",
        prediction="values",
        pairs_with=("linear",),
        when_to_use=(
            "Regression with potential outliers, where MSE is too sensitive and MAE converges "
            "too slowly: quadratic near zero, linear for errors beyond delta. The seeds' "
            "preferred robust regression loss; tune delta to what counts as an outlier."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class Huber(PerSampleLoss):
    """Huber loss: quadratic for errors up to `delta`, linear beyond.

    With ``e = y_pred - y_true``: ``0.5 e^2`` if ``|e| <= delta``, else
    ``delta (|e| - 0.5 delta)``, averaged over the last axis. A drop-in for
    `keras.losses.Huber` whose `delta` survives saving (Keras 3.15's comes
    back as 1.0).

    Example:
    >>> keras_actloss.losses.Huber(delta=1.0)([[0.0, 0.0]], [[0.5, 3.0]])
    1.3125

    Args:
        delta: float > 0, where the loss turns from quadratic to linear.{reduction}
    """

    function = staticmethod(F.huber)
    default_name = "huber_loss"

    delta = check.Argument(check.check_number, minimum=0.0, strict_minimum=True)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.delta = delta

    def arguments(self):
        return {"delta": self.delta}


# --- probabilistic classification --------------------------------------------------


class _Crossentropy(PerSampleLoss):
    """Shared constructor of the binary and categorical cross-entropies."""

    from_logits = check.Argument(check.check_bool)
    label_smoothing = check.Argument(check.check_number, minimum=0.0, maximum=1.0)
    axis = check.Argument(check.check_integer)

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name=None,
        dtype=None,
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def arguments(self):
        return {
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


_CROSSENTROPY_ARGS = """
        from_logits: whether `y_pred` holds logits. With `False` (default),
            a `y_pred` that comes straight from a sigmoid / softmax that kept
            its logits (TensorFlow, PyTorch, JAX outside `jit`) is still
            computed from them.
        label_smoothing: float in [0, 1]; see the formula above.
        axis: the class (feature) axis."""


@catalog.entry(
    LossInfo(
        name="binary_crossentropy",
        aliases=(
            "bce",
            "log_loss",
            "logistic_loss",
            "binary_cross_entropy",
            "binary_log_loss",
        ),
        formula="L = -mean(y log(p) + (1 - y) log(1 - p))",
        task="binary_classification",
        target_encoding="0 or 1 per output (probabilities in [0, 1] allowed)",
        prediction="probabilities_or_logits",
        pairs_with=("sigmoid",),
        when_to_use=(
            "Binary classification with one sigmoid output, and multi-label classification "
            "with a sigmoid per class (averaged); also regression bounded to [0, 1]. Strong "
            "gradients when confidently wrong. With a linear output, set from_logits=True."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class BinaryCrossentropy(_Crossentropy):
    """Binary cross-entropy (log loss): ``-mean(y log p + (1 - y) log(1 - p))``.

    Label smoothing squeezes targets towards 0.5:
    ``y (1 - label_smoothing) + 0.5 label_smoothing``. From logits z the loss
    is ``max(z, 0) - z y + log(1 + e^-|z|)``, exact for any z, so a sigmoid
    output with a logit of 50 and label 0 costs 50. A drop-in for
    `keras.losses.BinaryCrossentropy`; unlike it, a softmax output is never
    mistaken for a sigmoid one.

    Example:
    >>> keras_actloss.losses.BinaryCrossentropy(from_logits=True)([[0.0]], [[50.0]])
    50.0

    Args:{crossentropy}{reduction}
    """

    function = staticmethod(F.binary_crossentropy)
    default_name = "binary_crossentropy"
    output_activation = "sigmoid"


@catalog.entry(
    LossInfo(
        name="categorical_crossentropy",
        aliases=(
            "cce",
            "cross_entropy",
            "categorical_cross_entropy",
            "multiclass_cross_entropy",
            "softmax_cross_entropy",
        ),
        formula="L = -sum_k y_k log(p_k)",
        task="multiclass_classification",
        target_encoding="one-hot vectors (or probability distributions)",
        prediction="probabilities_or_logits",
        pairs_with=("softmax",),
        when_to_use=(
            "Multi-class classification with mutually exclusive classes and a softmax output, "
            "targets one-hot encoded. Large gradients when confidently wrong."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class CategoricalCrossentropy(_Crossentropy):
    """Categorical cross-entropy: ``-sum_k y_k log p_k`` over the class axis.

    Label smoothing mixes targets with the uniform distribution:
    ``y (1 - label_smoothing) + label_smoothing / K``, K the number of
    classes along `axis`. From logits it uses `log_softmax`, exact for any
    logit gap. A drop-in for `keras.losses.CategoricalCrossentropy`.

    Example:
    >>> keras_actloss.losses.CategoricalCrossentropy(from_logits=True)([[1.0, 0.0]], [[0.0, 100.0]])
    100.0

    Args:{crossentropy}{reduction}
    """

    function = staticmethod(F.categorical_crossentropy)
    default_name = "categorical_crossentropy"
    output_activation = "softmax"


@catalog.entry(
    LossInfo(
        name="sparse_categorical_crossentropy",
        aliases=(
            "scce",
            "sparse_cce",
            "sparse_categorical_cross_entropy",
            "sparse_multiclass_cross_entropy",
        ),
        formula="L = -log(p_y), y an integer class index",
        task="multiclass_classification",
        target_encoding="integer class indices",
        prediction="probabilities_or_logits",
        pairs_with=("softmax",),
        when_to_use=(
            "Multi-class classification with integer labels, e.g. with many classes where "
            "one-hot targets waste memory; the same loss as categorical cross-entropy."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class SparseCategoricalCrossentropy(PerSampleLoss):
    """Categorical cross-entropy with integer labels: ``-log p[y]``.

    A drop-in for `keras.losses.SparseCategoricalCrossentropy` (same
    argument order), that also takes a class `axis` other than -1 on
    TensorFlow.

    Example:
    >>> keras_actloss.losses.SparseCategoricalCrossentropy()([1], [[0.5, 0.5]])
    0.6931

    Args:
        from_logits: whether `y_pred` holds logits (see `CategoricalCrossentropy`).
        ignore_class: optional int, a label (e.g. -1 or 255 for "void") whose
            positions cost 0 and are left out of the mean.
        axis: the class axis.{reduction}
    """

    function = staticmethod(F.sparse_categorical_crossentropy)
    default_name = "sparse_categorical_crossentropy"
    output_activation = "softmax"
    from_logits = check.Argument(check.check_bool)
    ignore_class = check.Argument(check.check_integer, allow_none=True)
    axis = check.Argument(check.check_integer)

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name=None,
        dtype=None,
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def arguments(self):
        return {
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }


@catalog.entry(
    LossInfo(
        name="kl_divergence",
        aliases=("kld", "kl", "kullback_leibler_divergence", "relative_entropy"),
        formula="D_KL(P || Q) = sum_k p_k log(p_k / q_k), 0 log 0 = 0",
        task="multiclass_classification",
        target_encoding="probability distributions (soft targets)",
        prediction="probabilities",
        pairs_with=("softmax",),
        when_to_use=(
            "Matching a target distribution rather than a single class: soft labels, "
            "distillation, variational models. Not symmetric; it is >= 0 and 0 only when the "
            "distributions agree."
        ),
        seed=SEED_2,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class KLDivergence(PerSampleLoss):
    """Kullback-Leibler divergence: ``sum_k y_k log(y_k / p_k)`` over the last axis.

    Exact where a target probability is 0 (``0 log 0 = 0``, with a zero
    gradient); Keras clips targets at 1e-7, which biases the loss and its
    gradient. A drop-in for `keras.losses.KLDivergence`.

    Example:
    >>> keras_actloss.losses.KLDivergence()([[1.0, 0.0]], [[0.5, 0.5]])
    0.6931

    Args:{reduction}
    """

    function = staticmethod(F.kl_divergence)
    default_name = "kl_divergence"
    output_activation = "softmax"


# --- margin classification and the perceptron ------------------------------------------


@catalog.entry(
    LossInfo(
        name="hinge",
        aliases=("hinge_loss", "svm_loss"),
        formula="L = mean(max(0, 1 - y * y_hat)), y in {-1, 1}",
        task="binary_classification",
        target_encoding="-1 or 1 (0 or 1 converted)",
        prediction="raw_scores",
        pairs_with=("linear", "tanh"),
        when_to_use=(
            "Maximum-margin (SVM-style) binary classification on raw scores, when the margin "
            "matters more than calibrated probabilities. Not after a sigmoid."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class Hinge(PerSampleLoss):
    """Hinge loss: ``mean(max(0, 1 - y_true * y_pred))``, labels in {-1, 1}.

    Labels that are all 0 or 1 are converted to -1 or 1, as Keras does. A
    drop-in for `keras.losses.Hinge`.

    Example:
    >>> keras_actloss.losses.Hinge()([[1.0], [-1.0]], [[0.5], [-2.0]])
    0.25

    Args:{reduction}
    """

    function = staticmethod(F.hinge)
    default_name = "hinge"


@catalog.entry(
    LossInfo(
        name="squared_hinge",
        aliases=("squared_hinge_loss", "l2_hinge"),
        formula="L = mean(max(0, 1 - y * y_hat)^2), y in {-1, 1}",
        task="binary_classification",
        target_encoding="-1 or 1 (0 or 1 converted)",
        prediction="raw_scores",
        pairs_with=("linear", "tanh"),
        when_to_use=(
            "Like the hinge loss, but smooth at the margin and harder on large violations."
        ),
        seed=SEED_2,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class SquaredHinge(PerSampleLoss):
    """Squared hinge loss: ``mean(max(0, 1 - y_true * y_pred)^2)``, labels in {-1, 1}.

    A drop-in for `keras.losses.SquaredHinge`.

    Example:
    >>> keras_actloss.losses.SquaredHinge()([[1.0], [-1.0]], [[0.5], [-2.0]])
    0.125

    Args:{reduction}
    """

    function = staticmethod(F.squared_hinge)
    default_name = "squared_hinge"


@catalog.entry(
    LossInfo(
        name="zero_one_loss",
        aliases=("0-1", "0-1_loss", "zero_one", "misclassification", "misclassification_rate"),
        formula="L = 0 if y = y_hat else 1",
        task="binary_classification",
        target_encoding="0 or 1 (or -1 or 1)",
        prediction="probabilities_or_logits",
        pairs_with=("sigmoid", "step"),
        differentiable=False,
        when_to_use=(
            "The original perceptron's loss, the number of misclassifications. Its gradient is "
            "zero everywhere and it cannot tell a near miss from a confident mistake, so "
            "gradient descent cannot minimize it: report it, train with cross-entropy."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class ZeroOneLoss(PerSampleLoss):
    """The 0-1 loss: 1 for a misclassified output, 0 otherwise.

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

    function = staticmethod(F.zero_one_loss)
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

    def arguments(self):
        return {"threshold": self.threshold, "from_logits": self.from_logits}


@catalog.entry(
    LossInfo(
        name="perceptron_loss",
        aliases=("perceptron", "perceptron_criterion"),
        formula="L = mean(max(0, -y * y_hat)), y in {-1, 1}",
        task="binary_classification",
        target_encoding="-1 or 1 (0 or 1 converted)",
        prediction="raw_scores",
        pairs_with=("linear",),
        when_to_use=(
            "Rosenblatt's perceptron criterion: the differentiable stand-in for counting "
            "misclassifications. Zero for any correct side of the boundary, so it has no "
            "margin; prefer the hinge loss or cross-entropy."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class PerceptronLoss(PerSampleLoss):
    """Rosenblatt's perceptron criterion: ``mean(max(0, -y_true * y_pred))`` on raw scores.

    Labels in {-1, 1}; labels that are all 0 or 1 are converted.

    Example:
    >>> keras_actloss.losses.PerceptronLoss()([[1.0], [-1.0]], [[0.5], [2.0]])
    1.0

    Args:{reduction}
    """

    function = staticmethod(F.perceptron_loss)
    default_name = "perceptron_loss"


def _fill_docstrings():
    # The arguments every loss shares are described once, above.
    for entry in catalog.entries("loss"):
        cls = entry.implementation
        if cls.__doc__ is None:  # `python -OO` strips docstrings
            continue
        cls.__doc__ = cls.__doc__.replace("{crossentropy}", _CROSSENTROPY_ARGS).replace(
            "{reduction}", _REDUCTION_DOC
        )


_fill_docstrings()
