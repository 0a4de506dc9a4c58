"""What every example shares: options, data splits, training or a search, the report.

An example module defines an `Example` (its data, its plain model and its
figure) and calls `main(EXAMPLE, argv)`. With ``--tuner none`` the plain model
trains; with a tuner kind a `TaskHyperModel` search runs instead, resumable
from ``--out``. Either way the trained model is saved as `.keras`, loaded back
in a fresh Python process and checked to score the same on the test set.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from keras_actloss._optional import MissingDependencyError, require
from keras_actloss._strategies import NAMES as STRATEGY_NAMES
from keras_actloss._strategies import resolve_strategy

#: The values of ``--tuner``: plain training, or one of the searches.
TUNER_CHOICES = ("none", "hyperband", "bayesian", "random", "grid")


@dataclasses.dataclass
class Splits:
    """Train, validation and test arrays, and what the report needs to know about them."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    info: dict = dataclasses.field(default_factory=dict)

    def sizes(self):
        return f"{len(self.x_train)} train, {len(self.x_val)} validation, {len(self.x_test)} test"


@dataclasses.dataclass
class Trained:
    """A trained model, its per-epoch history (`History.history`), and a label for reports."""

    label: str
    model: object
    history: dict


@dataclasses.dataclass(frozen=True)
class Example:
    """One runnable example.

    Attributes:
        name: the example's name (its module and `keras-actloss example NAME`).
        title: one line for the report's header.
        summary: one line for listings: data, model and what it shows.
        task: the task (see `keras_actloss.catalog.TASKS`).
        load: `load(seed) -> Splits`.
        train: `train(splits, args) -> [Trained, ...]` for ``--tuner none``.
        report: `report(splits, trained, out) -> {headline: number}`; it
            prints its figures' paths and numbers.
        epochs: the default ``--max-epochs`` of ``--tuner none``.
        hypermodel: keyword arguments for the example's `TaskHyperModel`.
    """

    name: str
    title: str
    summary: str
    task: str
    load: Callable
    train: Callable
    report: Callable
    epochs: int
    hypermodel: dict = dataclasses.field(default_factory=dict)


def split(x, y, *, scale, stratify=False, info=None):
    """70/15/15 train/validation/test `Splits` (random_state 42, as in the source article).

    With `scale`, features are standardised with the training set's mean and
    spread. With `stratify`, every class keeps its share in each part.
    """
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    x_train, x_rest, y_train, y_rest = train_test_split(
        x, y, test_size=0.3, random_state=42, stratify=y if stratify else None
    )
    x_val, x_test, y_val, y_test = train_test_split(
        x_rest, y_rest, test_size=0.5, random_state=42, stratify=y_rest if stratify else None
    )
    xs = [x_train, x_val, x_test]
    if scale:
        scaler = StandardScaler().fit(x_train)
        xs = [scaler.transform(a) for a in xs]
    x_train, x_val, x_test = (np.asarray(a, dtype="float32") for a in xs)
    return Splits(x_train, y_train, x_val, y_val, x_test, y_test, info=info or {})


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer. Received: {text!r}")
    return value


def parser(example):
    p = argparse.ArgumentParser(
        prog=f"keras-actloss example {example.name}",
        description=f"{example.title}. {example.summary}",
    )
    p.add_argument(
        "--tuner",
        choices=TUNER_CHOICES,
        default="none",
        help="plain training (none, the default) or a KerasTuner search",
    )
    p.add_argument(
        "--max-trials",
        type=_positive,
        help="trials of a bayesian, random or grid search (default 20; hyperband sets its own)",
    )
    p.add_argument(
        "--max-epochs",
        type=_positive,
        help=f"epochs of the plain training (default {example.epochs}), of each trial, or at "
        "most per model for hyperband (default 20)",
    )
    p.add_argument("--out", type=Path, help=f"output folder (default runs/{example.name}-TUNER)")
    p.add_argument(
        "--seed", type=int, default=42, help="seeds training and the search (default 42; >= 1)"
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="start the search over (in a distributed search, only the chief does)",
    )
    p.add_argument(
        "--strategy",
        choices=STRATEGY_NAMES,
        default="none",
        help="train on one device (none, the default) or on every local GPU with "
        "tf.distribute.MirroredStrategy (mirrored; TensorFlow backend)",
    )
    p.add_argument(
        "--chief-timeout",
        type=_positive,
        help="in a distributed search, how long a worker waits for the chief before it fails "
        "(seconds; default that of keras_actloss.tuning.make_tuner, 300)",
    )
    return p


def _arguments(example, argv):
    p = parser(example)
    args = p.parse_args(argv)
    if args.max_trials is not None and args.tuner in ("none", "hyperband"):
        p.error(
            "--max-trials applies to --tuner bayesian, random or grid (hyperband's trial count "
            f"follows from --max-epochs). Received: --tuner {args.tuner} "
            f"--max-trials {args.max_trials}"
        )
    if args.max_epochs is not None and args.tuner == "hyperband" and args.max_epochs < 2:
        p.error(f"--tuner hyperband needs --max-epochs >= 2. Received: {args.max_epochs}")
    if args.seed < 1:
        p.error(f"--seed must be >= 1. Received: {args.seed}")
    if args.chief_timeout is not None and args.tuner == "none":
        p.error(
            "--chief-timeout applies to a search (--tuner hyperband, bayesian, random or grid). "
            f"Received: --tuner none --chief-timeout {args.chief_timeout}"
        )
    args.out = args.out or Path("runs") / f"{example.name}-{args.tuner}"
    return args


def _quiet_keras_tuner():
    # KerasTuner loads a Hyperband parent's weights into a fresh optimizer on purpose.
    warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")


def main(example, argv=None):
    """Runs `example` with command-line options `argv`; returns the exit status."""
    args = _arguments(example, argv)
    _quiet_keras_tuner()
    try:
        require("sklearn", f"The {example.name} example")
        require("matplotlib", f"The {example.name} example's figures")
        if args.tuner != "none":
            require("keras_tuner", f"--tuner {args.tuner}")
        strategy = resolve_strategy(args.strategy)
    except (MissingDependencyError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    started = time.perf_counter()
    keras.utils.set_random_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    splits = example.load(args.seed)
    print(f"{example.title}\n{'=' * len(example.title)}")
    print(f"Data: {splits.sizes()}.")
    if args.tuner == "none":
        with strategy.scope() if strategy else contextlib.nullcontext():
            trained = example.train(splits, args)
        search = {}
    else:
        from keras_actloss.tuning import distributed

        try:
            trained, search = _search(example, splits, args, strategy)
        except (distributed.ChiefUnreachableError, distributed.SettingsMismatchError) as error:
            # Status 2, like a usage error: starting this worker again would fail the same way.
            print(f"error: {error}", file=sys.stderr)
            return 2
        if distributed.is_worker():
            print(
                f"\nWorker {distributed.tuner_id()}: the search has no trial left; the chief "
                f"writes the report to {args.out}."
            )
            return 0
    numbers = _test_and_reload(trained, splits, args.out)
    numbers.update(example.report(splits, trained, args.out))
    numbers["wall_time_s"] = round(time.perf_counter() - started, 1)
    results = {
        "example": example.name,
        "command": " ".join(["keras-actloss example", example.name, *(argv or sys.argv[1:])]),
        "tuner": args.tuner,
        "seed": args.seed,
        "strategy": args.strategy,
        **search,
        "results": numbers,
    }
    path = args.out / "results.json"
    path.write_text(json.dumps(results, indent=2, default=float) + "\n")
    print(f"\nWall time {numbers['wall_time_s']:.1f} s. Results: {path}")
    return 0


def mlp(inputs, widths, units, output, name):
    """A model: `inputs` features -> Dense layers of `widths`, each with a ReLU -> a
    `Dense(units)` with the `output` activation layer (the examples' plain networks)."""
    from keras_actloss import layers

    features = keras.Input((inputs,), name="features")
    x = features
    for i, width in enumerate(widths):
        x = keras.layers.Dense(width, name=f"dense_{i}")(x)
        x = layers.ReLU(name=f"relu_{i}")(x)
    x = keras.layers.Dense(units, name="output")(x)
    return keras.Model(features, output(x), name=name)


def outputs_logits(model):
    """Whether the model's output is a raw score (a Linear head) rather than a probability."""
    from keras_actloss import layers

    return isinstance(model.layers[-1], layers.Linear)


def fit_plain(model, splits, args, example, **fit_options):
    """Fits `model` for ``--max-epochs`` with the `PairingValidator`; returns the history."""
    from keras_actloss.callbacks import PairingValidator

    epochs = args.max_epochs or example.epochs
    history = model.fit(
        splits.x_train,
        splits.y_train,
        validation_data=(splits.x_val, splits.y_val),
        epochs=epochs,
        callbacks=[PairingValidator(y=splits.y_train, strict=True), EpochPrinter(epochs)],
        verbose=0,
        **fit_options,
    )
    return history.history


class EpochPrinter(keras.callbacks.Callback):
    """A line at every tenth of the epochs: progress for a long run, without a bar per epoch."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs
        self.every = max(1, epochs // 10)

    def on_epoch_end(self, epoch, logs=None):
        if epoch % self.every == 0 or epoch == self.epochs - 1:
            shown = " | ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items())
            print(f"  epoch {epoch + 1:4d}/{self.epochs} | {shown}", flush=True)


def _search(example, splits, args, strategy):
    from keras_actloss import tuning
    from keras_actloss.tuning import distributed

    hypermodel = tuning.TaskHyperModel(
        example.task, splits.x_train.shape[1:], y=splits.y_train, **example.hypermodel
    )
    tuner = tuning.make_tuner(
        args.tuner,
        hypermodel,
        max_trials=args.max_trials,
        max_epochs=args.max_epochs,
        directory=args.out / "search",
        seed=args.seed,
        overwrite=args.overwrite,
        progress=True,
        distribution_strategy=strategy,
        **({} if args.chief_timeout is None else {"chief_timeout": args.chief_timeout}),
    )
    objective = hypermodel.objective
    role = distributed.role()
    if role != "worker":
        done = sum(t.status == "COMPLETED" for t in tuner.oracle.trials.values())
        if done:
            folder = args.out / "search"
            print(f"Resuming the search in {folder}: {done} trial(s) already finished.")
    if role == "chief":
        print(
            f"Serving the {args.tuner} search for the best {objective.name} at "
            f"{distributed.chief_address()}: the workers run its trials."
        )
    else:
        print(f"Searching with {args.tuner} for the best {objective.name} ({objective.direction}):")
    started = time.perf_counter()
    tuner.search(
        splits.x_train,
        splits.y_train,
        validation_data=(splits.x_val, splits.y_val),
        callbacks=[keras.callbacks.EarlyStopping(objective.name, patience=8)],
        verbose=0,
    )
    seconds = time.perf_counter() - started
    if role == "worker":
        return None, {}
    ranked = tuner.ranked_trials()
    if not ranked:
        raise SystemExit("error: the search finished no trial; see the messages above.")
    best = ranked[0]
    table = tuner.ranked_table()
    (args.out / "trials.txt").write_text(table + "\n")
    print(f"\nRanked trials ({len(ranked)} finished; all in {args.out / 'trials.txt'}):")
    print("\n".join(table.splitlines()[:11]))
    best_values = tuner.hyperparameters_of(best)
    print(f"\nBest hyperparameters (trial {best.trial_id}, {objective.name} {best.score:.4f}):")
    for name, value in best_values.items():
        print(f"  {name:<28} {value}")
    (args.out / "best_hyperparameters.json").write_text(
        json.dumps(
            {"trial_id": best.trial_id, objective.name: best.score, "values": best_values},
            indent=2,
        )
        + "\n"
    )
    from keras_actloss.examples import figures

    figure = figures.trial_scores(tuner, ranked, args.out / "trials.png", title=example.title)
    print(f"Saved the best hyperparameters and {figure}.")
    model = tuner.get_best_models(1)[0]
    search = {
        "search": {
            "objective": objective.name,
            "best_trial": best.trial_id,
            "best_score": best.score,
            "trials_finished": len(ranked),
            "epochs_spent": tuner.epochs_spent(),
            "search_time_s": round(seconds, 1),
            "best_hyperparameters": best_values,
        }
    }
    return [Trained("best model", model, tuner.history(best.trial_id))], search


def _test_and_reload(trained, splits, out):
    """Evaluates on the test set, saves each model as `.keras`, and checks that a fresh
    Python process loads each back scoring the same."""
    several = len(trained) > 1
    data = out / "test_data.npz"
    np.savez(data, x=splits.x_test, y=splits.y_test)
    scores, paths = [], []
    for item in trained:
        score = item.model.evaluate(splits.x_test, splits.y_test, verbose=0, return_dict=True)
        scores.append(score)
        stem = "model" if not several else "model_" + item.label.replace(" ", "_")
        paths.append(out / f"{stem}.keras")
        item.model.save(paths[-1])
    reloaded = _evaluate_in_fresh_process(paths, data)
    numbers = {}
    for item, path, score, again in zip(trained, paths, scores, reloaded, strict=True):
        for name, value in score.items():
            if not np.isclose(again.get(name, np.nan), value, rtol=1e-5, atol=1e-7):
                raise SystemExit(
                    f"error: {path} loaded in a fresh process scores {name}={again.get(name)}, "
                    f"not {value}."
                )
        print(f"\nTest ({item.label}): " + ", ".join(f"{k} {v:.4f}" for k, v in score.items()))
        print(f"Saved {path}; loaded in a fresh process, it scores the same.")
        prefix = f"{item.label}_" if several else ""
        numbers.update({f"test_{prefix}{k}": float(v) for k, v in score.items()})
    return numbers


def _evaluate_in_fresh_process(model_paths, data_path):
    command = [sys.executable, "-m", "keras_actloss.examples.reload", str(data_path)]
    result = subprocess.run(
        [*command, *map(str, model_paths)],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if result.returncode != 0:
        raise SystemExit(
            f"error: loading the saved models in a fresh process failed:\n{result.stderr}"
        )
    return json.loads(result.stdout.strip().splitlines()[-1])
