"""Cost of the training-health monitors as a share of `fit`, and the dead-ReLU figure.

Overhead: the moons example (`keras_actloss.examples.binary_moons`: 1400
training points, the 32-16-8 ReLU -> Sigmoid network, SGD(0.05), binary
cross-entropy, batch 64, with its validation data) is fitted with
`DeadReLUMonitor`, `SaturationMonitor` and `GradientHealthMonitor` at their
defaults, on a probe of the first 256 validation samples. The time spent
inside each monitor's `on_epoch_end` is measured directly with
`time.perf_counter` (a difference of two `fit` times would drown in this
machine's noise) and divided by the wall time of the `fit` it belongs to.
Each round fits a fresh model twice, once with the monitors at every=1 and
once at every=5, in alternating order; the share printed is the median over
rounds with its interquartile range. One untimed warm-up fit runs first (the
process's one-off TensorFlow start-up); every timed fit builds a fresh
model, so its own tracing (train and validation steps, and the monitors'
first check, which traces the probe reader) is included.

Figure: the same data through 2 -> Dense(32) -> ReLU -> Dense(16) -> ReLU
-> Dense(1) -> Sigmoid, once with a learning rate far too large (Adam(0.5)),
which kills ReLU units, and once with a sane one (Adam(1e-2)), each for 30
epochs with `DeadReLUMonitor(probe)`; it draws `dead_fraction/LAYER` from
`History.history` and prints the `HealthWarning`s the broken run raises.

    python benchmarks/health.py [--rounds 5] [--epochs 60] [--figure PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
from paired import paired_ratio  # noqa: E402

import keras_actloss as ka  # noqa: E402
from keras_actloss.callbacks import (  # noqa: E402
    DeadReLUMonitor,
    GradientHealthMonitor,
    SaturationMonitor,
)
from keras_actloss.examples import binary_moons  # noqa: E402
from keras_actloss.findings import HealthWarning  # noqa: E402

MONITORS = (DeadReLUMonitor, SaturationMonitor, GradientHealthMonitor)
TARGET = 0.05
FIGURE = Path("docs/health/dead_fraction.png")


def timed(monitor_class):
    """The monitor class, timing each of its `on_epoch_end` calls."""

    class Timed(monitor_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.seconds = 0.0  # in every call, checks or not
            self.checks = []  # seconds of each call that ran a check

        def on_epoch_end(self, epoch, logs=None):
            start = time.perf_counter()
            super().on_epoch_end(epoch, logs)
            took = time.perf_counter() - start
            self.seconds += took
            if (epoch + 1) % self.every == 0:
                self.checks.append(took)

    Timed.__name__ = monitor_class.__name__
    return Timed


def timed_fit(splits, probe, every, epochs, seed):
    """Fits a fresh moons model with the three timed monitors; returns (fit seconds, monitors)."""
    keras.utils.set_random_seed(seed)
    model = binary_moons.build_model()
    monitors = [timed(cls)(probe, every=every) for cls in MONITORS]
    start = time.perf_counter()
    model.fit(
        splits.x_train,
        splits.y_train,
        validation_data=(splits.x_val, splits.y_val),
        batch_size=64,
        epochs=epochs,
        verbose=0,
        callbacks=monitors,
    )
    return time.perf_counter() - start, monitors


def share_cell(inside, totals):
    median, q1, q3 = paired_ratio(inside, totals)
    return f"{median:6.2%} (IQR {q1:.2%}–{q3:.2%})"


def overhead(splits, rounds, epochs):
    probe = (splits.x_val[:256], splits.y_val[:256])
    with warnings.catch_warnings(record=True) as caught:
        timed_fit(splits, probe, every=1, epochs=3, seed=999)  # warm-up, not timed
        # runs[every] = [(fit seconds, monitors), ...], one per round
        runs = {1: [], 5: []}
        for r in range(rounds):
            for every in (1, 5) if r % 2 == 0 else (5, 1):
                runs[every].append(timed_fit(splits, probe, every, epochs, seed=r))
    found = [w for w in caught if issubclass(w.category, HealthWarning)]

    print(
        f"Health monitors in fit of the moons example (32-16-8 ReLU -> Sigmoid, SGD(0.05), "
        f"batch 64, {len(splits.x_train)} training and {len(splits.x_val)} validation points), "
        f"{epochs} epochs, probe = first {len(probe[0])} validation samples, {rounds} rounds; "
        "time inside each monitor's on_epoch_end / fit wall time, median over rounds (IQR); "
        "each fit a fresh model, its tracing included; one untimed warm-up fit first."
    )
    for every in (1, 5):
        totals = [seconds for seconds, _ in runs[every]]
        print(
            f"\nevery={every}: fit {statistics.median(totals):.2f} s (median), "
            f"{epochs // every} checks per monitor per fit"
        )
        print(f"  {'monitor':<22} {'share of fit':<28} {'ms per check: first, then median'}")
        for i, cls in enumerate(MONITORS):
            inside = [monitors[i].seconds for _, monitors in runs[every]]
            first = statistics.median(monitors[i].checks[0] for _, monitors in runs[every])
            later = statistics.median(
                t for _, monitors in runs[every] for t in monitors[i].checks[1:]
            )
            print(
                f"  {cls.__name__:<22} {share_cell(inside, totals):<28} "
                f"{first * 1e3:7.1f}, {later * 1e3:6.2f}"
            )
        inside = [sum(m.seconds for m in monitors) for _, monitors in runs[every]]
        median, _, q3 = paired_ratio(inside, totals)
        print(f"  {'all three':<22} {share_cell(inside, totals):<28}")
        verdict = "holds" if median < TARGET else "does NOT hold"
        print(
            f"  target < {TARGET:.0%} in total: {verdict} (median {median:.2%}, "
            f"third quartile {q3:.2%})"
        )
    print(f"\n({len(found)} HealthWarnings were raised during the timed fits.)")


def relu_net():
    return keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(32, name="dense_1"),
            ka.layers.ReLU(name="relu_1"),
            keras.layers.Dense(16, name="dense_2"),
            ka.layers.ReLU(name="relu_2"),
            keras.layers.Dense(1, name="output"),
            ka.layers.Sigmoid(name="output_activation"),
        ]
    )


class WarningEpochs(keras.callbacks.Callback):
    """Notes how many warnings had been caught by the end of each epoch."""

    def __init__(self, caught):
        super().__init__()
        self.caught = caught
        self.counts = []

    def on_epoch_end(self, epoch, logs=None):
        self.counts.append(len(self.caught))


def dead_run(splits, probe, optimizer, epochs, seed):
    """Fits the ReLU net with `DeadReLUMonitor`; returns (history, accuracy, [(epoch, warning)])."""
    keras.utils.set_random_seed(seed)
    model = relu_net()
    model.compile(
        optimizer=optimizer,
        loss=ka.losses.BinaryCrossentropy(),
        metrics=[keras.metrics.BinaryAccuracy(name="accuracy")],
    )
    # The fraction before training: the monitor's own measurement on the fresh model.
    before = DeadReLUMonitor(probe)
    before.set_model(model)
    initial, _ = before.measure()
    # The filters in effect are kept (no simplefilter): what is caught is what a user sees.
    with warnings.catch_warnings(record=True) as caught:
        marks = WarningEpochs(caught)
        history = model.fit(
            splits.x_train,
            splits.y_train,
            batch_size=64,
            epochs=epochs,
            verbose=0,
            callbacks=[DeadReLUMonitor(probe), marks],
        )
    shown = []
    for epoch, count in enumerate(marks.counts, start=1):
        while len(shown) < count:
            shown.append((epoch, caught[len(shown)]))
    curves = {
        key.split("/", 1)[1]: [initial[key], *values]
        for key, values in history.history.items()
        if key.startswith("dead_fraction/")
    }
    _, accuracy = model.evaluate(splits.x_val, splits.y_val, verbose=0)
    return curves, accuracy, shown


def figure(splits, path, epochs, seed):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    probe = (splits.x_val[:256], splits.y_val[:256])
    runs = [
        ("Adam, learning rate 0.5 (far too large)", keras.optimizers.Adam(0.5)),
        ("Adam, learning rate 0.01 (sane)", keras.optimizers.Adam(1e-2)),
    ]
    results = [dead_run(splits, probe, optimizer, epochs, seed) for _, optimizer in runs]

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, (title, _), (curves, accuracy, _) in zip(axes, runs, results, strict=True):
        for layer, values in curves.items():
            ax.plot(range(len(values)), values, marker="o", markersize=3, label=f"layer {layer}")
        ax.axhline(0.5, color="grey", linestyle="--", linewidth=1, label="warning threshold (50 %)")
        ax.set_title(f"{title}\nvalidation accuracy {accuracy:.1%}")
        ax.set_xlabel("Epoch (0 = before training)")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("Share of units dead (0 on every probe sample)")
    axes[0].legend(loc="upper left")
    fig.suptitle("Dead ReLU units on the moons data, measured by DeadReLUMonitor")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)

    print(f"\nDead-ReLU figure ({epochs} epochs, seed {seed}): {path}")
    for (title, _), (curves, accuracy, shown) in zip(runs, results, strict=True):
        print(f"  {title}: validation accuracy {accuracy:.1%}; dead fraction per layer")
        for layer, values in curves.items():
            print(f"    {layer}: " + " ".join(f"{v:.2f}" for v in values))
        print(f"    {len(shown)} HealthWarnings shown")
    curves, _, shown = results[0]
    if not shown:
        print("\nThe broken run raised no HealthWarning.")
        return
    epoch, first = shown[0]
    print(f"\nThe broken run's first HealthWarning (epoch {epoch}), as Python prints it:\n")
    print(
        warnings.formatwarning(
            first.message, first.category, first.filename, first.lineno, line=""
        ).rstrip()
    )
    print("\nAll of the broken run's HealthWarnings (shortened):")
    for epoch, caught in shown:
        text = str(caught.message)
        print(f"  epoch {epoch:2d}: {text.split(': ', 1)[0]}: {text.split(': ', 1)[1][:58]}...")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=60, help="epochs per timed fit")
    parser.add_argument("--figure", type=Path, default=FIGURE, help="where to save the PNG")
    parser.add_argument("--figure-epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1, help="seed of the figure's two runs")
    args = parser.parse_args(argv)

    splits = binary_moons.load(0)
    overhead(splits, args.rounds, args.epochs)
    figure(splits, args.figure, args.figure_epochs, args.seed)


if __name__ == "__main__":
    main()
