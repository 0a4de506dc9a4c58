"""The pairs the speed benchmarks compare: our activation layers and losses, and Keras's own.

Shared by `activations.py`, `losses.py` and `grid.py`. It imports only
Keras, NumPy and keras_actloss, so that a benchmark on any Keras backend
can use it.
"""

import keras
import numpy as np

import keras_actloss as ka
from keras_actloss import losses as our_losses

# name -> (ours, Keras's equivalent, where it goes)
PAIRS = {
    "ReLU": (lambda: ka.ReLU(), lambda: keras.layers.ReLU(), "hidden"),
    "LeakyReLU": (
        lambda: ka.LeakyReLU(0.01),
        lambda: keras.layers.LeakyReLU(negative_slope=0.01),
        "hidden",
    ),
    "PReLU": (
        lambda: ka.PReLU(),
        lambda: keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25)),
        "hidden",
    ),
    "ELU": (lambda: ka.ELU(), lambda: keras.layers.ELU(), "hidden"),
    "ELU(alpha=0.5)": (lambda: ka.ELU(0.5), lambda: keras.layers.ELU(alpha=0.5), "hidden"),
    "sigmoid": (lambda: ka.Sigmoid(), lambda: keras.layers.Activation("sigmoid"), "hidden"),
    "tanh": (lambda: ka.Tanh(), lambda: keras.layers.Activation("tanh"), "hidden"),
    "silu": (lambda: ka.Swish(), lambda: keras.layers.Activation("silu"), "hidden"),
    "softplus": (lambda: ka.Softplus(), lambda: keras.layers.Activation("softplus"), "hidden"),
    "Softmax": (lambda: ka.Softmax(), lambda: keras.layers.Softmax(), "output"),
}


def loss_cases(batch, classes, rng):
    """(label, our loss, Keras's loss, y_true, model output, output activation)."""

    def floats(*shape, low=-2.0, high=2.0):
        return rng.uniform(low, high, shape).astype("float32")

    labels = rng.integers(0, classes, batch)
    one_hot = np.eye(classes, dtype="float32")[labels]
    binary = rng.integers(0, 2, (batch, classes)).astype("float32")
    probabilities = rng.uniform(0.01, 0.99, (batch, classes)).astype("float32")
    distribution = probabilities / probabilities.sum(-1, keepdims=True)
    sigmoid, softmax = keras.activations.sigmoid, keras.activations.softmax
    k = keras.losses
    return [
        (
            "MeanSquaredError",
            our_losses.MeanSquaredError(),
            k.MeanSquaredError(),
            floats(batch, classes),
            floats(batch, classes),
            None,
        ),
        (
            "MeanAbsoluteError",
            our_losses.MeanAbsoluteError(),
            k.MeanAbsoluteError(),
            floats(batch, classes),
            floats(batch, classes),
            None,
        ),
        (
            "MeanSquaredLogarithmicError",
            our_losses.MeanSquaredLogarithmicError(),
            k.MeanSquaredLogarithmicError(),
            floats(batch, classes, low=0),
            floats(batch, classes, low=0),
            None,
        ),
        (
            "Huber",
            our_losses.Huber(),
            k.Huber(),
            floats(batch, classes),
            floats(batch, classes),
            None,
        ),
        (
            "BinaryCrossentropy (probabilities)",
            our_losses.BinaryCrossentropy(),
            k.BinaryCrossentropy(),
            binary,
            probabilities,
            None,
        ),
        (
            "BinaryCrossentropy (after sigmoid)",
            our_losses.BinaryCrossentropy(),
            k.BinaryCrossentropy(),
            binary,
            floats(batch, classes),
            sigmoid,
        ),
        (
            "BinaryCrossentropy (from_logits=True)",
            our_losses.BinaryCrossentropy(from_logits=True),
            k.BinaryCrossentropy(from_logits=True),
            binary,
            floats(batch, classes),
            None,
        ),
        (
            "CategoricalCrossentropy (probabilities)",
            our_losses.CategoricalCrossentropy(),
            k.CategoricalCrossentropy(),
            one_hot,
            distribution,
            None,
        ),
        (
            "CategoricalCrossentropy (after softmax)",
            our_losses.CategoricalCrossentropy(),
            k.CategoricalCrossentropy(),
            one_hot,
            floats(batch, classes),
            softmax,
        ),
        (
            "CategoricalCrossentropy (from_logits=True)",
            our_losses.CategoricalCrossentropy(from_logits=True),
            k.CategoricalCrossentropy(from_logits=True),
            one_hot,
            floats(batch, classes),
            None,
        ),
        (
            "SparseCategoricalCrossentropy (probabilities)",
            our_losses.SparseCategoricalCrossentropy(),
            k.SparseCategoricalCrossentropy(),
            labels,
            distribution,
            None,
        ),
        (
            "SparseCategoricalCrossentropy (after softmax)",
            our_losses.SparseCategoricalCrossentropy(),
            k.SparseCategoricalCrossentropy(),
            labels,
            floats(batch, classes),
            softmax,
        ),
        (
            "SparseCategoricalCrossentropy (from_logits=True)",
            our_losses.SparseCategoricalCrossentropy(from_logits=True),
            k.SparseCategoricalCrossentropy(from_logits=True),
            labels,
            floats(batch, classes),
            None,
        ),
        ("Hinge", our_losses.Hinge(), k.Hinge(), binary, floats(batch, classes), None),
        (
            "SquaredHinge",
            our_losses.SquaredHinge(),
            k.SquaredHinge(),
            binary,
            floats(batch, classes),
            None,
        ),
        (
            "KLDivergence",
            our_losses.KLDivergence(),
            k.KLDivergence(),
            distribution,
            distribution[::-1].copy(),
            None,
        ),
    ]


def mlp(factory, place, features, width, classes):
    """The benchmarks' model and its built SGD optimizer, the same initial weights every call.

    features -> Dense(width) -> act -> Dense(width) -> act -> Dense(classes), where act is
    `factory()` for a "hidden" pair and ReLU for an "output" one, whose layer follows the
    last Dense instead.
    """
    keras.utils.set_random_seed(0)
    hidden = factory if place == "hidden" else keras.layers.ReLU
    model = keras.Sequential(
        [
            keras.Input((features,)),
            keras.layers.Dense(width),
            hidden(),
            keras.layers.Dense(width),
            hidden(),
            keras.layers.Dense(classes),
            *([factory()] if place == "output" else []),
        ]
    )
    optimizer = keras.optimizers.SGD(1e-3)
    optimizer.build(model.trainable_variables)
    return model, optimizer
