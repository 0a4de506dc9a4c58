"""Where a cross-entropy starts: the logits behind the output, or clipped probabilities.

Behind our `Sigmoid` and `Softmax` outputs the logits are known on every
backend, inside `fit` and `evaluate` too (JAX traces them, where a tensor
takes no attributes), so a confidently wrong prediction costs and
teaches what the math says: BCE(sigmoid(50), 0) = 50, and its gradient
with respect to the logit is p - y = 1. Bare probabilities are clipped to
[epsilon, 1 - epsilon] with `keras.config.epsilon()`, exactly as Keras
clips them, so both agree wherever the logits are unknown.
"""

import gc

import keras
import numpy as np
import pytest
from backends import BACKEND, gradient

import keras_actloss as ka
from keras_actloss import _tensors
from keras_actloss import losses as L


def _confidently_wrong(output_layer, logits, loss, dtype_policy=None):
    """A model whose output layer sees `logits` for every input, compiled with `loss`."""
    if dtype_policy:
        keras.config.set_dtype_policy(dtype_policy)
    inputs = keras.Input((1,))
    dense = keras.layers.Dense(
        len(logits),
        kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(np.asarray(logits, "float32")),
    )
    model = keras.Model(inputs, output_layer(dense(inputs)))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
    return model, dense


def test_evaluate_reads_the_exact_loss_of_a_sigmoid_at_logit_50():
    model, _ = _confidently_wrong(ka.layers.Sigmoid(), [50.0], L.BinaryCrossentropy())
    x, y = np.zeros((4, 1), "float32"), np.zeros((4, 1), "float32")
    # log(1 + e^50) = 50 + log1p(e^-50), which is 50 in float32.
    assert model.evaluate(x, y, verbose=0) == pytest.approx(50.0, rel=1e-7)


def test_evaluate_reads_the_exact_loss_of_a_softmax_at_a_logit_gap_of_100():
    model, _ = _confidently_wrong(
        ka.layers.Softmax(), [100.0, 0.0], L.SparseCategoricalCrossentropy()
    )
    x, y = np.zeros((4, 1), "float32"), np.ones((4,), "int32")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(100.0, rel=1e-7)


def test_under_mixed_precision_the_float16_output_keeps_its_logits():
    model, _ = _confidently_wrong(
        ka.layers.Sigmoid(), [30.0], L.BinaryCrossentropy(), dtype_policy="mixed_float16"
    )
    x, y = np.zeros((4, 1), "float32"), np.zeros((4, 1), "float32")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(30.0, rel=1e-6)


def test_fit_learns_from_a_confidently_wrong_sample():
    # d BCE / d z = p - y = 1 at z = 50, y = 0: one SGD step of 0.1 moves the bias to 49.9.
    # From clipped probabilities the gradient would be 0 and the bias would stay at 50.
    model, dense = _confidently_wrong(ka.layers.Sigmoid(), [50.0], L.BinaryCrossentropy())
    x, y = np.zeros((4, 1), "float32"), np.zeros((4, 1), "float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert float(keras.ops.convert_to_numpy(dense.bias)[0]) == pytest.approx(49.9, abs=1e-5)


def test_the_gradient_through_sigmoid_and_bce_is_p_minus_y_at_logit_50():
    loss = L.BinaryCrossentropy()
    label = np.zeros((1, 1), "float32")
    grad = gradient(lambda z: loss(label, ka.layers.Sigmoid()(z)), np.full((1, 1), 50.0, "float32"))
    assert grad[0, 0] == pytest.approx(1.0, rel=1e-7)


def test_the_gradient_through_softmax_and_cce_is_p_minus_y_at_a_gap_of_100():
    loss = L.CategoricalCrossentropy()
    label = np.array([[0.0, 1.0]], "float32")
    grad = gradient(
        lambda z: loss(label, ka.layers.Softmax()(z)), np.array([[100.0, 0.0]], "float32")
    )
    np.testing.assert_allclose(grad, [[1.0, -1.0]], rtol=1e-7)


@pytest.mark.skipif(BACKEND != "jax", reason="only JAX's tracers are remembered by identity")
def test_records_of_traced_outputs_leave_with_their_trace():
    model, _ = _confidently_wrong(ka.layers.Sigmoid(), [50.0], L.BinaryCrossentropy())
    x, y = np.zeros((4, 1), "float32"), np.zeros((4, 1), "float32")
    model.fit(x, y, epochs=1, verbose=0)
    model.evaluate(x, y, verbose=0)
    gc.collect()
    assert _tensors._RECORDS_OF_UNATTRIBUTABLE == {}


# Probabilities at and beyond the band's edges, where Keras's clip decides the value.
_EDGE_CASES = {
    "BinaryCrossentropy": ([[0.0, 1.0, 1.0, 0.0]], [[1.0, 0.0, 1.0, 0.0]]),
    "CategoricalCrossentropy": ([[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]),
    "SparseCategoricalCrossentropy": ([0, 1], [[0.0, 1.0], [0.0, 1.0]]),
}


@pytest.fixture
def epsilon():
    """Sets `keras.config.epsilon()` for one test and puts the default back."""
    default = keras.config.epsilon()
    yield keras.config.set_epsilon
    keras.config.set_epsilon(default)


def _bce_reference(y, p, eps):
    """Keras's rule, in float64: clip to [eps, 1 - eps], then the mean log loss."""
    p = np.clip(np.asarray(p, np.float64), eps, 1 - eps)
    y = np.asarray(y, np.float64)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log1p(-p))))


@pytest.mark.parametrize("name", sorted(_EDGE_CASES))
@pytest.mark.parametrize("eps", [1e-7, 1e-4])
def test_bare_probabilities_of_0_and_1_cost_what_keras_says(name, eps, epsilon):
    epsilon(eps)
    y_true, y_pred = (np.asarray(v, "float32") for v in _EDGE_CASES[name])
    ours = float(getattr(L, name)()(y_true, y_pred))
    theirs = float(getattr(keras.losses, name)()(y_true, y_pred))
    assert ours == pytest.approx(theirs, rel=1e-6)


@pytest.mark.parametrize("eps", [1e-7, 1e-3])
def test_set_epsilon_moves_the_clip_against_a_float64_reference(eps, epsilon):
    epsilon(eps)
    y, p = [[1.0, 0.0, 1.0]], [[0.0, 1.0, 0.5]]
    ours = float(L.BinaryCrossentropy()(np.asarray(y, "float32"), np.asarray(p, "float32")))
    # 1 - eps rounds in float32, so the reference clips at the float32 value of 1 - eps.
    expected = _bce_reference(y, np.clip(p, eps, float(np.float32(1 - eps))), eps)
    assert ours == pytest.approx(expected, rel=1e-6)


def test_kl_divergence_clips_bare_predictions_at_epsilon_but_keeps_0_log_0(epsilon):
    epsilon(1e-4)
    y_true, y_pred = np.array([[1.0, 0.0]], "float32"), np.array([[0.0, 1.0]], "float32")
    # 1 log(1 / 1e-4), and the target 0 adds exactly nothing (Keras would add 1e-4 log 1e-4).
    assert float(L.KLDivergence()(y_true, y_pred)) == pytest.approx(np.log(1e4), rel=1e-6)


@pytest.mark.parametrize("eps", [1e-7, 1e-2])
def test_the_exact_paths_ignore_epsilon(eps, epsilon):
    epsilon(eps)
    label = np.ones((1, 1), "float32")
    logit = np.full((1, 1), -50.0, "float32")
    from_logits = float(L.BinaryCrossentropy(from_logits=True)(label, logit))
    remembered = float(L.BinaryCrossentropy()(label, ka.layers.Sigmoid()(logit)))
    assert from_logits == pytest.approx(50.0, rel=1e-7)
    assert remembered == pytest.approx(50.0, rel=1e-7)
