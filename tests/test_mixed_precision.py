"""Every activation layer and every loss trains a step under mixed precision, on every backend.

Under `mixed_float16` and `mixed_bfloat16` a layer computes in the half
type while its weights stay float32, and a loss computes in float32 from
half-precision predictions. For each activation layer and each loss this
checks, on whichever backend runs: outputs and gradients in the compute
dtype, finite losses, gradients and updated weights, and values against
float64 references written here with NumPy (none calls keras_actloss).

Exact inputs. The inputs and the first layer's weights are small multiples
of 1/8 and 1/4, so every product and partial sum of the Dense layer is a
multiple of 1/32 below 8 in size: at most 8 significant bits, exact in
bfloat16 (8) and float16 (11) whatever the order of summation. What the
activation or the loss receives is then known exactly, and the only
roundings are their own.

Tolerances, with u the unit roundoff of the compute dtype (2^-11 for
float16, 2^-8 for bfloat16; one rounding is within u relative):

* an activation's output within `ACTIVATION_ROUNDINGS` u relative, or
  that many u times the dtype's smallest normal number, below which only
  absolute spacing is left;
* a loss from a train step within the first-order effect of those output
  errors, sum_i |dL/dp_i| E_i (E_i the bound above on prediction i, 0 for
  predictions that are the exact Dense output), plus the float32 rounding
  of the loss itself: a sum of n terms, each within a few float32 ulps, is
  within (n + 10) u32 sum |terms| (the standard bound, u32 = 2^-24).
"""

import dataclasses
from collections.abc import Callable

import keras
import ml_dtypes
import numpy as np
import pytest
from backends import gradient_tensor, to_numpy
from checks import catalog_names, require
from scipy import special

import keras_actloss as ka
from keras_actloss import losses as L

POLICIES = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}

# Roundings allowed to an activation evaluated in the compute dtype: the
# result's own, and those of the few half-precision operations before it.
ACTIVATION_ROUNDINGS = 4

U32 = 2.0**-24
N, FEATURES, UNITS = 64, 4, 6


def unit_roundoff(dtype):
    return float(ml_dtypes.finfo(dtype).eps) / 2


def smallest_normal(dtype):
    return float(ml_dtypes.finfo(dtype).tiny)


def _grid(rng, shape, denominator, top):
    """Multiples of 1 / denominator in [-top, top]."""
    return rng.integers(-top * denominator, top * denominator + 1, shape) / denominator


RNG = np.random.default_rng(3)
X = _grid(RNG, (N, FEATURES), 8, 1).astype("float32")
KERNEL = _grid(RNG, (FEATURES, UNITS), 4, 1).astype("float32")
BIAS = _grid(RNG, (UNITS,), 8, 1).astype("float32")
LOGITS = X.astype("float64") @ KERNEL + BIAS  # exact in both half types, see above


def exact_dense(units=UNITS):
    """A Dense layer whose first forward pass on `X` is exact in either half type."""
    return keras.layers.Dense(
        units,
        kernel_initializer=keras.initializers.Constant(KERNEL[:, :units]),
        bias_initializer=keras.initializers.Constant(BIAS[:units]),
    )


@pytest.mark.parametrize("dtype", list(POLICIES.values()))
def test_the_dense_layer_is_exact_in_half_precision(dtype):
    # Every product and the bias are multiples of 1/32 whose sizes sum to less than 8
    # per output: so is every partial sum of X @ KERNEL + BIAS, in any order.
    products = X[:, :, None] * KERNEL[None]
    for values in (products, BIAS):
        assert np.all(values * 32 == np.round(values * 32))
    assert np.all(np.abs(products).sum(axis=1) + np.abs(BIAS) < 8)
    half = keras.layers.Dense(UNITS, dtype=f"mixed_{dtype}")
    model = keras.Sequential([keras.Input((FEATURES,)), half])
    half.set_weights([KERNEL, BIAS])
    np.testing.assert_array_equal(to_numpy(model(X), "float64"), LOGITS)


def compute_dtype(policy):
    return POLICIES[policy]


def assert_finite(values, what):
    values = np.asarray(to_numpy(values), dtype="float64")
    assert np.isfinite(values).all(), f"{what}: {values[~np.isfinite(values)][:5]}"


def assert_dtype(tensor, dtype, what):
    actual = keras.backend.standardize_dtype(tensor.dtype)
    assert actual == dtype, f"{what} is {actual}, not {dtype}"


def assert_input_gradient(fn, inputs, dtype, what):
    """d sum(fn(inputs)) / d inputs is finite and in `dtype`, the inputs' own."""
    grad = gradient_tensor(fn, inputs)
    assert_dtype(grad, dtype, f"the gradient of {what}")
    assert_finite(grad, f"the gradient of {what}")


# --- activations --------------------------------------------------------------------------

MAXOUT_KERNEL = _grid(np.random.default_rng(4), (FEATURES, 2 * UNITS), 4, 1).astype("float32")
MAXOUT_BIAS = _grid(np.random.default_rng(5), (2 * UNITS,), 8, 1).astype("float32")


def _softmax(z):
    return special.softmax(z, axis=-1)


def _maxout(x):
    pieces = x.astype("float64") @ MAXOUT_KERNEL + MAXOUT_BIAS
    return pieces.reshape(len(x), UNITS, 2).max(axis=-1)


@dataclasses.dataclass(frozen=True)
class ActivationCase:
    """An activation layer and its value in float64 on the exact logits it receives.

    `first_layer=False` for a layer that is its own dense layer (Maxout):
    it gets the inputs `X` themselves, and `value` maps them.
    """

    make: Callable
    value: Callable
    first_layer: bool = True


ACTIVATIONS = {
    "step": ActivationCase(
        lambda: ka.Step(threshold=0.25, gradient="straight_through"),
        lambda z: (z >= 0.25).astype("float64"),
    ),
    "linear": ActivationCase(ka.Linear, lambda z: z),
    "sigmoid": ActivationCase(ka.Sigmoid, special.expit),
    "tanh": ActivationCase(ka.Tanh, np.tanh),
    "relu": ActivationCase(ka.ReLU, lambda z: np.maximum(z, 0.0)),
    "leaky_relu": ActivationCase(
        lambda: ka.LeakyReLU(negative_slope=0.2), lambda z: np.where(z > 0, z, 0.2 * z)
    ),
    "prelu": ActivationCase(ka.PReLU, lambda z: np.where(z > 0, z, 0.25 * z)),
    "elu": ActivationCase(
        lambda: ka.ELU(alpha=0.5), lambda z: np.where(z > 0, z, 0.5 * np.expm1(z))
    ),
    "swish": ActivationCase(
        lambda: ka.Swish(beta=1.5, trainable_beta=True), lambda z: z * special.expit(1.5 * z)
    ),
    "softplus": ActivationCase(
        lambda: ka.Softplus(beta=2.0), lambda z: np.logaddexp(0.0, 2.0 * z) / 2.0
    ),
    "softmax": ActivationCase(lambda: ka.Softmax(axis=1), _softmax),
    "maxout": ActivationCase(
        lambda: ka.Maxout(
            units=UNITS,
            pieces=2,
            kernel_initializer=keras.initializers.Constant(MAXOUT_KERNEL),
            bias_initializer=keras.initializers.Constant(MAXOUT_BIAS),
        ),
        _maxout,
        first_layer=False,
    ),
}

TARGETS = np.random.default_rng(6).normal(size=(N, UNITS)).astype("float32")


def _activation_bound(expected, dtype):
    """The error allowed to an activation's output (module docstring), elementwise."""
    u = unit_roundoff(dtype)
    return ACTIVATION_ROUNDINGS * u * np.maximum(np.abs(expected), smallest_normal(dtype))


def _float32_sum_bound(terms):
    """The float32 rounding of a mean of `terms` (each within a few ulps): module docstring."""
    terms = np.abs(np.asarray(terms, dtype="float64"))
    return (terms.size + 10) * U32 * terms.mean()


@pytest.mark.parametrize("policy", list(POLICIES))
@pytest.mark.parametrize("name", catalog_names("activation"))
def test_activation_layer_trains_a_step_under_mixed_precision(name, policy):
    case = require(ACTIVATIONS, name, "activation", "ACTIVATIONS (tests/test_mixed_precision.py)")
    keras.config.set_dtype_policy(policy)
    dtype = compute_dtype(policy)
    layer = case.make()
    assert layer.compute_dtype == dtype and layer.variable_dtype == "float32"
    layers = [keras.Input((FEATURES,))] + ([exact_dense()] if case.first_layer else []) + [layer]
    model = keras.Sequential(layers)
    for weight in layer.weights:
        assert_dtype(weight, "float32", f"{name}'s weight {weight.name}")

    # The output, in the compute dtype, against float64 on the exact logits.
    output = model(X)
    assert_dtype(output, dtype, f"{name}'s output")
    expected = case.value(LOGITS if case.first_layer else X)
    actual = to_numpy(output, dtype="float64")
    error = np.abs(actual - expected)
    bound = _activation_bound(expected, dtype)
    assert (error <= bound).all(), (
        f"{name} in {dtype}: max error {error.max():.3g}, {np.sum(error > bound)} of "
        f"{error.size} beyond {ACTIVATION_ROUNDINGS} u; worst at input "
        f"{(LOGITS if case.first_layer else X).ravel()[np.argmax(error - bound)]}"
    )

    # Its gradient, with respect to the input it received, in the compute dtype.
    inputs = keras.ops.convert_to_tensor(LOGITS if case.first_layer else X, dtype=dtype)
    assert_input_gradient(lambda v: keras.ops.cast(layer(v), "float32"), inputs, dtype, name)

    # A train step on the mean squared error: its loss against float64.
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    before = [to_numpy(w, dtype="float64") for w in model.trainable_weights]
    loss = float(model.train_on_batch(X, TARGETS))
    residual = expected - TARGETS
    reference = np.mean(residual**2)
    outputs_error = bound
    allowed = np.mean(2 * np.abs(residual) * outputs_error + outputs_error**2)
    allowed += _float32_sum_bound(residual**2)
    assert abs(loss - reference) <= allowed, (name, policy, loss, reference, allowed)
    after = [to_numpy(w, dtype="float64") for w in model.trainable_weights]
    for weight in after:
        assert_finite(weight, f"{name}: a weight after the step")
    assert any(not np.array_equal(b, a) for b, a in zip(before, after, strict=True)), name


# --- losses -------------------------------------------------------------------------------

CLASSES = 4
LABELS = np.random.default_rng(7).integers(0, CLASSES, N)
ONE_HOT = np.eye(CLASSES)[LABELS].astype("float32")


def _targets(seed, kind, shape=(N, UNITS)):
    rng = np.random.default_rng(seed)
    if kind == "real":
        return _grid(rng, shape, 8, 3).astype("float32")
    if kind == "non_negative":
        return np.abs(_grid(rng, shape, 8, 3)).astype("float32")
    if kind == "binary":
        return rng.integers(0, 2, shape).astype("float32")
    if kind == "signed":
        return rng.choice([-1.0, 1.0], shape).astype("float32")
    if kind == "distribution":
        return rng.dirichlet(np.ones(shape[-1]), shape[0]).astype("float32")
    raise ValueError(kind)


@dataclasses.dataclass(frozen=True)
class LossCase:
    """A loss, the output activation before it, targets, and the loss in float64.

    `terms(y, p)` are the loss's terms, per element or per sample, for the
    model's float64 outputs p: the activation `output` of the exact logits,
    or the logits themselves when there is none. The loss is their mean, or
    with `root` its square root (RMSE).
    """

    loss: Callable
    targets: np.ndarray
    terms: Callable
    output: str | None = None
    units: int = UNITS
    root: bool = False

    def reference(self, y, p):
        mean = np.mean(self.terms(y, p))
        return np.sqrt(mean) if self.root else mean


def _bce(y, p):
    return -(y * np.log(p) + (1 - y) * np.log1p(-p))


def _bce_logits(y, z):
    return np.logaddexp(0.0, z) - y * z


def _cce(y, p):
    return -np.sum(y * np.log(p / p.sum(-1, keepdims=True)), axis=-1)


def _cce_logits(y, z):
    return -np.sum(y * special.log_softmax(z, axis=-1), axis=-1)


def _kld(y, p):
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y > 0, y * (np.log(y) - np.log(p)), 0.0)
    return np.sum(terms, axis=-1)


def _huber(y, p, delta=1.0):
    e = np.abs(p - y)
    return np.where(e <= delta, 0.5 * e**2, delta * (e - 0.5 * delta))


def _hinge(y, p):
    return np.maximum(1.0 - y * p, 0.0)


LOSSES = {
    "mean_squared_error": [
        LossCase(L.MeanSquaredError(), _targets(10, "real"), lambda y, p: (p - y) ** 2)
    ],
    "mean_absolute_error": [
        LossCase(L.MeanAbsoluteError(), _targets(11, "real"), lambda y, p: np.abs(p - y))
    ],
    "root_mean_squared_error": [
        LossCase(
            L.RootMeanSquaredError(), _targets(12, "real"), lambda y, p: (p - y) ** 2, root=True
        )
    ],
    "mean_squared_logarithmic_error": [
        LossCase(
            L.MeanSquaredLogarithmicError(),
            _targets(13, "non_negative"),
            lambda y, p: (np.log1p(p) - np.log1p(y)) ** 2,
            output="softplus",
        )
    ],
    "mean_error": [LossCase(L.MeanError(), _targets(14, "real"), lambda y, p: y - p)],
    "huber": [LossCase(L.Huber(), _targets(15, "real"), _huber)],
    "binary_crossentropy": [
        LossCase(L.BinaryCrossentropy(from_logits=True), _targets(16, "binary"), _bce_logits),
        LossCase(L.BinaryCrossentropy(), _targets(17, "binary"), _bce, output="sigmoid"),
    ],
    "categorical_crossentropy": [
        LossCase(L.CategoricalCrossentropy(from_logits=True), ONE_HOT, _cce_logits, units=CLASSES),
        LossCase(L.CategoricalCrossentropy(), ONE_HOT, _cce, output="softmax", units=CLASSES),
    ],
    "sparse_categorical_crossentropy": [
        LossCase(
            L.SparseCategoricalCrossentropy(from_logits=True),
            LABELS,
            lambda y, z: _cce_logits(ONE_HOT, z),
            units=CLASSES,
        ),
        LossCase(
            L.SparseCategoricalCrossentropy(),
            LABELS,
            lambda y, p: _cce(ONE_HOT, p),
            output="softmax",
            units=CLASSES,
        ),
    ],
    "kl_divergence": [
        LossCase(
            L.KLDivergence(),
            _targets(18, "distribution", (N, CLASSES)),
            _kld,
            output="softmax",
            units=CLASSES,
        )
    ],
    "hinge": [LossCase(L.Hinge(), _targets(19, "signed"), _hinge)],
    "squared_hinge": [
        LossCase(L.SquaredHinge(), _targets(20, "signed"), lambda y, p: _hinge(y, p) ** 2)
    ],
    "perceptron_loss": [
        LossCase(L.PerceptronLoss(), _targets(21, "signed"), lambda y, p: np.maximum(-y * p, 0.0))
    ],
    "zero_one_loss": [
        LossCase(
            L.ZeroOneLoss(from_logits=True),
            _targets(22, "binary"),
            lambda y, z: ((z > 0) != (y > 0.5)).astype("float64"),
        )
    ],
}

OUTPUTS = {
    "sigmoid": (ka.Sigmoid, special.expit),
    "softmax": (ka.Softmax, _softmax),
    "softplus": (ka.Softplus, lambda z: np.logaddexp(0.0, z)),
}


def _first_order_bound(case, y, p, errors):
    """sum_i |dL/dp_i| errors_i, dL/dp by central differences of the float64 reference."""
    total = 0.0
    for i in np.flatnonzero(errors):
        h = 1e-6 * max(abs(p.flat[i]), 1e-3)
        up, down = p.copy(), p.copy()
        up.flat[i] += h
        down.flat[i] -= h
        slope = (case.reference(y, up) - case.reference(y, down)) / (2 * h)
        total += abs(slope) * errors.flat[i]
    return total


@pytest.mark.parametrize("policy", list(POLICIES))
@pytest.mark.parametrize("name", catalog_names("loss"))
def test_loss_trains_a_step_under_mixed_precision(name, policy):
    cases = require(LOSSES, name, "loss", "LOSSES (tests/test_mixed_precision.py)")
    for index, case in enumerate(cases):
        keras.config.set_dtype_policy(policy)
        dtype = compute_dtype(policy)
        label = f"{name} (case {index}) under {policy}"
        layers = [keras.Input((FEATURES,)), exact_dense(case.units)]
        expected = LOGITS[:, : case.units]
        errors = np.zeros_like(expected)  # the Dense output is exact
        if case.output is not None:
            make, value = OUTPUTS[case.output]
            layers.append(make())
            expected = value(expected)
            # The loss reads the activation's logits where they are known, else its
            # rounded output (`losses._logits`): allow for that rounding.
            errors = _activation_bound(expected, dtype)
        model = keras.Sequential(layers)
        predictions = model(X)
        assert_dtype(predictions, dtype, f"the predictions of {label}")

        # On half-precision predictions: a float32 loss, a gradient in their dtype.
        assert_dtype(case.loss(case.targets, predictions), "float32", f"the loss of {label}")
        assert_input_gradient(
            lambda p, case=case: case.loss(case.targets, p), predictions, dtype, label
        )

        # A train step: its loss against float64, and finite updated weights.
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss=case.loss)
        loss = float(model.train_on_batch(X, case.targets))
        targets = case.targets.astype("float64")
        reference = case.reference(targets, expected)
        allowed = _first_order_bound(case, targets, expected, errors)
        # The float32 rounding of the mean; a square root halves the relative error of
        # its argument and adds one rounding of its own.
        rounding = _float32_sum_bound(case.terms(targets, expected))
        allowed += rounding / (2 * reference) + U32 * reference if case.root else rounding
        assert abs(loss - reference) <= allowed, (label, loss, reference, allowed)
        for weight in model.trainable_weights:
            assert_finite(weight, f"{label}: {weight.name} after the step")
