"""Speed of our activations and losses against Keras's built-ins, over a grid of sizes.

What is measured, on one Keras backend (each compared with that backend's
Keras built-in):

- Activations: every activation of `pairs.PAIRS` as the hidden activation
  of an MLP 256 -> Dense(W) -> act -> Dense(W) -> act -> Dense(10), mean
  squared error to random targets, one SGD step: a compiled train step
  (forward, backward and the optimizer's update), for widths W of 64, 256
  and 1024 and batches B of 32, 256 and 1024. Softmax is measured twice: in
  place of the hidden activation ("Softmax (hidden)"), and after the last
  Dense with ReLU hidden layers ("Softmax (output)").
- Losses: every loss of `pairs.loss_cases`, its value and its gradient
  with respect to the model's output, at batch x classes of 256x10,
  4096x256 and 65536x10.

Each kind has a control row that puts Keras's own layer or loss on both
sides ("ReLU vs ReLU (control)", "MeanSquaredError vs MeanSquaredError
(control)"): the same computation twice, so its spread is the noise floor of
the run, and a ratio elsewhere means something only where it stands
outside that.

Method, per cell (one row at one size): both versions are built from the
same initial weights and compiled (traced, or jitted), their first losses
are compared (a relative difference above 1e-5 prints a warning), and one
untimed measurement of each warms the caches and calibrates how many steps
a measurement runs, so that it takes about `--target-ms`. Then in every
round both are timed one after the other, ours first in even rounds and
Keras's first in odd rounds, each measurement ending by waiting for its last
result. A cell's figure is the median over rounds of the per-round ratio
ours / Keras (robust to the machine speeding up or slowing down between
rounds) with the interquartile range of those ratios; below 1.00 ours is
faster.

How each backend runs a step:

- tensorflow: `tf.function` around a `tf.GradientTape` step and
  `optimizer.apply`, with XLA (`jit_compile`) off and on (`--jit`).
- jax: `jax.jit` of a pure step: `jax.value_and_grad` through
  `model.stateless_call`, then `optimizer.stateless_apply`, the state
  carried from step to step as Keras's JAX trainer does.
- torch: eagerly, as Keras runs on PyTorch: forward, `torch.autograd.grad`,
  then `optimizer.apply` under `torch.no_grad()`.

Writes `grid-<backend>.csv`, `grid-<backend>.md` and `grid-<backend>.png`
(`grid-<backend>-fast.*` with `--numerics fast`, our functions computed
with Keras's own kernels, see `keras_actloss.config`)
(a heat map of the ratios) into `--out`, prints the Markdown, and reports
each row on stderr as it finishes. On 2 CPU cores the whole TensorFlow grid
takes about 5 minutes, `--quick` about half a minute. Run:

    python benchmarks/grid.py                    # all of it: TensorFlow, XLA off and on
    python benchmarks/grid.py --quick            # two sizes, four losses, XLA off
    python benchmarks/grid.py --backend jax      # or torch
    python benchmarks/grid.py --only tanh Huber  # only these rows (and the controls)
    python benchmarks/grid.py --numerics fast    # keras_actloss.config.set_numerics("fast")
"""

from __future__ import annotations

import argparse
import csv
import datetime
import gc
import itertools
import math
import os
import platform
import statistics
import sys
import time
import traceback
from pathlib import Path

BACKENDS = ("tensorflow", "jax", "torch")
FEATURES, CLASSES = 256, 10
WIDTHS, BATCHES = (64, 256, 1024), (32, 256, 1024)
LOSS_SIZES = ((256, 10), (4096, 256), (65536, 10))
QUICK_ACTIVATION_SIZES = ((256, 256), (1024, 1024))  # (width, batch)
QUICK_LOSS_SIZES = ((4096, 256),)
QUICK_LOSSES = (
    "CategoricalCrossentropy (from_logits=True)",
    "BinaryCrossentropy (from_logits=True)",
    "MeanSquaredLogarithmicError",
    "Huber",
)
ACTIVATION_CONTROL = "ReLU vs ReLU (control)"
LOSS_CONTROL = "MeanSquaredError vs MeanSquaredError (control)"
AGREEMENT = 1e-5  # relative difference of the two first losses that is still agreement
MAX_STEPS = 10_000  # per measurement, however fast a step is


def _parser():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=BACKENDS, default="tensorflow")
    parser.add_argument(
        "--jit",
        choices=("off", "on", "both"),
        help="TensorFlow only: XLA compilation of the steps (default: both; off with --quick)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="two activation sizes, one loss size, four losses, XLA off, 7 rounds",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="measure only the rows with this name, or this name before its parenthesis "
        "(case-insensitive: 'softmax' is both Softmax rows); the control of each kind "
        "measured comes too",
    )
    parser.add_argument(
        "--numerics",
        choices=("exact", "fast"),
        default="exact",
        help="our functions' numerics (keras_actloss.config.set_numerics): exact (the default) "
        "or fast, Keras's own kernels",
    )
    parser.add_argument("--rounds", type=int, help="timed rounds per cell (default 15; 7 quick)")
    parser.add_argument(
        "--target-ms",
        type=float,
        default=15.0,
        help="how long one measurement of one side runs (default 15): as many steps as fit",
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent / "results", metavar="DIR"
    )
    return parser


if __name__ == "__main__":
    # Keras fixes its backend when first imported, so the options are read before that.
    _ARGS = _parser().parse_args()
    os.environ["KERAS_BACKEND"] = _ARGS.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from paired import paired_ratio  # noqa: E402
from pairs import PAIRS, loss_cases, mlp  # noqa: E402

import keras_actloss  # noqa: E402

BACKEND = keras.backend.backend()


# --- the rows ---------------------------------------------------------------------------------


def activation_rows():
    """(name, our layer factory, Keras's layer factory, place), the control first."""
    rows = [(ACTIVATION_CONTROL, keras.layers.ReLU, keras.layers.ReLU, "hidden")]
    for name, (ours, theirs, place) in PAIRS.items():
        if place == "output":  # an output activation is also timed where a hidden one goes
            rows.append((f"{name} (hidden)", ours, theirs, "hidden"))
            rows.append((f"{name} (output)", ours, theirs, "output"))
        else:
            rows.append((name, ours, theirs, place))
    return rows


def loss_rows(batch, classes):
    """(name, our loss, Keras's loss, y_true, model output, activation), the control first.

    The same data for every call with the same size, so that the rows of a
    size see the same numbers whichever are selected.
    """
    cases = loss_cases(batch, classes, np.random.default_rng(0))
    _, _, _, y_true, y_pred, _ = next(c for c in cases if c[0] == "MeanSquaredError")
    control = (LOSS_CONTROL, keras.losses.MeanSquaredError(), keras.losses.MeanSquaredError())
    return [(*control, y_true, y_pred, None), *cases]


def _selected(name, only):
    if not only:
        return True
    wanted = {n.lower() for n in only}
    return name.lower() in wanted or name.split(" (")[0].lower() in wanted


def _activation_sizes(quick):
    if quick:
        return [(w, b) for w, b in QUICK_ACTIVATION_SIZES]
    return [(w, b) for w in WIDTHS for b in BATCHES]


def _size_label(kind, size):
    return f"W={size[0]} B={size[1]}" if kind == "activation" else f"{size[0]}x{size[1]}"


# --- one step on each backend ----------------------------------------------------------------
#
# Each maker returns `run(steps)`: it runs that many steps, waits for the
# last one to finish, and returns the last loss value as a float.


def _mlp(factory, place, width):
    return mlp(factory, place, FEATURES, width, CLASSES)


def _mse(prediction, target):
    return keras.ops.mean(keras.ops.square(prediction - target))


def train_step(factory, place, width, x, y, jit):
    """`run(steps)` of the MLP's train step with this activation."""
    model, optimizer = _mlp(factory, place, width)
    x, y = keras.ops.convert_to_tensor(x), keras.ops.convert_to_tensor(y)
    if BACKEND == "tensorflow":
        import tensorflow as tf

        @tf.function(jit_compile=jit)
        def step(x, y):
            with tf.GradientTape() as tape:
                loss = _mse(model(x, training=True), y)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply(grads, model.trainable_variables)
            return loss

        def run(steps):
            for _ in range(steps):
                loss = step(x, y)
            return float(loss.numpy())

        return run

    if BACKEND == "jax":
        import jax

        def loss_fn(trainable, non_trainable, x, y):
            output, non_trainable = model.stateless_call(trainable, non_trainable, x, training=True)
            return _mse(output, y), non_trainable

        grad_fn = jax.value_and_grad(loss_fn, has_aux=True)

        @jax.jit
        def step(state, x, y):
            trainable, non_trainable, optimizer_vars = state
            (loss, non_trainable), grads = grad_fn(trainable, non_trainable, x, y)
            trainable, optimizer_vars = optimizer.stateless_apply(optimizer_vars, grads, trainable)
            return loss, (trainable, non_trainable, optimizer_vars)

        state = (
            [v.value for v in model.trainable_variables],
            [v.value for v in model.non_trainable_variables],
            [v.value for v in optimizer.variables],
        )

        def run(steps):
            nonlocal state
            for _ in range(steps):
                loss, state = step(state, x, y)
            return float(loss.block_until_ready())

        return run

    import torch

    variables = model.trainable_variables

    def run(steps):
        for _ in range(steps):
            loss = _mse(model(x, training=True), y)
            grads = torch.autograd.grad(loss, [v.value for v in variables])
            with torch.no_grad():
                optimizer.apply(grads, variables)
        return float(loss.detach())

    return run


def loss_step(loss, y_true, y_pred, activation, jit):
    """`run(steps)` of the loss of `activation(y_pred)` and its gradient with respect to y_pred."""

    def value(y_true, x):
        return loss(y_true, x if activation is None else activation(x))

    if BACKEND == "tensorflow":
        import tensorflow as tf

        y_true, x = tf.constant(y_true), tf.constant(y_pred)

        @tf.function(jit_compile=jit)
        def step(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                result = value(y_true, x)
            return result, tape.gradient(result, x)

        def run(steps):
            for _ in range(steps):
                result, gradient = step(x)
            gradient.numpy()
            return float(result.numpy())

        return run

    if BACKEND == "jax":
        import jax

        # The targets are an argument, not a constant baked into the program, which XLA
        # could fold into the loss ahead of time on one side and not the other.
        step = jax.jit(jax.value_and_grad(lambda x, y_true: value(y_true, x)))
        y_true, x = keras.ops.convert_to_tensor(y_true), keras.ops.convert_to_tensor(y_pred)

        def run(steps):
            for _ in range(steps):
                result, gradient = step(x, y_true)
            gradient.block_until_ready()
            return float(result)

        return run

    import torch

    y_true = keras.ops.convert_to_tensor(y_true)
    x = keras.ops.convert_to_tensor(y_pred).requires_grad_(True)

    def run(steps):
        for _ in range(steps):
            result = value(y_true, x)
            (gradient,) = torch.autograd.grad(result, x)
        return float(result.detach())

    return run


# --- timing -----------------------------------------------------------------------------------


def _seconds_per_step(run, steps):
    start = time.perf_counter()
    run(steps)
    return (time.perf_counter() - start) / steps


def _steps_for(target_s, seconds_per_step):
    return max(1, min(MAX_STEPS, round(target_s / max(seconds_per_step, 1e-9))))


def measure(ours, theirs, rounds, target_s):
    """(first losses, per-step seconds of ours and of Keras's per round, steps per measurement).

    Both sides run the same number of steps per measurement: the one that
    takes about `target_s` at their mean speed in the warm-up.
    """
    runs = {"ours": ours, "keras": theirs}
    first = {key: run(1) for key, run in runs.items()}  # traces or compiles
    per_step = statistics.mean(_seconds_per_step(run, 1) for run in runs.values())
    steps = _steps_for(target_s, per_step)
    per_step = statistics.mean(_seconds_per_step(run, steps) for run in runs.values())
    steps = _steps_for(target_s, per_step)
    times = {"ours": [], "keras": []}
    # A collection of the previous cell's garbage inside a timed measurement would land on
    # one side only; the rounds allocate little that reference counting does not free.
    gc.collect()
    gc.disable()
    try:
        for round_ in range(rounds):
            order = ("ours", "keras") if round_ % 2 == 0 else ("keras", "ours")
            for key in order:
                times[key].append(_seconds_per_step(runs[key], steps))
    finally:
        gc.enable()
    return first, times["ours"], times["keras"], steps


# --- the grid ---------------------------------------------------------------------------------


def _plan(args):
    """[(kind, jit, name, size, make_runs)], in the order measured; make_runs builds both sides."""
    jits = {"off": [False], "on": [True], "both": [False, True]}[args.jit]
    if BACKEND != "tensorflow":
        jits = [None]  # JAX always compiles, PyTorch runs eagerly: nothing to choose
    rng = np.random.default_rng(0)
    data = {}
    for _, batch in _activation_sizes(args.quick):
        if batch not in data:
            data[batch] = (
                rng.normal(size=(batch, FEATURES)).astype("float32"),
                rng.normal(size=(batch, CLASSES)).astype("float32"),
            )
    loss_sizes = QUICK_LOSS_SIZES if args.quick else LOSS_SIZES
    plan = []
    for jit in jits:
        for name, ours, theirs, place in activation_rows():
            if not (name == ACTIVATION_CONTROL or _selected(name, args.only)):
                continue
            for width, batch in _activation_sizes(args.quick):
                x, y = data[batch]

                def make(ours=ours, theirs=theirs, place=place, width=width, x=x, y=y, jit=jit):
                    return (
                        train_step(ours, place, width, x, y, jit),
                        train_step(theirs, place, width, x, y, jit),
                    )

                plan.append(("activation", jit, name, (width, batch), make))
    # The rows of every size, in the same order: a row's cells are measured one after another.
    loss_tables = {size: loss_rows(*size) for size in loss_sizes}
    for jit in jits:
        for index, (name, *_) in enumerate(loss_tables[loss_sizes[0]]):
            if name != LOSS_CONTROL:
                if args.quick and name not in QUICK_LOSSES:
                    continue
                if not _selected(name, args.only):
                    continue
            for size in loss_sizes:

                def make(row=loss_tables[size][index], jit=jit):
                    _, ours, theirs, y_true, y_pred, activation = row
                    return (
                        loss_step(ours, y_true, y_pred, activation, jit),
                        loss_step(theirs, y_true, y_pred, activation, jit),
                    )

                plan.append(("loss", jit, name, size, make))
    # A kind whose only rows are its control was not asked for.
    asked = {(kind, jit) for kind, jit, name, _, _ in plan if "(control)" not in name}
    return [cell for cell in plan if (cell[0], cell[1]) in asked]


def _jit_label(jit):
    return "-" if jit is None else ("on" if jit else "off")


def run_grid(args):
    """Measures every cell of the plan; returns (results, warnings, errors)."""
    results, warnings, errors = [], [], []
    plan = _plan(args)
    # The objects of the imported libraries are never garbage: frozen, they are not scanned
    # again by the collection before each cell, which takes a fraction of a second otherwise.
    gc.collect()
    gc.freeze()
    row_start, row_cells = time.perf_counter(), []
    for index, (kind, jit, name, size, make) in enumerate(plan):
        cell = {"kind": kind, "name": name, "jit": _jit_label(jit)}
        cell["size"] = _size_label(kind, size)
        try:
            ours, theirs = make()
            first, ours_t, keras_t, steps = measure(ours, theirs, args.rounds, args.target_ms / 1e3)
        except Exception as error:  # one broken cell should not lose the grid
            errors.append(f"{kind} {name}, {cell['size']}, jit {cell['jit']}: {error!r}")
            traceback.print_exc()
        else:
            ratio, q1, q3 = paired_ratio(ours_t, keras_t)
            cell.update(
                ours_ms=statistics.median(ours_t) * 1e3,
                keras_ms=statistics.median(keras_t) * 1e3,
                ratio=ratio,
                q1=q1,
                q3=q3,
                steps=steps,
            )
            results.append(cell)
            difference = abs(first["ours"] - first["keras"]) / max(abs(first["keras"]), 1e-30)
            if not difference <= AGREEMENT:
                warning = (
                    f"{kind} {name}, {cell['size']}, jit {cell['jit']}: first losses differ by "
                    f"{difference:.1e} (ours {first['ours']:.7g}, Keras {first['keras']:.7g})"
                )
                warnings.append(warning)
                print(f"WARNING {warning}", file=sys.stderr, flush=True)
            row_cells.append(f"{cell['size']} {ratio:.2f}")
        # Keras's global state would otherwise keep growing over the hundreds of models built.
        keras.backend.clear_session(free_memory=False)
        last_of_row = index + 1 == len(plan) or plan[index + 1][:3] != (kind, jit, name)
        if last_of_row:
            elapsed = time.perf_counter() - row_start
            print(
                f"[{kind}, jit {_jit_label(jit)}] {name}: {'; '.join(row_cells) or 'failed'} "
                f"({elapsed:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
            row_start, row_cells = time.perf_counter(), []
    return results, warnings, errors


# --- reports ----------------------------------------------------------------------------------


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _versions():
    versions = [f"Keras {keras.__version__}"]
    if BACKEND == "tensorflow":
        import tensorflow as tf

        versions.append(f"TensorFlow {tf.__version__}")
    elif BACKEND == "jax":
        import jax

        versions.append(f"JAX {jax.__version__}")
    else:
        import torch

        versions.append(f"PyTorch {torch.__version__}")
    return ", ".join(versions)


def _tables(results):
    """{(kind, jit): (row names, size labels, {(name, size): cell})}, in the order measured."""
    tables = {}
    for cell in results:
        names, sizes, cells = tables.setdefault((cell["kind"], cell["jit"]), ([], [], {}))
        if cell["name"] not in names:
            names.append(cell["name"])
        if cell["size"] not in sizes:
            sizes.append(cell["size"])
        cells[cell["name"], cell["size"]] = cell
    return tables


def _cell_text(cell):
    return f"{cell['ratio']:.2f} ({cell['q1']:.2f}–{cell['q3']:.2f})"


TITLES = {
    "activation": "Activations: train step (forward, backward, SGD update)",
    "loss": "Losses: value and gradient with respect to the model's output",
}


def markdown(results, warnings, errors, header):
    lines = [
        f"# Speed of keras_actloss against Keras's built-ins ({BACKEND})",
        "",
        header,
        "",
        "Each cell: the median over rounds of time(ours) / time(Keras) measured in the same "
        "round, and the interquartile range of those ratios; below 1.00 ours is faster. "
        "The control rows time Keras against itself: their spread is the noise floor.",
    ]
    tables = _tables(results)
    for (kind, jit), (names, sizes, cells) in tables.items():
        jit_text = "" if jit == "-" else f", XLA {jit}"
        lines += ["", f"## {TITLES[kind]}{jit_text}", ""]
        lines.append(f"| {kind} | " + " | ".join(sizes) + " |")
        lines.append("|---|" + "---:|" * len(sizes))
        for name in names:
            row = [_cell_text(cells[name, s]) if (name, s) in cells else "–" for s in sizes]
            lines.append(f"| {name} | " + " | ".join(row) + " |")

    measured = [c for c in results if "(control)" not in c["name"]]
    worst = sorted(measured, key=lambda c: c["ratio"], reverse=True)[:10]
    if worst:
        lines += ["", "## Worst cells", ""]
    for cell in worst:
        jit_text = "" if cell["jit"] == "-" else f", XLA {cell['jit']}"
        lines.append(
            f"- {cell['kind']} {cell['name']}, {cell['size']}{jit_text}: {_cell_text(cell)} "
            f"({cell['ours_ms']:.3f} ms vs {cell['keras_ms']:.3f} ms)"
        )
    if any("(control)" in c["name"] for c in results):
        lines += ["", "Noise floor (the control rows):", ""]
    for (_, jit), (_, _, cells) in tables.items():
        controls = [c for (name, _), c in cells.items() if "(control)" in name]
        if not controls:
            continue
        widest = max(controls, key=lambda c: c["q3"] - c["q1"])
        jit_text = "" if jit == "-" else f", XLA {jit}"
        lines.append(
            f"- {controls[0]['name']}{jit_text}: medians "
            f"{min(c['ratio'] for c in controls):.2f}–{max(c['ratio'] for c in controls):.2f}, "
            f"interquartile ranges {min(c['q1'] for c in controls):.2f}–"
            f"{max(c['q3'] for c in controls):.2f} (widest {widest['q1']:.2f}–"
            f"{widest['q3']:.2f} at {widest['size']})"
        )
    if warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    if errors:
        lines += ["", "## Errors", ""] + [f"- {e}" for e in errors]
    return "\n".join(lines) + "\n"


def write_csv(results, path):
    columns = ["kind", "name", "jit", "size", "ours_ms", "keras_ms", "ratio", "q1", "q3"]
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        for cell in results:
            writer.writerow(
                [cell["kind"], cell["name"], cell["jit"], cell["size"]]
                + [f"{cell[c]:.6g}" for c in columns[4:]]
            )


def heat_map(results, path, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    tables = _tables(results)
    if not tables:
        return
    norm = TwoSlopeNorm(vcenter=1.0, vmin=0.8, vmax=1.5)
    cmap = plt.get_cmap("RdBu_r").copy()
    cmap.set_bad("0.85")
    # One row of panels per kind, one column per XLA mode.
    kinds = list(dict.fromkeys(kind for kind, _ in tables))
    jits = list(dict.fromkeys(jit for _, jit in tables))
    rows = [max(len(tables[k, j][0]) for k, j in tables if k == kind) for kind in kinds]
    columns = max(len(sizes) for _, sizes, _ in tables.values())
    fig, axes = plt.subplots(
        len(kinds),
        len(jits),
        figsize=(len(jits) * (0.8 * columns + 4.0) + 1.5, 0.34 * sum(rows) + 1.4 * len(kinds)),
        layout="constrained",
        height_ratios=rows,
        squeeze=False,
    )
    for (i, kind), (j, jit) in itertools.product(enumerate(kinds), enumerate(jits)):
        ax = axes[i][j]
        if (kind, jit) not in tables:
            ax.axis("off")
            continue
        names, sizes, cells = tables[kind, jit]
        ratios = np.full((len(names), len(sizes)), np.nan)
        for (name, size), cell in cells.items():
            ratios[names.index(name), sizes.index(size)] = cell["ratio"]
        # The colours saturate outside the scale; the numbers written on the cells do not.
        shown = np.ma.masked_invalid(np.clip(ratios, norm.vmin, norm.vmax))
        image = ax.imshow(shown, cmap=cmap, norm=norm, aspect="auto")
        for r, c in np.ndindex(ratios.shape):
            if math.isfinite(ratios[r, c]):
                dark = abs(float(norm(shown[r, c])) - 0.5) > 0.3
                ax.text(
                    c,
                    r,
                    f"{ratios[r, c]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
        ax.set_xticks(range(len(sizes)), [s.replace(" ", "\n") for s in sizes], fontsize=8)
        ax.set_yticks(range(len(names)), names, fontsize=8)
        ax.tick_params(length=0)
        jit_text = "" if jit == "-" else f", XLA {jit}"
        ax.set_title(f"{'activations' if kind == 'activation' else 'losses'}{jit_text}")
    fig.colorbar(image, ax=axes, shrink=0.8, label="time ours / time Keras (median)")
    fig.suptitle(title)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(args):
    if args.jit is None:
        args.jit = "off" if args.quick else "both"
    if args.rounds is None:
        args.rounds = 7 if args.quick else 15
    if args.rounds < 3:
        _parser().error("--rounds must be at least 3 for an interquartile range")
    if args.only:
        known = [n for n, *_ in activation_rows()] + [row[0] for row in loss_rows(8, 4)]
        unknown = [n for n in args.only if not any(_selected(k, [n]) for k in known)]
        if unknown:
            _parser().error(f"unknown --only {unknown}; rows: {', '.join(known)}")

    keras_actloss.config.set_numerics(args.numerics)
    started = time.perf_counter()
    results, warnings, errors = run_grid(args)
    elapsed = time.perf_counter() - started

    date = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    jit_text = "" if BACKEND != "tensorflow" else f", XLA {args.jit}"
    header = (
        f"{date}; backend {BACKEND}{jit_text}; {args.numerics} numerics; {_versions()}; "
        f"CPU {_cpu_model()}, "
        f"{os.cpu_count()} cores; {args.rounds} rounds per cell of about {args.target_ms:g} ms "
        f"per side; {elapsed / 60:.1f} minutes in all."
    )
    text = markdown(results, warnings, errors, header)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / ("grid-" + BACKEND + ("" if args.numerics == "exact" else "-fast"))
    write_csv(results, stem.with_suffix(".csv"))
    stem.with_suffix(".md").write_text(text)
    title = f"ours ({args.numerics}) / Keras, {BACKEND}, {date}"
    heat_map(results, stem.with_suffix(".png"), title)
    print(text)
    print(f"wrote {stem}.csv, .md and .png ({elapsed:.0f} s)", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(_ARGS))
