"""Activation functions and their analytic derivatives, written with `keras.ops`.

Each function here is the one place its formula is written; the layer classes
in `keras_actloss.activations.layers` are thin shells over them. Derivatives
are the closed forms from the seeds, evaluated in a way that keeps relative
accuracy in the tails (e.g. sigma(x) * sigma(-x) rather than
sigma(x) * (1 - sigma(x)), which rounds to 0 long before the true value does).
"""

from __future__ import annotations

import functools
import warnings

import keras
from keras import ops

from keras_actloss import _validation as check
from keras_actloss._tensors import as_float, finfo, propagate_nan, remember_logits

STEP_GRADIENTS = ("zero", "straight_through")


_WIDER = {"float16": "float32", "bfloat16": "float32", "float32": "float64"}


@functools.cache
def _has_float64():
    # JAX without `jax_enable_x64` quietly turns float64 into float32 (with a
    # warning per call); there float32 work simply stays float32.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probe = ops.convert_to_tensor(0.0, dtype="float64")
    return keras.backend.standardize_dtype(probe.dtype) == "float64"


def _widen(x):
    wide = _WIDER.get(keras.backend.standardize_dtype(x.dtype), x.dtype)
    if wide == "float64" and not _has_float64():
        return x
    return ops.cast(x, wide)


def _is_one(value):
    return isinstance(value, (int, float)) and value == 1.0


# --- step -------------------------------------------------------------------


def step(x, threshold=0.0, gradient="zero"):
    """Heaviside step: 1 where ``x >= threshold``, else 0.

    `gradient="zero"` backpropagates the true derivative, 0 everywhere (a
    connected zero, so upstream variables get zeros rather than `None`).
    `gradient="straight_through"` backpropagates 1 where
    ``|x - threshold| <= 1`` and 0 elsewhere (the clipped straight-through
    estimator), so a network with a step layer can still be trained.
    """
    check.check_choice("gradient", gradient, STEP_GRADIENTS)
    x = as_float(x)
    value = propagate_nan(ops.cast(ops.greater_equal(x, threshold), x.dtype), x)
    # `x - stop_gradient(x)` is exactly 0 for finite x and carries gradient 1;
    # `where` keeps infinities out of it, so the value stays exactly 0 or 1.
    surrogate = ops.where(
        ops.less_equal(ops.abs(x - threshold), 1.0), x - ops.stop_gradient(x), 0.0
    )
    if gradient == "zero":
        surrogate = surrogate * 0.0
    return value + surrogate


def step_derivative(x, threshold=0.0, gradient="zero"):
    """The gradient `step` backpropagates (see its `gradient` argument)."""
    check.check_choice("gradient", gradient, STEP_GRADIENTS)
    x = as_float(x)
    if gradient == "zero":
        return ops.zeros_like(x)
    return ops.cast(ops.less_equal(ops.abs(x - threshold), 1.0), x.dtype)


# --- linear -----------------------------------------------------------------


def linear(x):
    """Identity: f(x) = x."""
    return as_float(x)


def linear_derivative(x):
    return ops.ones_like(as_float(x))


# --- sigmoid and tanh ---------------------------------------------------------


def sigmoid(x):
    """Logistic sigmoid 1 / (1 + e^-x).

    The output remembers `x` as its logits (as `keras.activations.sigmoid`
    does), so that a cross-entropy on it, ours or Keras's, stays exact.
    """
    x = as_float(x)
    return remember_logits(ops.sigmoid(x), x, "sigmoid")


def sigmoid_derivative(x):
    """sigma(x) * (1 - sigma(x)), evaluated as sigma(x) * sigma(-x)."""
    x = as_float(x)
    return ops.sigmoid(x) * ops.sigmoid(-x)


def tanh(x):
    """Hyperbolic tangent (e^x - e^-x) / (e^x + e^-x) = 2 sigma(2x) - 1."""
    return ops.tanh(as_float(x))


def tanh_derivative(x):
    """1 - tanh(x)^2, evaluated as 4 sigma(2x) sigma(-2x) to keep relative accuracy."""
    x = as_float(x)
    return 4.0 * ops.sigmoid(2.0 * x) * ops.sigmoid(-2.0 * x)


# --- the ReLU family ----------------------------------------------------------


def relu(x):
    """max(0, x)."""
    return ops.relu(as_float(x))


def relu_derivative(x):
    """1 where x > 0, else 0 (the subgradient 0 is taken at the kink)."""
    x = as_float(x)
    return ops.cast(ops.greater(x, 0), x.dtype)


def leaky_relu(x, negative_slope=0.01):
    """x where x > 0, else negative_slope * x."""
    return ops.leaky_relu(as_float(x), negative_slope=negative_slope)


def leaky_relu_derivative(x, negative_slope=0.01):
    x = as_float(x)
    return ops.where(ops.greater(x, 0), ops.ones_like(x), ops.full_like(x, negative_slope))


def prelu(x, alpha):
    """Parametric ReLU: x where x > 0, else alpha * x, with `alpha` learned."""
    x = as_float(x)
    alpha = ops.cast(alpha, x.dtype)
    return ops.relu(x) - alpha * ops.relu(-x)


def prelu_derivative(x, alpha):
    x = as_float(x)
    alpha = ops.cast(alpha, x.dtype)
    return ops.where(ops.greater(x, 0), ops.ones_like(x), alpha * ops.ones_like(x))


def _expm1_of_nonpositive(z):
    """e^z - 1 for z <= 0, as 2t / (1 - t) with t = tanh(z / 2).

    The identity is exact and nothing cancels: 1 - t lies in [1, 2).
    Measured float32 error: at most 3.4e-7 relative over [-100, 0], the
    same as the `Expm1` kernel's; the naive exp(z) - 1 is off by up to
    100%. Why not `ops.expm1`: on TensorFlow's CPU it is scalar code, 3x
    slower than `Tanh`. Why `reciprocal` and not `/`: TensorFlow's
    tensor-by-tensor `RealDiv` costs ~4x a `Reciprocal` plus a `Mul`.
    """
    t = ops.tanh(z * 0.5)
    return (t + t) * ops.reciprocal(1.0 - t)


def elu(x, alpha=1.0):
    """x where x > 0, else alpha * (e^x - 1), without cancellation near 0.

    `exp(x) - 1` (what TensorFlow's own ELU does) cancels catastrophically
    near 0; this computes e^x - 1 from tanh (see `_expm1_of_nonpositive`).
    The gradient is given in closed form, 1 or alpha * e^x, from the
    forward pass's e^x - 1: autodiff through the formula would cost
    several kernels more.
    """

    @ops.custom_gradient
    def forward(x):
        # min(x, 0) keeps the exponential finite; for x > 0 it is 0 and so is e^0 - 1.
        exp_m1 = _expm1_of_nonpositive(ops.minimum(x, 0.0))
        if _is_one(alpha):
            # e^x - 1 >= x for every x <= 0 (and 0 <= x for x > 0), so one max selects.
            value = ops.maximum(x, exp_m1)
        else:
            value = ops.relu(x) + alpha * exp_m1

        def grad(*args, upstream=None):
            if upstream is None:  # TensorFlow and JAX pass it positionally
                (upstream,) = args
            exp_x = exp_m1 + 1.0  # e^min(x, 0): exactly 1 where x > 0
            if _is_one(alpha):
                return upstream * exp_x
            return ops.where(ops.greater(x, 0), upstream, upstream * (alpha * exp_x))

        return value, grad

    return forward(as_float(x))


def elu_derivative(x, alpha=1.0):
    x = as_float(x)
    return ops.where(ops.greater(x, 0), ops.ones_like(x), alpha * ops.exp(x))


# --- smooth ReLU-likes ----------------------------------------------------------


def _scaled(x, beta):
    """(beta * x, x) computed in a float type wider than x's.

    exp(beta * x) turns the rounding error of the product into a relative
    error of |beta * x| ulps (up to ~70 where the result is still above
    1e-30), so a non-unit beta is applied in the next wider type.
    """
    x = _widen(x)
    # A Python float multiplies exactly in x's type; `ops.cast(1.7, "float64")`
    # would first round it to float32.
    beta = beta if isinstance(beta, (int, float)) else ops.cast(beta, x.dtype)
    return beta * x, x


def swish(x, beta=1.0):
    """x * sigma(beta * x); with beta = 1 this is SiLU."""
    x = as_float(x)
    if _is_one(beta):
        return ops.silu(x)  # a fused kernel on TensorFlow
    bx, wide_x = _scaled(x, beta)
    return ops.cast(wide_x * ops.sigmoid(bx), x.dtype)


def swish_derivative(x, beta=1.0):
    """sigma(bx) + b x sigma(bx) (1 - sigma(bx)), with 1 - sigma(bx) = sigma(-bx)."""
    x = as_float(x)
    bx, _ = _scaled(x, beta)
    s = ops.sigmoid(bx)
    return ops.cast(s + bx * s * ops.sigmoid(-bx), x.dtype)


def softplus(x, beta=1.0):
    """ln(1 + e^(beta x)) / beta, without overflow for large x."""
    x = as_float(x)
    if _is_one(beta):
        return ops.softplus(x)
    bx, _ = _scaled(x, beta)
    return ops.cast(ops.softplus(bx) / ops.cast(beta, bx.dtype), x.dtype)


def softplus_derivative(x, beta=1.0):
    """The derivative of softplus is the logistic function sigma(beta x)."""
    x = as_float(x)
    bx, _ = _scaled(x, beta)
    return ops.cast(ops.sigmoid(bx), x.dtype)


# --- vector-valued --------------------------------------------------------------


def softmax(x, axis=-1, mask=None):
    """e^x_i / sum_j e^x_j along `axis`, computed after subtracting the max.

    The subtraction x - max rounds to |x - max| ulps, which exp turns into a
    relative error of up to ~4e-6 on small float32 probabilities, so the
    softmax is evaluated in the next wider float type and rounded once.
    Positions where `mask` is False get probability 0 and take no share of
    the mass; a slice that is masked everywhere comes out as all zeros. A
    mask of lower rank covers the leading axes, as the (batch, time) masks
    Keras propagates do, and is broadcast over the trailing ones.
    """
    x = as_float(x)
    logits = x
    if mask is not None:
        # The output remembers these masked logits: the ones that produced it.
        mask = _align_mask(ops.cast(mask, "bool"), x)
        logits = ops.where(mask, x, ops.convert_to_tensor(_lowest(x.dtype), x.dtype))
    probabilities = ops.softmax(_widen(logits), axis=axis)
    if mask is not None:
        probabilities = ops.where(mask, probabilities, ops.zeros_like(probabilities))
    output = ops.cast(probabilities, x.dtype)
    if isinstance(axis, int):  # over several axes there is no single class axis to recover
        output = remember_logits(output, logits, "softmax", axis)
    return output


def _align_mask(mask, x):
    if len(mask.shape) > len(x.shape) or any(
        m is not None and d is not None and m not in (1, d)
        for m, d in zip(mask.shape, x.shape, strict=False)
    ):
        raise ValueError(
            "The mask must match the leading axes of the input (or be 1 there). "
            f"Received: mask.shape={tuple(mask.shape)}, inputs.shape={tuple(x.shape)}"
        )
    for _ in range(len(x.shape) - len(mask.shape)):
        mask = ops.expand_dims(mask, -1)
    return mask


def _lowest(dtype):
    # Half the most negative finite value, so that `max - lowest` cannot overflow.
    return float(finfo(dtype).min) / 2


def softmax_jacobian(x, axis=-1):
    """d softmax(x)_i / d x_j = s_i (delta_ij - s_j), returned with shape (..., K, K).

    The softmax axis is moved to the end and expanded into the last two axes.
    """
    x = ops.moveaxis(as_float(x), axis, -1)
    s = ops.softmax(_widen(x), axis=-1)
    jacobian = ops.einsum("...i,ij->...ij", s, ops.eye(ops.shape(s)[-1], dtype=s.dtype)) - (
        ops.expand_dims(s, -1) * ops.expand_dims(s, -2)
    )
    return ops.cast(jacobian, x.dtype)


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
