"""The classical activations: the perceptron's step, the identity, sigmoid and tanh.

Each activation is its function (`keras.ops`), its analytic derivative and its
layer class, next to each other; `catalog.register` records the class in the
catalog and registers it with Keras."""

from __future__ import annotations

from keras import ops

from keras_actloss import _validation as check
from keras_actloss import catalog, config
from keras_actloss._tensors import (
    as_float,
    propagate_nan,
    recompute_in_backward,
    remember_logits,
    upstream_gradient,
)
from keras_actloss.activations._base import (
    ElementwiseActivation,
    logistic,
    widen,
)
from keras_actloss.catalog import ActivationInfo

__all__ = [
    "Linear",
    "Sigmoid",
    "Step",
    "Tanh",
    "linear",
    "linear_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "step",
    "step_derivative",
    "tanh",
    "tanh_derivative",
]


STEP_GRADIENTS = ("zero", "straight_through")


def step(x, threshold=0.0, gradient="zero"):
    """Heaviside step: {formula}.

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


@catalog.register(
    ActivationInfo(
        name="step",
        aliases=("heaviside", "threshold", "binary_step", "unit_step"),
        formula="f(x) = 1 if x >= threshold else 0",
        derivative="0 everywhere (undefined at the threshold)",
        output_range="[0, 1]",
        smooth=False,
        when_to_use=(
            "The perceptron's activation. Its derivative is zero everywhere, so it "
            "cannot be trained by gradient descent; use it for illustration or with "
            "a straight-through gradient."
        ),
        source="mhtechin",
    )
)
class Step(ElementwiseActivation):
    """Heaviside step activation: {formula}.

    The perceptron's activation. Its true derivative is zero
    everywhere, so by default it passes no gradient; choose
    `gradient="straight_through"` to backpropagate 1 where
    ``|x - threshold| <= 1`` (the clipped straight-through estimator).

    Example:
    >>> keras_actloss.Step()([-1.0, 0.0, 2.0])
    [0., 1., 1.]

    Args:
        threshold: float, where the output switches from 0 to 1.
        gradient: `"zero"` (faithful) or `"straight_through"`.
        **kwargs: base layer keyword arguments, such as `name` and `dtype`.
    """

    function = staticmethod(step)
    derivative_function = staticmethod(step_derivative)
    threshold = check.Argument(check.check_number)
    gradient = check.Argument(check.check_choice, choices=STEP_GRADIENTS)

    def __init__(self, threshold=0.0, gradient="zero", **kwargs):
        super().__init__(**kwargs)
        self.threshold = threshold
        self.gradient = gradient


def linear(x):
    """Identity: {formula}."""
    return as_float(x)


def linear_derivative(x):
    return ops.ones_like(as_float(x))


@catalog.register(
    ActivationInfo(
        name="linear",
        aliases=("identity", "none"),
        formula="f(x) = x",
        derivative="1",
        zero_centred=True,
        roles=frozenset(
            {"regression_output", "binary_output", "multiclass_output", "multilabel_output"}
        ),  # logits: with from_logits=True
        when_to_use=(
            "Output layer of a regression network with unbounded targets. In hidden "
            "layers it adds nothing: stacked linear layers collapse into one."
        ),
        source="mhtechin",
    )
)
class Linear(ElementwiseActivation):
    """Identity activation {formula} (a regression network's output).

    Example:
    >>> keras_actloss.Linear()([-2.0, 3.0])
    [-2., 3.]
    """

    function = staticmethod(linear)
    derivative_function = staticmethod(linear_derivative)


def sigmoid(x):
    """Logistic sigmoid {formula}.

    Formed from e^-|x| (see `logistic`), so both tails keep float32's
    relative accuracy, with the same ops on every backend and in TFLite
    and ONNX exports (onnxruntime's own Sigmoid kernel is 1e-6 off and
    returns 0 below -17). The gradient is sigmoid(x) sigmoid(-x) in closed
    form, in differentiable ops, so second derivatives work too. The output
    remembers `x` as its logits (as `keras.activations.sigmoid` does), so
    that a cross-entropy on it, ours or Keras's, stays exact.
    """
    x = as_float(x)
    if config.is_fast():
        return remember_logits(ops.sigmoid(x), x, "sigmoid")

    @ops.custom_gradient
    def forward(v):
        value, slope = logistic(v)

        def grad(*args, upstream=None):
            # From `v` where PyTorch records this backward pass (see `recompute_in_backward`).
            s = logistic(v)[1] if recompute_in_backward() else slope
            return upstream_gradient(args, upstream) * s

        return value, grad

    return remember_logits(ops.cast(forward(widen(x)), x.dtype), x, "sigmoid")


def sigmoid_derivative(x):
    """{derivative}, evaluated as sigma(x) * sigma(-x) (see `logistic`)."""
    x = as_float(x)
    return ops.cast(logistic(widen(x))[1], x.dtype)


@catalog.register(
    ActivationInfo(
        name="sigmoid",
        aliases=("logistic",),
        formula="f(x) = 1 / (1 + e^-x)",
        derivative="f(x) * (1 - f(x))",
        output_range="(0, 1)",
        roles=frozenset({"binary_output", "multilabel_output", "regression_output"}),
        when_to_use=(
            "Output layer of binary (or multi-label) classification, read as a "
            "probability, and of regression bounded to [0, 1]. Avoid in hidden "
            "layers: it saturates and its gradient vanishes."
        ),
        source="mhtechin",
    )
)
class Sigmoid(ElementwiseActivation):
    """Logistic sigmoid {formula}, range (0, 1).

    On the TensorFlow backend the output remembers its logits, so
    `BinaryCrossentropy()` on it stays exact for confident predictions.

    Example:
    >>> keras_actloss.Sigmoid()([0.0])
    [0.5]
    """

    function = staticmethod(sigmoid)
    derivative_function = staticmethod(sigmoid_derivative)


def tanh(x):
    """Hyperbolic tangent {formula}, with a gradient accurate where f(x) rounds to +-1.

    Autodiff of tanh gives 1 - f(x)^2, which is 0 once f(x) rounds to 1
    (|x| > 9 in float32) while the true derivative is still 1e-7 and
    above, and whose own derivative is off by up to 1e-6 from |x| = 1 on.
    The gradient here is 1 - f(x)^2 for |x| < 1, where it is accurate, and
    4 e / (1 + e)^2 with e = e^-2|x| beyond, which keeps relative accuracy
    (`_sech_squared`); both are written in differentiable ops of `x`, so
    second derivatives (gradient penalties, Hessian-vector products) are
    within 2e-7 of float64 on every backend.
    """

    if config.is_fast():
        return ops.tanh(as_float(x))

    @ops.custom_gradient
    def forward(x):
        value = ops.tanh(x)

        def grad(*args, upstream=None):
            # From `x` where PyTorch records this backward pass (see `recompute_in_backward`).
            f = ops.tanh(x) if recompute_in_backward() else value
            return upstream_gradient(args, upstream) * _sech_squared(x, f)

        return value, grad

    return forward(as_float(x))


def _sech_squared(x, f):
    """1 / cosh(x)^2 from x and f = tanh(x), with its autodiff, to 2e-7 of float64.

    One exponential, and no overflow: e = e^-2|x| is at most 1, and
    4 e / (1 + e)^2 its value beyond |x| = 1. Inside, 1 - f^2 (whose
    derivative -2 f f' keeps relative accuracy near 0, where the
    derivative of the exponential form would cancel).
    """
    magnitude = ops.abs(x)
    e = ops.exp(-2.0 * magnitude)
    outside = (4.0 * e) / ops.square(e + 1.0)
    return ops.where(ops.less(magnitude, 1.0), 1.0 - ops.square(f), outside)


def tanh_derivative(x):
    """{derivative}, evaluated as 4 sigma(2x) sigma(-2x) to keep relative accuracy."""
    x = as_float(x)
    return 4.0 * ops.sigmoid(2.0 * x) * ops.sigmoid(-2.0 * x)


@catalog.register(
    ActivationInfo(
        name="tanh",
        aliases=("hyperbolic_tangent",),
        formula="f(x) = (e^x - e^-x) / (e^x + e^-x) = 2 sigmoid(2x) - 1",
        derivative="1 - f(x)^2",
        output_range="(-1, 1)",
        zero_centred=True,
        roles=frozenset({"hidden", "binary_output"}),  # for hinge losses
        when_to_use=(
            "Hidden layers of small networks where zero-centred outputs help; "
            "better than sigmoid there but still saturates for large |x|."
        ),
        source="mhtechin",
    )
)
class Tanh(ElementwiseActivation):
    """Hyperbolic tangent {formula}, range (-1, 1), zero-centred.

    Example:
    >>> keras_actloss.Tanh()([0.0])
    [0.]
    """

    function = staticmethod(tanh)
    derivative_function = staticmethod(tanh_derivative)
