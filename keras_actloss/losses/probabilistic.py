"""Probabilistic classification: binary, categorical and sparse cross-entropy, KL divergence.

Each loss is its per-sample function (`keras.ops`) and its `Loss` class,
next to each other. The cross-entropies start from the logits behind a
sigmoid or softmax output when they are known (`losses._logits`), so a
confidently wrong prediction costs what the math says. Probabilities alone
are clipped to [epsilon, 1 - epsilon] with `keras.config.epsilon()`, the
rule and the value Keras uses, so that both agree wherever the logits are
unknown."""

from __future__ import annotations

import warnings

import keras
from keras import ops

from keras_actloss import _keras_internals as internals
from keras_actloss import _validation as check
from keras_actloss import catalog, config
from keras_actloss._tensors import (
    as_float,
    concrete_bool,
    finfo,
    recompute_in_backward,
    upstream_gradient,
)
from keras_actloss.catalog import LossInfo
from keras_actloss.losses._base import PerSampleLoss, align_shapes, per_sample
from keras_actloss.losses._logits import scores_and_kind

__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "KLDivergence",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "kl_divergence",
    "sparse_categorical_crossentropy",
]


def _clipped(p, upper=None):
    """`p` clipped to [epsilon, 1 - epsilon] (or [epsilon, `upper`]), as Keras clips.

    `keras.config.epsilon()` is read at each call, so `set_epsilon` moves
    the clip as it does Keras's. Inside the band every probability is used
    as given.
    """
    epsilon = keras.config.epsilon()
    return ops.clip(p, epsilon, 1.0 - epsilon if upper is None else upper)


def _log_of_target(y):
    """log y for a target probability, finite at 0 so that 0 log 0 is exactly 0."""
    return ops.log(ops.maximum(y, float(finfo(y.dtype).tiny)))


def _normalized(p, axis):
    """`p` divided by its sum along `axis`; a slice that sums to (almost) 0 is left as it is.

    Not `p / maximum(sum, tiny)`: the gradient of that divides by tiny^2,
    which underflows to 0, and JAX then makes 0/0 = NaN of it.
    """
    total = ops.sum(p, axis=axis, keepdims=True)
    # `not (total < tiny)`, so that a NaN sum still divides: NaN propagates to the whole row.
    negligible = ops.less(total, float(finfo(p.dtype).tiny))
    return p / ops.where(negligible, ops.ones_like(total), total)


def _log_softmax_parts(z, axis):
    """(log softmax(z), the largest entry's mask, the sum of the others' e^(z - max)).

    See `log_softmax`; plain differentiable ops.
    """
    # One largest entry per slice (ties: the first), whose exp(0) = 1 is added by log1p.
    top = ops.one_hot(ops.argmax(z, axis=axis), ops.shape(z)[axis], axis=axis) > 0
    largest = ops.sum(ops.where(top, z, 0.0), axis=axis, keepdims=True)
    # The largest entry's shift is 0 by construction, not z - z.
    shifted = ops.where(top, 0.0, z - largest)
    rest = ops.sum(ops.where(top, 0.0, ops.exp(shifted)), axis=axis, keepdims=True)
    return shifted - ops.log1p(rest), top, rest


def log_softmax(z, axis=-1):
    """log softmax(z) along `axis`, accurate to a few ulps where the class is likely too.

    The usual ``z - max - log(sum(exp(z - max)))`` takes the log of a float
    sum just above 1, whose rounding (an ulp of 1, 6e-8 in float32) is
    far larger than the loss of a confident row (say 7.5e-5): its relative
    error reaches 1e-3. Here the sum leaves out one largest term, which is
    exactly 1, and the log is ``log1p`` of the rest, so small losses keep
    float32's relative accuracy.

    The gradient is the closed form ``g - p sum(g)`` with p = softmax(z),
    where autodiff of the formula would give the largest entry
    ``1 - (1 - p)`` and lose p's digits where p is small (a 1e-5 error with
    1000 classes). Where the largest p is above 1/2, its entry is
    rearranged as ``-sum(others' g) + (1 - p) sum(g)``, with 1 - p =
    rest / (1 + rest) from the sum of the other terms, so that it does not
    cancel where p is near 1 either. It is written in differentiable ops of `z`, so second
    derivatives work too.
    """
    if not hasattr(z, "ndim"):  # a TensorFlow variable, which Keras's argmax cannot take
        z = ops.copy(z)

    @ops.custom_gradient
    def forward(v):
        parts = _log_softmax_parts(v, axis)

        def grad(*args, upstream=None):
            g = upstream_gradient(args, upstream)
            logs, top, rest = _log_softmax_parts(v, axis) if recompute_in_backward() else parts
            total = ops.sum(g, axis=axis, keepdims=True)
            plain = g - ops.exp(logs) * total
            # Where the largest p is above 1/2 (the others' terms sum to less than its 1).
            others = ops.sum(ops.where(top, 0.0, g), axis=axis, keepdims=True)
            near_one = (rest / (1.0 + rest)) * total - others
            return ops.where(ops.logical_and(top, ops.less(rest, 1.0)), near_one, plain)

        return parts[0], grad

    return forward(z)


def _softmax_crossentropy_parts(z, axis):
    """(z - max, the largest entries, e^(z - max), the others' sum measured from one largest).

    The sum of e^(z - max) is 1 + `others`: every largest entry adds exactly
    1, and `others` counts all but one of them (ties add 1 each) and the
    rest, summed without the 1, so that log1p(others) keeps its digits when
    the row is confident. Plain differentiable ops.
    """
    shifted = z - ops.max(z, axis=axis, keepdims=True)  # exactly 0 at every largest entry
    largest = ops.equal(shifted, 0.0)
    e = ops.exp(shifted)
    rest = ops.sum(ops.where(largest, 0.0, e), axis=axis, keepdims=True)
    ties = ops.sum(ops.cast(largest, z.dtype), axis=axis, keepdims=True) - 1.0
    return shifted, largest, e, rest + ties


def _softmax_crossentropy(y, z, axis=-1):
    """-sum(y log softmax(z)) along `axis`, to a few ulps, with its gradient in closed form.

    Written as ``sum(y (max - z)) + sum(y) log1p(others)`` (see
    `_softmax_crossentropy_parts`): two sums of non-negative terms, so
    nothing cancels, and the log of a sum just above 1 (whose rounding
    alone is a 1e-3 relative error on a confident row's loss of 7.5e-5)
    never appears. The gradient with respect to z is ``sum(y) p - y``,
    p = softmax(z), computed from the same parts; at a largest entry with
    p above 1/2 it is rearranged as ``(sum(y) - y) - sum(y) others / (1 +
    others)``, so that it does not cancel where p is near 1 either. One
    pass fewer than going through `log_softmax`, and its gradient in a few
    kernels; written in differentiable ops of `z`, so second derivatives
    work too. `y` is taken as constant (targets get no gradient).
    """

    @ops.custom_gradient
    def forward(v):
        parts = _softmax_crossentropy_parts(v, axis)
        shifted, _, _, others = parts
        weight = ops.sum(y, axis=axis, keepdims=True)
        loss = ops.sum(y * -shifted, axis=axis) + ops.squeeze(weight * ops.log1p(others), axis)

        def grad(*args, upstream=None):
            g = ops.expand_dims(upstream_gradient(args, upstream), axis)
            # From `v` where PyTorch records this backward pass (see `recompute_in_backward`).
            recorded = _softmax_crossentropy_parts(v, axis) if recompute_in_backward() else parts
            _, largest, e, others = recorded
            plain = weight * (e / (1.0 + others)) - y
            near_one = (weight - y) - weight * (others / (1.0 + others))
            return g * ops.where(ops.logical_and(largest, ops.less(others, 1.0)), near_one, plain)

        return loss, grad

    return forward(z)


_CROSSENTROPY_ARGS = """
        from_logits: whether `y_pred` holds logits. With `False` (default),
            a `y_pred` that comes straight from our `Sigmoid` / `Softmax` (on
            every backend) or Keras's (on TensorFlow) is still computed from
            their logits.
        label_smoothing: float in [0, 1]; see the formula above.
        axis: the class (feature) axis."""


class _Crossentropy(PerSampleLoss):
    """Shared constructor of the binary and categorical cross-entropies."""

    docstring_parts = {"crossentropy": _CROSSENTROPY_ARGS}

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


def _binary_crossentropy_from_logits(y, z):
    """``max(z, 0) - z y + log(1 + e^-|z|)``, exact for any z, with its gradient sigmoid(z) - y.

    The gradient is given in closed form: autodiff of the formula adds
    1 - sigmoid(-z) before subtracting y = 1, which on JAX and PyTorch
    leaves sigmoid(-z)'s digits to an ulp of 1 (4e-3 relative off at z = 10).
    For z >= 0 it is ``(1 - y) - sigmoid(-z)``, exact for y = 1; for z < 0,
    ``sigmoid(z) - y``, exact for y = 0. Written in differentiable ops of
    `z`, so second derivatives work too.
    """

    def slope(v):
        return ops.where(ops.greater_equal(v, 0), (1.0 - y) - ops.sigmoid(-v), ops.sigmoid(v) - y)

    @ops.custom_gradient
    def forward(v):
        def grad(*args, upstream=None):
            return upstream_gradient(args, upstream) * slope(v)

        return ops.relu(v) - v * y + ops.log1p(ops.exp(-ops.abs(v))), grad

    return forward(z)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy (log loss) per sample.

    ``-mean(y log p + (1 - y) log(1 - p))`` over `axis`. From logits z it is
    computed as ``max(z, 0) - z y + log(1 + e^-|z|)``, which is exact for
    any z. When `y_pred` is the output of our `Sigmoid` (or, on TensorFlow,
    Keras's sigmoid) those logits are used, on every backend, inside `fit`
    too, so a logit of 50 with label 0 costs 50. Bare probabilities are
    clipped to [epsilon, 1 - epsilon] with `keras.config.epsilon()`, as
    Keras does (-log p at most 16.1 with the default 1e-7).

    Example:
    >>> binary_crossentropy([[0.0, 1.0]], [[0.0, 0.0]], from_logits=True)
    [0.6931]

    Args:
        y_true: targets in [0, 1], shape `(batch, d0, .. dN)`.
        y_pred: probabilities, or logits with `from_logits=True`; same shape.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: float in [0, 1]; targets become
            ``y (1 - label_smoothing) + 0.5 label_smoothing``.
        axis: the axis to average over.
    """
    from_logits, label_smoothing, axis = check.check_crossentropy_arguments(
        from_logits, label_smoothing, axis
    )
    scores, is_logits = scores_and_kind(
        as_float(y_pred), from_logits, "sigmoid", axis, "binary_crossentropy"
    )
    y_true, scores = align_shapes(y_true, scores)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if config.is_fast():
        values = ops.binary_crossentropy(y_true, scores, from_logits=is_logits)
    elif is_logits:
        values = _binary_crossentropy_from_logits(y_true, scores)
    else:
        p = _clipped(scores)
        values = -(y_true * ops.log(p) + (1.0 - y_true) * ops.log1p(-p))
    return per_sample(values, axis)


@catalog.register(
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
        tasks=("binary", "multilabel"),
        targets="binary",
        prediction="probabilities_or_logits",
        pairs_with=("sigmoid",),
        when_to_use=(
            "Binary classification with one sigmoid output, and multi-label classification "
            "with a sigmoid per class (averaged); also regression bounded to [0, 1]. Strong "
            "gradients when confidently wrong. With a linear output, set from_logits=True."
        ),
        source="mhtechin",
    )
)
class BinaryCrossentropy(_Crossentropy):
    """Binary cross-entropy (log loss): {formula}.

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

    function = staticmethod(binary_crossentropy)
    default_name = "binary_crossentropy"
    output_activation = "sigmoid"


def _log_of_normalized(p, axis):
    """log of `p / sum(p)` along `axis`, clipped to [epsilon, 1 - epsilon] as Keras clips.

    Inside the band, accurate for a likely class too: log(p / sum) of a
    share near 1 takes the log of a float close to 1, whose rounding (an
    ulp of 1) is far larger than the result (a 4e-2 relative error for a
    share above 0.999). As in `log_softmax`, the largest entry's share is
    ``-log1p(rest / largest)``, and every other's is measured from it.
    """
    tiny = float(finfo(p.dtype).tiny)
    top = ops.one_hot(ops.argmax(p, axis=axis), ops.shape(p)[axis], axis=axis) > 0
    largest = ops.sum(ops.where(top, p, 0.0), axis=axis, keepdims=True)
    # A slice of zeros (its share is clipped below) divides by 1: JAX's gradient of x / tiny
    # divides by tiny^2, which underflows, and makes NaN of it.
    largest = ops.where(ops.less(largest, tiny), ops.ones_like(largest), largest)
    rest = ops.sum(ops.where(top, 0.0, p), axis=axis, keepdims=True)
    log_top_share = -ops.log1p(rest / largest)
    log_share = ops.where(
        top, log_top_share, ops.log(ops.maximum(p, tiny)) - ops.log(largest) + log_top_share
    )
    # Outside the band the clipped value, with no gradient, exactly as Keras's clip.
    share = _normalized(p, axis)
    epsilon = keras.config.epsilon()
    clipped = ops.log(_clipped(share))
    outside = ops.logical_or(ops.less(share, epsilon), ops.greater(share, 1.0 - epsilon))
    return ops.where(outside, ops.stop_gradient(clipped), log_share)


def _softmax_scores(y_pred, from_logits, axis, function_name):
    """(scores, is_logits): the logits behind `y_pred` if known, else its probabilities."""
    scores, is_logits = scores_and_kind(
        as_float(y_pred), from_logits, "softmax", axis, function_name
    )
    if scores.shape and scores.shape[axis] == 1:
        warnings.warn(
            f"In `{function_name}`, `y_pred` has a single class along axis {axis}, so a "
            f"softmax over it is always 1 and the loss always 0. Received: "
            f"y_pred.shape={tuple(scores.shape)}. Use binary_crossentropy for two classes.",
            stacklevel=3,
        )
    return scores, is_logits


def _log_probabilities(scores, is_logits, axis):
    """log p along `axis`, from logits, else from normalized and clipped probabilities."""
    if config.is_fast():
        if is_logits:
            return ops.log_softmax(scores, axis=axis)
        return ops.log(_clipped(_normalized(scores, axis)))
    if is_logits:
        return log_softmax(scores, axis=axis)
    return _log_of_normalized(scores, axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy per sample: {formula} over `axis`.

    From logits it uses ``log_softmax``, which is exact for any logit gap;
    when `y_pred` is the output of our `Softmax` (or, on TensorFlow, Keras's
    softmax over the last axis) those are used, on every backend. Bare
    probabilities are first normalized to sum to 1 and clipped to
    [epsilon, 1 - epsilon] with `keras.config.epsilon()`, as Keras does.

    Example:
    >>> categorical_crossentropy([[0.0, 1.0]], [[0.0, 100.0]], from_logits=True)
    [0.0]

    Args:
        y_true: one-hot (or probability) targets, shape `(batch, ..., K, ...)`.
        y_pred: probabilities, or logits with `from_logits=True`; same shape.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: float in [0, 1]; targets become
            ``y (1 - label_smoothing) + label_smoothing / K`` with K the
            number of classes along `axis`.
        axis: the class axis.
    """
    from_logits, label_smoothing, axis = check.check_crossentropy_arguments(
        from_logits, label_smoothing, axis
    )
    scores, is_logits = _softmax_scores(y_pred, from_logits, axis, "categorical_crossentropy")
    y_true, scores = align_shapes(
        y_true,
        scores,
        hint="For integer class labels, use sparse_categorical_crossentropy.",
    )
    if label_smoothing:
        classes = ops.cast(ops.shape(scores)[axis], scores.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    if config.is_fast():
        # Keras's kernel: on TensorFlow, one fused softmax cross-entropy.
        return ops.categorical_crossentropy(y_true, scores, from_logits=is_logits, axis=axis)
    if is_logits:
        return _softmax_crossentropy(y_true, scores, axis=axis)
    return -ops.sum(y_true * _log_probabilities(scores, is_logits, axis), axis=axis)


@catalog.register(
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
        tasks=("multiclass",),
        targets="one_hot",
        prediction="probabilities_or_logits",
        pairs_with=("softmax",),
        when_to_use=(
            "Multi-class classification with mutually exclusive classes and a softmax output, "
            "targets one-hot encoded. Large gradients when confidently wrong."
        ),
        source="mhtechin",
    )
)
class CategoricalCrossentropy(_Crossentropy):
    """Categorical cross-entropy: {formula} over the class axis.

    Label smoothing mixes targets with the uniform distribution:
    ``y (1 - label_smoothing) + label_smoothing / K``, K the number of
    classes along `axis`. From logits it uses `log_softmax`, exact for any
    logit gap. A drop-in for `keras.losses.CategoricalCrossentropy`.

    Example:
    >>> keras_actloss.losses.CategoricalCrossentropy(from_logits=True)([[1.0, 0.0]], [[0.0, 100.0]])
    100.0

    Args:{crossentropy}{reduction}
    """

    function = staticmethod(categorical_crossentropy)
    default_name = "categorical_crossentropy"
    output_activation = "softmax"


def _sparse_labels(y_true, class_shape, axis):
    """Integer labels shaped like `class_shape` without its class axis."""
    y_true = ops.convert_to_tensor(y_true)
    expected = tuple(d for i, d in enumerate(class_shape) if i != axis)
    true_shape = tuple(y_true.shape)
    if len(true_shape) == len(class_shape) and true_shape[axis] == 1:
        y_true = ops.squeeze(y_true, axis)
    agree = len(y_true.shape) == len(expected) and all(
        a is None or b is None or a == b for a, b in zip(y_true.shape, expected, strict=True)
    )
    if not agree:
        raise ValueError(
            "`y_true` must hold one integer label per sample: the shape of `y_pred` without "
            f"its class axis {axis} (or with a 1 there). Received: y_true.shape={true_shape}, "
            f"y_pred.shape={tuple(class_shape)}"
        )
    return ops.cast(y_true, "int32")


def _labels_in_range(labels, classes, ignore_class, axis):
    """Where labels lie in [0, classes); raises eagerly when any other label is not `ignore_class`.

    A negative label would otherwise silently index from the end.
    """
    in_range = ops.logical_and(
        ops.greater_equal(labels, 0), ops.less(labels, ops.cast(classes, labels.dtype))
    )
    allowed = (
        in_range
        if ignore_class is None
        else ops.logical_or(in_range, ops.equal(labels, ignore_class))
    )
    if concrete_bool(ops.all(allowed)) is False:
        bad = ops.convert_to_numpy(labels)[~ops.convert_to_numpy(allowed)]
        besides = "" if ignore_class is None else f", or ignore_class={ignore_class}"
        raise ValueError(
            f"Class labels must lie in [0, {int(classes)}): `y_pred` has {int(classes)} "
            f"classes along axis {axis}{besides}. Received a label value of {int(bad[0])} "
            f"({bad.size} label(s) out of range)."
        )
    return in_range


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical cross-entropy with integer labels per sample: {formula}.

    The same loss as `categorical_crossentropy` on one-hot targets, without
    building them. Unlike Keras on TensorFlow, any class `axis` works.

    Example:
    >>> sparse_categorical_crossentropy([1], [[0.0, 100.0]], from_logits=True)
    [0.0]

    Args:
        y_true: integer class indices, the shape of `y_pred` without its class
            axis (a 1 in its place is accepted).
        y_pred: probabilities, or logits with `from_logits=True`.
        from_logits: whether `y_pred` holds logits.
        ignore_class: optional int, a label (e.g. -1 or 255 for "void")
            whose positions cost 0 and are masked out of the mean.
        axis: the class axis.
    """
    from_logits, _, axis = check.check_crossentropy_arguments(from_logits, 0.0, axis)
    ignore_class = check.check_integer("ignore_class", ignore_class, allow_none=True)
    scores, is_logits = _softmax_scores(
        y_pred, from_logits, axis, "sparse_categorical_crossentropy"
    )
    axis = axis % len(scores.shape)
    labels = _sparse_labels(y_true, tuple(scores.shape), axis)
    in_range = _labels_in_range(labels, ops.shape(scores)[axis], ignore_class, axis)
    safe_labels = ops.where(in_range, labels, 0)
    if config.is_fast() and axis == len(scores.shape) - 1:
        # Keras's kernel (on TensorFlow, one fused sparse softmax cross-entropy; its last axis).
        picked = ops.sparse_categorical_crossentropy(safe_labels, scores, from_logits=is_logits)
    elif is_logits and not config.is_fast():
        classes = ops.shape(scores)[axis]
        one_hot = ops.one_hot(safe_labels, classes, axis=axis, dtype=scores.dtype)
        picked = _softmax_crossentropy(one_hot, scores, axis=axis)
    else:
        log_p = _log_probabilities(scores, is_logits, axis)
        picked = -ops.squeeze(
            ops.take_along_axis(log_p, ops.expand_dims(safe_labels, axis), axis=axis), axis
        )
    # Inside a compiled function no error can be raised: an out-of-range
    # label makes its loss NaN there, so that it cannot pass unnoticed.
    values = ops.where(in_range, picked, float("nan"))
    if ignore_class is not None:
        valid = ops.not_equal(labels, ignore_class)
        values = ops.where(valid, values, 0.0)
        # `Loss.__call__` then leaves these positions out of the mean, as Keras does.
        internals.set_keras_mask(values, valid)
    return values


@catalog.register(
    LossInfo(
        name="sparse_categorical_crossentropy",
        aliases=(
            "scce",
            "sparse_cce",
            "sparse_categorical_cross_entropy",
            "sparse_multiclass_cross_entropy",
        ),
        formula="L = -log(p_y), y an integer class index",
        tasks=("multiclass",),
        targets="integer_labels",
        prediction="probabilities_or_logits",
        pairs_with=("softmax",),
        when_to_use=(
            "Multi-class classification with integer labels, e.g. with many classes where "
            "one-hot targets waste memory; the same loss as categorical cross-entropy."
        ),
        source="mhtechin",
    )
)
class SparseCategoricalCrossentropy(PerSampleLoss):
    """Categorical cross-entropy with integer labels: {formula}.

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

    function = staticmethod(sparse_categorical_crossentropy)
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


def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence per sample: {formula}.

    Exact where a target probability is 0: the term is ``0 log 0 = 0`` and
    its gradient with respect to `y_pred` is exactly 0 (Keras clips targets
    at 1e-7 instead, which adds ``1e-7 log(1e-7 / p)`` and a gradient of
    ``-1e-7 / p``). When `y_pred` is the output of our `Softmax`, log p comes
    from its logits; bare predictions are clipped to [epsilon, 1] with
    `keras.config.epsilon()`, as Keras clips them.

    Example:
    >>> kl_divergence([[1.0, 0.0]], [[0.5, 0.5]])
    [0.6931]

    Args:
        y_true: target distributions over the last axis.
        y_pred: predicted distributions, the same shape.
    """
    scores, is_logits = scores_and_kind(as_float(y_pred), False, "softmax", -1, "kl_divergence")
    y_true, scores = align_shapes(y_true, scores)
    log_p = log_softmax(scores, axis=-1) if is_logits else ops.log(_clipped(scores, upper=1.0))
    # Where y = 0 the log is finite, so the term is exactly 0.
    return ops.sum(y_true * (_log_of_target(y_true) - log_p), axis=-1)


@catalog.register(
    LossInfo(
        name="kl_divergence",
        aliases=("kld", "kl", "kullback_leibler_divergence", "relative_entropy"),
        formula="D_KL(P || Q) = sum_k p_k log(p_k / q_k), 0 log 0 = 0",
        tasks=("multiclass",),
        targets="distribution",
        prediction="probabilities",
        pairs_with=("softmax",),
        when_to_use=(
            "Matching a target distribution rather than a single class: soft labels, "
            "distillation, variational models. Not symmetric; it is >= 0 and 0 only when the "
            "distributions agree."
        ),
        source="mulla",
    )
)
class KLDivergence(PerSampleLoss):
    """Kullback-Leibler divergence: {formula} over the last axis.

    Exact where a target probability is 0 (``0 log 0 = 0``, with a zero
    gradient); Keras clips targets at 1e-7, which biases the loss and its
    gradient. A drop-in for `keras.losses.KLDivergence`.

    Example:
    >>> keras_actloss.losses.KLDivergence()([[1.0, 0.0]], [[0.5, 0.5]])
    0.6931

    Args:{reduction}
    """

    function = staticmethod(kl_divergence)
    default_name = "kl_divergence"
    output_activation = "softmax"
