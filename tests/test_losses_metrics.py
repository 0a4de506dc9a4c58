"""The seeds' measures as `keras.metrics`: RMSE, mean error, zero-one error."""

import json

import keras
import numpy as np
import pytest
from checks import assert_close, assert_config_holds_every_argument

import keras_actloss as ka

METRICS = [ka.metrics.RootMeanSquaredError, ka.metrics.MeanError, ka.metrics.ZeroOneError]


def batches(seed=0):
    """Two batches of regression data with sample weights, as float32-exact float64."""
    rng = np.random.default_rng(seed)
    for size in (5, 7):
        y_true, y_pred = (
            rng.normal(size=(size, 2)).astype("float32").astype(float) for _ in range(2)
        )
        yield y_true, y_pred, rng.uniform(0.1, 2.0, size).astype("float32").astype(float)


def accumulate(metric, data):
    for y_true, y_pred, weight in data:
        metric.update_state(y_true, y_pred, sample_weight=weight)
    return float(metric.result())


def test_rmse_is_the_root_of_the_weighted_mean_over_all_batches():
    data = list(batches())
    squared = np.concatenate([((p - t) ** 2).mean(-1) for t, p, _ in data])
    weight = np.concatenate([w for *_, w in data])
    expected = np.sqrt(np.sum(weight * squared) / weight.sum())
    assert_close(accumulate(ka.metrics.RootMeanSquaredError(), data), expected, 1e-6, 0)
    # Keras's own RMSE metric agrees on single-output data.
    single = [(t[:, :1], p[:, :1], w) for t, p, w in data]
    assert_close(
        accumulate(ka.metrics.RootMeanSquaredError(), single),
        accumulate(keras.metrics.RootMeanSquaredError(), single),
        1e-6,
        0,
    )


def test_mean_error_is_the_weighted_mean_signed_error():
    data = list(batches(1))
    errors = np.concatenate([(t - p).mean(-1) for t, p, _ in data])
    weight = np.concatenate([w for *_, w in data])
    assert_close(
        accumulate(ka.metrics.MeanError(), data), np.sum(weight * errors) / weight.sum(), 1e-6, 0
    )


def test_zero_one_error_is_one_minus_binary_accuracy():
    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 2, (50, 1)).astype("float32")
    y_pred = rng.uniform(size=(50, 1)).astype("float32")
    ours, accuracy = ka.metrics.ZeroOneError(), keras.metrics.BinaryAccuracy()
    ours.update_state(y_true, y_pred)
    accuracy.update_state(y_true, y_pred)
    assert_close(float(ours.result()), 1.0 - float(accuracy.result()), 1e-6, 0)
    assert_close(float(ours.result()), np.mean((y_pred > 0.5) != (y_true > 0.5)), 1e-6, 0)


def test_zero_one_error_on_scores_and_signed_labels():
    metric = ka.metrics.ZeroOneError(threshold=0.5, from_logits=True)
    metric.update_state(
        np.array([[1.0], [-1.0], [1.0], [-1.0]]), np.array([[2.0], [-3.0], [-0.5], [0.1]])
    )
    assert float(metric.result()) == 0.5


@pytest.mark.parametrize("cls", METRICS, ids=lambda c: c.__name__)
def test_config_has_every_argument_and_round_trips(cls):
    metric = cls(name="custom", dtype="float64")
    assert_config_holds_every_argument(metric, {"name": "custom", "dtype": "float64"})
    config = metric.get_config()
    restored = cls.from_config(json.loads(json.dumps(config)))  # no extra keys either
    assert restored.get_config() == config
    serialized = keras.saving.serialize_keras_object(metric)
    assert type(keras.saving.deserialize_keras_object(serialized)) is cls


def test_zero_one_error_keeps_its_threshold():
    metric = ka.metrics.ZeroOneError(threshold=0.3, from_logits=True)
    assert_config_holds_every_argument(metric, {"threshold": 0.3, "from_logits": True})
    config = metric.get_config()
    assert config["threshold"] == 0.3 and config["from_logits"] is True
    assert ka.metrics.ZeroOneError.from_config(config).get_config() == config
