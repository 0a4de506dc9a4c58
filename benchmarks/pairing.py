"""Cost of the pairing checks: the validator's share of `fit`, and `check_targets` on 1M labels.

The time spent inside `PairingValidator.on_train_begin` is measured
directly (a difference of two `fit` times would drown in machine noise) and
reported as a share of the whole `fit` it belongs to: the moons task of
"Activation Functions and Loss Functions: The Engines of Neural Network
Learning" (MHTECHIN, 2026), 2000 points, an MLP 32-16-8 with ReLU, a
sigmoid output with binary cross-entropy, batch 64.

    python benchmarks/pairing.py [--epochs 50] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import make_moons  # noqa: E402

import keras_actloss as ka  # noqa: E402


class TimedValidator(ka.callbacks.PairingValidator):
    """The validator, timing its own work."""

    seconds = 0.0

    def on_train_begin(self, logs=None):
        start = time.perf_counter()
        super().on_train_begin(logs)
        self.seconds = time.perf_counter() - start


def moons_model():
    return keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1),
            ka.Sigmoid(),
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    x, y = make_moons(n_samples=2000, noise=0.2, random_state=42)
    x, y = x.astype("float32"), y.astype("float32")[:, None]
    shares, inside = [], []
    for repeat in range(args.repeats):
        keras.utils.set_random_seed(repeat)
        model = moons_model()
        model.compile(optimizer="adam", loss=ka.losses.BinaryCrossentropy(), metrics=["accuracy"])
        validator = TimedValidator(y=y)
        start = time.perf_counter()
        model.fit(x, y, batch_size=64, epochs=args.epochs, verbose=0, callbacks=[validator])
        total = time.perf_counter() - start
        shares.append(validator.seconds / total)
        inside.append(validator.seconds)
    print(
        f"PairingValidator(y=y) in fit of the moons MLP, {args.epochs} epochs, "
        f"{args.repeats} runs: {statistics.median(inside) * 1e3:.1f} ms inside the callback, "
        f"{statistics.median(shares) * 100:.3f} % of fit (median; max "
        f"{max(shares) * 100:.3f} %; target < 1 %)"
    )

    model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(10), ka.Softmax()])
    model.compile(loss="sparse_categorical_crossentropy")
    labels = np.random.default_rng(0).integers(0, 10, 1_000_000)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        ka.check_targets(model, labels)
        times.append(time.perf_counter() - start)
    print(
        f"check_targets on 1,000,000 integer labels: {statistics.median(times):.3f} s "
        "(median; target < 0.5 s)"
    )


if __name__ == "__main__":
    main()
