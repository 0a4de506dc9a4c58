"""Activations of several inputs at once: softmax (over an axis) and maxout (over pieces).

Neither is elementwise, so neither has a `derivative(x)`: softmax has a
`jacobian(x)`, and maxout's derivative is the winning piece's weights."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_actloss import _validation as check
from keras_actloss import catalog
from keras_actloss._tensors import as_float, finfo, remember_logits
from keras_actloss.activations._base import (
    ActivationLayer,
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


def softmax(x, axis=-1, mask=None):
    """Softmax {formula} along `axis`, computed after subtracting the max.

    The subtraction x - max rounds to |x - max| ulps, which exp turns into a
    relative error of up to ~4e-6 on small float32 probabilities, so the
    softmax is evaluated in the next wider float type and rounded once.
    Positions where `mask` is False get probability 0 and take no share of
    the mass; a slice that is masked everywhere comes out as all zeros. The
    mask broadcasts against `x` from the right, as in Keras (a `(3,)` mask
    over `(2, 3)` logits); a mask of lower rank that does not, but matches
    the leading axes, covers them, as the (batch, time) masks Keras
    propagates through a sequence do. Where both readings fit, Keras's wins.
    """
    x = as_float(x)
    logits = x
    if mask is not None:
        # The output remembers these masked logits: the ones that produced it.
        mask = _align_mask(ops.cast(mask, "bool"), x)
        logits = ops.where(mask, x, ops.convert_to_tensor(_lowest(x.dtype), x.dtype))
    probabilities = ops.softmax(widen(logits), axis=axis)
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

    The softmax axis is moved to the end and expanded into the last two axes.
    """
    x = ops.moveaxis(as_float(x), axis, -1)
    s = ops.softmax(widen(x), axis=-1)
    jacobian = ops.einsum("...i,ij->...ij", s, ops.eye(ops.shape(s)[-1], dtype=s.dtype)) - (
        ops.expand_dims(s, -1) * ops.expand_dims(s, -2)
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
