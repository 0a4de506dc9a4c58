"""Exactness at the extremes: a confidently wrong prediction costs what the math says.

The expected numbers are worked out by hand: BCE with label 0 on a logit z
is log(1 + e^z), which is z to within e^-z; CCE with a logit gap of g
against the true class is log(1 + e^g), which is g to within e^-g.
"""

import math
import warnings

import keras
import numpy as np
import pytest
from backends import (
    BACKEND,
    connected_gradient,
    gradient,
    tensorflow_only,
    to_numpy,
    value_and_gradient,
)
from checks import catalog_names

import keras_actloss
from keras_actloss import losses as L

EXACT = 1e-4  # relative; the values below are in fact exact in float32
BELOW_ONE = 1.0 - 2.0**-24  # the largest float32 below 1


def sigmoid_model(logit, dtype=None):
    """x -> Dense (weight = logit, no bias) -> our Sigmoid: the output for x = 1 has that logit."""
    model = keras.Sequential(
        [
            keras.Input((1,)),
            keras.layers.Dense(
                1, use_bias=False, kernel_initializer=keras.initializers.Constant(logit)
            ),
            keras_actloss.Sigmoid(),
        ]
    )
    return model


def softmax_model(gap):
    """x -> Dense -> our Softmax with logits [gap, 0] for x = 1."""
    return keras.Sequential(
        [
            keras.Input((1,)),
            keras.layers.Dense(
                2, use_bias=False, kernel_initializer=keras.initializers.Constant([[gap, 0.0]])
            ),
            keras_actloss.Softmax(),
        ]
    )


# --- probabilities that remember their logits ---------------------------------------------

# Keras's own sigmoid and softmax leave their logits as a tensor attribute, which JAX's
# tracers (inside `jax.grad`, `fit`) cannot take; TensorFlow and PyTorch tensors carry them.
NOT_UNDER_JAX_TRACING = pytest.mark.skipif(
    BACKEND == "jax",
    reason="JAX's tracers cannot carry the logits that Keras's own activations attach",
)


def tensor(x):
    return keras.ops.convert_to_tensor(np.asarray(x, "float32"))


@pytest.mark.parametrize(
    "activation",
    [
        keras_actloss.Sigmoid(),
        pytest.param(keras.activations.sigmoid, marks=NOT_UNDER_JAX_TRACING),
    ],
)
def test_bce_after_sigmoid_costs_the_logit(activation):
    z = tensor([[50.0]])
    y_pred = activation(z)
    assert float(y_pred[0, 0]) == 1.0  # the probability alone has rounded to 1
    np.testing.assert_allclose(L.BinaryCrossentropy()([[0.0]], y_pred), 50.0, rtol=EXACT)
    value, grad = value_and_gradient(lambda z: L.BinaryCrossentropy()([[0.0]], activation(z)), z)
    np.testing.assert_allclose(value, 50.0, rtol=EXACT)
    np.testing.assert_allclose(grad, [[1.0]], rtol=EXACT)  # sigmoid(50) - 0


@pytest.mark.parametrize(
    "activation",
    [
        keras_actloss.Softmax(),
        pytest.param(keras.activations.softmax, marks=NOT_UNDER_JAX_TRACING),
    ],
)
def test_cce_after_softmax_costs_the_logit_gap(activation):
    z = tensor([[100.0, 0.0]])
    y_pred = activation(z)
    value, grad = value_and_gradient(
        lambda z: L.CategoricalCrossentropy()([[0.0, 1.0]], activation(z)), z
    )
    np.testing.assert_allclose(value, 100.0, rtol=EXACT)
    np.testing.assert_allclose(grad, [[1.0, -1.0]], rtol=EXACT)
    np.testing.assert_allclose(L.CategoricalCrossentropy()([[0.0, 1.0]], y_pred), 100.0, rtol=EXACT)
    np.testing.assert_allclose(L.SparseCategoricalCrossentropy()([1], y_pred), 100.0, rtol=EXACT)
    np.testing.assert_allclose(L.KLDivergence()([[0.0, 1.0]], y_pred), 100.0, rtol=EXACT)


def test_cce_and_scce_from_logits_cost_the_logit_gap():
    z = tensor([[100.0, 0.0]])
    np.testing.assert_allclose(
        L.CategoricalCrossentropy(from_logits=True)([[0.0, 1.0]], z), 100.0, rtol=EXACT
    )
    np.testing.assert_allclose(
        L.SparseCategoricalCrossentropy(from_logits=True)([1], z), 100.0, rtol=EXACT
    )


@pytest.mark.slow
def test_model_evaluate_in_a_graph_is_exact():
    # In `evaluate` the loss runs in the compiled step (tf.function, jax.jit) on a traced output.
    model = sigmoid_model(50.0)
    model.compile(loss=L.BinaryCrossentropy())
    np.testing.assert_allclose(
        model.evaluate(np.ones((4, 1)), np.zeros((4, 1)), verbose=0), 50.0, rtol=EXACT
    )
    model.layers[0].kernel.assign([[-50.0]])  # label 1 on a logit of -50 costs 50 too
    np.testing.assert_allclose(
        model.evaluate(np.ones((4, 1)), np.ones((4, 1)), verbose=0), 50.0, rtol=EXACT
    )
    model = softmax_model(100.0)
    model.compile(loss=L.CategoricalCrossentropy())
    one_hot = np.tile([[0.0, 1.0]], (4, 1))
    np.testing.assert_allclose(
        model.evaluate(np.ones((4, 1)), one_hot, verbose=0), 100.0, rtol=EXACT
    )
    model.compile(loss=L.SparseCategoricalCrossentropy())
    np.testing.assert_allclose(
        model.evaluate(np.ones((4, 1)), np.ones(4), verbose=0), 100.0, rtol=EXACT
    )


@pytest.mark.slow
def test_mixed_float16_output_keeps_its_logits():
    # Keras casts the float16 output to float32 and loses the logits (15.9);
    # ours carries them across the cast, eagerly and in a graph.
    keras.config.set_dtype_policy("mixed_float16")
    model = sigmoid_model(20.0)
    output = model(np.ones((1, 1), "float32"))
    assert keras.backend.standardize_dtype(output.dtype) == "float16"
    np.testing.assert_allclose(to_numpy(L.BinaryCrossentropy()([[0.0]], output)), 20.0, rtol=EXACT)
    assert float(keras.losses.BinaryCrossentropy()(np.zeros((1, 1)), output)) < 16.2
    model.compile(loss=L.BinaryCrossentropy())
    np.testing.assert_allclose(
        model.evaluate(np.ones((4, 1)), np.zeros((4, 1)), verbose=0), 20.0, rtol=EXACT
    )


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("logit", [50.0, -50.0, 100.0, 1e4])
def test_bce_from_logits_and_after_sigmoid_are_exact(logit, from_logits):
    z = tensor([[logit]])
    y_pred = z if from_logits else keras.activations.sigmoid(z)
    for label in (0.0, 1.0):
        expected = (max(logit, 0.0) - label * logit) + math.log1p(math.exp(-abs(logit)))
        actual = L.BinaryCrossentropy(from_logits=from_logits)([[label]], y_pred)
        np.testing.assert_allclose(actual, expected, rtol=EXACT, atol=1e-30)


# The loss of the probabilities softmax([2, -1]) = [0.953, 0.047] against [1, 0] is 0.0486:
# both terms equal log p0, as p1 = 1 - p0.
SOFTMAX_LOGITS = [[2.0, -1.0]]
BCE_OF_SOFTMAX = -np.log(np.exp(2.0) / (np.exp(2.0) + np.exp(-1.0)))


@pytest.mark.parametrize("activation", [keras_actloss.Softmax(), keras.activations.softmax])
def test_bce_on_a_softmax_output_is_the_bce_of_its_probabilities(activation):
    y_pred = activation(tensor(SOFTMAX_LOGITS))
    np.testing.assert_allclose(
        L.BinaryCrossentropy()([[1.0, 0.0]], y_pred), BCE_OF_SOFTMAX, rtol=1e-5
    )
    grad = gradient(
        lambda z: L.BinaryCrossentropy()([[1.0, 0.0]], activation(z)), SOFTMAX_LOGITS, "float32"
    )
    np.testing.assert_allclose(
        grad, np.array([[-1.0, 1.0]]) * (1 - np.exp(-BCE_OF_SOFTMAX)), rtol=1e-5
    )


@tensorflow_only("Keras's own cross-entropies read `_keras_logits` on TensorFlow")
def test_keras_bce_on_a_softmax_output_takes_the_softmax_logits_for_sigmoid_logits():
    # Keras applies sigmoid cross-entropy to the softmax's logits here (0.22).
    keras_value = keras.losses.BinaryCrossentropy()(
        np.array([[1.0, 0.0]]), keras.activations.softmax(tensor(SOFTMAX_LOGITS))
    )
    assert abs(float(keras_value) - BCE_OF_SOFTMAX) > 0.1


@tensorflow_only("a TensorFlow graph's producing op confirms Keras's `_keras_logits`")
def test_bce_on_a_softmax_output_in_a_tensorflow_graph():
    import tensorflow as tf

    graph = tf.function(
        lambda z: L.BinaryCrossentropy()([[1.0, 0.0]], keras.activations.softmax(z))
    )
    np.testing.assert_allclose(graph(tf.constant(SOFTMAX_LOGITS)), BCE_OF_SOFTMAX, rtol=1e-5)


def test_from_logits_after_sigmoid_warns_and_computes_what_was_asked():
    p = keras.activations.sigmoid(tensor([[3.0]]))
    with pytest.warns(UserWarning, match="from_logits=True"):
        value = L.BinaryCrossentropy(from_logits=True)([[1.0]], p)
    # The probability taken as a logit: log(1 + e^-p).
    np.testing.assert_allclose(value, math.log1p(math.exp(-float(p[0, 0]))), rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        L.BinaryCrossentropy(from_logits=True)([[1.0]], tensor([[3.0]]))


# --- bare probabilities: exact inside [epsilon, 1 - epsilon], Keras's clip outside ----------

EPSILON = float(np.float32(1e-7))  # keras.config.epsilon() as a float32 number
CLIPPED_LOSS = -math.log(EPSILON)  # 16.118: -log p where p is clipped up to epsilon


@pytest.mark.parametrize("p", [1e-1, 1e-3, 1e-6, 1e-7])
def test_bce_from_probabilities_inside_the_band_is_exact(p):
    value = L.BinaryCrossentropy()([[1.0]], tensor([[p]]))
    np.testing.assert_allclose(value, -math.log(np.float32(p)), rtol=1e-6)
    # 1 - p, which Keras forms before its log, rounds; log1p(-p) does not.
    value = L.BinaryCrossentropy()([[0.0]], tensor([[p]]))
    np.testing.assert_allclose(value, -math.log1p(-float(np.float32(p))), rtol=1e-6)


@pytest.mark.parametrize("p", [1e-10, 1e-30, 1e-45, 0.0])
def test_bce_below_epsilon_costs_what_keras_charges(p):
    value = float(L.BinaryCrossentropy()([[1.0]], tensor([[p]])))
    keras_value = float(
        keras.losses.BinaryCrossentropy()(np.ones((1, 1)), np.array([[p]], "float32"))
    )
    assert value == pytest.approx(CLIPPED_LOSS, rel=1e-6)
    assert value == pytest.approx(keras_value, rel=1e-6)


def test_bce_probability_one_costs_what_keras_charges():
    # 1 - 1e-7 rounds to 1 - 2^-23 in float32: the loss is 23 log 2 = 15.942.
    for p in (BELOW_ONE, 1.0):
        value = float(L.BinaryCrossentropy()([[0.0]], [[p]]))
        keras_value = float(
            keras.losses.BinaryCrossentropy()(np.zeros((1, 1)), np.array([[p]], "float32"))
        )
        assert value == pytest.approx(23 * math.log(2), rel=1e-6)
        assert value == pytest.approx(keras_value, rel=1e-6)


def test_cce_and_scce_below_epsilon_cost_what_keras_charges():
    p = np.array([[1e-20, 1.0 - 1e-20]], "float32")
    keras_value = float(keras.losses.CategoricalCrossentropy()(np.array([[1.0, 0.0]]), p))
    for value in (
        L.CategoricalCrossentropy()([[1.0, 0.0]], p),
        L.SparseCategoricalCrossentropy()([0], p),
    ):
        assert float(value) == pytest.approx(CLIPPED_LOSS, rel=1e-6)
        assert float(value) == pytest.approx(keras_value, rel=1e-6)


def test_kl_divergence_is_exact_where_the_target_is_zero():
    t = np.array([[0.0, 0.25, 0.75]], "float32")
    p = np.array([[0.5, 0.25, 0.25]], "float32")
    np.testing.assert_allclose(L.KLDivergence()(t, p), 0.75 * math.log(3), rtol=1e-6)
    grads = {
        name: gradient(lambda p, loss=loss: loss(t, p), p)
        for name, loss in (("ours", L.KLDivergence()), ("keras", keras.losses.KLDivergence()))
    }
    np.testing.assert_allclose(grads["ours"], [[0.0, -1.0, -3.0]], rtol=1e-6)  # -t / p
    assert grads["ours"][0, 0] == 0.0
    assert grads["keras"][0, 0] != 0.0  # Keras's 1e-7 clip leaks -1e-7 / p into it


# --- no NaN or Inf for finite inputs -------------------------------------------------------

LOGITS = [-1e30, -1e4, -100.0, -50.0, -1.0, 0.0, 1.0, 50.0, 100.0, 1e4, 1e30]
PROBABILITIES = [0.0, 1e-45, 1e-38, 1e-30, 1e-7, 0.5, 1 - 1e-7, BELOW_ONE, 1.0]


def assert_finite_value_and_gradient(loss, y_true, y_pred, activation=None):
    """The loss and its gradient with respect to `y_pred` (float32) are finite.

    With `activation`, the loss receives `activation(y_pred)` and the
    gradient is taken through it.
    """
    squash = activation or (lambda x: x)
    value = to_numpy(loss(y_true, squash(tensor(y_pred))))
    grad = connected_gradient(lambda p: loss(y_true, squash(p)), y_pred, "float32")
    assert np.all(np.isfinite(value)), (loss.name, value)
    assert grad is not None and np.all(np.isfinite(grad)), (loss.name, grad)


@pytest.mark.parametrize("label", [0.0, 1.0])
def test_binary_losses_are_finite_at_the_extremes(label):
    logits = np.array(LOGITS, "float32")[:, None]
    probabilities = np.array(PROBABILITIES, "float32")[:, None]
    for loss in (
        L.BinaryCrossentropy(from_logits=True),
        L.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
        L.Hinge(),
        L.SquaredHinge(),
        L.PerceptronLoss(),
        L.ZeroOneLoss(from_logits=True),
    ):
        scores = logits if loss.name != "squared_hinge" else np.clip(logits, -1e15, 1e15)
        assert_finite_value_and_gradient(loss, np.full_like(scores, label), scores)
    for loss in (
        L.BinaryCrossentropy(),
        L.BinaryCrossentropy(label_smoothing=0.1),
        L.ZeroOneLoss(),
    ):
        assert_finite_value_and_gradient(loss, np.full_like(probabilities, label), probabilities)
    # Through a sigmoid, so that the logits path and its gradient are used too.
    for activation in (keras_actloss.Sigmoid(), keras.activations.sigmoid):
        assert_finite_value_and_gradient(
            L.BinaryCrossentropy(), np.full_like(logits, label), logits, activation
        )


def test_categorical_losses_are_finite_at_the_extremes():
    gaps = np.array(LOGITS, "float32")
    logits = np.stack([gaps, np.zeros_like(gaps), -gaps], axis=-1)
    probabilities = np.stack(
        [
            np.array(PROBABILITIES, "float32"),
            1 - np.array(PROBABILITIES, "float32"),
            np.zeros(len(PROBABILITIES), "float32"),
        ],
        axis=-1,
    )
    for scores, from_logits in ((logits, True), (probabilities, False)):
        for target_class in range(3):
            one_hot = np.zeros_like(scores)
            one_hot[:, target_class] = 1.0
            for loss in (
                L.CategoricalCrossentropy(from_logits=from_logits),
                L.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=0.1),
                L.SparseCategoricalCrossentropy(from_logits=from_logits),
            ):
                labels = (
                    one_hot if "sparse" not in loss.name else np.full(len(scores), target_class)
                )
                assert_finite_value_and_gradient(loss, labels, scores)
    for target in ([1.0, 0.0, 0.0], [0.0, 0.5, 0.5]):
        assert_finite_value_and_gradient(
            L.KLDivergence(), np.tile(target, (len(probabilities), 1)), probabilities
        )
    zero_rows = np.zeros((2, 3), "float32")  # a "distribution" that sums to 0
    assert_finite_value_and_gradient(L.CategoricalCrossentropy(), np.eye(3)[:2], zero_rows)


def test_regression_losses_are_finite_for_large_and_zero_errors():
    y_pred = np.array([[-1e15], [-1.0], [0.0], [0.0], [1.0], [1e15]], "float32")
    y_true = np.array([[0.0], [0.0], [0.0], [1e-30], [1.0], [0.0]], "float32")
    for loss in (
        L.MeanSquaredError(),
        L.MeanAbsoluteError(),
        L.RootMeanSquaredError(),
        L.RootMeanSquaredError(reduction=None),
        L.MeanSquaredLogarithmicError(),
        L.MeanError(),
        L.Huber(delta=0.5),
    ):
        assert_finite_value_and_gradient(loss, y_true, y_pred)


def _categorical_probabilities():
    p = np.array(PROBABILITIES, "float32")
    return np.stack([p, 1 - p, np.zeros_like(p)], axis=-1)  # one class at exactly 0


def _extreme_inputs(info):
    """(y_true, y_pred) pairs at the extremes, for the targets and predictions a loss expects."""
    probabilities = np.array(PROBABILITIES, "float32")[:, None]
    scores = np.clip(np.array(LOGITS, "float32"), -1e15, 1e15)[:, None]  # squares stay finite
    regression_pred = np.array([[-1e15], [-1.0], [0.0], [0.0], [1.0], [1e15]], "float32")
    regression_true = np.array([[0.0], [0.0], [0.0], [1e-30], [1.0], [0.0]], "float32")
    classes = _categorical_probabilities()
    rows = len(classes)
    binary_pred = scores if info.prediction == "raw_scores" else probabilities
    by_targets = {
        "real": lambda: [(regression_true, regression_pred)],
        "non_negative": lambda: [(np.abs(regression_true), np.abs(regression_pred))],
        "signed": lambda: [(np.full_like(scores, label), scores) for label in (-1.0, 1.0)],
        "binary": lambda: [(np.full_like(binary_pred, label), binary_pred) for label in (0, 1)],
        "one_hot": lambda: [(np.tile(np.eye(3)[k], (rows, 1)), classes) for k in range(3)],
        "integer_labels": lambda: [(np.full(rows, k), classes) for k in range(3)],
        "distribution": lambda: [
            (np.tile(target, (rows, 1)), classes) for target in ([1.0, 0, 0], [0, 0.5, 0.5])
        ],
    }
    if info.targets not in by_targets:
        pytest.fail(
            f"The loss {info.name!r} expects targets {info.targets!r}, which have no extreme "
            "inputs in _extreme_inputs (tests/test_losses_extremes.py)."
        )
    return by_targets[info.targets]()


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_every_loss_is_finite_at_the_extremes_of_its_inputs(name):
    entry = keras_actloss.catalog.lookup("loss", name)
    for reduction in ("sum_over_batch_size", None):
        loss = entry.implementation(reduction=reduction)
        for y_true, y_pred in _extreme_inputs(entry.info):
            assert_finite_value_and_gradient(loss, y_true, y_pred)
