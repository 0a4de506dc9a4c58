"""Speed of our losses against Keras's own, forward pass plus gradient.

For every loss that Keras also has, both versions are compiled with
`tf.function` into "loss and its gradient with respect to the model's
output", on the same batch, and timed alternately in one run (ours first in
one round, Keras's first in the next), so that drifts in machine load hit
both alike. Prints a Markdown table: the median time of each, the median
over rounds of the per-round ratio ours / Keras with its interquartile
range, and how far apart the two losses' values are (relative), which must
be tiny on these ordinary inputs: the script exits 1 if any differs by more
than 1e-5.

    python benchmarks/losses.py [--batch 4096] [--classes 10] [--rounds 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from paired import paired_ratio, ratio_cell  # noqa: E402
from pairs import loss_cases as _cases  # noqa: E402

AGREEMENT = 1e-5  # relative difference of the two losses' values that is still agreement


def _step(loss, y_true, activation):
    """A compiled function: the loss of `activation(x)` and its gradient with respect to x."""
    y_true = tf.constant(y_true)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y_pred = x if activation is None else activation(x)
            value = loss(y_true, y_pred)
        return value, tape.gradient(value, x)

    return step


def _seconds(step, x, calls):
    start = time.perf_counter()
    for _ in range(calls):
        value, gradient = step(x)
    gradient.numpy()  # waits for the last call
    return (time.perf_counter() - start) / calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=100, help="timed rounds per loss")
    parser.add_argument("--calls", type=int, default=20, help="calls per timed round")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    rows = []
    for label, our_loss, keras_loss, y_true, y_pred, activation in _cases(
        args.batch, args.classes, rng
    ):
        x = tf.constant(y_pred)
        steps = {
            "ours": _step(our_loss, y_true, activation),
            "keras": _step(keras_loss, y_true, activation),
        }
        values = {name: step(x)[0].numpy() for name, step in steps.items()}  # traces both
        times = {name: [] for name in steps}
        for round_ in range(args.rounds):
            order = ["ours", "keras"] if round_ % 2 == 0 else ["keras", "ours"]
            for name in order:
                times[name].append(_seconds(steps[name], x, args.calls))
        rows.append((label, times["ours"], times["keras"], values["ours"], values["keras"]))

    machine = platform.processor() or platform.machine()
    print(
        f"Forward + gradient, batch {args.batch} x {args.classes}, float32, tf.function, "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {machine}, "
        f"{os.cpu_count()} CPUs; {args.rounds} rounds of {args.calls} calls.\n"
    )
    print("| loss | ours (µs) | Keras (µs) | ours / Keras (IQR) | values differ by |")
    print("|---|---:|---:|---:|---:|")
    disagree = []
    for label, ours_t, keras_t, ours_v, keras_v in rows:
        difference = abs(float(ours_v) - float(keras_v)) / abs(float(keras_v))
        if difference > AGREEMENT:
            disagree.append(label)
        print(
            f"| {label} | {statistics.median(ours_t) * 1e6:.0f} | "
            f"{statistics.median(keras_t) * 1e6:.0f} | {ratio_cell(ours_t, keras_t)} | "
            f"{difference:.1e} |"
        )
    worst = max(rows, key=lambda row: paired_ratio(row[1], row[2])[0])
    print(f"\nworst ratio: {paired_ratio(worst[1], worst[2])[0]:.2f} ({worst[0]})")
    if disagree:
        print(f"values differ from Keras's by more than {AGREEMENT:g}: {', '.join(disagree)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
