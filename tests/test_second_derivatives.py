"""Second derivatives of every activation and loss against analytic float64 ones.

Gradient penalties (WGAN-GP) and Hessian-vector products differentiate twice
through activations and losses, on whichever backend runs: a custom gradient
whose backward pass is not itself differentiable breaks them (on PyTorch, an
error). Here `backends.second_gradient` takes autodiff twice and
compares it with second derivatives written out by hand with NumPy in
float64 (none calls keras_actloss), on the very float32 inputs the functions
receive.

Tolerance: 2e-7 (1.7 float32 eps), relative or absolute:

* an activation's f''(x) within 2e-7 relative or 2e-7 absolute; every f''
  here is at most 1 in size, so the absolute part is under two ulps of its
  largest values;
* a Hessian-vector product's element (H v)_i = sum_j H_ij v_j within 2e-7
  relative or 2e-7 * max_i sum_k (|T_k| |v|)_i, where H is written as the
  sum of its natural terms T_k before they cancel (diag(s) and -s s^T for
  a softmax): float32 rounds each term to its own few ulps, so the error
  is bounded by eps times the size of the terms, the normwise bound of a
  matrix-vector product; where an element is small because its terms
  cancel, only that bound holds.

Piecewise-linear functions (ReLU, the hinge, ...) have f'' = 0 away from
their kinks, which are left out.
"""

import dataclasses
from collections.abc import Callable

import keras
import numpy as np
import pytest
from backends import BACKEND, gradient, second_gradient
from checks import assert_close, catalog_names, require
from scipy import special

import keras_actloss as ka
from keras_actloss import catalog
from keras_actloss import losses as L

TOLERANCE = 2e-7

# Dense over [-20, 20] (where every f'' here is not yet negligible), small
# values on both sides of 0, and large ones, where nothing may turn NaN.
GRID = np.concatenate(
    [
        np.linspace(-20.0, 20.0, 4001),
        [-1e-2, -1e-4, -1e-6, 1e-6, 1e-4, 1e-2],
        [-1e4, -100.0, -50.0, 50.0, 100.0, 1e4],
    ]
).astype("float32")


def _sigmoid_pair(x):
    """(sigmoid(x), sigmoid(-x)) in float64: 1 - sigmoid(x) without cancellation."""
    return special.expit(x), special.expit(-x)


def _sigmoid_second(x):
    s, r = _sigmoid_pair(x)
    return s * r * (r - s)


def _tanh_second(x):
    # d^2/dx^2 tanh = -2 tanh sech^2, with sech^2 = 4 sigmoid(2x) sigmoid(-2x).
    s, r = _sigmoid_pair(2.0 * x)
    return -2.0 * np.tanh(x) * 4.0 * s * r


def _elu_second(alpha):
    return lambda x: np.where(x < 0, alpha * np.exp(np.minimum(x, 0.0)), 0.0)


def _swish_second(beta):
    # f = x s(bx): f'' = b s (1 - s) (2 + b x (1 - 2 s)), with 1 - 2 s = -tanh(bx / 2).
    def second(x):
        s, r = _sigmoid_pair(beta * x)
        return beta * s * r * (2.0 - beta * x * np.tanh(beta * x / 2.0))

    return second


def _softplus_second(beta):
    # f = log(1 + e^(bx)) / b: f' = s(bx), f'' = b s(bx) s(-bx).
    def second(x):
        s, r = _sigmoid_pair(beta * x)
        return beta * s * r

    return second


def _zero(x):
    return np.zeros_like(x)


@dataclasses.dataclass(frozen=True)
class ActivationCase:
    """An elementwise activation, its arguments and f'' in float64, with its kinks."""

    name: str
    second: Callable
    kwargs: dict = dataclasses.field(default_factory=dict)
    kinks: tuple = ()


ACTIVATIONS = {
    # The step's gradient is 0, or 1 within 1 of the threshold (straight through):
    # piecewise constant, so the second derivative is 0 away from its jumps.
    "step": ActivationCase("step", _zero, {"threshold": 0.25}, kinks=(0.25,)),
    "step_straight_through": ActivationCase(
        "step",
        _zero,
        {"threshold": 0.25, "gradient": "straight_through"},
        kinks=(-0.75, 0.25, 1.25),
    ),
    "linear": ActivationCase("linear", _zero),
    "sigmoid": ActivationCase("sigmoid", _sigmoid_second),
    "tanh": ActivationCase("tanh", _tanh_second),
    "relu": ActivationCase("relu", _zero, kinks=(0.0,)),
    "leaky_relu": ActivationCase("leaky_relu", _zero, {"negative_slope": 0.2}, kinks=(0.0,)),
    "prelu": ActivationCase("prelu", _zero, kinks=(0.0,)),
    "elu": ActivationCase("elu", _elu_second(1.0), kinks=(0.0,)),
    "elu_alpha": ActivationCase("elu", _elu_second(0.5), {"alpha": 0.5}, kinks=(0.0,)),
    "swish": ActivationCase("swish", _swish_second(1.0)),
    "swish_beta": ActivationCase("swish", _swish_second(1.5), {"beta": 1.5}),
    "softplus": ActivationCase("softplus", _softplus_second(1.0)),
    "softplus_beta": ActivationCase("softplus", _softplus_second(2.0), {"beta": 2.0}),
}

# The activations that are not elementwise, each with a Hessian-vector product test below.
NOT_ELEMENTWISE = ("softmax", "maxout")

WHERE = "ACTIVATIONS (tests/test_second_derivatives.py)"


def _by_catalog_name(cases):
    """{catalog name: {case: reference}} from {case: reference}."""
    grouped = {}
    for case, reference in cases.items():
        grouped.setdefault(reference.name, {})[case] = reference
    return grouped


ACTIVATION_CASES = _by_catalog_name(ACTIVATIONS)


def _activation_cases(name):
    return list(require(ACTIVATION_CASES, name, "activation", WHERE).items())


def _elementwise(name):
    return catalog.lookup("activation", name).info.elementwise


@pytest.mark.parametrize("name", catalog_names("activation"))
def test_every_catalog_activation_has_a_second_derivative_case(name):
    if _elementwise(name):
        assert _activation_cases(name)
    else:
        assert name in NOT_ELEMENTWISE, f"{name!r} needs a Hessian-vector product test here"


def _away_from(kinks, x, margin=1e-3):
    keep = np.ones_like(x, dtype=bool)
    for kink in kinks:
        keep &= np.abs(x - kink) > margin
    return keep


@pytest.mark.parametrize("name", [n for n in catalog_names("activation") if _elementwise(n)])
def test_activation_second_derivative_matches_float64(name):
    for case, reference in _activation_cases(name):
        layer = ka.get_activation(reference.name, **reference.kwargs)
        actual = second_gradient(layer, GRID)
        assert actual.dtype == np.float32, case
        assert np.isfinite(actual).all(), (case, GRID[~np.isfinite(actual)][:5])
        x64 = GRID.astype("float64")
        expected = reference.second(x64)
        keep = _away_from(reference.kinks, x64)
        try:
            assert_close(np.where(keep, actual, expected), expected, TOLERANCE, TOLERANCE, x=x64)
        except AssertionError as error:
            raise AssertionError(f"case {case!r}: {error}") from None


def _compiled_second_gradient(fn, x, direction=None):
    """`second_gradient(fn, x, direction)` with both derivatives inside one compiled function."""
    direction = np.ones_like(x) if direction is None else direction
    if BACKEND == "tensorflow":
        import tensorflow as tf

        @tf.function
        def run(u, v):
            with tf.GradientTape() as outer:
                outer.watch(u)
                with tf.GradientTape() as inner:
                    inner.watch(u)
                    total = tf.reduce_sum(fn(u))
                projected = tf.reduce_sum(inner.gradient(total, u) * v)
            return outer.gradient(projected, u)

        return run(tf.constant(x), tf.constant(direction)).numpy()
    if BACKEND == "jax":
        import jax

        first = jax.grad(lambda u: keras.ops.sum(fn(u)))
        second = jax.grad(lambda u, v: keras.ops.sum(first(u) * v))
        return np.asarray(jax.jit(second)(x, direction))
    pytest.skip("Keras trains eagerly on PyTorch: the eager tests cover it")


# The activations with a custom gradient: TensorFlow runs `tf.custom_gradient`
# differently in a graph (`tf.function`) than eagerly, JAX under `jit` too.
CUSTOM_GRADIENTS = ["elu", "elu_alpha", "swish", "swish_beta", "softplus", "softplus_beta"]


@pytest.mark.parametrize("case", CUSTOM_GRADIENTS)
def test_custom_gradient_second_derivative_inside_a_compiled_function(case):
    reference = ACTIVATIONS[case]
    layer = ka.get_activation(reference.name, **reference.kwargs)
    actual = _compiled_second_gradient(layer, GRID)
    assert np.isfinite(actual).all(), GRID[~np.isfinite(actual)][:5]
    x64 = GRID.astype("float64")
    expected = reference.second(x64)
    keep = _away_from(reference.kinks, x64)
    assert_close(np.where(keep, actual, expected), expected, TOLERANCE, TOLERANCE, x=x64)


@pytest.mark.parametrize("alpha", [1.0, 0.5, 0.7])
def test_elu_first_derivative_keeps_relative_accuracy(alpha):
    # The closed-form gradient alpha e^x keeps float32's relative accuracy also
    # where e^x is far below 1 (e^x - 1 + 1 would be off by ulps of 1 there).
    x = GRID[np.abs(GRID) > 1e-3]
    actual = gradient(lambda v: ka.activations.elu(v, alpha=alpha), x)
    x64 = x.astype("float64")
    expected = np.where(x64 > 0, 1.0, alpha * np.exp(np.minimum(x64, 0.0)))
    # Below float32's smallest normal number (e^x at x = -100) only absolute accuracy is left.
    assert_close(actual, expected, TOLERANCE, np.finfo("float32").tiny, x=x64)


# --- Hessian-vector products -------------------------------------------------------------


def _hessian(pieces):
    """H from its terms: one matrix, or a list of matrices that sum to it."""
    return sum(pieces) if isinstance(pieces, list) else pieces


def _hvp_close(actual, pieces, direction, label):
    """`actual` close to H v, H the sum of `pieces`: 2e-7 relative, or normwise (docstring)."""
    pieces = pieces if isinstance(pieces, list) else [pieces]
    v = direction.astype("float64").ravel()
    expected = _hessian(pieces) @ v
    scale = np.max(sum(np.abs(piece) @ np.abs(v) for piece in pieces))
    actual = np.asarray(actual, dtype="float64").ravel()
    assert np.isfinite(actual).all(), label
    try:
        assert_close(actual, expected, TOLERANCE, TOLERANCE * scale)
    except AssertionError as error:
        raise AssertionError(f"{label}: {error}") from None


def _softmax64(x):
    return special.softmax(x.astype("float64"), axis=-1)


def _block_diagonal(blocks):
    """One (n k, n k) matrix from n blocks (k, k): samples do not interact."""
    n, k, _ = blocks.shape
    out = np.zeros((n * k, n * k))
    for i, block in enumerate(blocks):
        out[i * k : (i + 1) * k, i * k : (i + 1) * k] = block
    return out


def _diagonal_blocks(d):
    """Per row of d (n, k), the (k, k) matrix diag(d_row): shape (n, k, k)."""
    return np.einsum("ni,ij->nij", d, np.eye(d.shape[-1]))


def _outer_blocks(a, b):
    """Per row, a_row b_row^T: shape (n, k, k)."""
    return a[:, :, None] * b[:, None, :]


RNG = np.random.default_rng(7)
SOFTMAX_LOGITS = np.concatenate(
    [RNG.normal(scale=3.0, size=(6, 5)), RNG.normal(scale=10.0, size=(2, 5))]
).astype("float32")
SOFTMAX_WEIGHTS = RNG.normal(size=(8, 5)).astype("float32")


def test_softmax_hessian_vector_product_matches_float64():
    pieces = _softmax_weighted_hessian(
        SOFTMAX_WEIGHTS.astype("float64"), SOFTMAX_LOGITS.astype("float64")
    )
    layer = ka.Softmax()
    for seed in range(3):
        v = np.random.default_rng(seed).normal(size=SOFTMAX_LOGITS.shape).astype("float32")
        actual = second_gradient(
            lambda x: keras.ops.multiply(layer(x), SOFTMAX_WEIGHTS), SOFTMAX_LOGITS, v
        )
        _hvp_close(actual, pieces, v, f"direction {seed}")


def test_softmax_hessian_vector_product_inside_a_compiled_function():
    pieces = _softmax_weighted_hessian(
        SOFTMAX_WEIGHTS.astype("float64"), SOFTMAX_LOGITS.astype("float64")
    )
    layer = ka.Softmax()
    v = np.random.default_rng(0).normal(size=SOFTMAX_LOGITS.shape).astype("float32")
    actual = _compiled_second_gradient(
        lambda x: keras.ops.multiply(layer(x), SOFTMAX_WEIGHTS), SOFTMAX_LOGITS, v
    )
    _hvp_close(actual, pieces, v, "compiled")


def test_maxout_hessian_vector_product_is_zero():
    # Piecewise linear in its input: each output is one piece's affine map.
    layer = ka.Maxout(units=3, pieces=4)
    x = RNG.normal(size=(6, 5)).astype("float32")
    v = RNG.normal(size=x.shape).astype("float32")
    np.testing.assert_array_equal(second_gradient(layer, x, v), 0.0)


# --- losses ------------------------------------------------------------------------------

N, D = 4, 5


def _f32(x):
    return np.asarray(x, dtype="float32")


@dataclasses.dataclass(frozen=True)
class LossCase:
    """A loss, its inputs and its Hessian with respect to `y_pred` (flattened) in float64.

    `hessian(y_true, y_pred)` takes the float64 inputs (`y_pred` being the
    logits where `squash` applies an activation to it first) and returns
    the (N D, N D) Hessian of the loss as `Loss.__call__` reduces it: one
    matrix, or a list of the terms that sum to it, before they cancel.
    """

    name: str
    loss: Callable
    y_true: np.ndarray
    y_pred: np.ndarray
    hessian: Callable
    squash: Callable | None = None


def _diagonal(per_element):
    """The Hessian of a mean over every element of an elementwise loss with f'' per element."""
    return lambda t, p: np.diag(per_element(t, p).ravel() / p.size)


def _rng(seed):
    return np.random.default_rng(seed)


REGRESSION_TRUE = _f32(_rng(0).normal(size=(N, D)))
# At least 0.05 from the targets: away from the kinks of MAE, and from delta for Huber.
REGRESSION_PRED = _f32(
    REGRESSION_TRUE + _rng(1).choice([-1, 1], (N, D)) * _rng(2).uniform(0.05, 2.0, (N, D))
)
POSITIVE_TRUE = _f32(_rng(3).uniform(0.0, 5.0, (N, D)))
POSITIVE_PRED = _f32(_rng(4).uniform(0.05, 5.0, (N, D)))
BINARY = _f32(_rng(5).integers(0, 2, (N, D)))
SOFT_BINARY = _f32(_rng(6).uniform(0.0, 1.0, (N, D)))
PROBABILITIES = _f32(_rng(7).uniform(0.02, 0.98, (N, D)))
LOGITS = _f32(_rng(8).normal(scale=3.0, size=(N, D)))
LABELS = _rng(9).integers(0, D, N)
ONE_HOT = _f32(np.eye(D)[LABELS])
SOFT_TARGETS = _f32(_rng(10).dirichlet(np.ones(D), N))
TARGETS_WITH_ZEROS = _f32(
    np.where(ONE_HOT > 0, 0.6, np.where(_rng(11).random((N, D)) < 0.5, 0, 0.2))
)
CLASS_PROBABILITIES = _f32(_rng(12).dirichlet(np.ones(D) * 2, N) * 1.3)  # not normalized
SIGNED = _f32(_rng(13).choice([-1.0, 1.0], (N, D)))
# Margins 1 - y p at least 0.05 from 0, on both sides.
SCORES = _f32(SIGNED * (1.0 + _rng(14).choice([-1, 1], (N, D)) * _rng(15).uniform(0.05, 2, (N, D))))


def _rmse_hessian(t, p):
    # L = sqrt(M), M = mean(r^2) over every element: grad = r / (n sqrt(M)), and
    # H = I / (n sqrt(M)) - r r^T / (n^2 M^(3/2)).
    r = (p - t).ravel()
    n = r.size
    m = np.mean(r**2)
    return [np.eye(n) / (n * np.sqrt(m)), -np.outer(r, r) / (n**2 * m**1.5)]


def _msle_hessian(t, p):
    # f = e^2, e = log(1 + p) - log(1 + t): f'' = 2 / (1 + p)^2 - 2 e / (1 + p)^2.
    e = np.log1p(p) - np.log1p(t)
    return [
        np.diag((2.0 / (1.0 + p) ** 2).ravel() / p.size),
        np.diag((-2.0 * e / (1.0 + p) ** 2).ravel() / p.size),
    ]


def _huber_second(delta):
    return lambda t, p: (np.abs(p - t) < delta).astype("float64")


def _bce_probability_second(smoothing):
    def second(t, p):
        t = t * (1.0 - smoothing) + 0.5 * smoothing
        return t / p**2 + (1.0 - t) / (1.0 - p) ** 2

    return second


def _logistic_second(t, z):
    s, r = _sigmoid_pair(z)
    return s * r


def _categorical_logits_hessian(smoothing=0.0):
    # -sum_k y_k log softmax(z)_k = (sum y) logsumexp(z) - y . z, per sample.
    def hessian(t, z):
        t = t * (1.0 - smoothing) + smoothing / t.shape[-1]
        # (sum y) (diag(s) - s s^T) / n, per sample.
        scale = t.sum(axis=-1)[:, None] / len(z)
        s = _softmax64(z)
        return [
            _block_diagonal(_diagonal_blocks(scale * s)),
            -_block_diagonal(_outer_blocks(scale * s, s)),
        ]

    return hessian


def _categorical_probability_hessian(t, p):
    # -sum_k y_k log(p_k / S), S = sum p: H = diag(y / p^2) - (sum y) / S^2, per sample.
    total, s = t.sum(axis=-1), p.sum(axis=-1)
    constant = np.broadcast_to((total / s**2)[:, None, None], (len(p), p.shape[-1], p.shape[-1]))
    return [
        _block_diagonal(_diagonal_blocks(t / p**2) / len(p)),
        -_block_diagonal(constant / len(p)),
    ]


def _kld_probability_hessian(t, p):
    # sum_k y_k (log y_k - log p_k): H = diag(y / p^2), per sample.
    return _block_diagonal(_diagonal_blocks(t / p**2) / len(p))


def _squared_hinge_second(t, p):
    # relu(1 - y p)^2: f'' = 2 y^2 = 2 where the margin is violated, else 0.
    return 2.0 * (1.0 - t * p > 0)


def _zero_hessian(t, p):
    return np.zeros((p.size, p.size))


LOSSES = {
    "mse": LossCase(
        "mean_squared_error",
        L.MeanSquaredError(),
        REGRESSION_TRUE,
        REGRESSION_PRED,
        _diagonal(lambda t, p: np.full_like(p, 2.0)),
    ),
    "mae": LossCase(
        "mean_absolute_error",
        L.MeanAbsoluteError(),
        REGRESSION_TRUE,
        REGRESSION_PRED,
        _zero_hessian,
    ),
    "rmse": LossCase(
        "root_mean_squared_error",
        L.RootMeanSquaredError(),
        REGRESSION_TRUE,
        REGRESSION_PRED,
        _rmse_hessian,
    ),
    "msle": LossCase(
        "mean_squared_logarithmic_error",
        L.MeanSquaredLogarithmicError(),
        POSITIVE_TRUE,
        POSITIVE_PRED,
        _msle_hessian,
    ),
    "mean_error": LossCase(
        "mean_error", L.MeanError(), REGRESSION_TRUE, REGRESSION_PRED, _zero_hessian
    ),
    "huber": LossCase(
        "huber", L.Huber(), REGRESSION_TRUE, REGRESSION_PRED, _diagonal(_huber_second(1.0))
    ),
    "huber_delta": LossCase(
        "huber",
        L.Huber(delta=0.5),
        REGRESSION_TRUE,
        _f32(REGRESSION_PRED + np.where(np.abs(REGRESSION_PRED - REGRESSION_TRUE) < 0.6, 0.1, 0)),
        _diagonal(_huber_second(0.5)),
    ),
    "bce_logits": LossCase(
        "binary_crossentropy",
        L.BinaryCrossentropy(from_logits=True),
        BINARY,
        LOGITS,
        _diagonal(_logistic_second),
    ),
    "bce_logits_smoothing": LossCase(
        "binary_crossentropy",
        L.BinaryCrossentropy(from_logits=True, label_smoothing=0.2),
        SOFT_BINARY,
        LOGITS,
        _diagonal(_logistic_second),
    ),
    "bce_after_sigmoid": LossCase(
        "binary_crossentropy",
        L.BinaryCrossentropy(),
        BINARY,
        LOGITS,
        _diagonal(_logistic_second),
        squash=ka.activations.sigmoid,
    ),
    "bce_probabilities": LossCase(
        "binary_crossentropy",
        L.BinaryCrossentropy(),
        SOFT_BINARY,
        PROBABILITIES,
        _diagonal(_bce_probability_second(0.0)),
    ),
    "bce_probabilities_smoothing": LossCase(
        "binary_crossentropy",
        L.BinaryCrossentropy(label_smoothing=0.1),
        BINARY,
        PROBABILITIES,
        _diagonal(_bce_probability_second(0.1)),
    ),
    "cce_logits": LossCase(
        "categorical_crossentropy",
        L.CategoricalCrossentropy(from_logits=True),
        SOFT_TARGETS,
        LOGITS,
        _categorical_logits_hessian(),
    ),
    "cce_logits_smoothing": LossCase(
        "categorical_crossentropy",
        L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
        ONE_HOT,
        LOGITS,
        _categorical_logits_hessian(0.1),
    ),
    "cce_after_softmax": LossCase(
        "categorical_crossentropy",
        L.CategoricalCrossentropy(),
        ONE_HOT,
        LOGITS,
        _categorical_logits_hessian(),
        squash=ka.activations.softmax,
    ),
    "cce_probabilities": LossCase(
        "categorical_crossentropy",
        L.CategoricalCrossentropy(),
        SOFT_TARGETS,
        CLASS_PROBABILITIES,
        _categorical_probability_hessian,
    ),
    "scce_logits": LossCase(
        "sparse_categorical_crossentropy",
        L.SparseCategoricalCrossentropy(from_logits=True),
        LABELS,
        LOGITS,
        lambda t, z: _categorical_logits_hessian()(ONE_HOT.astype("float64"), z),
    ),
    "scce_after_softmax": LossCase(
        "sparse_categorical_crossentropy",
        L.SparseCategoricalCrossentropy(),
        LABELS,
        LOGITS,
        lambda t, z: _categorical_logits_hessian()(ONE_HOT.astype("float64"), z),
        squash=ka.activations.softmax,
    ),
    "scce_probabilities": LossCase(
        "sparse_categorical_crossentropy",
        L.SparseCategoricalCrossentropy(),
        LABELS,
        CLASS_PROBABILITIES,
        lambda t, p: _categorical_probability_hessian(ONE_HOT.astype("float64"), p),
    ),
    "kld_probabilities": LossCase(
        "kl_divergence",
        L.KLDivergence(),
        TARGETS_WITH_ZEROS,
        CLASS_PROBABILITIES,
        _kld_probability_hessian,
    ),
    "kld_after_softmax": LossCase(
        "kl_divergence",
        L.KLDivergence(),
        SOFT_TARGETS,
        LOGITS,
        _categorical_logits_hessian(),
        squash=ka.activations.softmax,
    ),
    "hinge": LossCase("hinge", L.Hinge(), SIGNED, SCORES, _zero_hessian),
    "squared_hinge": LossCase(
        "squared_hinge", L.SquaredHinge(), SIGNED, SCORES, _diagonal(_squared_hinge_second)
    ),
    "perceptron": LossCase("perceptron_loss", L.PerceptronLoss(), SIGNED, SCORES, _zero_hessian),
    "zero_one": LossCase("zero_one_loss", L.ZeroOneLoss(), BINARY, PROBABILITIES, _zero_hessian),
}

LOSS_WHERE = "LOSSES (tests/test_second_derivatives.py)"


LOSS_CASES = _by_catalog_name(LOSSES)


def _loss_cases(name):
    return list(require(LOSS_CASES, name, "loss", LOSS_WHERE).items())


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_loss_hessian_vector_product_matches_float64(name):
    for case, reference in _loss_cases(name):
        squash = reference.squash or (lambda p: p)

        def loss(p, reference=reference, squash=squash):
            return reference.loss(reference.y_true, squash(p))

        t64 = np.asarray(reference.y_true, dtype="float64")
        hessian = reference.hessian(t64, reference.y_pred.astype("float64"))
        for seed in range(2):
            v = _rng(100 + seed).normal(size=reference.y_pred.shape).astype("float32")
            actual = second_gradient(loss, reference.y_pred, v)
            assert actual.dtype == np.float32, case
            _hvp_close(actual, hessian, v, f"case {case!r}, direction {seed}")


def _softmax_weighted_hessian(w, x):
    # The scalar w . softmax(x): its gradient is s * a with a = w - (w . s),
    # and its Hessian diag(s a) - (s a) s^T - s (s a)^T, row by row.
    s = _softmax64(x)
    sa = s * (w - np.sum(w * s, axis=-1, keepdims=True))
    return [
        _block_diagonal(_diagonal_blocks(sa)),
        -_block_diagonal(_outer_blocks(sa, s)),
        -_block_diagonal(_outer_blocks(s, sa)),
    ]


def test_the_references_agree_with_finite_differences_of_the_float64_gradient():
    # The hand-written Hessians of more than one term, checked against central
    # differences of their own gradients (NumPy, float64).
    def softmax_gradient(w, x):
        s = _softmax64(x)
        return s * (w - np.sum(w * s, axis=-1, keepdims=True))

    def rmse_gradient(t, p):
        r = p - t
        return r / (r.size * np.sqrt(np.mean(r**2)))

    def msle_gradient(t, p):
        return 2 * (np.log1p(p) - np.log1p(t)) / (1 + p) / p.size

    def cce_logits_gradient(t, z):
        return (t.sum(-1, keepdims=True) * _softmax64(z) - t) / len(z)

    def cce_probability_gradient(t, p):
        return (-t / p + (t.sum(-1) / p.sum(-1))[:, None]) / len(p)

    for hessian, grad, t, p in (
        (_softmax_weighted_hessian, softmax_gradient, SOFTMAX_WEIGHTS, SOFTMAX_LOGITS / 3),
        (_rmse_hessian, rmse_gradient, REGRESSION_TRUE, REGRESSION_PRED),
        (_msle_hessian, msle_gradient, POSITIVE_TRUE, POSITIVE_PRED),
        (_categorical_logits_hessian(), cce_logits_gradient, SOFT_TARGETS, LOGITS),
        (
            _categorical_probability_hessian,
            cce_probability_gradient,
            SOFT_TARGETS,
            CLASS_PROBABILITIES,
        ),
    ):
        t, p = t.astype("float64"), p.astype("float64")
        h = 1e-6
        columns = []
        for j in range(p.size):
            step = np.zeros(p.size)
            step[j] = h
            step = step.reshape(p.shape)
            columns.append(((grad(t, p + step) - grad(t, p - step)) / (2 * h)).ravel())
        np.testing.assert_allclose(np.stack(columns, axis=1), _hessian(hessian(t, p)), atol=1e-7)
