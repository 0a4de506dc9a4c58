"""Activation values and gradients against independent float64 references.

The references below are written from the source articles' formulas with
NumPy/SciPy in float64; none of them calls keras_actloss. Every catalog
activation needs at least one: a new one without fails by name.
"""

import contextlib
import dataclasses
from collections.abc import Callable

import keras
import numpy as np
import pytest
from activation_cases import required_arguments
from backends import BACKEND, float_dtypes, gradient, gradients, to_numpy
from checks import assert_close, catalog_names, require
from scipy import special

import keras_actloss as ka
from keras_actloss import catalog

# The grid: dense over [-100, 100] plus +-1e4, in float32.
GRID = np.concatenate([np.linspace(-100.0, 100.0, 40001), [-1e4, 1e4]]).astype("float32")


def _sech2(x):
    with np.errstate(over="ignore"):
        return 1.0 / np.cosh(x) ** 2


@dataclasses.dataclass(frozen=True)
class Reference:
    """A float64 reference for the catalog activation `name` with arguments `kwargs`.

    For an elementwise activation `value` and `derivative` map the float64
    inputs to f(x) and f'(x), and the derivative is checked away from
    `kinks`. For another one `derivative` gives the batched Jacobian of each
    row's output with respect to that row's input, shape (batch, out, in).
    """

    name: str
    value: Callable
    derivative: Callable
    kwargs: dict = dataclasses.field(default_factory=dict)
    kinks: tuple = ()
    inputs: np.ndarray = dataclasses.field(default_factory=lambda: GRID)
    value_tolerance: tuple = (1e-6, 1e-30)  # (rtol, atol)
    derivative_tolerance: tuple = (1e-4, 1e-6)


def _softmax_jacobian(x):
    s = special.softmax(x, axis=-1)
    return np.einsum("bi,ij->bij", s, np.eye(x.shape[-1])) - s[:, :, None] * s[:, None, :]


def _rows(scale, shape, seed):
    return np.random.default_rng(seed).normal(scale=scale, size=shape).astype("float32")


# Logits of every size, and one row of extreme ones (a naive softmax overflows).
SOFTMAX_LOGITS = np.concatenate(
    [_rows(3, (8, 7), seed=2), _rows(30, (8, 7), seed=0), [[1e4, -1e4, 0, 5e3, 1e4 - 1, 0, 0]]]
).astype("float32")

# Maxout with 3 units of 4 pieces over 5 features, with known weights: the
# pieces of unit u are the columns 4u .. 4u + 3 (consecutive, as documented).
MAXOUT_KERNEL = _rows(1, (5, 12), seed=3).astype("float64")
MAXOUT_BIAS = _rows(1, (12,), seed=4).astype("float64")


def _fixed(values):
    """An initializer that returns `values`, which must have the weight's shape."""

    def initializer(shape, dtype=None):
        assert tuple(shape) == values.shape, (shape, values.shape)
        return keras.ops.convert_to_tensor(values, dtype=dtype)

    return initializer


def _maxout_pieces(x):
    return (x @ MAXOUT_KERNEL + MAXOUT_BIAS).reshape(len(x), 3, 4)


def _maxout_jacobian(x):
    # d out_u / d x = the kernel column of unit u's winning piece.
    winner = _maxout_pieces(x).argmax(axis=-1)  # (batch, unit)
    kernel = MAXOUT_KERNEL.reshape(5, 3, 4)
    return np.stack([kernel[:, np.arange(3), w].T for w in winner])


# case -> Reference, with f and f' (or the Jacobian) in float64.
REFERENCES = {
    "step": Reference(
        "step",
        kwargs={"threshold": 0.5},
        value=lambda x: (x >= 0.5).astype("float64"),
        derivative=lambda x: np.zeros_like(x),
        kinks=(0.5,),
    ),
    "linear": Reference("linear", value=lambda x: x, derivative=lambda x: np.ones_like(x)),
    "sigmoid": Reference(
        "sigmoid", value=special.expit, derivative=lambda x: special.expit(x) * special.expit(-x)
    ),
    "tanh": Reference("tanh", value=np.tanh, derivative=_sech2),
    "relu": Reference(
        "relu",
        value=lambda x: np.maximum(x, 0.0),
        derivative=lambda x: (x > 0).astype("float64"),
        kinks=(0.0,),
    ),
    "leaky_relu": Reference(
        "leaky_relu",
        kwargs={"negative_slope": 0.2},
        value=lambda x: np.where(x > 0, x, 0.2 * x),
        derivative=lambda x: np.where(x > 0, 1.0, 0.2),
        kinks=(0.0,),
    ),
    "leaky_relu_default": Reference(
        "leaky_relu",
        value=lambda x: np.where(x > 0, x, 0.01 * x),
        derivative=lambda x: np.where(x > 0, 1.0, 0.01),
        kinks=(0.0,),
    ),
    "prelu": Reference(
        "prelu",
        value=lambda x: np.where(x > 0, x, 0.25 * x),
        derivative=lambda x: np.where(x > 0, 1.0, 0.25),
        kinks=(0.0,),
    ),
    "elu": Reference(
        "elu",
        kwargs={"alpha": 0.7},
        value=lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0))),
        derivative=lambda x: np.where(x > 0, 1.0, 0.7 * np.exp(np.minimum(x, 0))),
        kinks=(0.0,),
    ),
    "swish": Reference(
        "swish",
        value=lambda x: x * special.expit(x),
        derivative=lambda x: special.expit(x) + x * special.expit(x) * special.expit(-x),
    ),
    "swish_beta": Reference(
        "swish",
        kwargs={"beta": 1.7},
        value=lambda x: x * special.expit(1.7 * x),
        derivative=lambda x: (
            special.expit(1.7 * x) + 1.7 * x * special.expit(1.7 * x) * special.expit(-1.7 * x)
        ),
    ),
    "softplus": Reference(
        "softplus", value=lambda x: np.logaddexp(0.0, x), derivative=special.expit
    ),
    "softplus_beta": Reference(
        "softplus",
        kwargs={"beta": 2.5},
        value=lambda x: np.logaddexp(0.0, 2.5 * x) / 2.5,
        derivative=lambda x: special.expit(2.5 * x),
    ),
    "softmax": Reference(
        "softmax",
        inputs=SOFTMAX_LOGITS,
        value=lambda x: special.softmax(x, axis=-1),
        derivative=_softmax_jacobian,
    ),
    "maxout": Reference(
        "maxout",
        kwargs=dict(
            units=3,
            pieces=4,
            kernel_initializer=_fixed(MAXOUT_KERNEL),
            bias_initializer=_fixed(MAXOUT_BIAS),
        ),
        inputs=_rows(1, (16, 5), seed=5),
        value=lambda x: _maxout_pieces(x).max(axis=-1),
        derivative=_maxout_jacobian,
        value_tolerance=(1e-5, 1e-6),
        derivative_tolerance=(1e-5, 1e-6),
    ),
}

# catalog name -> the names of its cases in REFERENCES.
CASES = {}
for _case, _reference in REFERENCES.items():
    CASES.setdefault(_reference.name, []).append(_case)

WHERE = "REFERENCES (tests/test_activation_values.py)"


def _cases(name):
    """The (case, reference) pairs of the catalog activation `name`; fails if it has none."""
    return [(case, REFERENCES[case]) for case in require(CASES, name, "activation", WHERE)]


@contextlib.contextmanager
def _naming(case):
    """Prefixes a failure with the reference case it happened in."""
    try:
        yield
    except AssertionError as error:
        raise AssertionError(f"case {case!r}: {error}") from None


def _elementwise(name):
    return catalog.lookup("activation", name).info.elementwise


def _layer(reference):
    return ka.get_activation(reference.name, **reference.kwargs)


@pytest.mark.parametrize("name", catalog_names("activation"))
def test_every_catalog_activation_has_a_float64_reference(name):
    assert _cases(name)


def test_every_reference_names_a_catalog_activation():
    known = set(catalog_names("activation"))
    stale = {case: r.name for case, r in REFERENCES.items() if r.name not in known}
    assert not stale, f"cases of {WHERE} that name no catalog activation: {stale}"


def _away_from_kinks(kinks, x):
    keep = np.ones_like(x, dtype=bool)
    for kink in kinks:
        keep &= np.abs(x - kink) > 1e-3
    return keep


def _close_to_reference_derivative(reference, derivative):
    """`derivative` (on the reference's inputs) close to f'(x), away from kinks."""
    x64 = reference.inputs.astype("float64")
    expected = reference.derivative(x64)
    keep = _away_from_kinks(reference.kinks, x64)
    derivative = to_numpy(derivative)
    assert_close(
        np.where(keep, derivative, expected), expected, *reference.derivative_tolerance, x=x64
    )


def _gradient_is_connected(fn, x):
    """Whether autodiff reaches `x` from `fn(x)`.

    Where it does not, a TensorFlow tape returns `None` and PyTorch has no
    graph to differentiate (both of which `backends.gradient` would hide as
    zeros or an error); JAX always gives an array.
    """
    x = keras.ops.convert_to_tensor(x)
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        return tape.gradient(y, x) is not None
    if BACKEND == "torch":
        return bool(fn(x.detach().requires_grad_(True)).requires_grad)
    return True


def _batch_jacobian(fn, x):
    """d fn(x)[b, i] / d x[b, j], shape (batch, out, in), for `fn` that maps rows independently."""
    outputs = keras.ops.shape(fn(x))[-1]
    # Summed over the batch, output i of each row depends on that row's inputs only.
    rows = [gradient(lambda v, i=i: fn(v)[:, i], x) for i in range(outputs)]
    return np.stack(rows, axis=1)


@pytest.mark.parametrize("name", catalog_names("activation"))
def test_value_matches_float64_reference(name):
    for case, reference in _cases(name):
        with _naming(case):
            actual = _layer(reference)(reference.inputs)
            assert keras.backend.standardize_dtype(actual.dtype) == "float32"
            x64 = reference.inputs.astype("float64")
            where = x64 if _elementwise(name) else None
            assert_close(actual, reference.value(x64), *reference.value_tolerance, x=where)


@pytest.mark.parametrize("name", catalog_names("activation"))
def test_gradient_matches_derivative_and_reference(name):
    for case, reference in _cases(name):
        with _naming(case):
            layer = _layer(reference)
            x = reference.inputs
            if _elementwise(name):
                message = "the gradient must be connected (zeros, not None)"
                assert _gradient_is_connected(layer, x), message
                _close_to_reference_derivative(reference, gradient(layer, x))
                _close_to_reference_derivative(reference, layer.derivative(x))
                continue
            # Not elementwise: the whole Jacobian of each row, and `jacobian(x)` if it has one.
            expected = reference.derivative(x.astype("float64"))
            assert_close(_batch_jacobian(layer, x), expected, *reference.derivative_tolerance)
            if hasattr(layer, "jacobian"):
                assert_close(layer.jacobian(x), expected, *reference.derivative_tolerance)


def test_elu_is_accurate_near_zero_where_exp_minus_one_is_not():
    x = np.linspace(-1e-3, 0, 1001).astype("float32")
    expected = np.expm1(x.astype("float64"))
    assert_close(ka.ELU()(x), expected, rtol=1e-6, atol=1e-30, x=x)
    # The naive formula TensorFlow's ELU uses is off by >= 1e-5 relative here
    # (by 2e-4 at -1e-4, and 100% where exp(x) rounds to 1).
    naive = np.exp(x) - np.float32(1)
    assert np.max(np.abs(naive - expected) / np.abs(expected[:-1]).min()) > 1e-5


def test_step_straight_through_gradient_is_one_near_threshold_only():
    x = np.array([-3.0, -1.5, -0.5, 0.0, 0.9, 1.49, 2.0, 3.0], "float32")
    layer = ka.Step(threshold=0.5, gradient="straight_through")
    np.testing.assert_array_equal(to_numpy(layer(x)), [0, 0, 0, 0, 1, 1, 1, 1])
    expected = [0, 0, 1, 1, 1, 1, 0, 0]  # 1 where |x - 0.5| <= 1
    np.testing.assert_array_equal(gradient(layer, x), expected)
    np.testing.assert_array_equal(to_numpy(layer.derivative(x)), expected)


def test_step_zero_gradient_is_connected_zero():
    x = np.array([-1.0, 0.0, 0.3], "float32")
    layer = ka.Step()
    np.testing.assert_array_equal(to_numpy(layer(x)), [0, 1, 1])
    assert _gradient_is_connected(layer, x)
    np.testing.assert_array_equal(gradient(layer, x), [0, 0, 0])


def _trainable_gradients(layer, x):
    """d sum(layer(x)) / d w for each trainable weight w of the built `layer`, at its value."""

    def output(*trainable_values):
        y, _ = layer.stateless_call(list(trainable_values), layer.non_trainable_weights, x)
        return y

    return gradients(output, *[to_numpy(w) for w in layer.trainable_weights])


def test_prelu_gradient_with_respect_to_alpha():
    layer = ka.PReLU()
    x = np.array([[-2.0, 3.0, -0.5]], "float32")
    layer.build(x.shape)
    (grad_alpha,) = _trainable_gradients(layer, x)
    np.testing.assert_allclose(grad_alpha, [-2.0, 0.0, -0.5])  # d/d alpha = min(x, 0)
    np.testing.assert_allclose(to_numpy(layer(x)), [[-0.5, 3.0, -0.125]])


def _softmax64(x, axis=-1):
    return special.softmax(x.astype("float64"), axis=axis)


def test_softmax_values_and_stability():
    rng = np.random.default_rng(0)
    logits = np.concatenate(
        [rng.normal(scale=30, size=(50, 7)), [[1e4, -1e4, 0, 5e3, 1e4 - 1, 0, 0]]]
    ).astype("float32")
    for axis in (-1, 0):
        actual = ka.Softmax(axis=axis)(logits)
        assert_close(actual, _softmax64(logits, axis), rtol=1e-6, atol=1e-30)
        assert np.isfinite(to_numpy(actual)).all()


def test_softmax_multiple_axes():
    x = np.random.default_rng(1).normal(size=(2, 3, 4)).astype("float32")
    expected = np.exp(x.astype("float64"))
    expected /= expected.sum(axis=(1, 2), keepdims=True)
    assert_close(ka.Softmax(axis=(1, 2))(x), expected, rtol=1e-6, atol=1e-30)


def test_softmax_mask_gives_masked_positions_zero_probability():
    x = np.array([[1.0, 2.0, 3.0, 1e4], [0.5, 0.5, 0.5, 0.5]], dtype="float32")
    mask = np.array([[True, True, True, False], [False, False, False, False]])
    out = to_numpy(ka.Softmax()(x, mask=mask))
    assert_close(out[0, :3], _softmax64(x[0, :3]), rtol=1e-6, atol=1e-30)
    np.testing.assert_array_equal(out[0, 3], 0.0)
    np.testing.assert_array_equal(out[1], 0.0)  # fully masked row: no NaN, no mass


def test_softmax_jacobian_needs_a_single_axis():
    # Its values against the reference: test_gradient_matches_derivative_and_reference.
    x = np.random.default_rng(2).normal(scale=3, size=(4, 5)).astype("float32")
    with pytest.raises(ValueError, match="single softmax axis"):
        ka.Softmax(axis=(0, 1)).jacobian(x)


def test_maxout_function_groups_consecutive_features():
    x = np.array([[1.0, 5.0, -2.0, -3.0, 0.0, 7.0]], dtype="float32")
    np.testing.assert_array_equal(to_numpy(ka.activations.maxout(x, pieces=2)), [[5, -2, 7]])
    np.testing.assert_array_equal(to_numpy(ka.activations.maxout(x, pieces=3)), [[5, 7]])
    with pytest.raises(ValueError, match="multiple of `pieces`"):
        ka.activations.maxout(x, pieces=4)


def test_functions_match_layers():
    x = GRID[::97]
    pairs = [
        (ka.activations.swish(x, beta=1.7), ka.Swish(beta=1.7)(x)),
        (ka.activations.leaky_relu(x, negative_slope=0.2), ka.LeakyReLU(0.2)(x)),
        (ka.activations.elu(x, alpha=0.7), ka.ELU(alpha=0.7)(x)),
        (ka.activations.softplus(x, beta=2.5), ka.Softplus(beta=2.5)(x)),
        (ka.activations.step(x, threshold=0.5), ka.Step(threshold=0.5)(x)),
        (ka.activations.sigmoid(x), ka.Sigmoid()(x)),
    ]
    for function_value, layer_value in pairs:
        np.testing.assert_array_equal(to_numpy(function_value), to_numpy(layer_value))


def test_trainable_swish_beta_gets_the_analytic_gradient():
    layer = ka.Swish(beta=1.5, trainable_beta=True)
    x = np.array([-2.0, 0.5, 3.0], "float32")
    layer.build(x.shape)
    (grad,) = _trainable_gradients(layer, x)
    x64 = np.array([-2.0, 0.5, 3.0])
    s = special.expit(1.5 * x64)
    np.testing.assert_allclose(grad, np.sum(x64**2 * s * (1 - s)), rtol=1e-5)
    assert len(layer.trainable_weights) == 1
    assert ka.Swish().trainable_weights == []


@pytest.mark.parametrize("dtype", float_dtypes())
@pytest.mark.parametrize("name", catalog_names("activation"))
def test_no_nan_or_inf_in_any_float_dtype(name, dtype):
    # Every value of the grid (|x| <= 1e4) is representable in float16 too.
    layer = ka.get_activation(name, dtype=dtype, **required_arguments(name))
    rows = np.concatenate([GRID[:40000], [-1e4, 1e4, 1e4, -1e4, 0, 0, 0, 0]]).reshape(-1, 8)
    x = keras.ops.convert_to_tensor(rows, dtype=dtype)
    y = layer(x)
    # Summed in float32, so the sum of the float16 outputs does not overflow.
    grad = gradient(lambda v: keras.ops.cast(layer(v), "float32"), x)
    assert keras.backend.standardize_dtype(y.dtype) == dtype
    assert np.isfinite(to_numpy(y, "float64")).all()
    assert np.isfinite(np.asarray(grad, "float64")).all()
