"""Per-sample loss functions, written with `keras.ops`.

Each function here is the one place its formula is written; the `Loss`
classes in `keras_actloss.losses.classes` and the metrics in
`keras_actloss.metrics` are thin shells over them. Every function returns
one value per sample: it averages (or, for a distribution, sums) over the
feature or class axis and never over the batch. A rank-1 input is a batch
of scalar predictions, so it comes back elementwise (Keras would average
it into one number, which then mixes up `sample_weight`).

Three things are done once, here, for every loss:

* shapes: `align_shapes` applies Keras's rule for a trailing dimension of 1
  (``(32,)`` against ``(32, 1)``) and rejects shapes that do not match,
  naming both, instead of broadcasting ``(32, 3)`` against ``(32, 5)``;
* exactness: the cross-entropies read the logits behind a sigmoid or softmax
  output (`_keras_logits`, which Keras attaches wherever the tensor type
  allows) and compute from them, so a confidently wrong prediction costs what
  the math says; from probabilities alone they clip only at the smallest
  normal float instead of Keras's 1e-7;
* dtypes: `y_true` is cast to the dtype of `y_pred`, and constants follow it.
"""

from __future__ import annotations

import math
import warnings

import keras
from keras import ops

from keras_actloss import _keras_internals as internals
from keras_actloss import _validation as check
from keras_actloss._tensors import (
    as_float,
    concrete_bool,
    finfo,
    logits_record,
    propagate_nan,
    remember_logits,
)

# --- shared helpers ---------------------------------------------------------------


def _squeeze_or_expand(y_true, y_pred):
    # Keras's rule (keras.src.losses.loss.squeeze_or_expand_to_same_rank): when
    # the ranks differ by one and the longer shape ends in 1, a rank-1 tensor
    # gains that 1 and any other loses it.
    true_rank, pred_rank = len(y_true.shape), len(y_pred.shape)
    if pred_rank == true_rank + 1 and y_pred.shape[-1] == 1:
        if true_rank == 1:
            return ops.expand_dims(y_true, -1), y_pred
        return y_true, ops.squeeze(y_pred, -1)
    if true_rank == pred_rank + 1 and y_true.shape[-1] == 1:
        if pred_rank == 1:
            return y_true, ops.expand_dims(y_pred, -1)
        return ops.squeeze(y_true, -1), y_pred
    return y_true, y_pred


def align_shapes(y_true, y_pred, broadcast=True, hint=""):
    """Casts `y_true` to `y_pred`'s dtype and checks that their shapes agree.

    Shapes agree when they are equal after Keras's treatment of a trailing
    dimension of 1 (``(32,)`` against ``(32, 1)`` is accepted), with unknown
    dimensions matching anything. With `broadcast=True` a dimension of 1 may
    also stand against any size, within the same rank. Anything else raises
    rather than broadcasting silently.

    Args:
        y_true: the targets.
        y_pred: the predictions; a float tensor.
        broadcast: whether a dimension of 1 may broadcast.
        hint: a sentence added to the error, e.g. the loss to use instead.

    Returns:
        `(y_true, y_pred)` with equal ranks.

    Raises:
        ValueError: naming both shapes when they do not agree.
    """
    y_true = ops.cast(y_true, y_pred.dtype)
    aligned_true, aligned_pred = _squeeze_or_expand(y_true, y_pred)
    agree = len(aligned_true.shape) == len(aligned_pred.shape) and all(
        a is None or b is None or a == b or (broadcast and 1 in (a, b))
        for a, b in zip(aligned_true.shape, aligned_pred.shape, strict=True)
    )
    if not agree:
        allowed = "the same shape" + (
            " (or a dimension of 1 against any size)" if broadcast else ""
        )
        raise ValueError(
            f"`y_true` and `y_pred` must have {allowed}, up to a trailing dimension of 1. "
            f"{hint + ' ' if hint else ''}"
            f"Received: y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    return aligned_true, aligned_pred


def _per_sample(values, axis=-1):
    # A rank-1 batch holds one scalar per sample: there is no feature axis.
    return ops.mean(values, axis=axis) if len(values.shape) >= 2 else values


def safe_sqrt(x):
    """sqrt(x) for x >= 0 whose gradient at 0 is 0 instead of inf (then NaN); NaN stays NaN."""
    positive = ops.greater(x, 0)
    root = ops.where(positive, ops.sqrt(ops.where(positive, x, ops.ones_like(x))), 0.0)
    return propagate_nan(root, x)


def _probability_bounds(dtype):
    # The smallest normal number and the largest number below 1: every
    # probability in between is used as given, so -log p is exact there.
    info = finfo(dtype)
    return float(info.tiny), 1.0 - float(info.eps) / 2


def _log(p):
    """log p, with p raised to at least the smallest normal float so that log 0 is finite."""
    tiny, _ = _probability_bounds(p.dtype)
    return ops.log(ops.maximum(p, tiny))


def _normalized(p, axis):
    tiny, _ = _probability_bounds(p.dtype)
    return p / ops.maximum(ops.sum(p, axis=axis, keepdims=True), tiny)


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


def _scores(y_pred, from_logits, activation, axis, function_name):
    """Returns `(tensor, is_logits)`: the logits when known, else the probabilities."""
    if from_logits:
        if logits_record(y_pred) is not None or internals.get_keras_logits(y_pred) is not None:
            warnings.warn(
                f"`{function_name}` received `from_logits=True`, but `y_pred` was produced by a "
                f"sigmoid or softmax activation, so it holds probabilities and is squashed a "
                f"second time. Use `from_logits=False`, or drop the output activation.",
                stacklevel=3,
            )
        return y_pred, True
    logits = _remembered_logits(y_pred, activation, axis)
    return (y_pred, False) if logits is None else (logits, True)


def _signed_labels(y_true):
    # Keras's rule for hinge losses: labels that are all 0 or 1 become -1 or 1;
    # any other labels are used as given. A `where`, not a `cond`, so that it
    # stays one fused graph.
    binary = ops.all(ops.logical_or(ops.equal(y_true, 0.0), ops.equal(y_true, 1.0)))
    return ops.where(binary, 2.0 * y_true - 1.0, y_true)


# --- regression ---------------------------------------------------------------------


def mean_squared_error(y_true, y_pred):
    """Mean squared error (L2 loss) per sample: ``mean((y_true - y_pred)^2)``.

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
    return _per_sample(ops.square(y_pred - y_true))


def mean_absolute_error(y_true, y_pred):
    """Mean absolute error (L1 loss) per sample: ``mean(|y_true - y_pred|)``.

    Example:
    >>> mean_absolute_error([[0.0, 1.0]], [[2.0, 1.0]])
    [1.0]

    Args:
        y_true: targets, shape `(batch, d0, .. dN)`.
        y_pred: predictions, the same shape.
    """
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    return _per_sample(ops.abs(y_pred - y_true))


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


def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean squared logarithmic error: ``mean((log(1 + y_pred) - log(1 + y_true))^2)``.

    For non-negative targets and predictions (counts, prices); negative
    values are taken as 0, as Keras clips them (at 1e-7). `log1p` keeps it
    exact for small values.

    Example:
    >>> mean_squared_logarithmic_error([[0.0]], [[math.e - 1]])
    [1.0]

    Args:
        y_true: non-negative targets, shape `(batch, d0, .. dN)`.
        y_pred: non-negative predictions, the same shape.
    """
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    log_ratio = ops.log1p(ops.maximum(y_pred, 0.0)) - ops.log1p(ops.maximum(y_true, 0.0))
    return _per_sample(ops.square(log_ratio))


def mean_error(y_true, y_pred):
    """Mean (signed) error per sample: ``mean(y_true - y_pred)``.

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
    return _per_sample(y_true - y_pred)


def huber(y_true, y_pred, delta=1.0):
    """Huber loss per sample: quadratic for small errors, linear for large ones.

    With e = y_pred - y_true::

        0.5 * e^2                     if |e| <= delta
        delta * (|e| - 0.5 * delta)   otherwise

    computed as ``0.5 q^2 + delta (|e| - q)`` with ``q = min(|e|, delta)``,
    which needs no branch. It approaches MAE (scaled by delta) as delta -> 0
    and MSE / 2 as delta -> inf.

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
    abs_error = ops.abs(y_pred - y_true)
    quadratic = ops.minimum(abs_error, delta)
    return _per_sample(0.5 * ops.square(quadratic) + delta * (abs_error - quadratic))


# --- probabilistic classification --------------------------------------------------


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy (log loss) per sample.

    ``-mean(y log p + (1 - y) log(1 - p))`` over `axis`. From logits z it is
    computed as ``max(z, 0) - z y + log(1 + e^-|z|)``, which is exact for
    any z. When `y_pred` is the output of a sigmoid that kept its logits
    (TensorFlow, PyTorch, JAX outside `jit`) those are used, so a logit of 50 with label 0
    costs 50; from bare probabilities the loss is exact down to the smallest
    normal float (-log p up to 87 in float32, where Keras stops at 16.1).

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
    scores, is_logits = _scores(
        as_float(y_pred), from_logits, "sigmoid", axis, "binary_crossentropy"
    )
    y_true, scores = align_shapes(y_true, scores, broadcast=False)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if is_logits:
        values = ops.relu(scores) - scores * y_true + ops.log1p(ops.exp(-ops.abs(scores)))
    else:
        tiny, below_one = _probability_bounds(scores.dtype)
        p = ops.clip(scores, tiny, below_one)
        values = -(y_true * ops.log(p) + (1.0 - y_true) * ops.log1p(-p))
    return _per_sample(values, axis)


def _log_softmax_probabilities(y_pred, from_logits, axis, function_name):
    """log p along `axis`, from logits if known, else from normalized probabilities."""
    scores, is_logits = _scores(as_float(y_pred), from_logits, "softmax", axis, function_name)
    if scores.shape and scores.shape[axis] == 1:
        warnings.warn(
            f"In `{function_name}`, `y_pred` has a single class along axis {axis}, so a "
            f"softmax over it is always 1 and the loss always 0. Received: "
            f"y_pred.shape={tuple(scores.shape)}. Use binary_crossentropy for two classes.",
            stacklevel=3,
        )
    if is_logits:
        return scores, ops.log_softmax(scores, axis=axis)
    return scores, _log(_normalized(scores, axis))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy per sample: ``-sum(y * log p)`` over `axis`.

    From logits it uses ``log_softmax``, which is exact for any logit gap;
    when `y_pred` is a softmax output that kept its logits (TensorFlow,
    PyTorch, JAX outside `jit`) those are used. Probabilities are first normalized to sum to 1
    (as Keras does) and clipped only at the smallest normal float.

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
    scores, log_p = _log_softmax_probabilities(
        y_pred, from_logits, axis, "categorical_crossentropy"
    )
    y_true, log_p = align_shapes(
        y_true,
        log_p,
        broadcast=False,
        hint="For integer class labels, use sparse_categorical_crossentropy.",
    )
    if label_smoothing:
        classes = ops.cast(ops.shape(log_p)[axis], log_p.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    return -ops.sum(y_true * log_p, axis=axis)


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


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical cross-entropy with integer labels: ``-log p[y]`` per sample.

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
    scores, log_p = _log_softmax_probabilities(
        y_pred, from_logits, axis, "sparse_categorical_crossentropy"
    )
    axis = axis % len(log_p.shape)
    labels = _sparse_labels(y_true, tuple(log_p.shape), axis)
    in_range = _labels_in_range(labels, ops.shape(log_p)[axis], ignore_class, axis)
    picked = ops.take_along_axis(
        log_p, ops.expand_dims(ops.where(in_range, labels, 0), axis), axis=axis
    )
    # Inside a compiled function no error can be raised: an out-of-range
    # label makes its loss NaN there, so that it cannot pass unnoticed.
    values = ops.where(in_range, -ops.squeeze(picked, axis), float("nan"))
    if ignore_class is not None:
        valid = ops.not_equal(labels, ignore_class)
        values = ops.where(valid, values, 0.0)
        # `Loss.__call__` then leaves these positions out of the mean, as Keras does.
        internals.set_keras_mask(values, valid)
    return values


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


def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence ``KL(y_true || y_pred) = sum(y log(y / p))`` per sample.

    Exact where a target probability is 0: the term is ``0 log 0 = 0`` and
    its gradient with respect to `y_pred` is exactly 0 (Keras clips targets
    at 1e-7 instead, which adds ``1e-7 log(1e-7 / p)`` and a gradient of
    ``-1e-7 / p``). When `y_pred` is a softmax output that kept its logits,
    log p comes from them.

    Example:
    >>> kl_divergence([[1.0, 0.0]], [[0.5, 0.5]])
    [0.6931]

    Args:
        y_true: target distributions over the last axis.
        y_pred: predicted distributions, the same shape.
    """
    scores, is_logits = _scores(as_float(y_pred), False, "softmax", -1, "kl_divergence")
    y_true, scores = align_shapes(y_true, scores, broadcast=False)
    log_p = ops.log_softmax(scores, axis=-1) if is_logits else _log(scores)
    # Where y = 0 the clipped log is finite, so the term is exactly 0. (A log
    # of the ratio y / p would save an op, but its gradient overflows for p
    # near the smallest normal float.)
    return ops.sum(y_true * (_log(y_true) - log_p), axis=-1)


# --- margin classification ------------------------------------------------------------


def hinge(y_true, y_pred):
    """Hinge loss per sample: ``mean(max(0, 1 - y * y_pred))``.

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
    return _per_sample(ops.relu(1.0 - _signed_labels(y_true) * y_pred))


def squared_hinge(y_true, y_pred):
    """Squared hinge loss per sample: ``mean(max(0, 1 - y * y_pred)^2)``.

    Smooth at the margin, and penalizes large violations more than `hinge`.

    Example:
    >>> squared_hinge([[1.0, -1.0]], [[0.5, -2.0]])
    [0.125]

    Args:
        y_true: labels in {-1, 1} (or {0, 1}), shape `(batch, d0, .. dN)`.
        y_pred: raw scores, the same shape.
    """
    y_true, y_pred = align_shapes(y_true, as_float(y_pred))
    return _per_sample(ops.square(ops.relu(1.0 - _signed_labels(y_true) * y_pred)))


def perceptron_loss(y_true, y_pred):
    """Rosenblatt's perceptron criterion per sample: ``mean(max(0, -y * y_pred))``.

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
    return _per_sample(ops.relu(-_signed_labels(y_true) * y_pred))


def zero_one_loss(y_true, y_pred, threshold=0.5, from_logits=False):
    """The 0-1 loss per sample: the fraction of outputs classified wrongly.

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
    return _per_sample(wrong + connected_zero)
