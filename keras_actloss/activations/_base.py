"""The base classes of every activation layer, and numerics their functions share."""

from __future__ import annotations

import math
import numbers

import keras
import numpy as np
from keras import ops

from keras_actloss import _validation as check
from keras_actloss import catalog


class ActivationLayer(keras.layers.Layer):
    """Base class of every activation layer: a function of its input and arguments.

    Subclasses name their `function` and declare each constructor argument
    as a `check.Argument`; `arguments()` collects them, and `call` and
    `get_config` both read that one dict, so a constructor argument cannot
    be forgotten by either. The input's Keras
    mask is passed on to the output. A layer without weights is built at
    construction, as Keras's own activation layers are.
    """

    function = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        if type(self).build is keras.layers.Layer.build:
            self.built = True

    def arguments(self):
        """The function's keyword arguments (also the layer's config): its `Argument`s."""
        return check.argument_values(self)

    def call(self, inputs):
        return type(self).function(inputs, **self.arguments())

    def output_bounds(self):
        """The range of this layer's output, ``(low, high)``, for its own arguments.

        The catalog's `output_range` is for the default arguments; layers
        whose range moves with an argument (`ELU`'s alpha) override this.
        """
        return catalog.entry_of(self).info.bounds

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), **self.arguments()}


class ElementwiseActivation(ActivationLayer):
    """An activation applied to each element alone, with its analytic derivative."""

    derivative_function = None

    def derivative(self, x):
        """The analytic derivative f'(x), elementwise, in the layer's compute dtype."""
        x = ops.convert_to_tensor(x, dtype=self.compute_dtype)
        return type(self).derivative_function(x, **self.arguments())


def widen(x):
    """`x` in float32 if it is a half-precision float, else `x` unchanged.

    float16 and bfloat16 activations are computed in float32 and rounded
    once. float32 stays float32: where its rounding would cost accuracy,
    the error-free transformations below recover it, rather than float64,
    which TFLite, ONNX runtimes and JAX (without x64) do not have.
    """
    if keras.backend.standardize_dtype(x.dtype) in ("float16", "bfloat16"):
        return ops.cast(x, "float32")
    return x


def is_float32(x):
    """Whether `x` is float32: the type whose rounding the corrections below make up for.

    float64 has digits to spare; half-precision inputs are computed in
    float32 (`widen`), and corrected there like float32 inputs.
    """
    return keras.backend.standardize_dtype(x.dtype) == "float32"


def is_one(value):
    return isinstance(value, (int, float)) and value == 1.0


# Error-free transformations in float32. A result such as x - max(x) or
# beta * x is rounded to 24 bits; e^(result) turns that rounding error into
# a relative error of |result| ulps (~4e-6 at 70, where e^-70 is still far
# above 1e-30). The transformations below give the rounding error itself,
# exactly, as a second float32 q, and e^(p + q) = e^p (1 + q) to first order
# (q^2 < 2^-36). Only float32 additions and multiplications are used, in
# forms that stay exact if a compiler fuses a multiply and an add into an FMA.

# Veltkamp's split of float32's 24 bits into two halves of 12 multiplies by 2^12 + 1.
_SPLITTER = 4096.0

# |z| beyond which e^-|z| is 0 in float32 (it is below 2^-149 from 103.3 on).
_SATURATION = 128.0


def split(a):
    """(hi, lo) with hi + lo == a exactly, each of at most 12 significant bits.

    Veltkamp's split for float32 (|a| < 2^116, or t overflows). The
    product of two such halves has at most 24 bits: it is exact. t = 4097 a
    is written 4096 a + a: 4096 a is exact, so an FMA computes the same t,
    and no product feeds the two subtractions (an FMA there would break it).
    """
    t = a * _SPLITTER + a
    hi = t - (t - a)
    return hi, a - hi


def _split_number(number):
    """`split` of a Python float, by the same float32 steps: (hi, rest).

    hi is the float32 of 12 bits nearest the float32 of `number`; rest is
    `number` - hi (taken from the float64 `number`, so its own float32
    rounding is also accounted for) rounded to float32: a relative error of
    2^-24 on a part ~2^-12 of `number`.
    """
    a = np.float32(number)
    t = a * np.float32(_SPLITTER) + a
    hi = t - (t - a)
    return float(hi), float(np.float32(number - float(hi)))


def scaled_magnitude(a, beta):
    """|beta| * a for float tensor a >= 0, as (p, q): p + q is it to ~2^-35 relative.

    `beta` is a Python number, taken at its full (float64) value, or a
    tensor. q is the part of the product that float32 rounds away, None
    when p is exact or needs no correction (beta a power of two, an input
    that is not float32). There `a` is first capped at 128 / |beta|, so p is at
    most ~128: callers use p only in e^-p, which is 0 from 103.3 on.
    """
    if isinstance(beta, numbers.Real):
        beta = abs(float(beta))
        if not is_float32(a) or beta == 0 or math.frexp(beta)[0] == 0.5:
            return a * beta, None  # exact, or computed with digits to spare
        if not 2.0**-90 < beta < 2.0**90:
            return a * beta, None  # the split's halves would overflow or underflow
        b_hi, b_rest = _split_number(beta)
        b32 = float(np.float32(beta))
        limit = _SATURATION / beta
    else:
        beta = ops.abs(ops.cast(beta, a.dtype))
        if not is_float32(a):
            return a * beta, None
        b_hi, b_rest = split(beta)
        b32 = beta
        limit = _SATURATION / ops.maximum(beta, 2.0**-93)
    # Beyond `limit`, e^-p is 0 whatever q is; capping keeps the split finite.
    a_hi, a_lo = split(ops.minimum(a, limit))
    head = a_hi * b_hi  # 12 x 12 bits: exact
    # The rest is ~2^-11 of head, so its own rounding is ~2^-35 of the product.
    rest = a_hi * b_rest + a_lo * b32
    # Fast2Sum (|head| >= |rest|): p = fl(head + rest) and q its rounding error, exactly.
    p = head + rest
    return p, rest - (p - head)


def two_sum_error(a, b, total):
    """(a + b) - total exactly, for total = fl(a + b) (Knuth's TwoSum; any order of size)."""
    b_virtual = total - a
    return (a - (total - b_virtual)) + (b - b_virtual)


def decaying_exp(p, q=None):
    """e^-(p + q) for p >= 0, from e^-p to first order in the small q (q^2 < 2^-36).

    As e^-p (1 - q) rather than e^-p - e^-p q: the latter term underflows
    (TensorFlow flushes subnormals to 0) where e^-p is below ~1e-32 and
    the result can still be above 1e-30 once multiplied by a large x.
    """
    y = ops.exp(-p)
    return y if q is None else y * (1.0 - q)


def logistic_parts(x, beta=1.0):
    """(positive, y, u, r) for z = beta * x: z >= 0, e^-|z|, 1 + e^-|z| and 1 / (1 + e^-|z|).

    sigmoid(z) is r where z >= 0, else y r, and sigmoid(z) sigmoid(-z) is
    y r^2: each a product of accurate terms, so each keeps its relative
    accuracy far into the tails. No sigmoid kernel is used: onnxruntime's
    is off by more than 1e-6 relative and returns 0 below about -18. `beta`
    is a Python number or a tensor of x's type (see `scaled_magnitude`).
    """
    # |x| (or -|x|) as the branch that `positive` picks, so that its derivative at
    # x = 0 is that branch's (a second derivative through `abs` would take 0 there).
    if isinstance(beta, numbers.Real):
        if beta >= 0:
            positive = ops.greater_equal(x, 0)
            negative_magnitude = ops.where(positive, -x, x)
        else:
            positive = ops.less_equal(x, 0)
            negative_magnitude = ops.where(positive, x, -x)
        if abs(beta) == 1:
            y = ops.exp(negative_magnitude)
        else:
            y = decaying_exp(*scaled_magnitude(-negative_magnitude, beta))
    else:
        positive = ops.greater_equal(x * beta, 0)
        magnitude = ops.where(positive, x, -x) * ops.sign(beta)
        y = decaying_exp(*scaled_magnitude(magnitude, beta))
    # y - (-1) rather than y + 1: TensorFlow's graph optimizer rewrites log(y + 1)
    # into log1p(y), which would make `log1p_of_fraction`'s correction count twice.
    u = ops.subtract(y, -1.0)
    return positive, y, u, ops.reciprocal(u)


def logistic(x, beta=1.0):
    """(sigmoid(bx), sigmoid(bx) sigmoid(-bx)) at x, for b = beta.

    The second is y r^2 (`logistic_parts`), accurate in both tails, where
    sigmoid(bx) (1 - sigmoid(bx)) would round to 0 or to ulps of 1.
    """
    positive, y, _, r = logistic_parts(x, beta)
    yr = y * r
    return ops.where(positive, r, yr), yr * r


def log1p_of_fraction(y, u):
    """ln(1 + y) for 0 <= y <= 1, given u = fl(1 + y).

    ln(u) is off by the rounding of u, up to 2^-24 absolute, which is large
    relative to ln(1 + y) ~ y for small y. That rounding, d = (u - 1) - y,
    is exact (Sterbenz), and ln(1 + y) = ln(u) - d / u to first order
    (Goldberg's correction); d in place of d / u is off by d y / u, at most
    2^-24 relative, as ln(1 + y) >= y / u. Built from `log` alone: a `log1p` kernel
    is exact on TensorFlow, but the TFLite converter lowers it to
    log(1 + y). The 1 subtracted is sign(u) (u >= 1): XLA folds the
    constants of (y + 1) - 1 into y, which would leave d = 0.
    """
    return ops.log(u) - ((u - ops.sign(u)) - y)
