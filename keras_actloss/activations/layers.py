"""Keras layers for every activation in the seed articles.

Each class is a thin shell over its function in
`keras_actloss.activations.functions`, carries its catalog record, and is
registered for `.keras` serialization under the package name
``keras_actloss``.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_actloss import _validation as check
from keras_actloss import catalog
from keras_actloss.activations import functions as F
from keras_actloss.catalog import ActivationInfo

SEED_1 = catalog.SEED_ARTICLES["001"]
SEED_2 = catalog.SEED_ARTICLES["002"]

_PACKAGE = "keras_actloss"


class ActivationLayer(keras.layers.Layer):
    """Base class: an elementwise activation with its analytic derivative.

    Subclasses name their function and derivative and return their
    arguments from `arguments()`; `call`, `derivative` and `get_config`
    all read that one dict, so a constructor argument cannot be forgotten
    by any of them.
    """

    function = None
    derivative_function = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def arguments(self):
        """The function's keyword arguments (also the layer's config)."""
        return {}

    def call(self, inputs):
        return type(self).function(inputs, **self.arguments())

    def derivative(self, x):
        """The analytic derivative f'(x), elementwise, in the layer's compute dtype."""
        x = ops.convert_to_tensor(x, dtype=self.compute_dtype)
        return type(self).derivative_function(x, **self.arguments())

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), **self.arguments()}


@catalog.entry(
    ActivationInfo(
        name="step",
        aliases=("heaviside", "threshold", "binary_step", "unit_step"),
        formula="f(x) = 1 if x >= threshold else 0",
        derivative="0 everywhere (undefined at the threshold)",
        output_range="[0, 1]",
        monotonic=True,
        smooth=False,
        roles=frozenset(),
        when_to_use=(
            "The perceptron's activation. Its derivative is zero everywhere, so it "
            "cannot be trained by gradient descent; use it for illustration or with "
            "a straight-through gradient."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class Step(ActivationLayer):
    """Heaviside step activation: ``f(x) = 1 if x >= threshold else 0``.

    The seeds' perceptron activation. Its true derivative is zero
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

    function = staticmethod(F.step)
    derivative_function = staticmethod(F.step_derivative)
    threshold = check.Argument(check.check_number)
    gradient = check.Argument(check.check_choice, choices=F.STEP_GRADIENTS)

    def __init__(self, threshold=0.0, gradient="zero", **kwargs):
        super().__init__(**kwargs)
        self.threshold = threshold
        self.gradient = gradient

    def arguments(self):
        return {"threshold": self.threshold, "gradient": self.gradient}


@catalog.entry(
    ActivationInfo(
        name="linear",
        aliases=("identity", "none"),
        formula="f(x) = x",
        derivative="1",
        output_range="(-inf, inf)",
        zero_centred=True,
        roles=frozenset({"regression_output"}),
        when_to_use=(
            "Output layer of a regression network with unbounded targets. In hidden "
            "layers it adds nothing: stacked linear layers collapse into one."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class Linear(ActivationLayer):
    """Identity activation ``f(x) = x`` (a regression network's output).

    Example:
    >>> keras_actloss.Linear()([-2.0, 3.0])
    [-2., 3.]
    """

    function = staticmethod(F.linear)
    derivative_function = staticmethod(F.linear_derivative)


@catalog.entry(
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
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class Sigmoid(ActivationLayer):
    """Logistic sigmoid ``f(x) = 1 / (1 + exp(-x))``, range (0, 1).

    On the TensorFlow backend the output remembers its logits, so
    `BinaryCrossentropy()` on it stays exact for confident predictions.

    Example:
    >>> keras_actloss.Sigmoid()([0.0])
    [0.5]
    """

    function = staticmethod(F.sigmoid)
    derivative_function = staticmethod(F.sigmoid_derivative)


@catalog.entry(
    ActivationInfo(
        name="tanh",
        aliases=("hyperbolic_tangent",),
        formula="f(x) = (e^x - e^-x) / (e^x + e^-x) = 2 sigmoid(2x) - 1",
        derivative="1 - f(x)^2",
        output_range="(-1, 1)",
        zero_centred=True,
        roles=frozenset({"hidden"}),
        when_to_use=(
            "Hidden layers of small networks where zero-centred outputs help; "
            "better than sigmoid there but still saturates for large |x|."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class Tanh(ActivationLayer):
    """Hyperbolic tangent ``f(x) = tanh(x)``, range (-1, 1), zero-centred.

    Example:
    >>> keras_actloss.Tanh()([0.0])
    [0.]
    """

    function = staticmethod(F.tanh)
    derivative_function = staticmethod(F.tanh_derivative)


@catalog.entry(
    ActivationInfo(
        name="relu",
        aliases=("rectified_linear_unit",),
        formula="f(x) = max(0, x)",
        derivative="1 if x > 0 else 0",
        output_range="[0, inf)",
        smooth=False,
        roles=frozenset({"hidden"}),
        when_to_use=(
            "The default for hidden layers. Watch for dying ReLU: units whose input "
            "is always negative get zero gradient forever."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class ReLU(ActivationLayer):
    """Rectified linear unit ``f(x) = max(0, x)``.

    Example:
    >>> keras_actloss.ReLU()([-1.0, 2.0])
    [0., 2.]
    """

    function = staticmethod(F.relu)
    derivative_function = staticmethod(F.relu_derivative)


@catalog.entry(
    ActivationInfo(
        name="leaky_relu",
        aliases=("lrelu",),
        formula="f(x) = x if x > 0 else negative_slope * x",
        derivative="1 if x > 0 else negative_slope",
        output_range="(-inf, inf)",
        smooth=False,
        roles=frozenset({"hidden"}),
        when_to_use=(
            "Hidden layers when ReLU units die, and very deep networks as a safety "
            "measure: the small negative slope keeps a gradient flowing."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class LeakyReLU(ActivationLayer):
    """Leaky ReLU ``f(x) = x if x > 0 else negative_slope * x``.

    The default slope is the seeds' typical 0.01 (as in PyTorch); note that
    `keras.layers.LeakyReLU` defaults to 0.3.

    Example:
    >>> keras_actloss.LeakyReLU(negative_slope=0.1)([-2.0, 2.0])
    [-0.2, 2.]

    Args:
        negative_slope: float >= 0, the slope for x <= 0.
    """

    function = staticmethod(F.leaky_relu)
    derivative_function = staticmethod(F.leaky_relu_derivative)
    negative_slope = check.Argument(check.check_number, minimum=0)

    def __init__(self, negative_slope=0.01, **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = negative_slope

    def arguments(self):
        return {"negative_slope": self.negative_slope}


@catalog.entry(
    ActivationInfo(
        name="prelu",
        aliases=("parametric_relu",),
        formula="f(x) = x if x > 0 else alpha * x, alpha learned",
        derivative="1 if x > 0 else alpha",
        output_range="(-inf, inf)",
        smooth=False,
        learnable=True,
        roles=frozenset({"hidden"}),
        when_to_use=(
            "Hidden layers of very deep networks: like Leaky ReLU, but the negative "
            "slope is learned during training."
        ),
        seed=SEED_2,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class PReLU(keras.layers.PReLU):
    """Parametric ReLU ``f(x) = x if x > 0 else alpha * x`` with learned `alpha`.

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
        return F.prelu(inputs, self.alpha)

    def derivative(self, x):
        """1 where x > 0, else the learned `alpha` (broadcast as in `call`)."""
        if not self.built:
            self.build(ops.shape(x))
        x = ops.convert_to_tensor(x, dtype=self.compute_dtype)
        return F.prelu_derivative(x, self.alpha)


@catalog.entry(
    ActivationInfo(
        name="elu",
        aliases=("exponential_linear_unit",),
        formula="f(x) = x if x > 0 else alpha * (e^x - 1)",
        derivative="1 if x > 0 else alpha * e^x",
        output_range="(-1, inf)",  # for alpha = 1; (-alpha, inf) in general
        zero_centred=True,
        smooth=True,  # continuously differentiable for alpha = 1
        roles=frozenset({"hidden"}),
        when_to_use=(
            "Hidden layers, as an alternative to ReLU: the smooth negative part "
            "pushes mean activations towards zero and no unit dies."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class ELU(ActivationLayer):
    """Exponential linear unit ``f(x) = x if x > 0 else alpha * (exp(x) - 1)``.

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

    function = staticmethod(F.elu)
    derivative_function = staticmethod(F.elu_derivative)
    alpha = check.Argument(check.check_number, minimum=0)

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def arguments(self):
        return {"alpha": self.alpha}


@catalog.entry(
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
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class Swish(ActivationLayer):
    """Swish ``f(x) = x * sigmoid(beta * x)``; with `beta=1` it is SiLU.

    Example:
    >>> keras_actloss.Swish()([0.0, 1.0])
    [0., 0.7310586]

    Args:
        beta: float, the sharpness of the gate (initial value if trainable).
        trainable_beta: bool, learn `beta` as a weight of the layer.
    """

    function = staticmethod(F.swish)
    derivative_function = staticmethod(F.swish_derivative)
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

    def get_config(self):
        # `beta` is the initial value; a trained value travels with the weights.
        return {**super().get_config(), "beta": self.beta, "trainable_beta": self.trainable_beta}


@catalog.entry(
    ActivationInfo(
        name="softplus",
        aliases=("smooth_relu",),
        formula="f(x) = ln(1 + e^(beta x)) / beta",
        derivative="sigmoid(beta * x)",
        output_range="(0, inf)",
        roles=frozenset({"hidden"}),
        when_to_use=(
            "Hidden layers when a smooth ReLU is wanted, or an output that must be "
            "strictly positive; its derivative is the logistic function."
        ),
        seed=SEED_2,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class Softplus(ActivationLayer):
    """Softplus ``f(x) = log(1 + exp(beta * x)) / beta``, a smooth ReLU.

    Stable for large inputs (no overflow); approaches ReLU as `beta` grows.

    Example:
    >>> keras_actloss.Softplus()([0.0])
    [0.6931472]

    Args:
        beta: float > 0, the sharpness.
    """

    function = staticmethod(F.softplus)
    derivative_function = staticmethod(F.softplus_derivative)
    beta = check.Argument(check.check_number, minimum=0, strict_minimum=True)

    def __init__(self, beta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.beta = beta

    def arguments(self):
        return {"beta": self.beta}


@catalog.entry(
    ActivationInfo(
        name="softmax",
        aliases=("normalized_exponential",),
        formula="f(x)_i = e^x_i / sum_j e^x_j",
        derivative="d f_i / d x_j = f_i (delta_ij - f_j)  (see jacobian)",
        output_range="(0, 1)",
        roles=frozenset({"multiclass_output"}),
        when_to_use=(
            "The output layer of multi-class classification with mutually "
            "exclusive classes, one unit per class; outputs sum to 1."
        ),
        seed=SEED_1,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class Softmax(ActivationLayer):
    """Softmax ``f(x)_i = exp(x_i) / sum_j exp(x_j)`` along `axis`.

    Stable for logits of any magnitude (the max is subtracted first). A
    `mask` (from a masking layer or passed to `call`) gives masked
    positions probability 0; the rest still sum to 1.

    Example:
    >>> keras_actloss.Softmax()([[1.0, 2.0, 1.0]])
    [[0.21194157, 0.5761169, 0.21194157]]

    Args:
        axis: int or tuple of ints, the axis (or axes) normalised over.
    """

    axis = check.Argument(check.check_axis)

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def arguments(self):
        return {"axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis}

    def call(self, inputs, mask=None):
        return F.softmax(inputs, axis=self.axis, mask=mask)

    def compute_mask(self, inputs, mask=None):
        return mask

    def derivative(self, x):
        raise NotImplementedError("Softmax is vector-valued: use `jacobian(x)` for its derivative.")

    def jacobian(self, x):
        """The Jacobian ds_i/dx_j, with the softmax axis expanded into the last two axes."""
        if not isinstance(self.axis, int):
            raise ValueError(f"`jacobian` needs a single softmax axis. Received: axis={self.axis}")
        x = ops.convert_to_tensor(x, dtype=self.compute_dtype)
        return F.softmax_jacobian(x, axis=self.axis)


@catalog.entry(
    ActivationInfo(
        name="maxout",
        aliases=("maxout_unit",),
        formula="f(x)_i = max_j (w_ij . x + b_ij), j = 1..pieces",
        derivative="w_ij* for the winning piece j*",
        output_range="(-inf, inf)",
        monotonic=False,
        smooth=False,
        learnable=True,
        roles=frozenset({"hidden"}),
        when_to_use=(
            "Hidden layers, often with dropout: a learnable piecewise-linear convex "
            "unit that generalises ReLU and Leaky ReLU and does not die, at the "
            "cost of `pieces` times the parameters."
        ),
        seed=SEED_2,
    )
)
@keras.saving.register_keras_serializable(package=_PACKAGE)
class Maxout(keras.layers.Layer):
    """Maxout unit: ``f(x)_i = max_j (x . W[:, i, j] + b[i, j])``.

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
        pieces: int >= 2, the affine pieces per unit (k in the seeds).
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer: regularizers of the weights.
        kernel_constraint, bias_constraint: constraints of the weights.
    """

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
        self.supports_masking = True  # one output step per input step: the mask still applies
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
        return F.maxout(ops.matmul(inputs, self.kernel) + self.bias, self.pieces)

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
