"""Edge cases measured on one Keras backend, for `test_edges.py`.

Run as a script with the backend's name: it sets `KERAS_BACKEND`, imports
Keras, evaluates every case and prints one JSON document of plain numbers
(NaN included), which the tests compare with float64 NumPy references.
"""

import json
import os
import sys
import warnings

os.environ["KERAS_BACKEND"] = sys.argv[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import ops  # noqa: E402

import keras_actloss as ka  # noqa: E402

NAN = float("nan")
ATTACHES = keras.backend.backend() != "jax"  # JAX tracers take no attributes


def numbers(x):
    return np.asarray(ops.convert_to_numpy(x), dtype="float64").tolist()


def evaluate(model, loss, x, y, metrics=()):
    model.compile(loss=loss, metrics=list(metrics))
    return model.evaluate(x, y, verbose=0, return_dict=True)


# --- NaN propagates ------------------------------------------------------------------


def nan_cases():
    y_true, y_pred = [[1.0], [2.0], [3.0]], [[1.5], [NAN], [3.0]]
    metric = ka.metrics.RootMeanSquaredError()
    metric.update_state(y_true, y_pred)
    zero_one = ka.losses.ZeroOneLoss(reduction=None)
    # One NaN target in fit: the reported loss must be NaN, so TerminateOnNaN fires.
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss=ka.losses.RootMeanSquaredError())
    x = np.ones((8, 2), "float32")
    y = np.ones((8, 1), "float32")
    y[3] = NAN
    history = model.fit(
        x, y, batch_size=8, epochs=3, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN()]
    )
    return {
        "rmse_loss": numbers(ka.losses.RootMeanSquaredError()(y_true, y_pred)),
        "rmse_function": numbers(ka.losses.root_mean_squared_error(y_true, y_pred)),
        "rmse_metric": numbers(metric.result()),
        "fit_losses": [float(v) for v in history.history["loss"]],
        "step": numbers(ka.Step()(np.array([NAN, 1.0, -1.0], "float32"))),
        "zero_one_nan_label": numbers(zero_one([[NAN], [1.0]], [[0.9], [0.9]])),
        "zero_one_inf_score": numbers(
            ka.losses.ZeroOneLoss(from_logits=True, reduction=None)([[1.0]], [[np.inf]])
        ),
    }


# --- an output carries the logits that produced it, and only those -------------------

MASK_LOGITS = np.array([[2.0, 1.0, 0.5, -1.0]], "float32")
MASK = np.array([[1, 1, 0, 0]], "float32")
MASK_ONE_HOT = np.array([[0.0, 1.0, 0.0, 0.0]], "float32")
AXIS_X = np.random.default_rng(3).normal(size=(2, 3, 4)).astype("float32")
AXIS_Y = np.random.default_rng(4).dirichlet(np.ones(3), size=(2, 4)).transpose(0, 2, 1)


def _masked_model():
    logits = keras.Input((4,))
    mask = keras.Input((4,))
    return keras.Model([logits, mask], ka.Softmax()(logits, mask=ops.cast(mask, "bool")))


def _axis_model():
    x = keras.Input((3, 4))
    return keras.Model(x, ka.Softmax(axis=1)(x))


def logits_cases():
    losses = {
        "cce": (ka.losses.CategoricalCrossentropy(), MASK_ONE_HOT),
        "scce": (ka.losses.SparseCategoricalCrossentropy(), np.array([1])),
        "kld": (ka.losses.KLDivergence(), MASK_ONE_HOT),
    }
    out = {}
    probabilities = ka.Softmax()(MASK_LOGITS, mask=MASK.astype(bool))
    for name, (loss, y) in losses.items():
        out[f"masked_{name}_eager"] = numbers(loss(y, probabilities))
        out[f"masked_{name}_compiled"] = evaluate(_masked_model(), loss, [MASK_LOGITS, MASK], y)[
            "loss"
        ]
    kld = ka.losses.KLDivergence()
    out["axis1_kld_eager"] = numbers(kld(AXIS_Y.astype("float32"), ka.Softmax(axis=1)(AXIS_X)))
    out["axis1_kld_compiled"] = evaluate(_axis_model(), kld, AXIS_X, AXIS_Y.astype("float32"))[
        "loss"
    ]
    return out


BIG_Z = np.random.default_rng(7).normal(0.0, 300.0, size=(32, 4)).astype("float32")
BIG_LABELS = np.arange(32) % 4
BIG_ONE_HOT = np.eye(4, dtype="float32")[BIG_LABELS]


def _gradient(fn, z):
    """d fn(z) / dz on the current backend, eagerly (None where it has no eager tape)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        z = tf.Variable(z)
        with tf.GradientTape() as tape:
            value = fn(z)
        return tape.gradient(value, z)
    if backend == "torch":
        import torch

        z = torch.tensor(z, requires_grad=True)
        fn(z).backward()
        return z.grad
    return None  # jax.grad traces: no attributes on tracers


def big_logits_cases():
    losses = {
        "cce": (ka.losses.CategoricalCrossentropy, BIG_ONE_HOT),
        "scce": (ka.losses.SparseCategoricalCrossentropy, BIG_LABELS),
        "kld": (ka.losses.KLDivergence, BIG_ONE_HOT),
    }
    out = {}
    for name, (cls, y) in losses.items():
        out[f"{name}_after_softmax"] = numbers(cls()(y, ka.Softmax()(BIG_Z)))
        if ATTACHES:
            grad = _gradient(lambda z, cls=cls, y=y: cls()(y, ka.Softmax()(z)), BIG_Z)
            out[f"{name}_gradient"] = numbers(grad)
    return out


# --- labels out of range --------------------------------------------------------------


def label_cases():
    probabilities = np.full((4, 3), 1 / 3, "float32")
    out = {}
    for bad in (-1, -2, -3, -4, 3):
        labels = np.array([0, bad, 1, 2])
        try:
            ka.losses.SparseCategoricalCrossentropy()(labels, probabilities)
            out[f"eager_{bad}"] = "no error"
        except ValueError as error:
            out[f"eager_{bad}"] = str(error)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Softmax()])
    labels = np.array([0, -1, 1, 2])
    try:  # PyTorch's evaluate runs eagerly and raises; compiled, the loss is NaN
        out["evaluate_-1"] = evaluate(
            model, ka.losses.SparseCategoricalCrossentropy(), probabilities, labels
        )["loss"]
    except ValueError as error:
        out["evaluate_-1"] = str(error)
    out["ignore_class_-1"] = numbers(
        ka.losses.SparseCategoricalCrossentropy(ignore_class=-1)(labels, probabilities)
    )
    return out


# --- masks pass through ---------------------------------------------------------------


def mask_cases():
    tokens = np.array([[3, 1, 0, 0], [2, 5, 7, 0]])
    targets = np.random.default_rng(5).normal(size=(2, 4, 2)).astype("float32")
    out = {}
    for name, head in {
        "maxout": lambda: ka.Maxout(2),
        "dense": lambda: keras.layers.Dense(2),
    }.items():
        keras.utils.set_random_seed(1)
        model = keras.Sequential(
            [keras.Input((4,), dtype="int32"), keras.layers.Embedding(8, 3, mask_zero=True), head()]
        )
        out[f"{name}_loss"] = evaluate(model, "mse", tokens, targets)["loss"]
        out[f"{name}_predictions"] = numbers(model.predict(tokens, verbose=0))
    out["targets"] = targets.tolist()
    return out


# --- metrics compute in their own dtype -------------------------------------------------


def metric_cases():
    out = {}
    rmse = ka.metrics.RootMeanSquaredError()
    rmse.update_state(np.zeros((4, 1), "float16"), np.full((4, 1), 300.0, "float16"))
    out["rmse_float16"] = numbers(rmse.result())
    rng = np.random.default_rng(6)
    y_true = rng.normal(size=(6, 3)).astype("float32")
    y_pred = rng.normal(size=(6, 3)).astype("float32")
    weights = rng.uniform(0.1, 2.0, (6, 3)).astype("float32")
    rmse = ka.metrics.RootMeanSquaredError()
    rmse.update_state(y_true, y_pred, sample_weight=weights)
    out["rmse_elementwise_weights"] = numbers(rmse.result())
    for policy, target in (("mixed_float16", 300.0), ("mixed_bfloat16", 48.0)):
        keras.config.set_dtype_policy(policy)
        keras.utils.set_random_seed(2)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        x = rng.normal(size=(64, 4)).astype("float32")
        y = (target + rng.normal(size=(64, 1))).astype("float32")
        metrics = [ka.metrics.RootMeanSquaredError(), ka.metrics.MeanError()]
        out[policy] = evaluate(model, "mse", x, y, metrics)
        out[policy + "_predictions"] = numbers(ops.cast(model.predict(x, verbose=0), "float32"))
        out[policy + "_targets"] = y.tolist()
        keras.config.set_dtype_policy("float32")
    return out


CASES = {
    "nan": nan_cases,
    "logits": logits_cases,
    "big_logits": big_logits_cases,
    "labels": label_cases,
    "masks": mask_cases,
    "metrics": metric_cases,
}

if __name__ == "__main__":
    warnings.simplefilter("ignore")
    results = {"backend": keras.backend.backend()}
    for case_name, case in CASES.items():
        try:
            results[case_name] = case()
        except Exception as error:  # recorded, so that each test names its own failure
            results[case_name] = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(results))  # NaN is written as NaN, which json.loads reads back
