"""Multi-class classification of handwritten digits: Softmax with sparse categorical cross-entropy.

scikit-learn's bundled digits (1797 images of 8x8 pixels, 10 classes; no
download), split 70/15/15 with every class in proportion. A network of two
hidden ReLU layers ends in a 10-unit Softmax trained with sparse categorical
cross-entropy on the integer labels: the multi-class row of the cheat sheet
in "Activation Functions and Loss Functions: The Engines of Neural Network
Learning" (MHTECHIN, 2026). It saves the test set's confusion matrix.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_actloss import layers, losses
from keras_actloss.examples import figures
from keras_actloss.examples.runner import Example, Trained, fit_plain, main, mlp, split

CLASSES = 10


def load(seed):
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return split(x / 16.0, y.astype("int32"), scale=False, stratify=True)  # pixels 0..16


def build_model():
    """64 pixels -> 64 -> 32 (ReLU) -> 10 (Softmax)."""
    model = mlp(64, (64, 32), CLASSES, layers.Softmax(name="output_activation"), "digits")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    return model


def train(splits, args):
    model = build_model()
    print("Training 64-32 ReLU -> Softmax(10) with sparse categorical cross-entropy (Adam):")
    history = fit_plain(model, splits, args, EXAMPLE, batch_size=32)
    return [Trained("softmax + sparse categorical cross-entropy", model, history)]


def report(splits, trained, out):
    from sklearn.metrics import confusion_matrix

    (item,) = trained
    scores = item.model.predict(splits.x_test, verbose=0)
    # A head that outputs logits ranks the classes the same way as its softmax.
    predicted = scores.argmax(axis=-1)
    matrix = confusion_matrix(splits.y_test, predicted, labels=range(CLASSES))
    accuracy = float(np.trace(matrix) / matrix.sum())
    confused = matrix - np.diag(np.diag(matrix))
    true, wrong = np.unravel_index(confused.argmax(), confused.shape)
    path = figures.confusion(
        matrix,
        list(range(CLASSES)),
        out / "multiclass_digits.png",
        f"Digits, test set: accuracy {accuracy:.3f}",
    )
    print(
        f"Test accuracy {accuracy:.4f}; most confused: {true} read as {wrong} "
        f"({confused[true, wrong]} times). Figure: {path}"
    )
    return {"test_accuracy_from_confusion": accuracy, "errors": int(confused.sum())}


EXAMPLE = Example(
    name="multiclass_digits",
    title="Multi-class classification: digits with Softmax + sparse categorical cross-entropy",
    summary="scikit-learn's 8x8 digits, 10 classes; confusion-matrix figure.",
    task="multiclass",
    load=load,
    train=train,
    report=report,
    epochs=60,
)

if __name__ == "__main__":
    raise SystemExit(main(EXAMPLE))
