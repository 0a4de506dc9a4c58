"""The base class of every loss, and what every loss does alike.

Every per-sample function returns one value per sample: it averages (or,
for a distribution, sums) over the feature or class axis and never over
the batch. A rank-1 input is a batch of scalar predictions, so it comes
back elementwise (Keras would average it into one number, which then mixes
up `sample_weight`). Done once, here, for every loss:

* shapes: `align_shapes` applies Keras's rule for a trailing dimension of 1
  (``(32,)`` against ``(32, 1)``) and rejects shapes that do not match,
  naming both, instead of broadcasting ``(8, 1)`` against ``(1, 8)``;
* dtypes: `y_true` is cast to the dtype of `y_pred`, and constants follow it;
* arguments: `PerSampleLoss` keeps each class's config and its call in one
  dict, `arguments()`, so no argument is lost on save and load.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_actloss import _validation as check
from keras_actloss._tensors import (
    propagate_nan,
)
from keras_actloss.losses._logits import cast_keeping_logits


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


def align_shapes(y_true, y_pred, hint=""):
    """Casts `y_true` to `y_pred`'s dtype and checks that their shapes agree.

    The rule: `y_true` and `y_pred` have the same shape, except that one may
    have one extra trailing axis of size 1 (Keras's squeeze/expand rule:
    ``(32,)`` against ``(32, 1)`` is accepted); unknown dimensions match
    anything. Nothing broadcasts: ``(8, 1)`` against ``(1, 8)`` or
    ``(N, 1)`` against ``(N, 2)`` raises instead of silently comparing every
    target with every prediction (Keras broadcasts them).

    Args:
        y_true: the targets.
        y_pred: the predictions; a float tensor.
        hint: a sentence added to the error, e.g. the loss to use instead.

    Returns:
        `(y_true, y_pred)` with equal shapes.

    Raises:
        ValueError: naming both shapes when they do not agree.
    """
    y_true = ops.cast(y_true, y_pred.dtype)
    aligned_true, aligned_pred = _squeeze_or_expand(y_true, y_pred)
    agree = len(aligned_true.shape) == len(aligned_pred.shape) and all(
        a is None or b is None or a == b
        for a, b in zip(aligned_true.shape, aligned_pred.shape, strict=True)
    )
    if not agree:
        raise ValueError(
            "`y_true` and `y_pred` must have the same shape, except that one may have one "
            "extra trailing axis of size 1. "
            f"{hint + ' ' if hint else ''}"
            f"Received: y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    return aligned_true, aligned_pred


def per_sample(values, axis=-1):
    # A rank-1 batch holds one scalar per sample: there is no feature axis.
    return ops.mean(values, axis=axis) if len(values.shape) >= 2 else values


def safe_sqrt(x):
    """sqrt(x) for x >= 0 whose gradient at 0 is 0 instead of inf (then NaN); NaN stays NaN."""
    positive = ops.greater(x, 0)
    root = ops.where(positive, ops.sqrt(ops.where(positive, x, ops.ones_like(x))), 0.0)
    return propagate_nan(root, x)


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

    Subclasses name their function and declare each constructor argument as
    a `check.Argument`; `arguments()` collects them, and `call` and
    `get_config` both read that one dict, so a constructor argument cannot
    be forgotten by either. `call` returns one
    loss per sample and `keras.losses.Loss.__call__` applies `sample_weight`,
    masks and the `reduction`, as Keras's own losses do.

    `output_activation` names the activation ("sigmoid" or "softmax") whose
    logits the function can use; `__call__` keeps them across the cast to
    the loss's dtype (see `_logits.cast_keeping_logits`).

    A ``{reduction}`` in a subclass's docstring becomes the description of
    the arguments every loss shares, and ``{NAME}`` the text of
    `docstring_parts["NAME"]`, so that shared arguments are described once.
    """

    function = None
    default_name = None
    output_activation = None
    docstring_parts = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__doc__:  # None under `python -OO`
            for key, text in {**cls.docstring_parts, "reduction": _REDUCTION_DOC}.items():
                cls.__doc__ = cls.__doc__.replace("{" + key + "}", text)

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(
            name=name or self.default_name, reduction=check.check_reduction(reduction), dtype=dtype
        )
        # What the user asked for, so that a reload under another floatx keeps it.
        self._dtype_config = None if dtype is None else keras.dtype_policies.get(dtype).name

    def arguments(self):
        """The function's keyword arguments (also the loss's config): its `Argument`s."""
        return check.argument_values(self)

    def call(self, y_true, y_pred):
        return type(self).function(y_true, y_pred, **self.arguments())

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.output_activation is not None:
            axis = self.arguments().get("axis", -1)
            y_pred = cast_keeping_logits(y_pred, self.dtype, self.output_activation, axis)
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
