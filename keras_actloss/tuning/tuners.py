"""The four searches, and `make_tuner` to set one up with sensible defaults.

Each class is KerasTuner's own with three additions: `search` trains each
trial for `max_epochs` unless told otherwise (Hyperband sets its rounds'
epochs itself), every trial's per-epoch history is kept in its trial folder
(`history(trial_id)` reads it back, following Hyperband's promotions), and
`ranked_trials()` lists the finished trials best first.
"""

from __future__ import annotations

import json
import os

import keras
import keras_tuner

from keras_actloss import _validation as check

#: Epochs per trial (random, Bayesian, grid) or per model at most (Hyperband) by default.
DEFAULT_MAX_EPOCHS = 20
#: Trials of a random, Bayesian or grid search by default.
DEFAULT_MAX_TRIALS = 20

_HISTORY = "history.json"


class _Recording:
    """What our tuners add to KerasTuner's; see the module's docstring."""

    _oracle_takes_max_epochs = False

    def __init__(self, *args, max_epochs=DEFAULT_MAX_EPOCHS, **kwargs):
        self.max_epochs = max_epochs
        if self._oracle_takes_max_epochs:
            kwargs["max_epochs"] = max_epochs
        super().__init__(*args, **kwargs)

    def run_trial(self, trial, *args, **kwargs):
        kwargs.setdefault("epochs", self.max_epochs)
        results = super().run_trial(trial, *args, **kwargs)
        history = next((r for r in results if isinstance(r, keras.callbacks.History)), None)
        if history is not None:
            record = {"epoch": list(history.epoch), **history.history}
            path = os.path.join(self.get_trial_dir(trial.trial_id), _HISTORY)
            with open(path, "w") as file:
                json.dump(record, file, default=float)
        return results

    def history(self, trial_id):
        """The per-epoch metrics of a finished trial, as `History.history` holds them.

        For a Hyperband trial that continues a model trained in an earlier
        round, the earlier epochs come first, so the curves start at epoch 0.
        Returns an empty dict for a trial without a recorded history.
        """
        path = os.path.join(self.get_trial_dir(trial_id), _HISTORY)
        if not os.path.exists(path):
            return {}
        with open(path) as file:
            record = json.load(file)
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
        return self.oracle.get_best_trials(len(self.oracle.trials))


class Hyperband(_Recording, keras_tuner.Hyperband):
    """KerasTuner's `Hyperband`, with per-trial histories (see the module docstring)."""

    _oracle_takes_max_epochs = True


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
    **kwargs,
):
    """A tuner of `kind` for `hypermodel`, with sensible defaults.

    Rerunning with the same `directory` and `project_name` resumes the
    search: finished trials are not repeated, and a trial that was
    interrupted (Ctrl-C, a killed process) runs again. `overwrite=True`
    starts over.

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
        seed: seeds the search's sampling: the same seed proposes the same
            trials (training itself is seeded with `keras.utils.set_random_seed`).
        overwrite: start over instead of resuming.
        **kwargs: passed to the KerasTuner class (e.g. `factor`,
            `hyperband_iterations`, `num_initial_points`,
            `executions_per_trial`, `hyperparameters`, `tune_new_entries`).
            For a grid search over a `TaskHyperModel` without
            `hyperparameters`, its coarse `grid_hyperparameters()` are used.

    Raises:
        ValueError: for an unknown `kind` or a bad budget.
    """
    check.check_choice("kind", kind, tuple(TUNERS))
    max_epochs = check.check_integer(
        "max_epochs", DEFAULT_MAX_EPOCHS if max_epochs is None else max_epochs, minimum=1
    )
    if seed is not None:
        seed = check.check_integer("seed", seed, minimum=0)
    check.check_bool("overwrite", overwrite)
    if objective is None:
        objective = getattr(hypermodel, "objective", "val_loss")
    options = dict(
        objective=objective,
        max_epochs=max_epochs,
        directory=os.fspath(directory),
        project_name=project_name or kind,
        seed=seed,
        overwrite=overwrite,
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
