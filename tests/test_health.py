"""The training-health monitors: `DeadReLUMonitor`, `SaturationMonitor`, `GradientHealthMonitor`.

Broken models must trigger the right monitor, and the finding must name the
broken layer; the figures they log (``dead_fraction/``, ``negative_fraction/``,
``saturated_fraction/``, ``grad_norm/``) are checked against numbers computed
here from the model's weights with NumPy, the gradient norms by backpropagation
in float64. Also: `every`, `stop_after`, the argument checks, the logs reaching
`History` and `CSVLogger`, and no warning on the healthy example models. Every
test runs on the backend `KERAS_BACKEND` names: TensorFlow, JAX or PyTorch.
"""

import csv
import logging
import warnings

import keras
import numpy as np
import pytest
from checks import assert_close

import keras_actloss
from keras_actloss import HealthWarning
from keras_actloss import layers as ours
from keras_actloss.callbacks import DeadReLUMonitor, GradientHealthMonitor, SaturationMonitor

FEATURES = 4


def _data(n=64, features=FEATURES, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=(n, features)) * scale).astype("float32")
    y = (x @ rng.normal(size=(features, 1))).astype("float32")
    return x, y


def _compile(model, lr=0.01, loss="mse"):
    model.compile(optimizer=keras.optimizers.SGD(lr), loss=loss)
    return model


def _fit(model, x, y, callbacks, epochs=1, batch_size=32):
    """Fits; returns (History.history, the HealthWarnings raised)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(
            x, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=callbacks
        )
    return history.history, [w for w in caught if issubclass(w.category, HealthWarning)]


def _check_once(monitor, model):
    """One check, as at the end of the first epoch; returns (logs, the HealthWarnings)."""
    monitor.set_model(model)
    logs = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        monitor.on_epoch_end(0, logs)
    return logs, [w for w in caught if issubclass(w.category, HealthWarning)]


def _dense_numpy(layer):
    kernel, bias = (np.asarray(keras.ops.convert_to_numpy(w), "float64") for w in layer.weights)
    return kernel, bias


def _pre_activation(model, dense_name, x):
    """x @ W + b of a Dense layer that reads the model's input, in float64."""
    kernel, bias = _dense_numpy(model.get_layer(dense_name))
    return np.asarray(x, "float64") @ kernel + bias


def _never_positive(z):
    """The fraction of units whose pre-activation is <= 0 on every sample."""
    return float(np.mean(np.all(z <= 0, axis=0)))


def _saturated(z, limit=5.0):
    return float(np.mean(np.abs(z) >= limit))


def _model(*hidden, head=None, features=FEATURES):
    """Input -> the `hidden` layers -> Dense(1, name="out") -> `head` (a Linear by default)."""
    inputs = keras.Input((features,))
    h = inputs
    for layer in hidden:
        h = layer(h)
    h = keras.layers.Dense(1, name="out")(h)
    h = (head or ours.Linear(name="head"))(h)
    return keras.Model(inputs, h)


def _dead_dense(name="dense_dead", **kwargs):
    return keras.layers.Dense(
        32, bias_initializer=keras.initializers.Constant(-20.0), name=name, **kwargs
    )


def _codes(caught):
    return [str(w.message).split(" (")[0] for w in caught]


# --- DeadReLUMonitor --------------------------------------------------------------------------


def test_dead_relu_layer_is_flagged_and_named():
    keras.utils.set_random_seed(1)
    x, y = _data()
    model = _compile(_model(_dead_dense(), ours.ReLU(name="relu_dead")))
    monitor = DeadReLUMonitor((x[:32], y[:32]))
    history, caught = _fit(model, x, y, [monitor], epochs=2)

    expected = _never_positive(_pre_activation(model, "dense_dead", x[:32]))
    assert expected == 1.0  # the -20 bias kills every unit for good
    assert len(caught) == 2  # one per epoch
    assert all(str(w.message).startswith("[warning] dead-relu (layer 'relu_dead')") for w in caught)
    assert [(f.code, f.severity, f.layer) for f in monitor.findings] == [
        ("dead-relu", "warning", "relu_dead")
    ]
    assert "100%" in monitor.findings[0].message
    assert history["dead_fraction/relu_dead"] == [expected, expected]
    assert monitor.history == {"dead_fraction/relu_dead": [expected, expected]}


@pytest.mark.parametrize(
    ("threshold", "flagged"), [(0.5, True), (0.6, False)], ids=["reached", "below"]
)
def test_dead_fraction_is_the_share_of_dead_units_and_threshold_is_inclusive(threshold, flagged):
    keras.utils.set_random_seed(2)
    x, y = _data()
    model = _model(keras.layers.Dense(32, name="dense_half"), ours.ReLU(name="relu_half"))
    dense = model.get_layer("dense_half")
    dense.bias.assign(np.where(np.arange(32) < 16, -20.0, 0.0).astype("float32"))
    logs, caught = _check_once(DeadReLUMonitor((x, y), threshold=threshold), model)

    expected = _never_positive(_pre_activation(model, "dense_half", x))
    assert expected == 0.5
    assert logs == {"dead_fraction/relu_half": expected}
    assert _codes(caught) == (["[warning] dead-relu"] if flagged else [])


@pytest.mark.parametrize(
    "form", ["keras_relu_layer", "keras_activation_relu", "dense_activation_relu"]
)
def test_keras_relu_forms_are_watched(form):
    keras.utils.set_random_seed(3)
    x, y = _data()
    if form == "keras_relu_layer":
        hidden, name = (_dead_dense(), keras.layers.ReLU(name="relu_dead")), "relu_dead"
    elif form == "keras_activation_relu":
        hidden = (_dead_dense(), keras.layers.Activation("relu", name="act_dead"))
        name = "act_dead"
    else:
        hidden, name = (_dead_dense(name="dense_relu", activation="relu"),), "dense_relu"
    model = _compile(_model(*hidden))
    monitor = DeadReLUMonitor((x, y))
    history, caught = _fit(model, x, y, [monitor])

    dense = "dense_relu" if form == "dense_activation_relu" else "dense_dead"
    expected = _never_positive(_pre_activation(model, dense, x))
    assert expected == 1.0
    assert [f.layer for f in monitor.findings] == [name]
    assert _codes(caught) == ["[warning] dead-relu"]
    assert f"layer '{name}'" in str(caught[0].message)
    assert history[f"dead_fraction/{name}"] == [expected]


def test_healthy_relu_is_not_flagged():
    keras.utils.set_random_seed(4)
    x, y = _data()
    model = _compile(_model(keras.layers.Dense(32, name="dense"), ours.ReLU(name="relu")))
    monitor = DeadReLUMonitor((x, y))
    history, caught = _fit(model, x, y, [monitor])

    expected = _never_positive(_pre_activation(model, "dense", x))
    assert expected < 0.5
    assert caught == []
    assert monitor.findings == []
    assert history["dead_fraction/relu"] == [expected]


@pytest.mark.parametrize(
    "make",
    [
        lambda: ours.LeakyReLU(name="unit"),
        lambda: ours.PReLU(name="unit"),
        lambda: ours.ELU(name="unit"),
        lambda: keras.layers.LeakyReLU(name="unit"),
        lambda: keras.layers.PReLU(name="unit"),
        lambda: keras.layers.ELU(name="unit"),
    ],
    ids=["leaky_relu", "prelu", "elu", "keras_leaky_relu", "keras_prelu", "keras_elu"],
)
def test_leaky_units_log_negative_fraction_and_never_warn(make):
    keras.utils.set_random_seed(5)
    x, y = _data()
    model = _compile(_model(_dead_dense(), make()))
    monitor = DeadReLUMonitor((x, y))
    history, caught = _fit(model, x, y, [monitor])

    # The layer's own outputs: PReLU's slope is trained, so the sign is not the input's.
    unit = keras.Model(model.inputs, model.get_layer("unit").output)
    expected = _never_positive(np.asarray(unit.predict(x, verbose=0), "float64"))
    assert _never_positive(_pre_activation(model, "dense_dead", x)) == 1.0
    assert caught == []
    assert monitor.findings == []
    assert history["negative_fraction/unit"] == [expected]
    assert not any(key.startswith("dead_fraction/") for key in history)


# --- SaturationMonitor ------------------------------------------------------------------------


def _wide_dense(name, **kwargs):
    return keras.layers.Dense(
        32, kernel_initializer=keras.initializers.RandomNormal(stddev=10.0), name=name, **kwargs
    )


def test_saturated_tanh_layer_is_flagged_and_named():
    keras.utils.set_random_seed(6)
    x, y = _data()
    model = _compile(
        _model(_wide_dense("dense_sat"), ours.Tanh(name="tanh_sat"), head=ours.Sigmoid()),
        loss="binary_crossentropy",
    )
    labels = (y > 0).astype("float32")
    monitor = SaturationMonitor((x[:48], labels[:48]))
    history, caught = _fit(model, x, labels, [monitor], epochs=2)

    expected = _saturated(_pre_activation(model, "dense_sat", x[:48]))
    assert expected > 0.5
    assert _codes(caught) == ["[warning] saturation"] * 2
    assert [(f.code, f.layer) for f in monitor.findings] == [("saturation", "tanh_sat")]
    assert f"{expected:.0%}" in monitor.findings[0].message
    assert_close(history["saturated_fraction/tanh_sat"][-1], expected, rtol=0, atol=1e-12)
    assert list(monitor.history) == ["saturated_fraction/tanh_sat"]  # the head is not watched


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_dense_with_activation_uses_its_own_pre_activation(activation):
    keras.utils.set_random_seed(7)
    x, y = _data()
    model = _compile(_model(_wide_dense("squash", activation=activation)))
    monitor = SaturationMonitor((x, y))
    history, caught = _fit(model, x, y, [monitor])

    expected = _saturated(_pre_activation(model, "squash", x))
    assert expected > 0.5
    assert [f.layer for f in monitor.findings] == ["squash"]
    assert _codes(caught) == ["[warning] saturation"]
    assert_close(history["saturated_fraction/squash"], [expected], rtol=0, atol=1e-12)


def test_saturation_threshold_is_strict_and_z_limit_applies():
    keras.utils.set_random_seed(8)
    x, y = _data()
    model = _model(keras.layers.Dense(32, name="dense"), keras.layers.Activation("tanh", name="t"))
    dense = model.get_layer("dense")
    dense.bias.assign(np.where(np.arange(32) < 16, 100.0, 0.0).astype("float32"))
    dense.kernel.assign(np.full((FEATURES, 32), 1e-3, "float32"))
    z = _pre_activation(model, "dense", x)
    assert _saturated(z) == 0.5

    logs, caught = _check_once(SaturationMonitor((x, y)), model)
    assert logs == {"saturated_fraction/t": 0.5}
    assert caught == []  # "more than" the threshold
    logs, caught = _check_once(SaturationMonitor((x, y), threshold=0.49), model)
    assert _codes(caught) == ["[warning] saturation"]
    logs, caught = _check_once(SaturationMonitor((x, y), z_limit=200.0), model)
    assert logs == {"saturated_fraction/t": _saturated(z, 200.0)} == {"saturated_fraction/t": 0.0}


def test_healthy_tanh_is_not_flagged():
    keras.utils.set_random_seed(9)
    x, y = _data()
    model = _compile(_model(keras.layers.Dense(32, name="dense"), ours.Tanh(name="tanh")))
    monitor = SaturationMonitor((x, y))
    history, caught = _fit(model, x, y, [monitor])

    expected = _saturated(_pre_activation(model, "dense", x))
    assert expected < 0.5
    assert caught == []
    assert_close(history["saturated_fraction/tanh"], [expected], rtol=0, atol=1e-12)


@pytest.mark.parametrize("head", ["layer", "dense_activation"])
def test_output_layer_is_never_watched(head):
    keras.utils.set_random_seed(10)
    x, y = _data()
    inputs = keras.Input((FEATURES,))
    huge = keras.initializers.RandomNormal(stddev=100.0)
    if head == "layer":
        logits = keras.layers.Dense(1, kernel_initializer=huge, name="logits")(inputs)
        model = keras.Model(inputs, ours.Sigmoid(name="prob")(logits))
        dense = "logits"
    else:
        out = keras.layers.Dense(1, activation="sigmoid", kernel_initializer=huge, name="prob")
        model = keras.Model(inputs, out(inputs))
        dense = "prob"
    # The head's input really is saturated: it is left out on purpose.
    assert _saturated(_pre_activation(model, dense, x)) > 0.5
    logs, caught = _check_once(SaturationMonitor((x, y)), model)
    assert logs == {}
    assert caught == []


# --- GradientHealthMonitor --------------------------------------------------------------------


_ACTIVATIONS = {  # name: (f(z), f'(z)), in float64
    "linear": (lambda z: z, np.ones_like),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype("float64")),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
}


def _activity_loss_is_per_sample():
    """Whether Keras divides an activity regularizer's loss by the batch size.

    Keras 3.12 adds l1 * sum(|out|) for the whole batch; later releases
    divide it by the batch size. Read from a layer with a known output.
    """
    layer = keras.layers.Activation("linear", activity_regularizer=keras.regularizers.L1(1.0))
    layer(np.ones((4, 1), "float32"))
    return float(keras.ops.convert_to_numpy(layer.losses[0])) == 1.0  # 4 / 4, or 4


def _numpy_grad_norms(model, x, y):
    """Per trainable layer: the norm of the gradient of the mean squared error (plus any L2
    kernel and L1 activity regularization) with respect to its weights, by backpropagation in
    float64 NumPy. For models of `Dense` layers with a linear, ReLU, tanh or sigmoid activation,
    and our identity `Linear`."""
    h, forward = np.asarray(x, "float64"), []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            kernel, bias = _dense_numpy(layer)
            z = h @ kernel + bias
            f, derivative = _ACTIVATIONS[layer.activation.__name__]
            forward.append((layer, h, kernel, f(z), derivative(z)))
            h = f(z)
        else:
            assert isinstance(layer, (keras.layers.InputLayer, ours.Linear)), layer
    delta = 2 * (h - np.asarray(y, "float64")) / h.size  # d mean((h - y)^2) / dh
    norms = {}
    for layer, h_in, kernel, out, slope in reversed(forward):
        if layer.activity_regularizer is not None:  # l1 * sum(|out|), per sample since 3.13
            per_batch = len(out) if _activity_loss_is_per_sample() else 1
            delta = delta + float(layer.activity_regularizer.l1) * np.sign(out) / per_batch
        delta = delta * slope
        d_kernel, d_bias = h_in.T @ delta, delta.sum(axis=0)
        if layer.kernel_regularizer is not None:  # l2 * sum(kernel^2)
            d_kernel = d_kernel + 2 * float(layer.kernel_regularizer.l2) * kernel
        norms[layer.name] = float(np.sqrt(np.sum(d_kernel**2) + np.sum(d_bias**2)))
        delta = delta @ kernel.T
    return dict(reversed(norms.items()))


def _sigmoid_stack(depth):
    small = keras.initializers.RandomNormal(stddev=0.01)
    stack = [
        keras.layers.Dense(16, activation="sigmoid", kernel_initializer=small, name=f"sig_{i}")
        for i in range(depth)
    ]
    return _compile(_model(*stack, features=8))


def test_vanishing_gradient_names_the_first_layer_and_norms_are_exact():
    keras.utils.set_random_seed(11)
    x, y = _data(features=8)
    model = _sigmoid_stack(10)
    monitor = GradientHealthMonitor((x, y))
    history, caught = _fit(model, x, y, [monitor])

    expected = _numpy_grad_norms(model, x, y)
    assert list(expected) == [f"sig_{i}" for i in range(10)] + ["out"]
    assert expected["sig_0"] < 1e-4 and expected["sig_0"] / expected["out"] < 1e-3
    for name in expected:
        assert_close(history[f"grad_norm/{name}"], [expected[name]], rtol=1e-4, atol=0)
    assert [(f.code, f.severity, f.layer) for f in monitor.findings] == [
        ("vanishing-gradient", "warning", "sig_0")
    ]
    assert _codes(caught) == ["[warning] vanishing-gradient"]
    assert "layer 'sig_0'" in str(caught[0].message)


def test_tiny_gradient_norms_are_not_lost_to_float32_underflow():
    keras.utils.set_random_seed(11)
    x, y = _data(features=8)
    model = _sigmoid_stack(12)
    monitor = GradientHealthMonitor((x, y))
    logs, _ = _check_once(monitor, model)
    expected = _numpy_grad_norms(model, x, y)
    assert expected["sig_0"] > 0
    assert_close(
        [logs[f"grad_norm/{n}"] for n in expected], list(expected.values()), rtol=1e-4, atol=0
    )


def _tanh_stack():
    return _compile(
        _model(
            keras.layers.Dense(32, activation="tanh", name="first"),
            keras.layers.Dense(32, activation="tanh", name="second"),
        ),
        lr=0.5,
    )


@pytest.mark.slow
def test_diverging_training_gives_a_non_finite_gradient_error():
    keras.utils.set_random_seed(12)
    x, y = _data(scale=1000.0)
    model = _tanh_stack()
    monitor = GradientHealthMonitor((x[:32], y[:32]))
    history, caught = _fit(model, x, y, [monitor], epochs=6, batch_size=16)

    assert len(history["loss"]) == 6  # stop_after=None: never stops
    norms = np.array([history[f"grad_norm/{n}"] for n in ("first", "second", "out")])
    broken = ~np.isfinite(norms).all(axis=0)
    assert broken.any(), f"no non-finite gradient within 6 epochs: {norms}"
    errors = [w for w in caught if str(w.message).startswith("[error] non-finite-gradient")]
    assert len(errors) == int((~np.isfinite(norms)).sum())  # one per broken layer and check
    assert all(f.severity == "error" for f in monitor.findings)
    names = ("first", "second", "out")
    last_broken = [n for n, v in zip(names, norms[:, -1], strict=True) if not np.isfinite(v)]
    assert [f.layer for f in monitor.findings] == last_broken
    assert {f.code for f in monitor.findings} == {"non-finite-gradient"}


@pytest.mark.slow
def test_stop_after_stops_training_when_findings_persist(caplog):
    keras.utils.set_random_seed(12)
    x, y = _data(scale=1000.0)
    model = _tanh_stack()
    monitor = GradientHealthMonitor((x[:32], y[:32]), stop_after=2)
    with caplog.at_level(logging.WARNING, logger="keras_actloss"):
        history, caught = _fit(model, x, y, [monitor], epochs=20, batch_size=16)

    epochs = len(history["loss"])
    assert 2 <= epochs < 20
    assert all(len(values) == epochs for values in monitor.history.values())
    assert monitor.findings  # the last check still found a problem
    stops = [r.getMessage() for r in caplog.records if "stopped training" in r.getMessage()]
    assert stops == ["GradientHealthMonitor stopped training: the problem persisted for 2 checks."]


def test_exploding_gradient_ratio_names_the_first_layer():
    keras.utils.set_random_seed(13)
    x, y = _data(scale=1000.0)
    y = y / 1000.0
    model = _model(
        keras.layers.Dense(
            32,
            activation="tanh",
            kernel_initializer=keras.initializers.RandomNormal(stddev=1e-4),
            name="first",
        ),
        keras.layers.Dense(16, activation="relu", name="second"),
    )
    model = _compile(model, lr=1e-9)
    monitor = GradientHealthMonitor((x, y), exploding_norm=1e30)
    history, caught = _fit(model, x, y, [monitor])

    expected = _numpy_grad_norms(model, x, y)
    for name, norm in expected.items():
        assert_close(history[f"grad_norm/{name}"], [norm], rtol=1e-4, atol=0)
    assert np.isfinite(list(expected.values())).all()
    assert expected["first"] > 70 * expected["out"]
    assert [(f.code, f.layer) for f in monitor.findings] == [("exploding-gradient", "first")]
    assert _codes(caught) == ["[warning] exploding-gradient"]


def test_exploding_norm_names_the_largest_layer():
    keras.utils.set_random_seed(14)
    x, y = _data()
    model = _model(keras.layers.Dense(8, name="first"), keras.layers.Dense(8, name="second"))
    model = _compile(model)
    expected = _numpy_grad_norms(model, x, y)
    largest = max(expected, key=expected.get)
    assert max(expected.values()) < 70 * min(expected.values())  # the ratio rule stays silent
    bound = 0.99 * expected[largest]
    logs, caught = _check_once(GradientHealthMonitor((x, y), exploding_norm=bound), model)
    assert _codes(caught) == ["[warning] exploding-gradient"]
    assert f"layer '{largest}'" in str(caught[0].message)
    logs, caught = _check_once(
        GradientHealthMonitor((x, y), exploding_norm=1.01 * expected[largest]), model
    )
    assert caught == []
    assert_close(
        [logs[f"grad_norm/{n}"] for n in expected], list(expected.values()), rtol=1e-4, atol=0
    )


def test_norms_follow_the_weights_from_one_check_to_the_next():
    keras.utils.set_random_seed(18)
    x, y = _data()
    model = _compile(_model(keras.layers.Dense(8, activation="tanh", name="first")))
    monitor = GradientHealthMonitor((x, y))
    before, _ = _check_once(monitor, model)
    first = model.get_layer("first")
    first.kernel.assign(3 * first.kernel)
    after, _ = _check_once(monitor, model)  # the same monitor: its function is reused

    expected = _numpy_grad_norms(model, x, y)
    assert_close([after[f"grad_norm/{n}"] for n in expected], list(expected.values()), 1e-4, 0)
    assert abs(after["grad_norm/first"] - before["grad_norm/first"]) > 0.01 * expected["first"]


def test_regularization_losses_count_in_the_gradient():
    keras.utils.set_random_seed(19)
    x, y = _data()
    hidden = keras.layers.Dense(
        8,
        activation="tanh",
        kernel_regularizer=keras.regularizers.L2(0.5),
        activity_regularizer=keras.regularizers.L1(0.5),
        name="regularized",
    )
    model = _compile(_model(hidden))
    logs, _ = _check_once(GradientHealthMonitor((x, y)), model)

    expected = _numpy_grad_norms(model, x, y)
    assert_close([logs[f"grad_norm/{n}"] for n in expected], list(expected.values()), 1e-4, 0)
    hidden.kernel_regularizer = hidden.activity_regularizer = None
    plain = _numpy_grad_norms(model, x, y)
    assert abs(plain["regularized"] - expected["regularized"]) > 0.05 * expected["regularized"]


# --- every, stop_after=None -------------------------------------------------------------------


class _KeysSeen(keras.callbacks.Callback):
    """Records, per epoch, the monitor keys in the logs it receives."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(sorted(k for k in logs if "/" in k))


def test_every_checks_only_on_every_nth_epoch_and_none_never_stops():
    keras.utils.set_random_seed(15)
    x, y = _data()
    model = _compile(_model(_dead_dense(), ours.ReLU(name="relu_dead")))
    monitor = DeadReLUMonitor((x, y), every=2, stop_after=None)
    seen = _KeysSeen()
    history, caught = _fit(model, x, y, [monitor, seen], epochs=5)

    assert len(history["loss"]) == 5  # flagged at every check, never stopped
    # Checks at epochs 1, 3 and 5; NaN in between, so every epoch holds the key.
    assert seen.seen == [["dead_fraction/relu_dead"]] * 5
    assert history["dead_fraction/relu_dead"][0::2] == [1.0, 1.0, 1.0]
    assert np.isnan(history["dead_fraction/relu_dead"][1::2]).all()
    assert monitor.history == {"dead_fraction/relu_dead": [1.0, 1.0, 1.0]}
    assert len(caught) == 3


def test_stop_after_counts_consecutive_checks():
    keras.utils.set_random_seed(16)
    x, y = _data()
    model = _compile(_model(_dead_dense(), ours.ReLU(name="relu_dead")))
    monitor = DeadReLUMonitor((x, y), every=2, stop_after=2)
    history, caught = _fit(model, x, y, [monitor], epochs=9)
    assert len(history["loss"]) == 3  # checks at epochs 1 and 3
    assert len(caught) == 2


# --- arguments --------------------------------------------------------------------------------

_X, _Y = _data(n=4)
MONITORS = [DeadReLUMonitor, SaturationMonitor, GradientHealthMonitor]


@pytest.mark.parametrize("cls", MONITORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    ("probe", "error", "match"),
    [
        (_X, TypeError, "an \\(x, y\\) pair"),
        ((_X,), TypeError, "an \\(x, y\\) pair"),
        ((_X, _Y, _Y), TypeError, "an \\(x, y\\) pair"),
        ((_X[:0], _Y[:0]), ValueError, "at least one sample"),
    ],
    ids=["array", "one", "three", "empty"],
)
def test_bad_probe_is_refused(cls, probe, error, match):
    with pytest.raises(error, match=match) as raised:
        cls(probe)
    assert "Received" in str(raised.value)


@pytest.mark.parametrize(
    ("cls", "argument", "value"),
    [
        (DeadReLUMonitor, "every", 0),
        (SaturationMonitor, "every", 1.5),
        (GradientHealthMonitor, "every", True),
        (DeadReLUMonitor, "threshold", 1.5),
        (DeadReLUMonitor, "threshold", -0.1),
        (SaturationMonitor, "threshold", 1.5),
        (SaturationMonitor, "z_limit", 0),
        (SaturationMonitor, "z_limit", float("nan")),
        (DeadReLUMonitor, "stop_after", 0),
        (GradientHealthMonitor, "stop_after", 0),
        (GradientHealthMonitor, "vanishing_ratio", 0),
        (GradientHealthMonitor, "exploding_norm", -1.0),
    ],
)
def test_bad_arguments_are_refused(cls, argument, value):
    with pytest.raises(ValueError, match=f"`{argument}` must be") as raised:
        cls((_X, _Y), **{argument: value})
    assert f"Received: {argument}={value!r}" in str(raised.value)


def test_gradient_monitor_needs_a_backend_with_gradients(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "numpy")
    with pytest.raises(ValueError, match="tensorflow, jax, torch. Received: KERAS_BACKEND=numpy"):
        GradientHealthMonitor((_X, _Y))


# --- the logs reach CSVLogger -----------------------------------------------------------------


def test_logs_reach_csv_logger_after_the_monitor(tmp_path):
    keras.utils.set_random_seed(17)
    x, y = _data()
    model = _compile(
        _model(_dead_dense(), ours.ReLU(name="relu_dead"), keras.layers.Dense(8, name="d2"))
    )
    path = tmp_path / "log.csv"
    monitor = DeadReLUMonitor((x, y))
    _fit(model, x, y, [monitor, keras.callbacks.CSVLogger(str(path))], epochs=3)

    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    expected = _never_positive(_pre_activation(model, "dense_dead", x))
    assert [float(r["dead_fraction/relu_dead"]) for r in rows] == [expected] * 3
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]


# --- no false alarms on the healthy example models --------------------------------------------


def _all_monitors(x_val, y_val):
    probe = (x_val[:256], y_val[:256])
    return [DeadReLUMonitor(probe), SaturationMonitor(probe), GradientHealthMonitor(probe)]


def _train_quietly(model, x, y, x_val, y_val, epochs, batch_size):
    keras.utils.set_random_seed(42)
    monitors = _all_monitors(x_val, y_val)
    history, caught = _fit(model, x, y, monitors, epochs=epochs, batch_size=batch_size)
    assert [str(w.message) for w in caught] == []
    relus = [layer.name for layer in model.layers if layer.name.startswith("relu_")]
    for name in relus:  # the monitors did look, every epoch
        assert len(history[f"dead_fraction/{name}"]) == epochs
    grads = [k for k in history if k.startswith("grad_norm/")]
    assert len(grads) == len([layer for layer in model.layers if layer.trainable_weights])
    return history, model


@pytest.mark.slow
def test_binary_moons_model_trains_without_health_warnings():
    from keras_actloss.examples import binary_moons

    keras.utils.set_random_seed(42)
    splits = binary_moons.load(42)
    model = binary_moons.build_model()
    history, model = _train_quietly(
        model, splits.x_train, splits.y_train, splits.x_val, splits.y_val, 100, 64
    )
    scores = model.predict(splits.x_val, verbose=0)
    accuracy = float(np.mean((scores > 0.5) == (splits.y_val > 0.5)))
    assert accuracy > 0.85  # a trained model, not a fresh one


@pytest.mark.slow
def test_multiclass_digits_model_trains_without_health_warnings():
    from keras_actloss.examples import multiclass_digits

    keras.utils.set_random_seed(42)
    splits = multiclass_digits.load(42)
    model = multiclass_digits.build_model()
    history, model = _train_quietly(
        model, splits.x_train, splits.y_train, splits.x_val, splits.y_val, 60, 32
    )
    predicted = model.predict(splits.x_val, verbose=0).argmax(axis=-1)
    assert float(np.mean(predicted == splits.y_val)) > 0.9


@pytest.mark.slow
def test_regression_model_trains_without_health_warnings():
    from keras_actloss.examples import regression_outliers

    keras.utils.set_random_seed(42)
    splits = regression_outliers.load(42)
    model = regression_outliers.build_model(keras_actloss.losses.MeanSquaredError())
    history, model = _train_quietly(
        model, splits.x_val, splits.y_val, splits.x_val, splits.y_val, 60, 32
    )
    assert history["loss"][-1] < 0.1 * history["loss"][0]


def test_convolutions_are_read_where_their_pre_activation_is_known():
    """A Conv's built-in tanh is skipped (its pre-activation is not an input); a Tanh layer of
    its own after a Conv is read, and a Conv's built-in ReLU output is read for dead units."""
    rng = np.random.default_rng(21)
    x = rng.normal(size=(32, 6, 6, 1)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    big = keras.initializers.RandomNormal(stddev=10.0, seed=3)
    conv = keras.layers.Conv2D(4, 3, kernel_initializer=big, name="conv")
    model = keras.Sequential(
        [
            keras.Input((6, 6, 1)),
            keras.layers.Conv2D(2, 3, activation="tanh", padding="same", name="conv_tanh"),
            conv,
            ours.Tanh(name="tanh_after_conv"),
            keras.layers.Conv2D(2, 3, activation="relu", name="conv_relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )
    model.compile("sgd", "mse")
    saturation, dead = SaturationMonitor((x, y)), DeadReLUMonitor((x, y))
    history, _ = _fit(model, x, y, [saturation, dead], epochs=1)
    assert "saturated_fraction/conv_tanh" not in history
    before_tanh = keras.Model(model.inputs, conv.output).predict(x, verbose=0)
    expected = float(np.mean(np.abs(before_tanh) >= 5.0))
    assert history["saturated_fraction/tanh_after_conv"] == [pytest.approx(expected)]
    outputs = keras.Model(model.inputs, model.get_layer("conv_relu").output).predict(x, verbose=0)
    dead_units = float(np.mean(np.all(outputs.reshape(-1, 2) <= 0, axis=0)))
    assert history["dead_fraction/conv_relu"] == [pytest.approx(dead_units)]
