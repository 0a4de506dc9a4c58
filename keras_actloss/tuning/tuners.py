"""The four searches, and `make_tuner` to set one up with sensible defaults.

Each class is KerasTuner's own with these additions: `search` trains each
trial for `max_epochs` unless told otherwise (Hyperband sets its rounds'
epochs itself); every trial's per-epoch history is kept in its trial folder
(`history(trial_id)` reads it back, following Hyperband's promotions);
`ranked_trials()`, `ranked_table()`, `hyperparameters_of(trial)` and
`epochs_spent()` report on the search; and with `progress=True` a line is
printed as each trial ends.

The same code runs a search over many processes (KerasTuner's distributed
mode, see `keras_actloss.tuning.distributed`): the chief serves the search
and workers run its trials. A worker never starts the search over
(`overwrite` is the chief's), waits for the chief a bounded time, and is
refused if its search differs from the chief's.
"""

from __future__ import annotations

import json
import os
import time
import warnings

import keras
import keras_tuner
from keras_tuner.engine.hyperparameters import Float

from keras_actloss import _validation as check
from keras_actloss._strategies import resolve_strategy
from keras_actloss.tuning import distributed
from keras_actloss.tuning._keras_tuner_internals import file_io

#: Epochs per trial (random, Bayesian, grid) or per model at most (Hyperband) by default.
DEFAULT_MAX_EPOCHS = 20
#: Trials of a random, Bayesian or grid search by default.
DEFAULT_MAX_TRIALS = 20

_HISTORY = "history.json"


class _Recording:
    """What our tuners add to KerasTuner's; see the module's docstring."""

    _oracle_takes_max_epochs = False

    def __init__(
        self,
        *args,
        max_epochs=DEFAULT_MAX_EPOCHS,
        progress=False,
        chief_timeout=distributed.DEFAULT_CHIEF_TIMEOUT,
        **kwargs,
    ):
        self.max_epochs = max_epochs
        self.progress = progress
        self.role = distributed.role()
        self._trial_started = None
        if self._oracle_takes_max_epochs:
            kwargs["max_epochs"] = max_epochs
        if self.role == "worker":
            # Before KerasTuner reads the shared directory: once the chief serves, it has
            # wiped the directory if told to start over, and recorded its settings.
            distributed.wait_for_chief(chief_timeout)
            distributed.bound_chief_calls(chief_timeout)
            kwargs["overwrite"] = False  # starting over is the chief's call alone
        super().__init__(*args, **kwargs)
        if self.role == "worker":
            self.oracle = distributed.PatientOracleClient(self.oracle._oracle)
            distributed.check_settings(self.project_dir, distributed.settings(self), chief_timeout)

    def reload(self):
        super().reload()
        if self.role == "worker":
            # KerasTuner reloads no oracle on a worker (its trials come from the chief), so a
            # restarted worker's local space would stay empty and differ from the chief's.
            self._populate_initial_space()

    def search(self, *args, **kwargs):
        """KerasTuner's `search`; on the chief, serves the search until it is done."""
        if self.role != "chief":
            return super().search(*args, **kwargs)
        if "verbose" in kwargs:
            self.oracle.verbose = kwargs["verbose"]
        self.save()
        distributed.record_settings(self.project_dir, distributed.settings(self))
        distributed.serve(self.oracle)
        return None

    def run_trial(self, trial, *args, **kwargs):
        kwargs.setdefault("epochs", self.max_epochs)
        results = super().run_trial(trial, *args, **kwargs)
        history = next((r for r in results if isinstance(r, keras.callbacks.History)), None)
        if history is not None:
            record = {"epoch": list(history.epoch), **history.history}
            path = os.path.join(self.get_trial_dir(trial.trial_id), _HISTORY)
            # KerasTuner's file functions: the directory may be a bucket TensorFlow can write.
            with file_io.File(path, "w") as file:
                file.write(json.dumps(record, default=float))
        return results

    def _own_history(self, trial_id):
        path = os.path.join(self.get_trial_dir(trial_id), _HISTORY)
        if not file_io.exists(path):
            return {}
        with file_io.File(path, "r") as file:
            return json.loads(file.read())

    def history(self, trial_id):
        """The per-epoch metrics of a finished trial, as `History.history` holds them.

        For a Hyperband trial that continues a model trained in an earlier
        round, the earlier epochs come first, so the curves start at epoch 0.
        Returns an empty dict for a trial without a recorded history.
        """
        record = self._own_history(trial_id)
        if not record:
            return record
        values = self.oracle.get_trial(trial_id).hyperparameters.values
        parent = values.get("tuner/trial_id")
        if parent:
            start = values.get("tuner/initial_epoch", 0)
            earlier = self.history(parent)
            keep = [i for i, epoch in enumerate(earlier.get("epoch", [])) if epoch < start]
            record = {
                key: [earlier[key][i] for i in keep] + record[key]
                for key in record
                if key in earlier
            }
        return record

    def ranked_trials(self):
        """The completed trials, best first."""
        # KerasTuner pads its best trials with failed and unfinished ones.
        best = self.oracle.get_best_trials(len(self.oracle.trials))
        return [trial for trial in best if trial.status == "COMPLETED"]

    def hyperparameters_of(self, trial):
        """A trial's active hyperparameter values, without Hyperband's bookkeeping."""
        # `values` holds the active ones only (a layer's width only if the layer exists), except
        # for a trial a worker received over gRPC: KerasTuner's proto has no conditions and
        # fills in every hyperparameter (keras-tuner issue 342), so ask the local space.
        active = getattr(self.oracle, "_oracle", self.oracle).hyperparameters.copy()
        active.values = dict(trial.hyperparameters.values)
        spaced = {p.name for p in active.space}
        return {
            name: value
            for name, value in active.values.items()
            if not name.startswith("tuner/") and (name not in spaced or active.is_active(name))
        }

    def epochs_spent(self):
        """The epochs trained over the whole search (a promoted trial counts only its own)."""
        return sum(
            len(self._own_history(trial_id).get("epoch", [])) for trial_id in self.oracle.trials
        )

    def ranked_table(self, limit=None):
        """The finished trials, best first, as a text table: score, epochs and hyperparameters."""
        trials = self.ranked_trials()[:limit]
        names = list(dict.fromkeys(n for t in trials for n in self.hyperparameters_of(t)))
        header = ["rank", "trial", self.oracle.objective.name, "epochs", *names]
        rows = [
            [
                str(rank),
                trial.trial_id,
                f"{trial.score:.4f}",
                str(len(self.history(trial.trial_id).get("epoch", []))),
                *(_short(self.hyperparameters_of(trial).get(n, "")) for n in names),
            ]
            for rank, trial in enumerate(trials, 1)
        ]
        widths = [max(len(c) for c in column) for column in zip(header, *rows, strict=True)]
        return "\n".join(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in [header, *rows]
        )

    def on_trial_begin(self, trial):
        self._trial_started = time.perf_counter()
        if self.progress and self.role == "worker":
            print(f"  trial {trial.trial_id} started on {distributed.tuner_id()}", flush=True)
        super().on_trial_begin(trial)

    def on_trial_end(self, trial):
        super().on_trial_end(trial)
        if not self.progress:
            return
        trial = self.oracle.get_trial(trial.trial_id)
        seconds = time.perf_counter() - (self._trial_started or time.perf_counter())
        best = self.oracle.get_best_trials(1)
        score = "failed" if trial.score is None else f"{trial.score:.4f}"
        epochs = len(self._own_history(trial.trial_id).get("epoch", []))
        values = ", ".join(f"{k} {_short(v)}" for k, v in self.hyperparameters_of(trial).items())
        print(
            f"  trial {trial.trial_id}: {self.oracle.objective.name} {score}"
            + (f" (best {best[0].score:.4f})" if best else "")
            + f" | {epochs} epoch(s), {seconds:.1f} s | {values}",
            flush=True,
        )


def _short(value):
    return f"{value:.3g}" if isinstance(value, float) else str(value)


class Hyperband(_Recording, keras_tuner.Hyperband):
    """KerasTuner's `Hyperband`, with per-trial histories (see the module docstring).

    It warns when the search space holds no continuous hyperparameter: over
    discrete choices alone, KerasTuner's Hyperband promotes no trial past
    its first round (keras-tuner issue 676), so every model trains only a
    few epochs.
    """

    _oracle_takes_max_epochs = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        space = [] if self.role == "worker" else self.oracle.get_space().space
        if space and not any(isinstance(p, Float) and p.step is None for p in space):
            warnings.warn(
                "Hyperband over discrete hyperparameters only promotes no trial past its first "
                "round (keras-tuner issue 676): every model trains a first round's epochs. Add "
                "a continuous one, such as a log-uniform learning rate, or use kind='grid'.",
                UserWarning,
                stacklevel=3,
            )


class BayesianOptimization(_Recording, keras_tuner.BayesianOptimization):
    """KerasTuner's `BayesianOptimization`, training each trial for `max_epochs`."""


class RandomSearch(_Recording, keras_tuner.RandomSearch):
    """KerasTuner's `RandomSearch`, training each trial for `max_epochs`."""


class GridSearch(_Recording, keras_tuner.GridSearch):
    """KerasTuner's `GridSearch`, training each trial for `max_epochs`."""


#: The tuner classes by the `kind` that `make_tuner` takes.
TUNERS = {
    "hyperband": Hyperband,
    "bayesian": BayesianOptimization,
    "random": RandomSearch,
    "grid": GridSearch,
}


def make_tuner(
    kind,
    hypermodel,
    *,
    objective=None,
    max_trials=None,
    max_epochs=None,
    directory="tuning",
    project_name=None,
    seed=None,
    overwrite=False,
    progress=False,
    distribution_strategy=None,
    chief_timeout=distributed.DEFAULT_CHIEF_TIMEOUT,
    **kwargs,
):
    """A tuner of `kind` for `hypermodel`, with sensible defaults.

    Rerunning with the same `directory` and `project_name` resumes the
    search: finished trials are not repeated, and a trial that was
    interrupted (Ctrl-C, a killed process) runs again. `overwrite=True`
    starts over.

    With KerasTuner's distributed-mode variables set (see
    `keras_actloss.tuning.distributed`), the same call makes the chief or a
    worker of one search over many processes sharing `directory`.

    Example:
    >>> tuner = make_tuner("bayesian", TaskHyperModel("binary", (2,), y=y), max_trials=15)
    >>> tuner.search(x, y, validation_data=(x_val, y_val))
    >>> tuner.get_best_hyperparameters()[0].values

    Args:
        kind: "hyperband", "bayesian", "random" or "grid".
        hypermodel: a `keras_tuner.HyperModel` (such as `TaskHyperModel`)
            or a function `build(hp) -> keras.Model`.
        objective: what to optimise; default the hypermodel's `objective`
            (validation accuracy or RMSE for a `TaskHyperModel`), else
            "val_loss".
        max_trials: the trials of a random, Bayesian or grid search
            (default `DEFAULT_MAX_TRIALS`). Hyperband's count follows from
            `max_epochs` and `factor` instead, so it takes none.
        max_epochs: the epochs of each trial; for Hyperband, the most
            epochs any one model trains (default `DEFAULT_MAX_EPOCHS`).
        directory, project_name: where the search keeps its state: in
            `directory/project_name` (default `project_name=kind`).
        seed: a positive integer that seeds the search's sampling: the same seed proposes the same
            trials (training itself is seeded with `keras.utils.set_random_seed`).
        overwrite: start over instead of resuming.
        progress: print a line as each trial ends (its score, the best so
            far, epochs, time and hyperparameters).
        distribution_strategy: train each trial on several devices: None
            (one device), "mirrored" (a `tf.distribute.MirroredStrategy` over
            every local GPU, else every logical CPU) or any
            `tf.distribute.Strategy`.
            TensorFlow backend only.
        chief_timeout: in distributed mode, how long a worker waits for the
            chief, at start and on every call, before it fails (seconds).
        **kwargs: passed to the KerasTuner class (e.g. `factor`,
            `hyperband_iterations`, `num_initial_points`,
            `executions_per_trial`, `hyperparameters`, `tune_new_entries`).
            For a grid search over a `TaskHyperModel` without
            `hyperparameters`, its coarse `grid_hyperparameters()` are used.

    Raises:
        ValueError: for an unknown `kind`, a bad budget, or a strategy off TensorFlow.
        TypeError: for a `distribution_strategy` that is not one.
        keras_actloss.tuning.distributed.ChiefUnreachableError: for a
            worker that finds no chief within `chief_timeout`.
        keras_actloss.tuning.distributed.SettingsMismatchError: for a
            worker whose directory or search differs from the chief's.
    """
    check.check_choice("kind", kind, tuple(TUNERS))
    max_epochs = check.check_integer(
        "max_epochs", DEFAULT_MAX_EPOCHS if max_epochs is None else max_epochs, minimum=1
    )
    if seed is not None:
        # KerasTuner takes a seed of 0 as no seed (`seed or random.randint(...)`).
        seed = check.check_integer("seed", seed, minimum=1)
    check.check_bool("overwrite", overwrite)
    check.check_bool("progress", progress)
    chief_timeout = check.check_number(
        "chief_timeout", chief_timeout, minimum=0, strict_minimum=True
    )
    strategy = resolve_strategy(distribution_strategy)
    if strategy is not None:
        kwargs["distribution_strategy"] = strategy
    if objective is None:
        objective = getattr(hypermodel, "objective", "val_loss")
    options = dict(
        objective=objective,
        max_epochs=max_epochs,
        directory=os.fspath(directory),
        project_name=project_name or kind,
        seed=seed,
        overwrite=overwrite,
        progress=progress,
        chief_timeout=chief_timeout,
        **kwargs,
    )
    if kind == "hyperband":
        if max_trials is not None:
            raise ValueError(
                "Expected no max_trials with kind='hyperband': its trial count follows from "
                f"max_epochs and factor. Received: max_trials={max_trials!r}"
            )
        if max_epochs < 2:
            raise ValueError(
                f"Expected max_epochs >= 2 with kind='hyperband'. Received: max_epochs={max_epochs}"
            )
    else:
        options["max_trials"] = check.check_integer(
            "max_trials", DEFAULT_MAX_TRIALS if max_trials is None else max_trials, minimum=1
        )
    if (
        kind == "grid"
        and "hyperparameters" not in kwargs
        and hasattr(hypermodel, "grid_hyperparameters")
    ):
        options["hyperparameters"] = hypermodel.grid_hyperparameters()
    return TUNERS[kind](hypermodel, **options)
