"""Binary classification of two interleaving moons: a Sigmoid output with binary cross-entropy.

Example 1 of "Activation Functions and Loss Functions: The Engines of Neural
Network Learning" (MHTECHIN, 2026), rebuilt with Keras and this package: the
same data (`make_moons`, 2000 samples, noise 0.2), split (70/15/15) and
scaling, the same network (hidden layers of 32, 16 and 8 ReLU units, one
Sigmoid output unit, Glorot initialisation), loss (binary cross-entropy),
plain gradient descent at learning rate 0.05, batch size 64 and 500 epochs.
It saves the article's three panels: loss curves, accuracy curves, and the
decision boundary.

With ``--tuner`` the network's depth, widths, hidden activation, dropout,
output head, learning rate and batch size are searched instead.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_actloss import layers, losses
from keras_actloss.examples import figures
from keras_actloss.examples.runner import (
    Example,
    Trained,
    fit_plain,
    main,
    mlp,
    outputs_logits,
    split,
)


def load(seed):
    from sklearn.datasets import make_moons

    # The article's data and split (random_state=42), whatever --seed is.
    x, y = make_moons(n_samples=2000, noise=0.2, random_state=42)
    return split(x, y.reshape(-1, 1).astype("float32"), scale=True)


def build_model():
    """The article's network: 2 -> 32 -> 16 -> 8 (ReLU) -> 1 (Sigmoid)."""
    model = mlp(2, (32, 16, 8), 1, layers.Sigmoid(name="output_activation"), "moons_classifier")
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.05),
        loss=losses.BinaryCrossentropy(),
        metrics=[keras.metrics.BinaryAccuracy(name="accuracy")],
    )
    return model


def train(splits, args):
    model = build_model()
    print("Training 32-16-8 ReLU -> Sigmoid with binary cross-entropy (SGD, lr 0.05, batch 64):")
    history = fit_plain(model, splits, args, EXAMPLE, batch_size=64)
    return [Trained("sigmoid + binary cross-entropy", model, history)]


def report(splits, trained, out):
    (item,) = trained
    x = np.concatenate([splits.x_train, splits.x_val, splits.x_test])
    y = np.concatenate([splits.y_train, splits.y_val, splits.y_test])
    loss_name = type(item.model.loss).__name__
    path = figures.training_and_boundary(
        item.model,
        item.history,
        x,
        y,
        out / "binary_moons.png",
        loss_name,
        logits=outputs_logits(item.model),
    )
    val = item.history.get("val_accuracy", [np.nan])
    print(
        f"Validation accuracy: best {max(val):.4f}, last {val[-1]:.4f} "
        f"({len(val)} epochs). Figure: {path}"
    )
    return {"best_val_accuracy": float(max(val)), "last_val_accuracy": float(val[-1])}


EXAMPLE = Example(
    name="binary_moons",
    title="Binary classification: make_moons with Sigmoid + binary cross-entropy",
    summary="2000 noisy points in two moons; 32-16-8 ReLU network; decision boundary figure.",
    task="binary",
    load=load,
    train=train,
    report=report,
    epochs=500,
)

if __name__ == "__main__":
    raise SystemExit(main(EXAMPLE))
