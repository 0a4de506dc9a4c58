"""Activations of several inputs at once: softmax (over an axis) and maxout (over pieces).

Neither is elementwise, so neither has a `derivative(x)`: softmax has a
`jacobian(x)`, and maxout's derivative is the winning piece's weights."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_actloss import _validation as check
from keras_actloss import catalog, config
from keras_actloss._tensors import (
    as_float,
    finfo,
    recompute_in_backward,
    remember_logits,
    upstream_gradient,
)
from keras_actloss.activations._base import (
    ActivationLayer,
    is_float32,
    two_sum_error,
    widen,
)
from keras_actloss.catalog import ActivationInfo

__all__ = [
    "Maxout",
    "Softmax",
    "maxout",
    "softmax",
    "softmax_jacobian",
]


def _exp_shifted(z, axis):
    """e^(z - max z) along `axis`, with the rounding of z - max z made up for.

    z - max rounds to |z - max| ulps, which exp turns into a relative error
    of up to ~4e-6 on small float32 probabilities (Keras's softmax has
    it). For float32 the rounding error e of d = z - max is recovered
    exactly (`two_sum_error`) and e^(d + e) = e^d (1 + e) to first order.
    """
    top = ops.max(z, axis=axis, keepdims=True)
    d = z - top
    y = ops.exp(d)
    if not is_float32(z):
        return y
    e = two_sum_error(z, -top, d)
    # Where e^d is 0 the difference may have overflowed (z = -3e38, max = 3e38)
    # or z be -inf: there e is NaN, and the probability stays 0.
    return ops.where(ops.greater(y, 0), y + y * e, y)


def _softmax(z, axis):
    """Softmax of `z` (float32 or float64) along `axis`, with its gradient in closed form.

    The gradient is s (g - sum(g s)) for the upstream gradient g. Where
    one class takes nearly all the mass, g_top - sum(g s) cancels, and
    s_top (1 - s_top) would come out as ulps of s_top; g is first shifted
    by its value at the most probable class (which leaves the gradient
    unchanged, as the s sum to 1), so that the top class's term of the
    sum is exactly 0 and nothing cancels.
    """

    def probabilities(v):
        y = _exp_shifted(v, axis)
        return y * ops.reciprocal(ops.sum(y, axis=axis, keepdims=True))

    def total(t):
        return ops.sum(t, axis=axis, keepdims=True)

    @ops.custom_gradient
    def forward(v):
        forward_s = probabilities(v)

        def grad(*args, upstream=None):
            upstream = upstream_gradient(args, upstream)
            s = probabilities(v) if recompute_in_backward() else forward_s
            top = ops.cast(ops.equal(s, ops.max(s, axis=axis, keepdims=True)), s.dtype)
            g = upstream - total(upstream * top) / total(top)  # ties: their mean
            return s * (g - total(g * s))

        return forward_s, grad

    return forward(z)


def softmax(x, axis=-1, mask=None):
    """Softmax {formula} along `axis`, computed after subtracting the max.

    Computed in float32 (half-precision inputs too, rounded once at the
    end), with the rounding of x - max made up for (`_exp_shifted`):
    accurate to float32's precision for the smallest probabilities, with
    the same ops on every backend and in TFLite and ONNX exports.
    Positions where `mask` is False get probability 0 and take no share of
    the mass; a slice that is masked everywhere comes out as all zeros. The
    mask broadcasts against `x` from the right, as in Keras (a `(3,)` mask
    over `(2, 3)` logits); a mask of lower rank that does not, but matches
    the leading axes, covers them, as the (batch, time) masks Keras
    propagates through a sequence do. Where both readings fit, Keras's wins.
    """
    x = as_float(x)
    axis = tuple(axis) if isinstance(axis, list) else axis
    logits = x
    if mask is not None:
        # The output remembers these masked logits: the ones that produced it.
        mask = _align_mask(ops.cast(mask, "bool"), x)
        logits = ops.where(mask, x, ops.convert_to_tensor(_lowest(x.dtype), x.dtype))
    if config.is_fast():
        probabilities = ops.softmax(logits, axis=axis)
    else:
        probabilities = _softmax(widen(logits), axis)
    if mask is not None:
        probabilities = ops.where(mask, probabilities, ops.zeros_like(probabilities))
    output = ops.cast(probabilities, x.dtype)
    if isinstance(axis, int):  # over several axes there is no single class axis to recover
        output = remember_logits(output, logits, "softmax", axis)
    return output


def _fits(mask_axes, input_axes):
    # Over the mask's axes only: the input may have more.
    pairs = zip(mask_axes, input_axes[: len(mask_axes)], strict=True)
    return all(m is None or d is None or m in (1, d) for m, d in pairs)


def _align_mask(mask, x):
    """`mask` shaped to broadcast against `x`: Keras's rule first, then the leading axes."""
    mask_shape, shape = tuple(mask.shape), tuple(x.shape)
    if len(mask_shape) <= len(shape):
        # Keras's own Softmax: NumPy broadcasting, aligned from the right.
        if _fits(mask_shape[::-1], shape[::-1]):
            return mask
        # The masks Keras propagates through a sequence: (batch, time) over (batch, time, ...).
        if _fits(mask_shape, shape):
            for _ in range(len(shape) - len(mask_shape)):
                mask = ops.expand_dims(mask, -1)
            return mask
    raise ValueError(
        "The `mask` must be broadcastable to `inputs`: aligned from the right as in Keras "
        "(each mask dimension 1 or equal to the input's), or over the input's leading axes "
        "(a (batch, time) mask over (batch, time, features)). "
        f"Received: mask.shape={mask_shape}, inputs.shape={shape}"
    )


def _lowest(dtype):
    # Half the most negative finite value, so that `max - lowest` cannot overflow.
    return float(finfo(dtype).min) / 2


def softmax_jacobian(x, axis=-1):
    """d softmax(x)_i / d x_j = s_i (delta_ij - s_j), returned with shape (..., K, K).

    The softmax axis is moved to the end and expanded into the last two
    axes. The diagonal s_i (1 - s_i) takes 1 - s_i as the other classes'
    share, sum_{j != i} s_j, which keeps its relative accuracy where s_i
    is close to 1 and 1 - s_i would round to a few ulps of 1.
    """
    x = ops.moveaxis(as_float(x), axis, -1)
    z = widen(x)
    y = _exp_shifted(z, -1)
    scale = ops.reciprocal(ops.sum(y, axis=-1, keepdims=True))
    s = y * scale
    classes = ops.shape(s)[-1]
    diagonal = ops.eye(classes, dtype="bool")
    off_diagonal = ops.cast(ops.logical_not(diagonal), z.dtype)
    others = ops.einsum("...j,ij->...i", y, off_diagonal) * scale
    jacobian = ops.where(
        diagonal,
        ops.expand_dims(s * others, -1),
        -(ops.expand_dims(s, -1) * ops.expand_dims(s, -2)),
    )
    return ops.cast(jacobian, x.dtype)


@catalog.register(
    ActivationInfo(
        name="softmax",
        aliases=("normalized_exponential",),
        formula="f(x)_i = e^x_i / sum_j e^x_j",
        derivative="d f_i / d x_j = f_i (delta_ij - f_j)  (see jacobian)",
        output_range="(0, 1)",
        roles=frozenset({"multiclass_output"}),
        elementwise=False,
        when_to_use=(
            "The output layer of multi-class classification with mutually "
            "exclusive classes, one unit per class; outputs sum to 1."
        ),
        source="mhtechin",
    )
)
class Softmax(ActivationLayer):
    """Softmax {formula} along `axis`.

    Stable for logits of any magnitude (the max is subtracted first). A
    `mask` (from a masking layer or passed to `call`) gives masked
    positions probability 0; the rest still sum to 1.

    Example:
    >>> keras_actloss.Softmax()([[1.0, 2.0, 1.0]])
    [[0.21194157, 0.5761169, 0.21194157]]

    Args:
        axis: int or tuple of ints, the axis (or axes) normalised over.
    """

    function = staticmethod(softmax)
    axis = check.Argument(check.check_axis)

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def arguments(self):
        return {"axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis}

    def call(self, inputs, mask=None):
        return softmax(inputs, axis=self.axis, mask=mask)

    def compute_mask(self, inputs, mask=None):
        return mask

    @staticmethod
    def example_curve(x):
        """softmax([x, 0])[0] over a 1-D grid `x`, and its diagonal Jacobian entry s (1 - s)."""
        logits = ops.stack([x, ops.zeros_like(x)], axis=-1)
        value = ops.convert_to_numpy(softmax(logits))[:, 0]
        slope = ops.convert_to_numpy(softmax_jacobian(logits))[:, 0, 0]
        return value, slope, "softmax([x, 0])[0]"

    def jacobian(self, x):
        """The Jacobian ds_i/dx_j, with the softmax axis expanded into the last two axes."""
        if not isinstance(self.axis, int):
            raise ValueError(f"`jacobian` needs a single softmax axis. Received: axis={self.axis}")
        x = ops.convert_to_tensor(x, dtype=self.compute_dtype)
        return softmax_jacobian(x, axis=self.axis)


def maxout(x, pieces):
    """Max over groups of `pieces` consecutive features along the last axis.

    With input features ``[z_11..z_1k, z_21..z_2k, ...]`` the output unit i
    is ``max_j z_ij``. The `Maxout` layer feeds it k affine maps per unit.
    """
    pieces = check.check_integer("pieces", pieces, minimum=2)
    x = as_float(x)
    features = x.shape[-1]
    if features is not None and features % pieces:
        raise ValueError(
            "The last dimension must be a multiple of `pieces`. "
            f"Received: x.shape={tuple(x.shape)}, pieces={pieces}"
        )
    shape = ops.shape(x)
    grouped = ops.reshape(x, (*shape[:-1], shape[-1] // pieces, pieces))
    return ops.max(grouped, axis=-1)


@catalog.register(
    ActivationInfo(
        name="maxout",
        aliases=("maxout_unit",),
        formula="f(x)_i = max_j (w_ij . x + b_ij), j = 1..pieces",
        derivative="w_ij* for the winning piece j*",
        monotonic=False,
        smooth=False,
        learnable=True,
        roles=frozenset({"hidden"}),
        elementwise=False,
        when_to_use=(
            "Hidden layers, often with dropout: a learnable piecewise-linear convex "
            "unit that generalises ReLU and Leaky ReLU and does not die, at the "
            "cost of `pieces` times the parameters."
        ),
        source="mulla",
    )
)
class Maxout(ActivationLayer):
    """Maxout unit: {formula}.

    Each of the `units` outputs is the max over `pieces` affine maps of the
    input's last axis, so the layer is a dense layer and its activation in
    one. With two pieces it can learn ReLU (one piece at zero), leaky ReLU
    or |x|; with more it approximates any convex function.

    Example:
    >>> layer = keras_actloss.Maxout(units=4, pieces=3)
    >>> layer(np.ones((2, 8))).shape
    (2, 4)

    Args:
        units: int > 0, the number of output units.
        pieces: int >= 2, the affine pieces per unit (k in the formula).
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer: regularizers of the weights.
        kernel_constraint, bias_constraint: constraints of the weights.
    """

    function = staticmethod(maxout)
    units = check.Argument(check.check_integer, minimum=1, read_only=True)
    pieces = check.Argument(check.check_integer, minimum=2, read_only=True)

    def __init__(
        self,
        units,
        pieces=2,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.pieces = pieces
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)
        self.input_spec = keras.layers.InputSpec(min_ndim=2)

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError(
                "Maxout needs the last dimension of its input to be known to create "
                f"its weights. Received: input_shape={tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(features, self.units * self.pieces),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = self.add_weight(
            name="bias",
            shape=(self.units * self.pieces,),
            initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint,
        )
        self.input_spec = keras.layers.InputSpec(min_ndim=2, axes={-1: features})

    def call(self, inputs):
        return maxout(ops.matmul(inputs, self.kernel) + self.bias, self.pieces)

    @staticmethod
    def example_curve(x):
        """A unit with two pieces, x and -x, over a 1-D grid `x`: |x| (Mulla, 2020)."""
        value = ops.convert_to_numpy(maxout(ops.stack([x, -x], axis=-1), pieces=2))
        return value, np.sign(x), "maxout(x, -x) = |x|"

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        serialize = keras.saving.serialize_keras_object
        return {
            **super().get_config(),
            "units": self.units,
            "pieces": self.pieces,
            "kernel_initializer": serialize(self.kernel_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "kernel_regularizer": serialize(self.kernel_regularizer),
            "bias_regularizer": serialize(self.bias_regularizer),
            "kernel_constraint": serialize(self.kernel_constraint),
            "bias_constraint": serialize(self.bias_constraint),
        }
