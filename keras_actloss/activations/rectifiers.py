"""ReLU and its relatives: leaky ReLU, PReLU, ELU, Swish and softplus.

Each activation is its function (`keras.ops`), its analytic derivative and its
layer class, next to each other; `catalog.register` records the class in the
catalog and registers it with Keras."""

from __future__ import annotations

import numbers

import keras
from keras import ops

from keras_actloss import _validation as check
from keras_actloss import catalog, config
from keras_actloss._tensors import as_float, recompute_in_backward, upstream_gradient
from keras_actloss.activations._base import (
    ElementwiseActivation,
    is_one,
    log1p_of_fraction,
    logistic,
    logistic_parts,
    widen,
)
from keras_actloss.catalog import ActivationInfo

__all__ = [
    "ELU",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "Softplus",
    "Swish",
    "elu",
    "elu_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "prelu",
    "prelu_derivative",
    "relu",
    "relu_derivative",
    "softplus",
    "softplus_derivative",
    "swish",
    "swish_derivative",
]


def relu(x):
    """Rectified linear unit {formula}."""
    return ops.relu(as_float(x))


def relu_derivative(x):
    """{derivative} (the subgradient 0 is taken at the kink)."""
    x = as_float(x)
    return ops.cast(ops.greater(x, 0), x.dtype)


@catalog.register(
    ActivationInfo(
        name="relu",
        aliases=("rectified_linear_unit",),
        formula="f(x) = max(0, x)",
        derivative="1 if x > 0 else 0",
        output_range="[0, inf)",
        smooth=False,
        roles=frozenset({"hidden", "regression_output"}),  # non-negative targets
        when_to_use=(
            "The default for hidden layers. Watch for dying ReLU: units whose input "
            "is always negative get zero gradient forever."
        ),
        source="mhtechin",
    )
)
class ReLU(ElementwiseActivation):
    """Rectified linear unit {formula}.

    Example:
    >>> keras_actloss.ReLU()([-1.0, 2.0])
    [0., 2.]
    """

    function = staticmethod(relu)
    derivative_function = staticmethod(relu_derivative)


def leaky_relu(x, negative_slope=0.01):
    """Leaky ReLU {formula}."""
    return ops.leaky_relu(as_float(x), negative_slope=negative_slope)


def leaky_relu_derivative(x, negative_slope=0.01):
    x = as_float(x)
    return ops.where(ops.greater(x, 0), ops.ones_like(x), ops.full_like(x, negative_slope))


@catalog.register(
    ActivationInfo(
        name="leaky_relu",
        aliases=("lrelu",),
        formula="f(x) = x if x > 0 else negative_slope * x",
        derivative="1 if x > 0 else negative_slope",
        smooth=False,
        roles=frozenset({"hidden"}),
        when_to_use=(
            "Hidden layers when ReLU units die, and very deep networks as a safety "
            "measure: the small negative slope keeps a gradient flowing."
        ),
        source="mhtechin",
    )
)
class LeakyReLU(ElementwiseActivation):
    """Leaky ReLU {formula}.

    The default slope is the typical 0.01 of the source articles (and PyTorch); note that
    `keras.layers.LeakyReLU` defaults to 0.3.

    Example:
    >>> keras_actloss.LeakyReLU(negative_slope=0.1)([-2.0, 2.0])
    [-0.2, 2.]

    Args:
        negative_slope: float >= 0, the slope for x <= 0.
    """

    function = staticmethod(leaky_relu)
    derivative_function = staticmethod(leaky_relu_derivative)
    negative_slope = check.Argument(check.check_number, minimum=0)

    def __init__(self, negative_slope=0.01, **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = negative_slope

    def output_bounds(self):
        return (0.0 if self.negative_slope == 0 else float("-inf"), float("inf"))


def prelu(x, alpha):
    """Parametric ReLU {formula}."""
    x = as_float(x)
    alpha = ops.cast(alpha, x.dtype)
    return ops.relu(x) - alpha * ops.relu(-x)


def prelu_derivative(x, alpha):
    x = as_float(x)
    alpha = ops.cast(alpha, x.dtype)
    return ops.where(ops.greater(x, 0), ops.ones_like(x), alpha * ops.ones_like(x))


@catalog.register(
    ActivationInfo(
        name="prelu",
        aliases=("parametric_relu",),
        formula="f(x) = x if x > 0 else alpha * x, alpha learned",
        derivative="1 if x > 0 else alpha",
        smooth=False,
        learnable=True,
        roles=frozenset({"hidden"}),
        when_to_use=(
            "Hidden layers of very deep networks: like Leaky ReLU, but the negative "
            "slope is learned during training."
        ),
        source="mulla",
    )
)
class PReLU(keras.layers.PReLU, ElementwiseActivation):
    """Parametric ReLU {formula}.

    A drop-in for `keras.layers.PReLU` (same arguments and weights) whose
    `alpha` starts at 0.25, as in He et al. (2015), instead of Keras's 0.

    Example:
    >>> keras_actloss.PReLU()([-4.0, 4.0])
    [-1., 4.]

    Args:
        alpha_initializer: initializer for the slopes; `None` means constant 0.25.
        alpha_regularizer: regularizer for the slopes.
        alpha_constraint: constraint for the slopes.
        shared_axes: axes along which one slope is shared (e.g. `[1, 2]` to
            learn one slope per channel of an image).
    """

    function = staticmethod(prelu)
    derivative_function = staticmethod(prelu_derivative)

    def __init__(
        self,
        alpha_initializer=None,
        alpha_regularizer=None,
        alpha_constraint=None,
        shared_axes=None,
        **kwargs,
    ):
        if shared_axes is not None:
            # Keras accepts an empty list (no sharing); axis 0 is the batch.
            check.check_axis("shared_axes", shared_axes, allow_empty=True, minimum=1)
        if alpha_initializer is None:
            alpha_initializer = keras.initializers.Constant(0.25)
        super().__init__(
            alpha_initializer=alpha_initializer,
            alpha_regularizer=alpha_regularizer,
            alpha_constraint=alpha_constraint,
            shared_axes=shared_axes,
            **kwargs,
        )

    def call(self, inputs):
        return prelu(inputs, self.alpha)

    def derivative(self, x):
        """1 where x > 0, else the learned `alpha` (broadcast as in `call`)."""
        if not self.built:
            self.build(ops.shape(x))
        x = ops.convert_to_tensor(x, dtype=self.compute_dtype)
        return prelu_derivative(x, self.alpha)


def _expm1_of_nonpositive(z):
    """e^z - 1 for z <= 0, as 2t / (1 - t) with t = tanh(z / 2).

    The identity is exact and nothing cancels: 1 - t lies in [1, 2), so
    it is as accurate as an `expm1` kernel, where the naive exp(z) - 1 is
    off by up to 100% near 0. Why not `ops.expm1`, and why `reciprocal`
    rather than `/`: on TensorFlow's CPU both are slower kernels (the
    README's Performance section has the measurements).
    """
    t = ops.tanh(z * 0.5)
    return (t + t) * ops.reciprocal(1.0 - t)


def _nonpositive_part(x):
    """min(x, 0), in the dtype of x.

    Written -relu(-x): Keras's `ops.minimum` and `ops.maximum` compute a
    float64 input in float32 on PyTorch (Keras 3.15).
    """
    return -ops.relu(-x)


def elu(x, alpha=1.0):
    """ELU {formula}, without cancellation near 0.

    `exp(x) - 1` (what TensorFlow's own ELU does) cancels catastrophically
    near 0; this computes e^x - 1 from tanh (see `_expm1_of_nonpositive`).
    The gradient is given in closed form, 1 or alpha * e^x: autodiff
    through the formula would cost several kernels more, and lose e^x's
    relative accuracy for x << 0 (tanh's derivative 1 - t^2 cancels).
    The closed form is itself written in differentiable ops of `x`, so
    second derivatives (gradient penalties, Hessian-vector products) are
    alpha * e^x, or 0 for x > 0, on every backend.
    """

    if config.is_fast():
        return ops.elu(as_float(x), alpha=alpha)

    @ops.custom_gradient
    def forward(x):
        # min(x, 0) keeps the exponential finite; for x > 0 it is 0 and so is e^0 - 1.
        exp_m1 = _expm1_of_nonpositive(_nonpositive_part(x))
        value = ops.relu(x) + (exp_m1 if is_one(alpha) else alpha * exp_m1)

        def grad(*args, upstream=None):
            upstream = upstream_gradient(args, upstream)
            # e^min(x, 0), exactly 1 where x > 0, computed here from `x` rather than as the
            # forward pass's exp_m1 + 1: PyTorch runs `forward` without recording it, so a
            # backward pass built on its results could not be differentiated again. And
            # exp keeps its relative accuracy where exp_m1 + 1 rounds to ulps of 1 (x << 0).
            exp_x = ops.exp(_nonpositive_part(x))
            if is_one(alpha):
                return upstream * exp_x
            return ops.where(ops.greater(x, 0), upstream, upstream * (alpha * exp_x))

        return value, grad

    return forward(as_float(x))


def elu_derivative(x, alpha=1.0):
    x = as_float(x)
    return ops.where(ops.greater(x, 0), ops.ones_like(x), alpha * ops.exp(x))


@catalog.register(
    ActivationInfo(
        name="elu",
        aliases=("exponential_linear_unit",),
        formula="f(x) = x if x > 0 else alpha * (e^x - 1)",
        derivative="1 if x > 0 else alpha * e^x",
        output_range="(-1, inf)",  # for alpha = 1; (-alpha, inf) in general
        zero_centred=True,
        roles=frozenset({"hidden"}),
        when_to_use=(
            "Hidden layers, as an alternative to ReLU: the smooth negative part "
            "pushes mean activations towards zero and no unit dies."
        ),
        source="mhtechin",
    )
)
class ELU(ElementwiseActivation):
    """Exponential linear unit {formula}.

    e^x - 1 is computed without cancellation (as 2t / (1 - t) with
    t = tanh(x / 2)), so it keeps full relative accuracy near 0, where
    TensorFlow's own ELU, exp(x) - 1, is 2e-4 off at x = -1e-4 and returns
    0 at x = -1e-8. A train step is about as fast as with Keras's fused
    ELU (README, Performance).

    Example:
    >>> keras_actloss.ELU()([-1.0, 1.0])
    [-0.63212055, 1.]

    Args:
        alpha: float >= 0, the value the negative part saturates to is -alpha.
    """

    function = staticmethod(elu)
    derivative_function = staticmethod(elu_derivative)
    alpha = check.Argument(check.check_number, minimum=0)

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def output_bounds(self):
        return (-self.alpha, float("inf"))


_SWISH_EXTREMUM = 0.278464542761074  # -min of x sigmoid(x), at x = -1.278464542761074


def _sigmoid(x, beta):
    """sigmoid(beta x), from e^-|beta x| (see `logistic_parts`)."""
    positive, y, _, r = logistic_parts(x, beta)
    return ops.where(positive, r, y * r)


def swish(x, beta=1.0):
    """Swish {formula}; with beta = 1 this is SiLU.

    sigmoid(beta x) is formed from e^-|beta x| (see `logistic_parts`), with
    the rounding of beta x carried along (`scaled_magnitude`), all in
    float32: accurate to float32's precision in both tails, and the same
    ops on every backend and in TFLite and ONNX exports. `beta` is a
    number or a scalar tensor (a trained weight). The gradient is the
    closed form {derivative} (and x^2 sigmoid(bx) sigmoid(-bx) for a
    tensor beta), in differentiable ops, so second derivatives work too.
    """
    x = as_float(x)
    if config.is_fast():
        if is_one(beta):
            return ops.silu(x)
        return x * ops.sigmoid(
            x * (beta if isinstance(beta, numbers.Real) else ops.cast(beta, x.dtype))
        )
    work = widen(x)
    if isinstance(beta, numbers.Real):

        @ops.custom_gradient
        def forward(v):
            gate, spread = logistic(v, beta)

            def grad(*args, upstream=None):
                g, s = logistic(v, beta) if recompute_in_backward() else (gate, spread)
                return upstream_gradient(args, upstream) * (g + (beta * v) * s)

            return v * gate, grad

        return ops.cast(forward(work), x.dtype)

    @ops.custom_gradient
    def forward_with_beta(v, b):
        gate, spread = logistic(v, b)

        def grad(*args, upstream=None):
            upstream = upstream_gradient(args, upstream)
            g, s = logistic(v, b) if recompute_in_backward() else (gate, spread)
            return upstream * (g + (b * v) * s), ops.sum(upstream * (v * v * s))

        return v * gate, grad

    return ops.cast(forward_with_beta(work, ops.cast(beta, work.dtype)), x.dtype)


def swish_derivative(x, beta=1.0):
    """{derivative}, with sigmoid(bx) (1 - sigmoid(bx)) from e^-|bx| (see `swish`)."""
    x = as_float(x)
    work = widen(x)
    if not isinstance(beta, numbers.Real):
        beta = ops.cast(beta, work.dtype)
    gate, spread = logistic(work, beta)
    return ops.cast(gate + (beta * work) * spread, x.dtype)


@catalog.register(
    ActivationInfo(
        name="swish",
        aliases=("silu",),
        formula="f(x) = x * sigmoid(beta * x)",
        derivative="sigmoid(bx) + b x sigmoid(bx) (1 - sigmoid(bx))",
        output_range="[-0.278465, inf)",  # for beta = 1; -0.278465 / beta in general
        monotonic=False,
        roles=frozenset({"hidden"}),
        when_to_use=(
            "Hidden layers of very deep networks: smooth, non-monotonic, unbounded "
            "above; found by automated search and often a little better than ReLU."
        ),
        source="mhtechin",
    )
)
class Swish(ElementwiseActivation):
    """Swish {formula}; with `beta=1` it is SiLU.

    Example:
    >>> keras_actloss.Swish()([0.0, 1.0])
    [0., 0.7310586]

    Args:
        beta: float, the sharpness of the gate (initial value if trainable).
        trainable_beta: bool, learn `beta` as a weight of the layer.
    """

    function = staticmethod(swish)
    derivative_function = staticmethod(swish_derivative)
    # Once created, a layer keeps its weights: `beta` is then the initial value
    # of the trained weight, and neither decides anything any more.
    beta = check.Argument(check.check_number, read_only=True)
    trainable_beta = check.Argument(check.check_bool, read_only=True)

    def __init__(self, beta=1.0, trainable_beta=False, **kwargs):
        super().__init__(**kwargs)
        self.beta = beta
        self.trainable_beta = trainable_beta
        if trainable_beta:
            self.beta_weight = self.add_weight(
                name="beta",
                shape=(),
                initializer=keras.initializers.Constant(self.beta),
            )

    def arguments(self):
        return {"beta": self.beta_weight if self.trainable_beta else self.beta}

    def output_bounds(self):
        # x sigmoid(beta x) has its minimum -0.278465 / beta at x = -1.278465 / beta
        # (for beta < 0 that is a maximum); a trained beta can take any sign.
        if self.trainable_beta or self.beta == 0:
            return (float("-inf"), float("inf"))
        if self.beta > 0:
            return (-_SWISH_EXTREMUM / self.beta, float("inf"))
        return (float("-inf"), _SWISH_EXTREMUM / -self.beta)

    def get_config(self):
        # `beta` is the initial value; a trained value travels with the weights.
        return {**super().get_config(), "beta": self.beta, "trainable_beta": self.trainable_beta}


def _softplus_parts(x, beta):
    """(softplus(bx) / b, sigmoid(bx)) at x, for b = beta, a nonzero number.

    softplus(bx) = relu(bx) + ln(1 + e^-|bx|): the ramp is exact, and the
    logarithm of 1 + y, y = e^-|bx| in (0, 1], comes from
    `log1p_of_fraction`, so neither overflows nor loses the tiny tail.
    """
    positive, y, u, r = logistic_parts(x, beta)
    tail = log1p_of_fraction(y, u)
    # relu(bx) / b: relu(x) for b > 0, min(x, 0) for b < 0.
    ramp = ops.relu(x) if beta > 0 else -ops.relu(-x)
    value = ramp + (tail if beta == 1 else tail / beta)
    return value, ops.where(positive, r, y * r)


def softplus(x, beta=1.0):
    """Softplus {formula}, without overflow for large x.

    Computed as relu(x) + ln(1 + e^-|beta x|) / beta in float32, with the
    rounding of beta x carried along (`scaled_magnitude`) and ln(1 + y)
    corrected for the rounding of 1 + y: accurate to float32's precision in
    both tails, with the same ops on every backend and in TFLite and ONNX
    exports (TFLite would lower a softplus kernel to ln(e^x + 1), which
    overflows above 88 and returns 0 below -17). The gradient, sigmoid(beta
    x), is computed from x in differentiable ops, so second derivatives
    work on every backend.
    """
    beta = check.check_number("beta", beta)
    if beta == 0:
        raise ValueError(f"`beta` must be nonzero. Received: beta={beta}")
    x = as_float(x)
    if config.is_fast():
        return ops.softplus(x) if beta == 1 else ops.softplus(x * beta) / beta

    @ops.custom_gradient
    def forward(v):
        value, gate = _softplus_parts(v, beta)

        def grad(*args, upstream=None):
            slope = _sigmoid(v, beta) if recompute_in_backward() else gate
            return upstream_gradient(args, upstream) * slope

        return value, grad

    return ops.cast(forward(widen(x)), x.dtype)


def softplus_derivative(x, beta=1.0):
    """The derivative of softplus is the logistic function sigma(beta x)."""
    x = as_float(x)
    return ops.cast(_sigmoid(widen(x), check.check_number("beta", beta)), x.dtype)


@catalog.register(
    ActivationInfo(
        name="softplus",
        aliases=("smooth_relu",),
        formula="f(x) = ln(1 + e^(beta x)) / beta",
        derivative="sigmoid(beta * x)",
        output_range="(0, inf)",
        roles=frozenset({"hidden", "regression_output"}),  # positive targets
        when_to_use=(
            "Hidden layers when a smooth ReLU is wanted, or an output that must be "
            "strictly positive; its derivative is the logistic function."
        ),
        source="mulla",
    )
)
class Softplus(ElementwiseActivation):
    """Softplus {formula}, a smooth ReLU.

    Stable for large inputs (no overflow); approaches ReLU as `beta` grows.

    Example:
    >>> keras_actloss.Softplus()([0.0])
    [0.6931472]

    Args:
        beta: float > 0, the sharpness.
    """

    function = staticmethod(softplus)
    derivative_function = staticmethod(softplus_derivative)
    beta = check.Argument(check.check_number, minimum=0, strict_minimum=True)

    def __init__(self, beta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.beta = beta
