"""Each loss trains the model the source articles pair it with: float32, mixed_float16, mirrored."""

import inspect

import keras
import numpy as np
import pytest
from backends import tensorflow_only
from checks import require
from fresh_process import run_fresh

import keras_actloss as ka
from keras_actloss import catalog
from keras_actloss import losses as L

SAMPLES = 256


def binary_data(rng, labels=(0.0, 1.0)):
    x = rng.normal(size=(SAMPLES, 2)).astype("float32")
    positive = x[:, 0] + 0.5 * x[:, 1] > 0
    return x, np.where(positive, labels[1], labels[0]).astype("float32")[:, None]


def three_blobs(rng):
    centres = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    labels = rng.integers(0, 3, SAMPLES)
    x = (centres[labels] + 0.5 * rng.normal(size=(SAMPLES, 2))).astype("float32")
    return x, labels


def line_with_outliers(rng):
    x = rng.uniform(-2, 2, (SAMPLES, 1)).astype("float32")
    y = 2.0 * x + 1.0 + 0.1 * rng.normal(size=(SAMPLES, 1))
    outliers = rng.uniform(size=SAMPLES) < 0.1
    y[outliers] += 30.0  # the source articles' reason for Huber and MAE
    return x, y.astype("float32"), outliers


def model(hidden, units, output):
    layers = [keras.Input((2 if hidden else 1,))]
    if hidden:
        layers.append(keras.layers.Dense(16, activation="relu"))
    layers.append(keras.layers.Dense(units))
    if output is not None:
        layers.append(output)
    return keras.Sequential(layers)


def accuracy(predicted_positive, y):
    return float(np.mean(predicted_positive == (y > 0.5)))


# Each setup returns a score that must reach `minimum` after a few epochs.


def classify_binary(loss, output, labels=(0.0, 1.0), threshold=0.5):
    def run(rng):
        x, y = binary_data(rng, labels)
        net = model(True, 1, output)
        fit(net, loss, x, y)
        return accuracy(net.predict(x, verbose=0) > threshold, y)

    return run


def classify_three(loss, targets):
    def run(rng):
        x, labels = three_blobs(rng)
        y = {"labels": labels, "one_hot": np.eye(3)[labels]}[targets].astype("float32")
        net = model(True, 3, ka.Softmax())
        fit(net, loss, x, y)
        return float(np.mean(net.predict(x, verbose=0).argmax(-1) == labels))

    return run


def robust_line(loss):
    def run(rng):
        x, y, outliers = line_with_outliers(rng)
        net = model(False, 1, ka.Linear())
        fit(net, loss, x, y, epochs=40, learning_rate=0.1)
        # The fitted line on the inliers: the score is its error in slope and intercept.
        error = np.abs(net.predict(x, verbose=0) - (2.0 * x + 1.0))[~outliers]
        return -float(error.max())

    return run


def clean_regression(loss, positive=False):
    def run(rng):
        x = rng.uniform(-2, 2, (SAMPLES, 1)).astype("float32")
        y = (np.exp(0.8 * x) if positive else 2.0 * x + 1.0) + 0.05 * rng.normal(size=x.shape)
        net = model(False, 1, ka.Softplus() if positive else ka.Linear())
        if positive:
            net = keras.Sequential(
                [
                    keras.Input((1,)),
                    keras.layers.Dense(16, activation="tanh"),
                    keras.layers.Dense(1),
                    ka.Softplus(),
                ]
            )
        fit(net, loss, x, y.astype("float32"), epochs=40, learning_rate=0.05)
        prediction = net.predict(x, verbose=0)
        return 1.0 - float(np.mean((prediction - y) ** 2) / np.var(y))  # R^2

    return run


def fit(net, loss, x, y, epochs=20, learning_rate=0.05):
    net.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss)
    history = net.fit(x, y, batch_size=32, epochs=epochs, verbose=0).history["loss"]
    assert np.all(np.isfinite(history)), history
    assert history[-1] < history[0], history


SETUPS = {
    # setup: (catalog loss, run, minimum score); the source articles' pairings.
    "bce+sigmoid": (
        "binary_crossentropy",
        classify_binary(L.BinaryCrossentropy(), ka.Sigmoid()),
        0.95,
    ),
    "bce(from_logits)+linear": (
        "binary_crossentropy",
        classify_binary(L.BinaryCrossentropy(from_logits=True), None, threshold=0.0),
        0.95,
    ),
    "cce+softmax": (
        "categorical_crossentropy",
        classify_three(L.CategoricalCrossentropy(label_smoothing=0.1), "one_hot"),
        0.95,
    ),
    "scce+softmax": (
        "sparse_categorical_crossentropy",
        classify_three(L.SparseCategoricalCrossentropy(), "labels"),
        0.95,
    ),
    "kld+softmax": ("kl_divergence", classify_three(L.KLDivergence(), "one_hot"), 0.95),
    "hinge+linear": (
        "hinge",
        classify_binary(L.Hinge(), None, (-1.0, 1.0), threshold=0.0),
        0.95,
    ),
    "hinge+tanh": (
        "hinge",
        classify_binary(L.Hinge(), ka.Tanh(), (0.0, 1.0), threshold=0.0),
        0.95,
    ),
    "squared_hinge+linear": (
        "squared_hinge",
        classify_binary(L.SquaredHinge(), None, (-1.0, 1.0), threshold=0.0),
        0.95,
    ),
    "perceptron+linear": (
        "perceptron_loss",
        classify_binary(L.PerceptronLoss(), None, (-1.0, 1.0), threshold=0.0),
        0.9,
    ),
    "huber+linear (outliers)": ("huber", robust_line(L.Huber(delta=1.0)), -0.3),
    "mae+linear (outliers)": ("mean_absolute_error", robust_line(L.MeanAbsoluteError()), -0.3),
    "mse+linear": ("mean_squared_error", clean_regression(L.MeanSquaredError()), 0.95),
    "rmse+linear": ("root_mean_squared_error", clean_regression(L.RootMeanSquaredError()), 0.95),
    "msle+softplus": (
        "mean_squared_logarithmic_error",
        clean_regression(L.MeanSquaredLogarithmicError(), positive=True),
        0.9,
    ),
}


def derived_setup(name):
    """The paired model of a trainable loss without a setup above, chosen by its targets."""
    cls = catalog.lookup("loss", name).implementation
    make = {
        "real": lambda: clean_regression(cls()),
        "non_negative": lambda: clean_regression(cls(), positive=True),
        "binary": lambda: classify_binary(cls(), ka.Sigmoid()),
        "signed": lambda: classify_binary(cls(), None, (-1.0, 1.0), threshold=0.0),
        "one_hot": lambda: classify_three(cls(), "one_hot"),
        "distribution": lambda: classify_three(cls(), "one_hot"),
        "integer_labels": lambda: classify_three(cls(), "labels"),
    }
    targets = catalog.lookup("loss", name).info.targets
    return (name, require(make, targets, "targets kind", "derived_setup")(), 0.9)


SETUPS_BY_LOSS = {}
for _setup, (_name, *_) in SETUPS.items():
    SETUPS_BY_LOSS.setdefault(_name, []).append(_setup)
for _name in ka.loss_names(trainable=True):
    if _name not in SETUPS_BY_LOSS:  # a loss added to the catalog trains its derived model
        SETUPS[f"{_name} (derived)"] = derived_setup(_name)
        SETUPS_BY_LOSS[_name] = [f"{_name} (derived)"]


@pytest.mark.parametrize("name", ka.loss_names(trainable=True))
def test_every_trainable_loss_has_a_training_setup(name):
    require(SETUPS_BY_LOSS, name, "trainable loss", "SETUPS (tests/test_losses_training.py)")


@pytest.mark.parametrize("setup", list(SETUPS))
def test_each_setup_trains_the_loss_it_names(setup):
    name, run, _ = SETUPS[setup]
    cls = catalog.lookup("loss", name).implementation
    losses = [
        v for v in inspect.getclosurevars(run).nonlocals.values() if isinstance(v, L.PerSampleLoss)
    ]
    assert [type(loss) for loss in losses] == [cls], setup


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["float32", "mixed_float16"])
@pytest.mark.parametrize("setup", list(SETUPS))
def test_loss_trains_its_paired_model(setup, precision):
    keras.config.set_dtype_policy(precision)
    keras.utils.set_random_seed(0)
    _, run, minimum = SETUPS[setup]
    score = run(np.random.default_rng(0))
    assert score >= minimum, (setup, precision, score)


@pytest.mark.slow
def test_mse_is_pulled_by_the_outliers_that_huber_ignores():
    # The comparison the source articles make: the same data, the same model.
    keras.utils.set_random_seed(0)
    scores = {}
    for name, loss in (("huber", L.Huber()), ("mse", L.MeanSquaredError())):
        scores[name] = robust_line(loss)(np.random.default_rng(0))
    assert scores["mse"] < -1.0 < -0.3 <= scores["huber"], scores


@pytest.mark.slow
def test_zero_one_loss_runs_in_fit_but_learns_nothing():
    keras.utils.set_random_seed(0)
    x, y = binary_data(np.random.default_rng(0))
    net = model(True, 1, ka.Sigmoid())
    before = [w.copy() for w in net.get_weights()]
    net.compile(optimizer=keras.optimizers.SGD(1.0), loss=L.ZeroOneLoss())
    net.fit(x, y, batch_size=32, epochs=2, verbose=0)
    for old, new in zip(before, net.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


@pytest.mark.slow
@tensorflow_only("tf.distribute.MirroredStrategy")
def test_mirrored_strategy_on_two_devices_gives_the_single_device_loss():
    result = run_fresh(
        """
        import json
        import tensorflow as tf

        # Two logical CPUs, configured before TensorFlow initialises.
        cpu = tf.config.list_physical_devices("CPU")[0]
        two = [tf.config.LogicalDeviceConfiguration()] * 2
        tf.config.set_logical_device_configuration(cpu, two)
        import keras, numpy as np
        from keras_actloss import losses as L

        rng = np.random.default_rng(0)
        x = rng.normal(size=(64, 4)).astype("float32")
        regression = rng.normal(size=(64, 3))
        binary = rng.integers(0, 2, (64, 3))
        cases = {
            "mse": (L.MeanSquaredError(), None, regression),
            "mae": (L.MeanAbsoluteError(), None, regression),
            "huber": (L.Huber(delta=0.5), None, regression),
            "msle": (L.MeanSquaredLogarithmicError(), "softplus", np.abs(regression)),
            "bce": (L.BinaryCrossentropy(label_smoothing=0.1), "sigmoid", binary),
            "cce": (L.CategoricalCrossentropy(), "softmax", np.eye(3)[rng.integers(0, 3, 64)]),
            "scce": (L.SparseCategoricalCrossentropy(), "softmax", rng.integers(0, 3, 64)),
            "kld": (L.KLDivergence(), "softmax", np.eye(3)[rng.integers(0, 3, 64)]),
            "hinge": (L.Hinge(), None, rng.choice([-1, 1], (64, 3))),
            "squared_hinge": (L.SquaredHinge(), None, rng.choice([-1, 1], (64, 3))),
            "perceptron": (L.PerceptronLoss(), None, rng.choice([-1, 1], (64, 3))),
            "rmse": (L.RootMeanSquaredError(), None, regression),
        }

        def build(loss, activation):
            keras.utils.set_random_seed(1)
            dense = keras.layers.Dense(3, activation=activation)
            model = keras.Sequential([keras.Input((4,)), dense])
            model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
            return model

        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        out = {"replicas": strategy.num_replicas_in_sync}
        for name, (loss, activation, y) in cases.items():
            y = y.astype("float32")
            runs = {}
            for tag in ("single", "mirrored"):
                if tag == "single":
                    model = build(loss, activation)
                else:
                    with strategy.scope():
                        model = build(type(loss).from_config(loss.get_config()), activation)
                evaluated = model.evaluate(x, y, batch_size=32, verbose=0)
                prediction = model.predict(x, batch_size=32, verbose=0)
                history = model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
                runs[tag] = {
                    "losses": [evaluated] + history.history["loss"],
                    "kernel": model.layers[0].kernel.numpy().ravel().tolist(),
                    "prediction": prediction.tolist(),
                }
            out[name] = runs
        out["y_rmse"] = regression.tolist()
        print(json.dumps(out))
        """
    )
    assert result["replicas"] == 2
    for name in (
        "mse",
        "mae",
        "huber",
        "msle",
        "bce",
        "cce",
        "scce",
        "kld",
        "hinge",
        "squared_hinge",
        "perceptron",
    ):
        single, mirrored = result[name]["single"], result[name]["mirrored"]
        np.testing.assert_allclose(mirrored["losses"], single["losses"], rtol=1e-5, err_msg=name)
        np.testing.assert_allclose(
            mirrored["kernel"], single["kernel"], rtol=1e-5, atol=1e-6, err_msg=name
        )
    # RMSE is the documented exception: each replica takes the root of its own
    # half batch, and the loss is the mean of those roots.
    y = np.array(result["y_rmse"])
    for tag, parts in (("single", 2), ("mirrored", 4)):
        prediction = np.array(result["rmse"][tag]["prediction"])
        squared = ((prediction - y) ** 2).mean(-1)
        roots = [np.sqrt(part.mean()) for part in np.split(squared, parts)]
        np.testing.assert_allclose(
            result["rmse"][tag]["losses"][0], np.mean(roots), rtol=1e-5, err_msg=tag
        )
