"""Small models, the spellings of activations and losses, and targets for the pairing tests.

Every activation can be written several ways in Keras (a string, a function,
a layer after a linear `Dense`, our layer, our layer as `Dense(activation=...)`)
and every loss too (a string, a Keras function or class, our class or
function). The helpers here build each spelling, so that a test can be
parametrized over all of them with readable ids.
"""

import keras
import numpy as np
import pytest

import keras_actloss as ka
from keras_actloss.findings import RULES

L = keras.layers

_OURS = {
    "sigmoid": ka.Sigmoid,
    "softmax": ka.Softmax,
    "relu": ka.ReLU,
    "linear": ka.Linear,
    "tanh": ka.Tanh,
    "softplus": ka.Softplus,
    "elu": ka.ELU,
    "leaky_relu": ka.LeakyReLU,
    "step": ka.Step,
}
# Keras's own layer classes for an activation (besides `Activation(name)`).
_KERAS_CLASSES = {
    "softmax": L.Softmax,
    "relu": L.ReLU,
    "elu": L.ELU,
    "leaky_relu": L.LeakyReLU,
}


def activation_spellings(name):
    """Every way to write activation `name` (Keras has no step: ours only)."""
    spellings = []
    if name == "linear":
        spellings.append("keras_default")  # Dense(units) with no activation
    if name != "step":
        spellings += ["keras_string", "keras_function", "keras_layer"]
    if name in _KERAS_CLASSES:
        spellings.append("keras_class_layer")
    return [*spellings, "ours_layer", "ours_in_dense"]


def activation_layers(name, spelling, units, layer_name="out", **ours_kwargs):
    """`Dense(units)` with activation `name` written as `spelling`.

    The layer that applies the activation is named `layer_name` (the
    `Dense` itself, or the activation layer after a linear `Dense`).
    """
    if spelling == "keras_default":
        return [L.Dense(units, name=layer_name)]
    if spelling == "keras_string":
        return [L.Dense(units, activation=name, name=layer_name)]
    if spelling == "keras_function":
        return [L.Dense(units, activation=getattr(keras.activations, name), name=layer_name)]
    if spelling == "ours_in_dense":
        return [L.Dense(units, activation=_OURS[name](**ours_kwargs), name=layer_name)]
    dense = L.Dense(units, name=f"{layer_name}_dense")
    if spelling == "keras_layer":
        return [dense, L.Activation(name, name=layer_name)]
    if spelling == "keras_class_layer":
        return [dense, _KERAS_CLASSES[name](name=layer_name)]
    if spelling == "ours_layer":
        return [dense, _OURS[name](name=layer_name, **ours_kwargs)]
    raise AssertionError(f"unknown spelling {spelling!r}")


def build(activation, spelling, units, *, hidden="relu", input_shape=(4,), **ours_kwargs):
    """Input -> Dense(8, hidden) -> the output `activation` spelled `spelling` (layer 'out')."""
    return keras.Sequential(
        [
            keras.Input(input_shape),
            L.Dense(8, activation=hidden, name="hidden"),
            *activation_layers(activation, spelling, units, **ours_kwargs),
        ]
    )


# {loss key: {spelling: factory}}. Strings and functions carry no `from_logits`,
# so the `_logits` keys have class spellings only. "ours_string" is a catalog
# name Keras itself does not know (the loss exists only in keras_actloss).
_LOSSES = {
    "bce": {
        "keras_string": lambda: "binary_crossentropy",
        "keras_alias": lambda: "bce",
        "keras_function": lambda: keras.losses.binary_crossentropy,
        "keras_class": lambda: keras.losses.BinaryCrossentropy(),
        "ours_class": lambda: ka.losses.BinaryCrossentropy(),
        "ours_function": lambda: ka.losses.binary_crossentropy,
    },
    "bce_logits": {
        "keras_class": lambda: keras.losses.BinaryCrossentropy(from_logits=True),
        "ours_class": lambda: ka.losses.BinaryCrossentropy(from_logits=True),
    },
    "cce": {
        "keras_string": lambda: "categorical_crossentropy",
        "keras_function": lambda: keras.losses.categorical_crossentropy,
        "keras_class": lambda: keras.losses.CategoricalCrossentropy(),
        "ours_class": lambda: ka.losses.CategoricalCrossentropy(),
        "ours_function": lambda: ka.losses.categorical_crossentropy,
    },
    "cce_logits": {
        "keras_class": lambda: keras.losses.CategoricalCrossentropy(from_logits=True),
        "ours_class": lambda: ka.losses.CategoricalCrossentropy(from_logits=True),
    },
    "scce": {
        "keras_string": lambda: "sparse_categorical_crossentropy",
        "keras_function": lambda: keras.losses.sparse_categorical_crossentropy,
        "keras_class": lambda: keras.losses.SparseCategoricalCrossentropy(),
        "ours_class": lambda: ka.losses.SparseCategoricalCrossentropy(),
        "ours_function": lambda: ka.losses.sparse_categorical_crossentropy,
    },
    "scce_logits": {
        "keras_class": lambda: keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        "ours_class": lambda: ka.losses.SparseCategoricalCrossentropy(from_logits=True),
    },
    "kld": {
        "keras_string": lambda: "kl_divergence",
        "keras_alias": lambda: "kld",
        "keras_function": lambda: keras.losses.kl_divergence,
        "keras_class": lambda: keras.losses.KLDivergence(),
        "ours_class": lambda: ka.losses.KLDivergence(),
        "ours_function": lambda: ka.losses.kl_divergence,
    },
    "mse": {
        "keras_string": lambda: "mean_squared_error",
        "keras_alias": lambda: "mse",
        "keras_function": lambda: keras.losses.mean_squared_error,
        "keras_class": lambda: keras.losses.MeanSquaredError(),
        "ours_class": lambda: ka.losses.MeanSquaredError(),
        "ours_function": lambda: ka.losses.mean_squared_error,
    },
    "mae": {
        "keras_string": lambda: "mean_absolute_error",
        "keras_alias": lambda: "mae",
        "keras_function": lambda: keras.losses.mean_absolute_error,
        "keras_class": lambda: keras.losses.MeanAbsoluteError(),
        "ours_class": lambda: ka.losses.MeanAbsoluteError(),
        "ours_function": lambda: ka.losses.mean_absolute_error,
    },
    "huber": {
        "keras_string": lambda: "huber",
        "keras_function": lambda: keras.losses.huber,
        "keras_class": lambda: keras.losses.Huber(),
        "ours_class": lambda: ka.losses.Huber(),
        "ours_function": lambda: ka.losses.huber,
    },
    "rmse": {
        "ours_string": lambda: "rmse",
        "ours_class": lambda: ka.losses.RootMeanSquaredError(),
        "ours_function": lambda: ka.losses.root_mean_squared_error,
    },
    "msle": {
        "keras_string": lambda: "mean_squared_logarithmic_error",
        "keras_alias": lambda: "msle",
        "keras_function": lambda: keras.losses.mean_squared_logarithmic_error,
        "keras_class": lambda: keras.losses.MeanSquaredLogarithmicError(),
        "ours_class": lambda: ka.losses.MeanSquaredLogarithmicError(),
        "ours_function": lambda: ka.losses.mean_squared_logarithmic_error,
    },
    "hinge": {
        "keras_string": lambda: "hinge",
        "keras_function": lambda: keras.losses.hinge,
        "keras_class": lambda: keras.losses.Hinge(),
        "ours_class": lambda: ka.losses.Hinge(),
        "ours_function": lambda: ka.losses.hinge,
    },
    "squared_hinge": {
        "keras_string": lambda: "squared_hinge",
        "keras_function": lambda: keras.losses.squared_hinge,
        "keras_class": lambda: keras.losses.SquaredHinge(),
        "ours_class": lambda: ka.losses.SquaredHinge(),
        "ours_function": lambda: ka.losses.squared_hinge,
    },
    "perceptron": {
        "ours_string": lambda: "perceptron_loss",
        "ours_class": lambda: ka.losses.PerceptronLoss(),
        "ours_function": lambda: ka.losses.perceptron_loss,
    },
    "mean_error": {
        "ours_string": lambda: "mean_error",
        "ours_class": lambda: ka.losses.MeanError(),
        "ours_function": lambda: ka.losses.mean_error,
    },
    "zero_one": {
        "ours_string": lambda: "zero_one_loss",
        "ours_class": lambda: ka.losses.ZeroOneLoss(),
        "ours_function": lambda: ka.losses.zero_one_loss,
    },
}


def loss_spellings(key):
    return list(_LOSSES[key])


def make_loss(key, spelling):
    """A fresh loss `key` written as `spelling`."""
    return _LOSSES[key][spelling]()


def compilable(spelling):
    """Whether `model.compile(loss=...)` takes this spelling (Keras does not know our names)."""
    return spelling != "ours_string"


def spelled(rows, *, activation_only=False, loss_only=False):
    """pytest params: each row once per activation spelling and once per loss spelling.

    Each row is ``(code, activation, units, loss, *rest)``. The first spelling
    of the other side is used while one side varies, so every spelling of
    both the activation and the loss appears with the row's pair.
    """
    params = []
    for code, activation, units, loss, *rest in rows:
        acts = activation_spellings(activation)
        losses = loss_spellings(loss)
        combos = []
        if not loss_only:
            combos += [(a, losses[0]) for a in acts]
        if not activation_only:
            combos += [(acts[0], s) for s in losses if (acts[0], s) not in combos]
        for act_spelling, loss_spelling in combos:
            params.append(
                pytest.param(
                    code,
                    activation,
                    act_spelling,
                    units,
                    loss,
                    loss_spelling,
                    *rest,
                    id=f"{code}:{activation}[{act_spelling}]+{loss}[{loss_spelling}]",
                )
            )
    return params


def codes(findings):
    return sorted(f.code for f in findings)


def only(findings, code):
    """The one finding of `code`, after checking it carries its rule's severity."""
    matches = [f for f in findings if f.code == code]
    assert len(matches) == 1, f"expected one {code!r} finding, got {findings}"
    found = matches[0]
    assert found.severity == RULES[code].severity, found
    return found


def problems(findings):
    """The findings that warn or fail (errors and warnings; not info)."""
    return [f for f in findings if f.severity != "info"]


# --- targets --------------------------------------------------------------------------------

N = 64
K = 5


def targets(kind, n=N, k=K, seed=0):
    """Targets of a known kind (the cheat sheets' vocabulary)."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % k)  # every class present
    if kind == "binary01":
        return (np.arange(n) % 2)[rng.permutation(n)].reshape(n, 1).astype("float32")
    if kind == "signed":
        return (2.0 * targets("binary01", n, k, seed) - 1.0).astype("float32")
    if kind == "int_labels":
        return labels.astype("int64")
    if kind == "one_hot":
        return np.eye(k, dtype="float32")[labels]
    if kind == "multi_hot":
        y = (rng.uniform(size=(n, k)) > 0.5).astype("float32")
        y[0], y[1] = 0.0, 1.0  # a row with no label and one with every label
        return y
    if kind == "real":
        return (3.0 * rng.normal(size=(n, 1)) + 1.0).astype("float32")
    if kind == "unit":  # spread over [0, 1], the ends included
        y = rng.uniform(size=(n, 1)).astype("float32")
        y[0], y[1] = 0.0, 1.0
        return y
    if kind == "soft":
        return rng.dirichlet(np.ones(k), size=n).astype("float32")
    if kind == "non_negative":
        return rng.exponential(2.0, size=(n, 1)).astype("float32")
    raise AssertionError(f"unknown target kind {kind!r}")


def inputs(n=N, shape=(4,), seed=1):
    return np.random.default_rng(seed).normal(size=(n, *shape)).astype("float32")
