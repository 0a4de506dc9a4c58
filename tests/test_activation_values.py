"""Activation values and gradients against independent float64 references.

The references below are written from the seeds' formulas with NumPy/SciPy
in float64; none of them calls keras_actloss.
"""

import json

import numpy as np
import pytest
import tensorflow as tf
from fresh_process import run_fresh
from scipy import special

import keras_actloss as ka

# The grid of the issue: dense over [-100, 100] plus +-1e4, in float32.
GRID = np.concatenate([np.linspace(-100.0, 100.0, 40001), [-1e4, 1e4]]).astype("float32")


def _sech2(x):
    with np.errstate(over="ignore"):
        return 1.0 / np.cosh(x) ** 2


# name -> (layer kwargs, f(x), f'(x), kinks) with f and f' in float64.
REFERENCES = {
    "step": (
        {"threshold": 0.5},
        lambda x: (x >= 0.5).astype("float64"),
        lambda x: np.zeros_like(x),
        [0.5],
    ),
    "linear": ({}, lambda x: x, lambda x: np.ones_like(x), []),
    "sigmoid": ({}, special.expit, lambda x: special.expit(x) * special.expit(-x), []),
    "tanh": ({}, np.tanh, _sech2, []),
    "relu": ({}, lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype("float64"), [0.0]),
    "leaky_relu": (
        {"negative_slope": 0.2},
        lambda x: np.where(x > 0, x, 0.2 * x),
        lambda x: np.where(x > 0, 1.0, 0.2),
        [0.0],
    ),
    "leaky_relu_default": (
        {},
        lambda x: np.where(x > 0, x, 0.01 * x),
        lambda x: np.where(x > 0, 1.0, 0.01),
        [0.0],
    ),
    "prelu": (
        {},
        lambda x: np.where(x > 0, x, 0.25 * x),
        lambda x: np.where(x > 0, 1.0, 0.25),
        [0.0],
    ),
    "elu": (
        {"alpha": 0.7},
        lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0))),
        lambda x: np.where(x > 0, 1.0, 0.7 * np.exp(np.minimum(x, 0))),
        [0.0],
    ),
    "swish": (
        {},
        lambda x: x * special.expit(x),
        lambda x: special.expit(x) + x * special.expit(x) * special.expit(-x),
        [],
    ),
    "swish_beta": (
        {"beta": 1.7},
        lambda x: x * special.expit(1.7 * x),
        lambda x: (
            special.expit(1.7 * x) + 1.7 * x * special.expit(1.7 * x) * special.expit(-1.7 * x)
        ),
        [],
    ),
    "softplus": ({}, lambda x: np.logaddexp(0.0, x), special.expit, []),
    "softplus_beta": (
        {"beta": 2.5},
        lambda x: np.logaddexp(0.0, 2.5 * x) / 2.5,
        lambda x: special.expit(2.5 * x),
        [],
    ),
}


def _name(case):
    return case.replace("_default", "").replace("_beta", "")


def _layer(case):
    return ka.get_activation(_name(case), **REFERENCES[case][0])


def _close(actual, expected, rtol, atol):
    actual = np.asarray(actual, dtype="float64")
    err = np.abs(actual - expected)
    bad = ~((err <= rtol * np.abs(expected)) | (err <= atol))
    assert not bad.any(), (
        f"{bad.sum()} points off; worst at x={GRID.astype('float64')[bad][:5]}: "
        f"got {actual[bad][:5]}, expected {expected[bad][:5]}"
    )


def _away_from_kinks(kinks, x):
    keep = np.ones_like(x, dtype=bool)
    for kink in kinks:
        keep &= np.abs(x - kink) > 1e-3
    return keep


def _close_to_reference_derivative(case, gradient):
    """`gradient` (on GRID) within 1e-4 relative or 1e-6 absolute, away from kinks."""
    _, _, reference_derivative, kinks = REFERENCES[case]
    x64 = GRID.astype("float64")
    expected = reference_derivative(x64)
    keep = _away_from_kinks(kinks, x64)
    _close(np.where(keep, gradient, expected), expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("case", sorted(REFERENCES))
def test_value_matches_float64_reference(case):
    _, reference, _, _ = REFERENCES[case]
    actual = _layer(case)(GRID)
    assert actual.dtype == "float32"
    _close(actual, reference(GRID.astype("float64")), rtol=1e-6, atol=1e-30)


@pytest.mark.parametrize("case", sorted(REFERENCES))
def test_gradient_matches_derivative_and_reference(case):
    layer = _layer(case)
    x = tf.constant(GRID)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
    autodiff = tape.gradient(y, x)
    assert autodiff is not None, "the gradient must be connected (zeros, not None)"
    _close_to_reference_derivative(case, autodiff)
    _close_to_reference_derivative(case, layer.derivative(GRID))


JAX_VALUES_AND_GRADIENTS = """
import os, json, sys
os.environ["KERAS_BACKEND"] = "jax"
import jax, numpy as np
import keras_actloss as ka
cases = json.loads(sys.argv[1])
grid = np.load(sys.argv[2])
out = {}
for case, (name, kwargs) in cases.items():
    layer = ka.get_activation(name, **kwargs)
    out[case] = np.asarray(layer(grid))
    out[case + ":grad"] = np.asarray(jax.grad(lambda v: layer(v).sum())(grid))
np.savez(sys.argv[3], **out)
print(json.dumps({"jax": jax.__version__}))
"""


@pytest.mark.slow
def test_jax_backend_values_and_gradients_match_float64_references(tmp_path):
    pytest.importorskip("jax")
    grid_file = tmp_path / "grid.npy"
    np.save(grid_file, GRID)
    cases = {case: (_name(case), kwargs) for case, (kwargs, *_) in REFERENCES.items()}
    out_file = tmp_path / "out.npz"
    run_fresh(JAX_VALUES_AND_GRADIENTS, args=[json.dumps(cases), str(grid_file), str(out_file)])
    on_jax = np.load(out_file)
    for case, (_, reference, _, _) in REFERENCES.items():
        assert on_jax[case].dtype == "float32", case
        # Without float64 on JAX, beta * x stays float32 (README: up to ~4e-6).
        rtol = 4e-6 if case.endswith("_beta") else 1e-6
        _close(on_jax[case], reference(GRID.astype("float64")), rtol=rtol, atol=1e-30)
        _close_to_reference_derivative(case, on_jax[case + ":grad"])


def test_elu_is_accurate_near_zero_where_exp_minus_one_is_not():
    x = np.linspace(-1e-3, 0, 1001).astype("float32")
    expected = np.expm1(x.astype("float64"))
    _close(ka.ELU()(x), expected, rtol=1e-6, atol=1e-30)
    # The naive formula TensorFlow's ELU uses is off by >= 1e-5 relative here
    # (by 2e-4 at -1e-4, and 100% where exp(x) rounds to 1).
    naive = np.exp(x) - np.float32(1)
    assert np.max(np.abs(naive - expected) / np.abs(expected[:-1]).min()) > 1e-5


def test_step_straight_through_gradient_is_one_near_threshold_only():
    x = tf.constant([-3.0, -1.5, -0.5, 0.0, 0.9, 1.49, 2.0, 3.0])
    layer = ka.Step(threshold=0.5, gradient="straight_through")
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
    np.testing.assert_array_equal(y, [0, 0, 0, 0, 1, 1, 1, 1])
    expected = [0, 0, 1, 1, 1, 1, 0, 0]  # 1 where |x - 0.5| <= 1
    np.testing.assert_array_equal(tape.gradient(y, x), expected)
    np.testing.assert_array_equal(layer.derivative(x), expected)


def test_step_zero_gradient_is_connected_zero():
    x = tf.constant([-1.0, 0.0, 0.3])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = ka.Step()(x)
    np.testing.assert_array_equal(y, [0, 1, 1])
    np.testing.assert_array_equal(tape.gradient(y, x), [0, 0, 0])


def test_prelu_gradient_with_respect_to_alpha():
    layer = ka.PReLU()
    x = tf.constant([[-2.0, 3.0, -0.5]])
    layer.build(x.shape)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(x))
    (grad_alpha,) = tape.gradient(y, [layer.alpha])
    np.testing.assert_allclose(grad_alpha, [-2.0, 0.0, -0.5])  # d/d alpha = min(x, 0)
    np.testing.assert_allclose(layer(x), [[-0.5, 3.0, -0.125]])


def _softmax64(x, axis=-1):
    return special.softmax(x.astype("float64"), axis=axis)


def test_softmax_values_and_stability():
    rng = np.random.default_rng(0)
    logits = np.concatenate(
        [rng.normal(scale=30, size=(50, 7)), [[1e4, -1e4, 0, 5e3, 1e4 - 1, 0, 0]]]
    ).astype("float32")
    for axis in (-1, 0):
        actual = ka.Softmax(axis=axis)(logits)
        _close_any(actual, _softmax64(logits, axis), rtol=1e-6, atol=1e-30)
        assert np.isfinite(actual).all()


def _close_any(actual, expected, rtol, atol):
    actual = np.asarray(actual, dtype="float64")
    np.testing.assert_array_less(
        np.abs(actual - expected), np.maximum(rtol * np.abs(expected), atol) + 1e-300
    )


def test_softmax_multiple_axes():
    x = np.random.default_rng(1).normal(size=(2, 3, 4)).astype("float32")
    expected = np.exp(x.astype("float64"))
    expected /= expected.sum(axis=(1, 2), keepdims=True)
    _close_any(ka.Softmax(axis=(1, 2))(x), expected, rtol=1e-6, atol=1e-30)


def test_softmax_mask_gives_masked_positions_zero_probability():
    x = np.array([[1.0, 2.0, 3.0, 1e4], [0.5, 0.5, 0.5, 0.5]], dtype="float32")
    mask = np.array([[True, True, True, False], [False, False, False, False]])
    out = np.asarray(ka.Softmax()(x, mask=mask))
    _close_any(out[0, :3], _softmax64(x[0, :3]), rtol=1e-6, atol=1e-30)
    np.testing.assert_array_equal(out[0, 3], 0.0)
    np.testing.assert_array_equal(out[1], 0.0)  # fully masked row: no NaN, no mass


def test_softmax_jacobian_matches_autodiff_and_reference():
    x = np.random.default_rng(2).normal(scale=3, size=(4, 5)).astype("float32")
    layer = ka.Softmax()
    s = _softmax64(x)
    expected = np.einsum("bi,ij->bij", s, np.eye(5)) - s[:, :, None] * s[:, None, :]
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
    autodiff = tape.batch_jacobian(y, xt)
    _close_any(autodiff, expected, rtol=1e-4, atol=1e-6)
    _close_any(layer.jacobian(x), expected, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="single softmax axis"):
        ka.Softmax(axis=(0, 1)).jacobian(x)


def test_maxout_matches_affine_max_reference_and_gradient():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 5)).astype("float32")
    layer = ka.Maxout(units=3, pieces=4, bias_initializer="random_normal")
    out = layer(x)
    kernel = np.asarray(layer.kernel, dtype="float64").reshape(5, 3, 4)
    bias = np.asarray(layer.bias, dtype="float64").reshape(3, 4)
    z = np.einsum("bf,fup->bup", x.astype("float64"), kernel) + bias
    _close_any(out, z.max(axis=-1), rtol=1e-5, atol=1e-6)
    # d out_i / d x = W[:, i, winning piece]
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.reduce_sum(layer(xt))
    winner = z.argmax(axis=-1)
    expected = sum(kernel[:, u, winner[:, u]].T for u in range(3))
    _close_any(tape.gradient(y, xt), expected, rtol=1e-5, atol=1e-6)


def test_maxout_function_groups_consecutive_features():
    x = np.array([[1.0, 5.0, -2.0, -3.0, 0.0, 7.0]], dtype="float32")
    np.testing.assert_array_equal(ka.activations.maxout(x, pieces=2), [[5.0, -2.0, 7.0]])
    np.testing.assert_array_equal(ka.activations.maxout(x, pieces=3), [[5.0, 7.0]])
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
        np.testing.assert_array_equal(function_value, layer_value)


def test_trainable_swish_beta_gets_the_analytic_gradient():
    layer = ka.Swish(beta=1.5, trainable_beta=True)
    x = tf.constant([-2.0, 0.5, 3.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(x))
    (grad,) = tape.gradient(y, [layer.beta_weight])
    x64 = np.array([-2.0, 0.5, 3.0])
    s = special.expit(1.5 * x64)
    np.testing.assert_allclose(grad, np.sum(x64**2 * s * (1 - s)), rtol=1e-5)
    assert len(layer.trainable_weights) == 1
    assert ka.Swish().trainable_weights == []


ALL_DTYPES = ["float16", "bfloat16", "float32", "float64"]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name", ka.activation_names())
def test_no_nan_or_inf_in_any_float_dtype(name, dtype):
    # Every value of the grid (|x| <= 1e4) is representable in float16 too.
    kwargs = {"units": 4} if name == "maxout" else {}
    layer = ka.get_activation(name, dtype=dtype, **kwargs)
    rows = np.concatenate([GRID[:40000], [-1e4, 1e4, 1e4, -1e4, 0, 0, 0, 0]]).reshape(-1, 8)
    x = tf.constant(rows, dtype=dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        total = tf.reduce_sum(tf.cast(y, "float64"))
    grad = tape.gradient(total, x)
    assert y.dtype == dtype
    assert np.isfinite(np.asarray(tf.cast(y, "float64"))).all()
    assert np.isfinite(np.asarray(tf.cast(grad, "float64"))).all()
