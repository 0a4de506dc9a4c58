"""Searches set up by `make_tuner`: the four kinds, their budgets, histories, rankings and resuming.

Covers `keras_actloss.tuning.make_tuner` and the tuner classes of `TUNERS`
(`history`, `ranked_trials`, each trial trained for `max_epochs`), the grid
that a `TaskHyperModel` offers a grid search, and `TaskHyperModel.fit` (the
tuned batch size, the strict `PairingValidator`). Every search runs on a tiny
problem (128 points of 2 features, labels from the sign of their sum), so the
behaviour is what is checked, not the accuracy.
"""

import gc
import importlib.util
import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import keras
import keras_tuner
import numpy as np
import pytest
from fresh_process import run_fresh

from keras_actloss import PairingError, PairingWarning, layers, losses
from keras_actloss.tuning import TUNERS, TaskHyperModel, make_tuner
from keras_actloss.tuning.tuners import DEFAULT_MAX_EPOCHS, DEFAULT_MAX_TRIALS

KINDS = ["hyperband", "bayesian", "random", "grid"]

#: KerasTuner's class behind each kind.
KERAS_TUNER_CLASSES = {
    "hyperband": keras_tuner.Hyperband,
    "bayesian": keras_tuner.BayesianOptimization,
    "random": keras_tuner.RandomSearch,
    "grid": keras_tuner.GridSearch,
}


@pytest.fixture(autouse=True, scope="module")
def _collect_only_new_objects():
    """KerasTuner runs a full garbage collection before building each trial's model.

    With TensorFlow loaded, that takes about 0.4 s a trial; leaving the objects
    that exist before these tests out of it (`gc.freeze`) makes it a few ms.
    """
    gc.freeze()
    yield
    gc.unfreeze()


def _data(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype("float32")
    return x, (x[:, 0] + x[:, 1] > 0).astype("float32").reshape(-1, 1)


X, Y = _data(128, 0)
X_VAL, Y_VAL = _data(64, 1)


def _hypermodel(**kwargs):
    options = {"max_layers": 2, "units": (8, 16), "batch_sizes": [32, 64], **kwargs}
    return TaskHyperModel("binary", (2,), y=Y, **options)


def _search(tuner, **kwargs):
    tuner.search(X, Y, validation_data=(X_VAL, Y_VAL), verbose=0, **kwargs)
    return tuner


def _statuses(tuner):
    return {trial_id: trial.status for trial_id, trial in tuner.oracle.trials.items()}


def _values(trial):
    return trial.hyperparameters.values


def _searched(trial):
    """A trial's hyperparameter values without Hyperband's bookkeeping ("tuner/...")."""
    return {k: v for k, v in _values(trial).items() if not k.startswith("tuner/")}


def _own_history(tuner, trial_id):
    """The history file of one trial as written, without following promotions."""
    with open(os.path.join(tuner.get_trial_dir(trial_id), "history.json")) as file:
        return json.load(file)


def _accuracy_of_best_model(tuner, hypermodel):
    """The validation accuracy of `get_best_models()[0]`, thresholded here, not by Keras."""
    best = tuner.oracle.get_best_trials(1)[0]
    model = tuner.get_best_models(1)[0]
    raw = model.predict(X_VAL, verbose=0)
    assert raw.shape == (len(X_VAL), 1)
    option = next(o for o in hypermodel.head_options if o.name == _values(best)["head"])
    threshold = 0.0 if option.raw_scores else 0.5
    return float(np.mean((raw > threshold) == (Y_VAL > 0.5)))


# --- make_tuner: classes, defaults, errors -----------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_make_tuner_defaults(kind, tmp_path):
    tuner = make_tuner(kind, _hypermodel(), directory=tmp_path)
    assert type(tuner) is TUNERS[kind]
    assert isinstance(tuner, KERAS_TUNER_CLASSES[kind])
    assert tuner.oracle.objective.name == "val_accuracy"
    assert tuner.oracle.objective.direction == "max"
    assert tuner.project_dir == os.path.join(str(tmp_path), kind)
    assert tuner.max_epochs == DEFAULT_MAX_EPOCHS
    if kind == "hyperband":
        assert tuner.oracle.max_epochs == DEFAULT_MAX_EPOCHS
    else:
        assert tuner.oracle.max_trials == DEFAULT_MAX_TRIALS


def test_make_tuner_objective_and_project_name_given(tmp_path):
    objective = keras_tuner.Objective("val_loss", "min")
    tuner = make_tuner(
        "random", _hypermodel(), objective=objective, directory=tmp_path, project_name="mine"
    )
    assert (tuner.oracle.objective.name, tuner.oracle.objective.direction) == ("val_loss", "min")
    assert tuner.project_dir == os.path.join(str(tmp_path), "mine")


def test_make_tuner_objective_of_a_build_function(tmp_path):
    def build(hp):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(hp.Int("units", 1, 2))])
        model.compile(loss="mse")
        return model

    tuner = make_tuner("random", build, directory=tmp_path)
    assert tuner.oracle.objective.name == "val_loss"
    assert tuner.oracle.objective.direction == "min"


@pytest.mark.parametrize(
    "kind, kwargs, expected",
    [
        ("annealing", {}, "'hyperband', 'bayesian', 'random', 'grid'"),
        ("hyperband", {"max_trials": 5}, "Expected no max_trials with kind='hyperband'"),
        ("hyperband", {"max_epochs": 1}, "Expected max_epochs >= 2 with kind='hyperband'"),
        ("hyperband", {"max_epochs": 0}, "max_epochs` must be an integer >= 1"),
        ("random", {"max_epochs": 0}, "max_epochs` must be an integer >= 1"),
        ("random", {"max_epochs": 2.0}, "max_epochs` must be an integer >= 1"),
        ("random", {"max_trials": 0}, "max_trials` must be an integer >= 1"),
        ("grid", {"max_trials": True}, "max_trials` must be an integer >= 1"),
        ("random", {"seed": -1}, "seed` must be an integer >= 1"),
        ("random", {"seed": 1.5}, "seed` must be an integer >= 1"),
        ("bayesian", {"seed": True}, "seed` must be an integer >= 1"),
        ("random", {"overwrite": "yes"}, "overwrite` must be a bool"),
    ],
    ids=[
        "unknown-kind",
        "hyperband-max_trials",
        "hyperband-max_epochs-1",
        "hyperband-max_epochs-0",
        "max_epochs-0",
        "max_epochs-float",
        "max_trials-0",
        "max_trials-bool",
        "seed-negative",
        "seed-float",
        "seed-bool",
        "overwrite-str",
    ],
)
def test_make_tuner_refuses_bad_arguments(kind, kwargs, expected, tmp_path):
    directory = tmp_path / "never_made"
    with pytest.raises(ValueError) as error:
        make_tuner(kind, _hypermodel(), directory=directory, **kwargs)
    message = str(error.value)
    assert expected in message
    assert "Received" in message
    name, value = next(iter(kwargs.items())) if kwargs else ("kind", kind)
    assert f"{name}={value!r}" in message
    assert not directory.exists(), "a refused search must not touch the disk"


# --- searching ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_searches_and_ranks_its_trials(kind, tmp_path):
    # Hyperband with max_epochs=2 (and factor 3) is a single bracket of 2 trials of 2 epochs.
    budget = {} if kind == "hyperband" else {"max_trials": 2}
    hypermodel = _hypermodel()
    tuner = _search(make_tuner(kind, hypermodel, max_epochs=2, directory=tmp_path, **budget))

    assert _statuses(tuner) == dict.fromkeys(tuner.oracle.trials, "COMPLETED")
    assert len(tuner.oracle.trials) == 2
    completed = list(tuner.oracle.trials.values())
    for trial in completed:
        history = tuner.history(trial.trial_id)
        assert history["epoch"] == [0, 1]  # max_epochs, for each kind
        assert trial.score == max(history["val_accuracy"])

    ranked = tuner.ranked_trials()
    assert sorted(t.trial_id for t in ranked) == sorted(tuner.oracle.trials)
    assert [t.score for t in ranked] == sorted((t.score for t in completed), reverse=True)
    assert _accuracy_of_best_model(tuner, hypermodel) == ranked[0].score


@pytest.mark.parametrize("epochs", [None, 1], ids=["default", "explicit"])
def test_trials_train_for_max_epochs_unless_search_says(epochs, tmp_path):
    tuner = make_tuner("random", _hypermodel(), max_trials=1, max_epochs=3, directory=tmp_path)
    _search(tuner, **({} if epochs is None else {"epochs": epochs}))
    (trial_id,) = tuner.oracle.trials
    history = tuner.history(trial_id)
    expected = 3 if epochs is None else epochs
    assert len(history["loss"]) == len(history["val_accuracy"]) == expected
    assert history["epoch"] == list(range(expected))


def test_history_of_an_unknown_trial_is_empty(tmp_path):
    tuner = make_tuner("random", _hypermodel(), max_trials=1, directory=tmp_path)
    assert tuner.history("0") == {}


@pytest.mark.slow
def test_hyperband_promotes_trials_and_stitches_their_histories(tmp_path):
    tuner = make_tuner(
        "hyperband", _hypermodel(), max_epochs=4, factor=2, directory=tmp_path, seed=1
    )
    # Its first bracket: 4 trials of 1 epoch, the best 2 go on to 2 epochs, the best one to 4.
    # KerasTuner's oracles stop at `max_trials`; the later brackets would add nothing here.
    tuner.oracle.max_trials = 7
    _search(tuner)
    trials = tuner.oracle.trials
    assert _statuses(tuner) == dict.fromkeys(trials, "COMPLETED")

    promoted = [t for t in trials.values() if _values(t)["tuner/initial_epoch"] > 0]
    assert sorted(_values(t)["tuner/epochs"] for t in promoted) == [2, 2, 4]
    chained = 0
    for trial in promoted:
        values = _values(trial)
        start, end = values["tuner/initial_epoch"], values["tuner/epochs"]
        parent = trials[values["tuner/trial_id"]]
        assert _values(parent)["tuner/epochs"] == start
        assert _searched(trial) == _searched(parent)
        chained += "tuner/trial_id" in _values(parent)

        history, own = tuner.history(trial.trial_id), _own_history(tuner, trial.trial_id)
        earlier = tuner.history(parent.trial_id)
        assert own["epoch"] == list(range(start, end))
        assert history["epoch"] == list(range(end))
        assert earlier["epoch"] == list(range(start))
        assert set(history) == set(own) == set(earlier)
        for key in history:
            assert history[key] == earlier[key] + own[key], key
    assert chained == 1, "the 4-epoch trial continues a trial that itself continued another"


def _trial_values(tuner):
    return [_values(tuner.oracle.trials[trial_id]) for trial_id in sorted(tuner.oracle.trials)]


def _seeded(kind, seed, directory, name):
    budget = {"max_trials": 3, "max_epochs": 1} if kind == "random" else {"max_epochs": 3}
    tuner = make_tuner(
        kind, _hypermodel(), directory=directory, project_name=name, seed=seed, **budget
    )
    if kind == "hyperband":
        # Its first bracket: 3 trials of 1 epoch, then the best of them on to 3 epochs.
        # Which one goes on depends on the scores, hence the seeded Keras.
        tuner.oracle.max_trials = 4
    return tuner


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["random", "hyperband"])
def test_the_same_seed_proposes_the_same_trials(kind, tmp_path):
    def run(name):
        keras.utils.set_random_seed(0)
        return _trial_values(_search(_seeded(kind, 3, tmp_path, name)))

    first = run("first")
    if kind == "hyperband":
        assert first[3]["tuner/trial_id"] in ("0", "1", "2")
    assert run("again") == first

    # Another seed differs from the first proposal on, which needs no training to see.
    proposal = _seeded(kind, 3, tmp_path, "proposal").oracle.populate_space("0")["values"]
    other = _seeded(kind, 4, tmp_path, "other").oracle.populate_space("0")["values"]
    assert proposal.items() <= first[0].items(), "a proposal is what the search runs"
    assert other != proposal


def test_seed_zero_is_refused_since_keras_tuner_reads_it_as_no_seed(tmp_path):
    # KerasTuner's oracle replaces a falsy seed with a random one, so 0 could not repeat.
    with pytest.raises(ValueError, match=r"seed.*>= 1.*Received: seed=0"):
        make_tuner("random", _hypermodel(), seed=0, directory=tmp_path)


def test_ranked_trials_leaves_out_failed_trials(tmp_path):
    def build(hp):
        if hp.Choice("mode", ["works", "fails"]) == "fails":
            raise ValueError("this trial fails on purpose")
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model

    # The grid tries the default ("works") first, then "fails", then has no more combinations.
    tuner = _search(make_tuner("grid", build, max_trials=5, max_epochs=1, directory=tmp_path))
    assert _statuses(tuner) == {"0": "COMPLETED", "1": "FAILED"}
    assert [t.trial_id for t in tuner.ranked_trials()] == ["0"]


# --- the grid of a TaskHyperModel --------------------------------------------------------------


def _small_grid(heads, **kwargs):
    """A hypermodel whose grid is the learning rates times the first `heads` heads.

    (And the widths, if `units` is a range: they should be fixed.)
    """
    options = {"max_layers": 1, "batch_sizes": [32], "activations": ["relu"], **kwargs}
    offered = _hypermodel(**options).head_options
    return _hypermodel(heads=[o.name for o in offered[:heads]], **options)


@pytest.mark.parametrize(
    "units, width", [((8, 16), 16), ((8, 128), 32), ((64, 256), 64), ((16, 32), 32)]
)
def test_grid_hyperparameters_fix_the_widths(units, width):
    hp = _hypermodel(units=units, max_layers=3).grid_hyperparameters()
    # Each width is fixed under the condition that its layer exists, as `build` declares it.
    fixed = {p.name: (p.value, p.conditions) for p in hp.space if p.name.startswith("units_")}
    assert {name: value for name, (value, _) in fixed.items()} == dict.fromkeys(
        ("units_0", "units_1", "units_2"), width
    )
    assert [c[0].values for _, (_, c) in sorted(fixed.items())] == [[1, 2, 3], [2, 3], [3]]
    assert hp.get("dropout") == 0.0
    (learning_rate,) = [p for p in hp.space if p.name == "learning_rate"]
    assert list(learning_rate.values) == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1], rel=1e-9)


def _declared(tuner, name):
    return [p for p in tuner.oracle.get_space().space if p.name == name]


def test_a_grid_tuner_starts_from_the_coarse_grid(tmp_path):
    tuner = make_tuner("grid", _hypermodel(units=(8, 128)), directory=tmp_path)
    (rate,) = _declared(tuner, "learning_rate")
    assert list(rate.values) == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1], rel=1e-9)
    fixed = [p.value for p in _declared(tuner, "units_0") if type(p).__name__ == "Fixed"]
    assert fixed == [32]
    (dropout,) = _declared(tuner, "dropout")
    assert type(dropout).__name__ == "Fixed" and dropout.value == 0.0

    random = make_tuner("random", _hypermodel(units=(8, 128)), directory=tmp_path)
    (rate,) = _declared(random, "learning_rate")
    assert rate.step is None, "only the grid search is coarse"

    given = keras_tuner.HyperParameters()
    given.Fixed("learning_rate", 0.01)
    tuner = make_tuner(
        "grid", _hypermodel(), directory=tmp_path, project_name="given", hyperparameters=given
    )
    (rate,) = _declared(tuner, "learning_rate")
    assert type(rate).__name__ == "Fixed" and rate.value == 0.01
    assert _declared(tuner, "dropout")[0].step == 0.1, "the hypermodel's own dropout"


@pytest.mark.slow
def test_grid_search_tries_each_combination_once(tmp_path):
    hypermodel = _small_grid(heads=2, units=16)  # a fixed width: no width hyperparameters
    heads = [o.name for o in hypermodel.head_options]
    assert len(heads) == 2
    tuner = make_tuner("grid", hypermodel, max_trials=20, max_epochs=1, directory=tmp_path)
    _search(tuner)
    assert _statuses(tuner) == dict.fromkeys(tuner.oracle.trials, "COMPLETED")
    tried = [(v["learning_rate"], v["head"]) for v in _trial_values(tuner)]
    assert len(tried) == 8, "4 powers of 10 in [1e-4, 1e-1] times 2 heads, then the grid is done"
    assert all(math.isclose(rate, 10.0 ** round(math.log10(rate))) for rate, _ in tried)
    combinations = {(round(math.log10(rate)), head) for rate, head in tried}
    assert combinations == {(e, h) for e in (-4, -3, -2, -1) for h in heads}


def test_grid_search_keeps_the_widths_fixed(tmp_path):
    hypermodel = _small_grid(heads=1, units=(8, 16))
    tuner = make_tuner(
        "grid",
        hypermodel,
        max_trials=6,
        max_epochs=1,
        directory=tmp_path,
        max_consecutive_failed_trials=10,
    )
    _search(tuner)
    values = _trial_values(tuner)
    assert [v["units_0"] for v in values] == [16] * len(values)
    assert len(values) == 4
    assert _statuses(tuner) == dict.fromkeys(tuner.oracle.trials, "COMPLETED")


# --- TaskHyperModel.fit ------------------------------------------------------------------------


class _CountBatches(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


def _weights(model):
    return [np.array(w) for w in model.get_weights()]


def test_fit_stops_an_erroneous_pairing_before_training():
    inputs = keras.Input((2,))
    model = keras.Model(inputs, layers.Sigmoid()(keras.layers.Dense(1)(inputs)))
    model.compile(
        optimizer=keras.optimizers.SGD(0.1), loss=losses.BinaryCrossentropy(from_logits=True)
    )
    before = _weights(model)
    counter = _CountBatches()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PairingWarning)
        with pytest.raises(PairingError) as error:
            _hypermodel().fit(
                keras_tuner.HyperParameters(), model, X, Y, epochs=1, verbose=0, callbacks=[counter]
            )
    assert [f.code for f in error.value.findings] == ["from-logits-after-squash"]
    assert counter.batches == 0
    assert all(np.array_equal(b, a) for b, a in zip(before, _weights(model), strict=True))
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 0


@pytest.mark.parametrize("passed", ["positional", "keyword"])
def test_fit_checks_the_targets_it_trains_on(passed):
    hypermodel = _hypermodel()
    hp = keras_tuner.HyperParameters()
    hp.Choice("head", ["sigmoid+binary_crossentropy"])
    model = hypermodel.build(hp)  # a sigmoid and binary cross-entropy: right for {0, 1} labels
    signed = 2 * Y - 1  # {-1, 1} labels break the loss's domain
    data = ((X, signed), {}) if passed == "positional" else ((X,), {"y": signed})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PairingWarning)
        with pytest.raises(PairingError) as error:
            hypermodel.fit(hp, model, *data[0], epochs=1, verbose=0, **data[1])
    assert [f.code for f in error.value.findings] == ["targets-break-loss-domain"]
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 0


@pytest.mark.parametrize(
    "batch_sizes, chosen, given, batches",
    [
        ([32, 64], None, None, 4),  # the default: 32, being offered
        ([32, 64], 64, None, 2),
        ([32, 64], 64, 16, 2),  # the tuned value, whatever the caller passes
        ([64, 128], None, None, 2),  # no 32 offered: the first
        ([48], None, None, 3),  # a single size is used without a hyperparameter
    ],
)
def test_fit_takes_the_batch_size_from_the_hyperparameter(batch_sizes, chosen, given, batches):
    hypermodel = _hypermodel(batch_sizes=batch_sizes)
    hp = keras_tuner.HyperParameters()
    if chosen is not None:
        hp.Choice("batch_size", batch_sizes)
        hp.values["batch_size"] = chosen
    model = hypermodel.build(hp)
    counter = _CountBatches()
    extra = {} if given is None else {"batch_size": given}
    history = hypermodel.fit(hp, model, X, Y, epochs=2, verbose=0, callbacks=[counter], **extra)
    assert counter.batches == 2 * batches  # 128 samples, two epochs
    assert history.epoch == [0, 1]
    assert ("batch_size" in hp) == (len(batch_sizes) > 1)


def test_fit_accepts_callbacks_none():
    hypermodel = _hypermodel()
    hp = keras_tuner.HyperParameters()
    history = hypermodel.fit(hp, hypermodel.build(hp), X, Y, epochs=1, verbose=0, callbacks=None)
    assert history.epoch == [0]


# --- resuming ----------------------------------------------------------------------------------


def _files(project):
    """{trial folder: {file name: (bytes, mtime in ns)}} of every trial folder in `project`."""
    found = {}
    for folder in sorted(os.listdir(project)):
        if not folder.startswith("trial_"):
            continue
        found[folder] = {}
        for name in ("trial.json", "history.json"):
            path = os.path.join(project, folder, name)
            if os.path.exists(path):
                with open(path, "rb") as file:
                    found[folder][name] = (file.read(), os.stat(path).st_mtime_ns)
    return found


def _trial_files(project):
    """{trial_id: parsed trial.json} of every trial folder in `project`."""
    trials = {}
    for folder in os.listdir(project):
        path = os.path.join(project, folder, "trial.json")
        if folder.startswith("trial_") and os.path.exists(path):
            with open(path) as file:
                record = json.load(file)
            trials[record["trial_id"]] = record
    return trials


@pytest.mark.slow
def test_rerunning_resumes_and_overwrite_starts_over(tmp_path):
    project = str(tmp_path / "random")
    first = _search(
        make_tuner("random", _hypermodel(), max_trials=3, max_epochs=1, directory=tmp_path)
    )
    scores = {trial_id: trial.score for trial_id, trial in first.oracle.trials.items()}
    before = _files(project)
    assert sorted(before) == ["trial_0", "trial_1", "trial_2"]

    resumed = make_tuner("random", _hypermodel(), max_trials=5, max_epochs=1, directory=tmp_path)
    assert {t: trial.score for t, trial in resumed.oracle.trials.items()} == scores
    _search(resumed)
    assert _statuses(resumed) == dict.fromkeys(["0", "1", "2", "3", "4"], "COMPLETED")
    after = _files(project)
    assert sorted(after) == ["trial_0", "trial_1", "trial_2", "trial_3", "trial_4"]
    for folder in before:
        assert after[folder] == before[folder], f"{folder} was written again"
    assert all("history.json" in after[f] for f in ("trial_3", "trial_4"))
    assert {t: resumed.oracle.trials[t].score for t in scores} == scores

    restarted = make_tuner(
        "random", _hypermodel(), max_trials=1, max_epochs=1, directory=tmp_path, overwrite=True
    )
    assert restarted.oracle.trials == {}
    _search(restarted)
    assert _statuses(restarted) == {"0": "COMPLETED"}
    assert sorted(_files(project)) == ["trial_0"]
    assert _files(project)["trial_0"] != after["trial_0"]


_INTERRUPTED_SEARCH = """
    import gc
    import signal
    import sys
    import time

    import keras
    import numpy as np

    # Ctrl-C raises KeyboardInterrupt, as in a terminal, whatever the parent process ignores.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    from keras_actloss.tuning import TaskHyperModel, make_tuner

    gc.freeze()  # as in the tests: KerasTuner's collection before each trial skips the imports


    class Pause(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            time.sleep(0.3)  # slow trials, without taking the CPU from the tests


    def data(n, seed):
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(n, 2)).astype("float32")
        return x, (x[:, 0] + x[:, 1] > 0).astype("float32").reshape(-1, 1)


    x, y = data(128, 0)
    hypermodel = TaskHyperModel(
        "binary", (2,), y=y, max_layers=2, units=(8, 16), batch_sizes=[32, 64]
    )
    tuner = make_tuner(
        "random", hypermodel, max_trials=4, max_epochs={epochs}, directory=sys.argv[1], seed=3
    )
    tuner.search(x, y, validation_data=data(64, 1), verbose=0, callbacks=[Pause()])
"""

#: Epochs of each trial of the interrupted search.
EPOCHS = 4


def _wait_for(condition, process, log, what, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the search ended before {what}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(f"no {what} after {timeout} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_an_interrupted_search_resumes_where_it_stopped(sig, tmp_path):
    """A search process killed in its second trial; the rerun (here, in this process) resumes."""
    script = tmp_path / "search.py"
    script.write_text(textwrap.dedent(_INTERRUPTED_SEARCH).format(epochs=EPOCHS))
    directory = tmp_path / "runs"
    project = str(directory / "random")
    log = tmp_path / "search.log"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}

    def status(trial_id):
        try:
            with open(os.path.join(project, f"trial_{trial_id}", "trial.json")) as file:
                return json.load(file)["status"]
        except (OSError, ValueError):  # not written yet, or being written
            return None

    def second_trial_training():
        return (
            status("0") == "COMPLETED"
            and status("1") == "RUNNING"
            and os.path.exists(os.path.join(project, "trial_1", "checkpoint.weights.h5"))
        )

    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, str(script), str(directory)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            _wait_for(second_trial_training, process, log, "second trial in training")
            process.send_signal(sig)
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode != 0
    if sig == signal.SIGINT:
        assert "KeyboardInterrupt" in log.read_text()
    killed = _trial_files(project)
    assert {t: r["status"] for t, r in killed.items()} == {"0": "COMPLETED", "1": "RUNNING"}
    files_before = _files(project)

    tuner = make_tuner(
        "random", _hypermodel(), max_trials=4, max_epochs=EPOCHS, directory=directory, seed=3
    )
    _search(tuner)

    final = _trial_files(project)
    assert {t: r["status"] for t, r in final.items()} == dict.fromkeys("0123", "COMPLETED")
    assert final["0"]["score"] == killed["0"]["score"]
    assert _files(project)["trial_0"] == files_before["trial_0"], "trial 0 ran again"
    interrupted = killed["1"]["hyperparameters"]["values"]
    assert interrupted.items() <= final["1"]["hyperparameters"]["values"].items()
    assert tuner.history("1")["epoch"] == list(range(EPOCHS)), "trial 1 ran again in full"
    scores = sorted((record["score"] for record in final.values()), reverse=True)
    assert [trial.score for trial in tuner.ranked_trials()] == scores


def _discrete_only(hp):
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(hp.Choice("units", [4, 8, 16, 32])),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(keras.optimizers.Adam(hp.Choice("learning_rate", [1e-3, 1e-2])), "mse")
    return model


def test_hyperband_over_discrete_choices_only_warns_and_indeed_promotes_nothing(tmp_path):
    with pytest.warns(UserWarning, match="keras-tuner issue 676"):
        tuner = make_tuner(
            "hyperband", _discrete_only, objective="val_loss", max_epochs=9, directory=tmp_path
        )
    tuner.search(X, Y, validation_data=(X_VAL, Y_VAL), verbose=0)
    values = [t.hyperparameters.values for t in tuner.oracle.trials.values()]
    assert values and all(v["tuner/initial_epoch"] == 0 for v in values)
    assert max(v["tuner/epochs"] for v in values) < 9


def test_the_default_spaces_have_a_continuous_hyperparameter(tmp_path, recwarn):
    make_tuner("hyperband", _hypermodel(), directory=tmp_path / "a")
    assert not [w for w in recwarn if "issue 676" in str(w.message)]
    with pytest.warns(UserWarning, match="issue 676"):
        make_tuner("hyperband", _hypermodel(learning_rate=1e-3), directory=tmp_path / "b")


_SEARCH_ON_A_BACKEND = """
import json, os, sys
os.environ["KERAS_BACKEND"] = sys.argv[1]
import keras
import numpy as np
import keras_actloss
from keras_actloss.tuning import TaskHyperModel, make_tuner

rng = np.random.default_rng(0)
x = rng.normal(size=(128, 2)).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")
keras.utils.set_random_seed(1)
hypermodel = TaskHyperModel("binary", (2,), y=y, max_layers=2, units=(8, 16), batch_sizes=[32])
tuner = make_tuner("random", hypermodel, max_trials=2, max_epochs=2, directory=sys.argv[2], seed=1)
tuner.search(x, y, validation_data=(x, y), verbose=0)
best = tuner.ranked_trials()[0]
model = tuner.get_best_models(1)[0]
path = os.path.join(sys.argv[2], "best.keras")
model.save(path)
again = keras.saving.load_model(path)
print(json.dumps({
    "backend": keras.backend.backend(),
    "finished": len(tuner.ranked_trials()),
    "best_score": best.score,
    "accuracy": model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"],
    "reloaded": again.evaluate(x, y, verbose=0, return_dict=True)["accuracy"],
}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_a_search_runs_on_every_backend(backend, tmp_path):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"the {backend} backend is not installed")
    result = run_fresh(_SEARCH_ON_A_BACKEND, [backend, str(tmp_path)])
    assert result["backend"] == backend and result["finished"] == 2
    # The best model is the checkpoint of its best epoch, which scored best_score on (x, y).
    assert result["accuracy"] == pytest.approx(result["best_score"], abs=1e-6)
    assert result["reloaded"] == pytest.approx(result["accuracy"], abs=1e-7)


def test_the_batch_size_is_in_the_space_before_the_first_trial(tmp_path):
    # Declared only where the model is fitted, it would join the space after a first trial
    # (after one per worker in a distributed search), so the searches would differ.
    tuner = make_tuner("random", _hypermodel(), directory=tmp_path, max_trials=1, max_epochs=1)
    space = tuner.oracle.get_space()
    assert space.get("batch_size") == 32 and "batch_size" in [p.name for p in space.space]
    _search(tuner)
    (trial,) = tuner.oracle.trials.values()
    assert trial.hyperparameters.values["batch_size"] in (32, 64)
    fixed = make_tuner(
        "random", _hypermodel(batch_sizes=[16]), directory=tmp_path, project_name="fixed"
    )
    assert "batch_size" not in [p.name for p in fixed.oracle.get_space().space]
