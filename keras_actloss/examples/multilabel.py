"""Multi-label classification: a Sigmoid per class with binary cross-entropy.

`make_multilabel_classification` (2000 samples, 20 features, 5 labels, about
2 per sample): each label is its own yes/no question, so each output unit
has its own Sigmoid and binary cross-entropy is averaged over them, the
multi-label row of the cheat sheet in "Activation Functions and Loss
Functions: The Engines of Neural Network Learning" (MHTECHIN, 2026). A
Softmax would wrongly make the labels compete. It reports precision, recall
and F1 for each label on the test set, with a figure.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_actloss import layers, losses, metrics
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

LABELS = 5


def load(seed):
    from sklearn.datasets import make_multilabel_classification

    x, y = make_multilabel_classification(
        n_samples=2000, n_features=20, n_classes=LABELS, n_labels=2, random_state=42
    )
    return split(x, y.astype("float32"), scale=True)


def build_model():
    """20 features -> 64 -> 32 (ReLU) -> 5 (Sigmoid each)."""
    model = mlp(20, (64, 32), LABELS, layers.Sigmoid(name="output_activation"), "multilabel")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=losses.BinaryCrossentropy(),
        metrics=[metrics.BinaryAccuracy(name="accuracy")],
    )
    return model


def train(splits, args):
    model = build_model()
    print(f"Training 64-32 ReLU -> {LABELS} Sigmoid units with binary cross-entropy (Adam):")
    history = fit_plain(model, splits, args, EXAMPLE, batch_size=32)
    return [Trained("sigmoid per class + binary cross-entropy", model, history)]


def report(splits, trained, out):
    from sklearn.metrics import precision_recall_fscore_support

    (item,) = trained
    scores = item.model.predict(splits.x_test, verbose=0)
    # A label is predicted above probability 0.5, which is score 0 for a logits head.
    predicted = (scores > (0.0 if outputs_logits(item.model) else 0.5)).astype("int32")
    precision, recall, f1, support = precision_recall_fscore_support(
        splits.y_test, predicted, zero_division=0
    )
    names = [f"label {i}" for i in range(LABELS)]
    print(f"\n{'':8} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    for row in zip(names, precision, recall, f1, support, strict=True):
        print(f"{row[0]:8} {row[1]:9.3f} {row[2]:7.3f} {row[3]:6.3f} {row[4]:8d}")
    exact = float(np.mean(np.all(predicted == splits.y_test, axis=1)))
    path = figures.bars(
        names,
        {"precision": precision, "recall": recall, "F1": f1},
        out / "multilabel.png",
        "Per-label scores on the test set",
        "score",
    )
    print(f"Exact-match ratio (all {LABELS} labels right) {exact:.4f}. Figure: {path}")
    return {"macro_f1": float(np.mean(f1)), "exact_match": exact}


EXAMPLE = Example(
    name="multilabel",
    title="Multi-label classification: a Sigmoid per class + binary cross-entropy",
    summary="make_multilabel_classification, 5 labels; per-label precision, recall and F1.",
    task="multilabel",
    load=load,
    train=train,
    report=report,
    epochs=40,
)

if __name__ == "__main__":
    raise SystemExit(main(EXAMPLE))
