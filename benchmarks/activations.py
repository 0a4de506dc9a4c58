"""Train-step speed of our activation layers against Keras's built-ins.

For each pair, a small MLP (two hidden layers, or the output layer for
softmax) is built twice, once with our layer and once with Keras's, and a
compiled (tf.function) forward + backward + SGD step is timed. The two
models alternate within every round so that machine noise hits both alike;
the ratio printed is the median over rounds of ours / Keras within the
round (robust to the machine speeding up or slowing down between rounds),
with the interquartile range of those per-round ratios; the times printed
are the medians of each. Run:

    python benchmarks/activations.py [--rounds 101] [--steps 10]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from paired import paired_ratio, ratio_cell  # noqa: E402
from pairs import PAIRS, mlp  # noqa: E402


def build(factory, place, features, width, classes):
    model, optimizer = mlp(factory, place, features, width, classes)

    @tf.function(jit_compile=False)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        return loss

    return train_step


def seconds_per_step(step, x, y, steps):
    start = time.perf_counter()
    for _ in range(steps):
        loss = step(x, y)
    loss.numpy()  # wait for the last step
    return (time.perf_counter() - start) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=101)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument(
        "--only", nargs="+", choices=list(PAIRS), help="benchmark only these activations"
    )
    parser.add_argument(
        "--no-remapping",
        action="store_true",
        help="turn off Grappler's op fusion (MatMul+BiasAdd+activation), to see its effect",
    )
    args = parser.parse_args()
    if args.no_remapping:
        tf.config.optimizer.set_experimental_options({"remapping": False})

    features, classes = 64, 10
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(args.batch, features)).astype("float32"))
    y = tf.constant(rng.normal(size=(args.batch, classes)).astype("float32"))

    print(
        f"Compiled train step, MLP {features}-{args.width}-{args.width}-{classes}, "
        f"batch {args.batch}, {args.rounds} rounds x {args.steps} steps, "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, CPU"
        f"{', Grappler remapping off' if args.no_remapping else ''}\n"
    )
    print("| activation | ours (ms/step) | Keras (ms/step) | ours / Keras (IQR) |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for name, (ours, theirs, place) in PAIRS.items():
        if args.only and name not in args.only:
            continue
        steps = {
            "ours": build(ours, place, features, args.width, classes),
            "keras": build(theirs, place, features, args.width, classes),
        }
        for step in steps.values():  # trace, then one untimed round to warm caches
            seconds_per_step(step, x, y, args.steps)
        times = {"ours": [], "keras": []}
        for round_ in range(args.rounds):
            order = ("ours", "keras") if round_ % 2 == 0 else ("keras", "ours")
            for key in order:
                times[key].append(seconds_per_step(steps[key], x, y, args.steps))
        ours_ms = statistics.median(times["ours"]) * 1e3
        keras_ms = statistics.median(times["keras"]) * 1e3
        ratio, _, _ = paired_ratio(times["ours"], times["keras"])
        worst = max(worst, ratio)
        cell = ratio_cell(times["ours"], times["keras"])
        print(f"| {name} | {ours_ms:.3f} | {keras_ms:.3f} | {cell} |")
    print(f"\nworst ratio: {worst:.3f} (target <= 1.05)")


if __name__ == "__main__":
    main()
