"""The search spaces of `keras_actloss.tuning`, `TaskHyperModel`, and `metrics.BinaryAccuracy`.

What is checked against independent truth:

- `hp_activation` offers exactly the catalog's activations for a role
  (computed here from `catalog.entries`), by canonical name;
- `head_options` / `hp_head` offer the heads the targets call for (one-hot
  rows or integer labels, the sign and range of regression targets,
  {-1, 1} or {0, 1} labels), put `suggest_head`'s choice first, and offer
  exactly the pairs the pairing checks accept (enumerated here from the
  catalog);
- no trial that KerasTuner's random oracle samples from `TaskHyperModel`
  builds a model that `check_pairing` or `check_targets` flags;
- `TaskHyperModel` validates its arguments, reports its objective under
  the name the search reads, and declares no hyperparameter for a fixed
  value;
- `BinaryAccuracy` against NumPy for probabilities, logits and {-1, 1}
  labels, with sample weights, through its config and serialization;
- `import keras_actloss` does not import `keras_tuner`, and the tuning
  module says which extra to install when it is missing.
"""

import math

import keras
import numpy as np
import pytest
from checks import assert_close
from fresh_process import run_fresh

import keras_actloss as ka
from keras_actloss import catalog, check_pairing, check_targets, suggest_head
from keras_actloss.metrics import BinaryAccuracy
from keras_actloss.pairing import Head

try:
    import keras_tuner

    from keras_actloss import tuning
    from keras_actloss.tuning import TaskHyperModel, head_options, hp_activation, hp_head
except ModuleNotFoundError:  # the `tuner` extra is not installed
    keras_tuner = tuning = TaskHyperModel = head_options = hp_activation = hp_head = None

needs_tuner = pytest.mark.skipif(
    keras_tuner is None, reason='needs keras-tuner: pip install "keras-actloss[tuner]"'
)

N = 32
CLASSES = 4
REJECTING = ("error", "warning")
HINGE_FAMILY = {"hinge", "squared_hinge", "perceptron_loss"}


def _targets(kind, draw=0):
    """Targets of one kind, N rows; each `draw` is another array of that kind, always the same."""
    rng = np.random.default_rng(draw)
    labels01 = rng.permutation(np.arange(N) % 2).reshape(N, 1).astype("float32")
    labels = rng.permutation(np.arange(N) % CLASSES)
    if kind == "binary01":
        return labels01
    if kind == "signed":
        return 2.0 * labels01 - 1.0
    if kind == "int_labels":
        return labels
    if kind == "one_hot":
        return np.eye(CLASSES, dtype="float32")[labels]
    if kind == "multi_hot":
        multi = (rng.random((N, 3)) < 0.5).astype("float32")
        multi[0] = (1.0, 1.0, 0.0)  # not every row sums to one: not one-hot
        return multi
    if kind == "real":
        real = rng.normal(0.0, 3.0, (N, 1)).astype("float32")
        real[0] = -2.5  # both signs for sure
        real[1] = 4.0
        return real
    if kind == "non_negative":
        return rng.exponential(5.0, (N, 1)).astype("float32") + 1.5  # beyond [0, 1] too
    if kind == "unit_interval":
        return rng.uniform(0.05, 0.95, (N, 1)).astype("float32")
    raise AssertionError(kind)


# (task, kind of targets)
CASES = [
    ("binary", "binary01"),
    ("binary", "signed"),
    ("multiclass", "int_labels"),
    ("multiclass", "one_hot"),
    ("multilabel", "multi_hot"),
    ("regression", "real"),
    ("regression", "non_negative"),
    ("regression", "unit_interval"),
]
CASE_IDS = [kind for _, kind in CASES]


def _units(kind):
    """The output units the targets need, from how they were made."""
    return CLASSES if kind == "int_labels" else _targets(kind).shape[-1]


def _name(obj):
    return catalog.entry_of(obj).info.name


def _rejecting(findings):
    return [f for f in findings if f.severity in REJECTING]


def _probe(activation, units):
    inputs = keras.Input((3,))
    outputs = ka.get_activation(activation)(keras.layers.Dense(units)(inputs))
    return keras.Model(inputs, outputs)


def _kwargs_id(kwargs):
    return ",".join(f"{key}={value!r}" for key, value in kwargs.items())


def _expect_value_error(match, function, *args, **kwargs):
    with pytest.raises(ValueError, match=match) as raised:
        function(*args, **kwargs)
    assert "Received:" in str(raised.value)


# --- hp_activation ----------------------------------------------------------------------------


def _role_activations(role):
    """The catalog's activations for `role` that build without arguments, in catalog order."""
    return [
        e.info.name
        for e in catalog.entries("activation")
        if role in e.info.roles and not e.required_arguments
    ]


@needs_tuner
def test_hp_activation_offers_every_hidden_activation_that_needs_no_arguments():
    expected = _role_activations("hidden")
    needing_arguments = [
        e.info.name
        for e in catalog.entries("activation")
        if "hidden" in e.info.roles and e.required_arguments
    ]
    assert expected and needing_arguments  # the filter has something to leave out
    hp = keras_tuner.HyperParameters()
    chosen = hp_activation(hp)
    (declared,) = hp.space
    assert declared.name == "activation"
    assert list(declared.values) == expected
    assert chosen == expected[0] == declared.default == hp.values["activation"]
    assert not set(needing_arguments) & set(declared.values)


@needs_tuner
@pytest.mark.parametrize("role", [r for r in catalog.ROLES if r != "hidden"])
def test_hp_activation_offers_the_activations_of_an_output_role(role):
    hp = keras_tuner.HyperParameters()
    chosen = hp_activation(hp, "output", role=role)
    (declared,) = hp.space
    assert declared.name == "output"
    assert list(declared.values) == _role_activations(role)
    assert chosen == _role_activations(role)[0]
    for name in declared.values:  # each value builds a layer of that name
        assert _name(ka.get_activation(name)) == name


@needs_tuner
def test_hp_activation_maps_aliases_and_class_names_to_canonical_names():
    hp = keras_tuner.HyperParameters()
    chosen = hp_activation(
        hp, values=["silu", "LeakyReLU", "rectified_linear_unit"], default="SiLU"
    )
    (declared,) = hp.space
    assert list(declared.values) == ["swish", "leaky_relu", "relu"]
    assert declared.default == "swish"
    assert chosen == "swish"


@needs_tuner
def test_hp_activation_default_is_the_first_trials_value():
    hp = keras_tuner.HyperParameters()
    assert hp_activation(hp, default="elu") == "elu"
    assert hp.values["activation"] == "elu"
    assert list(hp.space[0].values) == _role_activations("hidden")
    hp.values["activation"] = "prelu"  # what a trial sets
    assert hp_activation(hp, default="elu") == "prelu"


HP_ACTIVATION_ERRORS = [
    ({"role": "output"}, "role"),
    ({"role": "sigmoid_output"}, "role"),
    ({"values": ["softmax"]}, "for role='hidden'"),
    ({"values": ["maxout"]}, "for role='hidden'"),  # needs `units`
    ({"role": "regression_output", "values": ["tanh"]}, "for role='regression_output'"),
    ({"values": []}, "Expected activations among"),
    ({"values": ["relux"]}, "Unknown activation 'relux'"),
    ({"default": "relux"}, "Unknown activation 'relux'"),
    ({"values": ["relu", "elu"], "default": "tanh"}, "default"),
]


@needs_tuner
@pytest.mark.parametrize(
    "kwargs, match",
    HP_ACTIVATION_ERRORS,
    ids=[_kwargs_id(case[0]) for case in HP_ACTIVATION_ERRORS],
)
def test_hp_activation_errors(kwargs, match):
    _expect_value_error(match, hp_activation, keras_tuner.HyperParameters(), **kwargs)


# --- head_options and hp_head -----------------------------------------------------------------


@needs_tuner
@pytest.mark.parametrize("task, kind", CASES, ids=CASE_IDS)
def test_first_head_is_suggest_heads_choice(task, kind):
    y = _targets(kind)
    usual = suggest_head(y, task=task)
    first = head_options(task, y)[0]
    assert first.activation == _name(usual.activation)
    assert first.loss == _name(usual.loss)
    assert bool(first.from_logits) == bool(getattr(usual.loss, "from_logits", False))


@needs_tuner
def test_without_targets_the_tasks_usual_targets_are_assumed():
    assert head_options("binary")[0].name == "sigmoid+binary_crossentropy"
    assert head_options("multilabel", units=3)[0].name == "sigmoid+binary_crossentropy"
    multiclass = head_options("multiclass", units=3)
    assert multiclass[0].name == "softmax+sparse_categorical_crossentropy"
    assert "categorical_crossentropy" not in {o.loss for o in multiclass}
    regression = head_options("regression")
    assert regression[0].name == "linear+mean_squared_error"
    # real values of either sign: no loss or output for non-negative targets only
    assert "mean_squared_logarithmic_error" not in {o.loss for o in regression}
    assert {o.activation for o in regression} == {"linear"}


@needs_tuner
def test_one_hot_rows_get_categorical_and_integer_labels_sparse_cross_entropy():
    one_hot = {o.loss for o in head_options("multiclass", _targets("one_hot"))}
    labels = {o.loss for o in head_options("multiclass", _targets("int_labels"))}
    assert "categorical_crossentropy" in one_hot
    assert "sparse_categorical_crossentropy" not in one_hot
    assert "sparse_categorical_crossentropy" in labels
    assert "categorical_crossentropy" not in labels


@needs_tuner
def test_the_sign_and_range_of_regression_targets_decide_the_heads():
    non_negative = head_options("regression", _targets("non_negative"))
    signed = head_options("regression", _targets("real"))
    unit = head_options("regression", _targets("unit_interval"))
    assert "mean_squared_logarithmic_error" in {o.loss for o in non_negative}
    assert "mean_squared_logarithmic_error" not in {o.loss for o in signed}
    # an output that cannot go negative cannot reach negative targets
    assert not {"sigmoid", "relu", "softplus"} & {o.activation for o in signed}
    assert "sigmoid" in {o.activation for o in unit}
    assert "sigmoid" not in {o.activation for o in non_negative}  # targets beyond 1


@needs_tuner
def test_signed_labels_get_only_the_hinge_family_and_binary_labels_none_of_it():
    signed = head_options("binary", _targets("signed"))
    assert {o.loss for o in signed} == HINGE_FAMILY
    assert all(o.from_logits is None and o.raw_scores for o in signed)
    for task, kind in [("binary", "binary01"), ("multilabel", "multi_hot")]:
        assert not HINGE_FAMILY & {o.loss for o in head_options(task, _targets(kind))}


@needs_tuner
def test_tanh_with_cross_entropy_from_logits_is_never_offered():
    bce = ka.get_loss("binary_crossentropy", from_logits=True)
    # the checks flag it: a tanh output's logits are bounded
    assert _rejecting(check_pairing(_probe("tanh", 1), bce))
    for task, kind in CASES:
        names = {o.name for o in head_options(task, _targets(kind))}
        assert "tanh+binary_crossentropy(from_logits)" not in names, kind
    assert "tanh+binary_crossentropy(from_logits)" not in {o.name for o in head_options("binary")}


@needs_tuner
@pytest.mark.parametrize("task, kind", CASES, ids=CASE_IDS)
def test_head_options_are_exactly_the_pairs_the_checks_accept(task, kind):
    """Every output activation for the task times every trainable loss for it (both
    `from_logits` settings of a loss that reads logits), kept when neither check flags it;
    the hinge losses only for {-1, 1} labels, and only those for them."""
    y = _targets(kind)
    signed = set(np.unique(y).tolist()) == {-1.0, 1.0}
    expected = set()
    for activation in _role_activations(f"{task}_output"):
        model = _probe(activation, _units(kind))
        for entry in catalog.entries("loss"):
            info = entry.info
            if task not in info.tasks or not info.differentiable or info.diagnostic:
                continue
            if (info.targets == "signed") != signed:
                continue
            settings = [False, True] if info.prediction == "probabilities_or_logits" else [None]
            for from_logits in settings:
                loss = entry.implementation(
                    **({} if from_logits is None else {"from_logits": from_logits})
                )
                if not _rejecting(check_pairing(model, loss) + check_targets(model, y, loss)):
                    expected.add(
                        f"{activation}+{info.name}" + ("(from_logits)" if from_logits else "")
                    )
        keras.utils.clear_session(free_memory=False)
    options = head_options(task, y)
    assert len({o.name for o in options}) == len(options)  # no duplicates
    assert {o.name for o in options} == expected


@needs_tuner
@pytest.mark.parametrize("task, kind", CASES, ids=CASE_IDS)
def test_auto_infers_the_task_from_the_targets(task, kind):
    y = _targets(kind)
    assert head_options("auto", y) == head_options(task, y)
    assert TaskHyperModel("auto", (3,), y=y).task == task


@needs_tuner
@pytest.mark.parametrize("function", ["head_options", "hp_head"])
@pytest.mark.parametrize(
    "task, kind, units, match",
    [
        ("auto", None, None, "Expected targets `y` with task='auto'"),
        ("classification", None, None, "task"),
        ("multiclass", None, None, "Expected `units`"),
        ("multilabel", None, None, "Expected `units`"),
        ("multiclass", None, 1, "units >= 2"),
        ("multiclass", "int_labels", 3, "need 4 output unit"),
        ("multilabel", "multi_hot", 2, "need 3 output unit"),
        ("binary", "binary01", 2, "need 1 output unit"),
    ],
)
def test_head_argument_errors(function, task, kind, units, match):
    y = None if kind is None else _targets(kind)
    if function == "head_options":
        _expect_value_error(match, head_options, task, y, units=units)
    else:
        _expect_value_error(match, hp_head, keras_tuner.HyperParameters(), task, y, units=units)


def _with_head(task, y, head, **hp_values):
    """`hp_head` as a trial that chose `head` (and `hp_values`) sees it."""
    hp = keras_tuner.HyperParameters()
    hp_head(hp, task, y)  # declares the space, as a search's first build does
    hp.values["head"] = head
    hp.values.update(hp_values)
    for declared in hp.space:  # what the new head activates starts at its default
        if declared.name not in hp.values and hp.is_active(declared):
            hp.values[declared.name] = declared.default
    return hp, hp_head(hp, task, y)


@needs_tuner
@pytest.mark.parametrize("task, kind", CASES, ids=CASE_IDS)
def test_hp_head_builds_the_chosen_head(task, kind):
    y = _targets(kind)
    options = head_options(task, y)
    hp = keras_tuner.HyperParameters()
    first = hp_head(hp, task, y)
    (declared,) = [p for p in hp.space if p.name == "head"]
    assert list(declared.values) == [o.name for o in options]
    assert declared.default == options[0].name
    assert _name(first.loss) == options[0].loss
    for option in options:
        _, head = _with_head(task, y, option.name)
        assert isinstance(head, Head)
        assert (head.task, head.units) == (task, _units(kind))
        assert _name(head.activation) == option.activation
        assert _name(head.loss) == option.loss
        if option.loss == "huber":  # the default delta when the trial sets none
            assert head.loss.get_config()["delta"] == 1.0
        if "from_logits" in head.loss.get_config():
            assert head.loss.from_logits is option.name.endswith("(from_logits)")
        else:
            assert not option.name.endswith("(from_logits)")
        model = _probe(option.activation, head.units)
        found = check_pairing(model, head.loss) + check_targets(model, y, head.loss)
        assert not _rejecting(found), (option.name, found)
    keras.utils.clear_session(free_memory=False)


def _huber(errors, delta):
    errors = np.abs(np.asarray(errors, dtype="float64"))
    return np.where(errors <= delta, 0.5 * errors**2, delta * (errors - 0.5 * delta)).mean()


@needs_tuner
def test_huber_delta_is_active_only_when_the_head_uses_huber():
    y = _targets("real")
    hp = keras_tuner.HyperParameters()
    head = hp_head(hp, "regression", y)
    assert _name(head.loss) == "mean_squared_error"
    (delta,) = [p for p in hp.space if p.name == "huber_delta"]
    space = tuning.LOSS_HYPERPARAMETERS["huber"]["delta"]
    assert (delta.min_value, delta.max_value, delta.sampling) == (0.1, 10.0, "log")
    assert delta.min_value == space["min_value"] and delta.max_value == space["max_value"]
    assert not hp.is_active("huber_delta")
    for other in ("linear+mean_absolute_error", "linear+root_mean_squared_error"):
        hp.values["head"] = other
        hp_head(hp, "regression", y)
        assert not hp.is_active("huber_delta")

    hp, head = _with_head("regression", y, "linear+huber", huber_delta=2.5)
    assert hp.is_active("huber_delta")
    assert head.loss.get_config()["delta"] == 2.5
    y_true, y_pred = np.array([[0.0], [0.0], [0.0]]), np.array([[1.0], [-2.0], [6.0]])
    assert_close(head.loss(y_true, y_pred), _huber([1.0, 2.0, 6.0], 2.5), 1e-6, 1e-6)


@needs_tuner
def test_huber_head_and_delta_can_be_fixed():
    y = _targets("non_negative")
    hp = keras_tuner.HyperParameters()
    hp.Fixed("head", "softplus+huber")
    hp.Fixed("huber_delta", 0.3)
    head = hp_head(hp, "regression", y)
    assert _name(head.activation) == "softplus" and _name(head.loss) == "huber"
    assert head.loss.get_config()["delta"] == 0.3
    assert hp.is_active("huber_delta")


@needs_tuner
def test_no_huber_delta_where_no_head_uses_huber():
    hp = keras_tuner.HyperParameters()
    hp_head(hp, "binary", _targets("binary01"))
    assert [p.name for p in hp.space] == ["head"]
    hp = keras_tuner.HyperParameters()
    hp_head(hp, "regression", _targets("real"), values=["linear+mean_absolute_error"])
    assert [p.name for p in hp.space] == ["head"]


@needs_tuner
def test_hp_head_values_choose_among_a_subset():
    y = _targets("non_negative")
    subset = ["softplus+mean_squared_logarithmic_error", "linear+huber"]
    hp = keras_tuner.HyperParameters()
    head = hp_head(hp, "regression", y, values=subset, name="out")
    (declared,) = [p for p in hp.space if p.name == "out"]
    assert list(declared.values) == subset
    assert (_name(head.activation), _name(head.loss)) == (
        "softplus",
        "mean_squared_logarithmic_error",
    )
    assert not hp.is_active("huber_delta")
    _expect_value_error("Expected heads among", hp_head, hp, "regression", y, values=["x+y"])
    _expect_value_error("Expected heads among", hp_head, hp, "regression", y, values=[])
    # a head the checks reject for these targets is not among the values either
    _expect_value_error(
        "Expected heads among", hp_head, hp, "regression", _targets("real"), values=["relu+huber"]
    )


@needs_tuner
@pytest.mark.parametrize("case", ["multilabel_signed", "regression_nan"])
def test_targets_no_head_suits_raise_a_value_error(case):
    if case == "multilabel_signed":
        task, y = "multilabel", 2.0 * _targets("multi_hot") - 1.0
    else:
        task, y = "regression", _targets("real")
        y[3] = np.nan
    _expect_value_error("Expected", hp_head, keras_tuner.HyperParameters(), task, y)


# --- every sampled trial is a pair the checks accept -----------------------------------------

TRIALS = 40


def _sample_trials(task, y, directory, start, trials=TRIALS):
    """Builds `trials` models from KerasTuner's random oracle over `TaskHyperModel(task, y=y)`.

    Yields (the trial's hyperparameters, model). Each trial is ended as
    completed, so the oracle proposes a new combination every time.
    """
    hypermodel = TaskHyperModel(task, input_shape=(3,), y=y)
    tuner = tuning.make_tuner(
        "random", hypermodel, max_trials=trials, directory=directory, seed=start + 1, overwrite=True
    )
    tuner.oracle.verbose = 0
    tuner._populate_initial_space()
    for _ in range(trials):
        trial = tuner.oracle.create_trial("tuner0")
        assert trial.status == "RUNNING"
        model = hypermodel.build(trial.hyperparameters)
        yield trial.hyperparameters, model
        tuner.oracle.update_trial(trial.trial_id, {hypermodel.objective.name: 0.5})
        trial.status = "COMPLETED"
        tuner.oracle.end_trial(trial)
        keras.utils.clear_session(free_memory=False)


def _check_sampled_trials(task, kind, tmp_path):
    y = _targets(kind)
    offered = {o.name: o for o in head_options(task, y)}
    hidden = set(_role_activations("hidden"))
    seen = set()
    for hp, model in _sample_trials(task, y, tmp_path, CASES.index((task, kind))):
        head = hp.get("head")
        seen.add(head)
        option = offered[head]
        assert hp.get("activation") in hidden
        assert model.output_shape[-1] == _units(kind)
        assert _name(model.layers[-1]) == option.activation
        assert _name(model.loss) == option.loss
        assert getattr(model.loss, "from_logits", None) == option.from_logits
        if option.loss == "huber":
            assert hp.is_active("huber_delta")
            assert model.loss.get_config()["delta"] == hp.get("huber_delta")
        else:
            assert not hp.is_active("huber_delta")
        found = check_pairing(model) + check_targets(model, y)
        assert not _rejecting(found), (head, found)
    assert len(offered) > 1  # every case here offers several heads
    assert len(seen) > 1, seen


@needs_tuner
@pytest.mark.parametrize("task, kind", CASES, ids=CASE_IDS)
def test_no_sampled_trial_builds_a_pair_the_checks_flag(task, kind, tmp_path):
    _check_sampled_trials(task, kind, tmp_path)


# --- TaskHyperModel ---------------------------------------------------------------------------


HYPERMODEL_ERRORS = [
    ({"task": "classification"}, ValueError, "task"),
    ({"input_shape": "3"}, TypeError, "input_shape as a tuple of positive integers"),
    ({"input_shape": None}, TypeError, "input_shape as a tuple of positive integers"),
    ({"input_shape": ()}, TypeError, "input_shape as a tuple of positive integers"),
    ({"input_shape": (3, 0)}, ValueError, "input_shape"),
    ({"input_shape": (2.5,)}, ValueError, "input_shape"),
    ({"input_shape": -1}, ValueError, "input_shape"),
    ({"units": (64, 8)}, ValueError, "low <= high"),
    ({"units": (8, 16, 32)}, ValueError, "a number or a \\(low, high\\) pair"),
    ({"units": 0}, ValueError, "units"),
    ({"dropout": 1.0}, ValueError, "dropout"),
    ({"dropout": (0.0, 1.0)}, ValueError, "dropout"),
    ({"dropout": -0.1}, ValueError, "dropout"),
    ({"learning_rate": 0}, ValueError, "learning_rate"),
    ({"learning_rate": (0.0, 0.1)}, ValueError, "learning_rate"),
    ({"batch_sizes": []}, ValueError, "batch_sizes"),
    ({"batch_sizes": 32}, ValueError, "batch_sizes"),
    ({"batch_sizes": [0]}, ValueError, "batch_sizes"),
    ({"max_layers": 0}, ValueError, "max_layers"),
    ({"heads": ["tanh+hinge"]}, ValueError, "Expected heads among"),
    ({"heads": []}, ValueError, "Expected heads among"),
    ({"activations": ["relux"]}, ValueError, "Unknown activation 'relux'"),
    ({"activations": ["softmax"]}, ValueError, "for role='hidden'"),
    ({"activations": []}, ValueError, "Expected activations among"),
    ({"task": "multiclass"}, ValueError, "Expected `units`"),
    ({"task": "auto"}, ValueError, "Expected targets `y`"),
]


@needs_tuner
@pytest.mark.parametrize(
    "kwargs, error, match",
    HYPERMODEL_ERRORS,
    ids=[_kwargs_id(case[0]) for case in HYPERMODEL_ERRORS],
)
def test_task_hypermodel_argument_errors(kwargs, error, match):
    arguments = {"task": "binary", "input_shape": (3,), **kwargs}
    with pytest.raises(error, match=match) as raised:
        TaskHyperModel(arguments.pop("task"), arguments.pop("input_shape"), **arguments)
    assert "Received:" in str(raised.value)


@needs_tuner
@pytest.mark.parametrize("task, kind", CASES, ids=CASE_IDS)
def test_task_hypermodel_objective(task, kind):
    hypermodel = TaskHyperModel(task, (3,), y=_targets(kind))
    expected = (
        ("val_root_mean_squared_error", "min") if task == "regression" else ("val_accuracy", "max")
    )
    assert (hypermodel.objective.name, hypermodel.objective.direction) == expected
    assert hypermodel.n_outputs == _units(kind)


@needs_tuner
def test_fixed_values_declare_no_hyperparameters():
    hypermodel = TaskHyperModel(
        "binary", (3,), units=32, dropout=0.0, learning_rate=1e-3, batch_sizes=[64]
    )
    hp = keras_tuner.HyperParameters()
    model = hypermodel.build(hp)
    names = {p.name for p in hp.space}
    assert names == {"num_layers", "activation", "head"}
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [32] * hp.get("num_layers") + [1]
    assert not [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert math.isclose(float(model.optimizer.learning_rate), 1e-3, rel_tol=1e-6)


@needs_tuner
def test_tuned_values_are_declared_within_their_ranges():
    hypermodel = TaskHyperModel(
        "regression",
        (2, 2),
        max_layers=3,
        units=(8, 64),
        dropout=(0.1, 0.3),
        learning_rate=(1e-4, 1e-2),
    )
    hp = keras_tuner.HyperParameters()
    model = hypermodel.build(hp)
    space = {p.name: p for p in hp.space}
    assert set(space) == {
        "num_layers",
        "activation",
        "units_0",
        "units_1",
        "units_2",
        "dropout",
        "head",
        "huber_delta",  # declared, but active only for a Huber head
        "learning_rate",
    }
    assert hp.is_active("huber_delta") == hp.get("head").endswith("+huber")
    assert (space["num_layers"].min_value, space["num_layers"].max_value) == (1, 3)
    assert (space["dropout"].min_value, space["dropout"].max_value) == (0.1, 0.3)
    assert (space["learning_rate"].min_value, space["learning_rate"].max_value) == (1e-4, 1e-2)
    assert model.input_shape == (None, 2, 2)
    assert model.output_shape == (None, 1)
    widths = [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert all(8 <= w <= 64 for w in widths[:-1])


@needs_tuner
def test_default_widths_lie_within_a_units_range_above_32():
    hypermodel = TaskHyperModel("binary", (3,), units=(64, 128))
    model = hypermodel.build(keras_tuner.HyperParameters())
    widths = [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert all(64 <= w <= 128 for w in widths[:-1]), widths


def _expected_objective(task, option, y, predictions):
    """The objective computed with NumPy from the model's predictions."""
    y = np.asarray(y, dtype="float64")
    p = np.asarray(predictions, dtype="float64")
    if task == "regression":
        return np.sqrt(np.mean((y.reshape(p.shape) - p) ** 2))
    if task == "multiclass":
        labels = y.argmax(axis=-1) if y.ndim == 2 and y.shape[-1] > 1 else y.reshape(-1)
        return np.mean(p.argmax(axis=-1) == labels)
    positive = p > (0.0 if option.raw_scores else 0.5)
    return np.mean(positive == (y.reshape(p.shape) > 0.5))


# Each fit costs about a second: the non-negative and [0, 1] regression cases are left out,
# as their losses already fit in the "real" case (on other output activations there).
FIT_CASES = [
    (task, kind, option.name)
    for task, kind in CASES
    if kind not in ("non_negative", "unit_interval")
    if head_options is not None
    for option in head_options(task, _targets(kind))
]


@needs_tuner
@pytest.mark.slow
@pytest.mark.parametrize("task, kind, head", FIT_CASES)
def test_every_head_reports_the_objective(task, kind, head):
    y, y_val = _targets(kind, draw=1), _targets(kind, draw=2)
    rng = np.random.default_rng(3)
    x, x_val = rng.normal(size=(N, 3)), rng.normal(size=(N, 3))
    keras.utils.set_random_seed(0)
    hypermodel = TaskHyperModel(task, (3,), y=y)
    hp = keras_tuner.HyperParameters()
    hp.Fixed("head", head)
    model = hypermodel.build(hp)
    history = hypermodel.fit(hp, model, x, y, validation_data=(x_val, y_val), epochs=1, verbose=0)
    name = hypermodel.objective.name
    assert name in history.history, sorted(history.history)
    option = next(o for o in hypermodel.head_options if o.name == head)
    predictions = keras.ops.convert_to_numpy(model(x_val, training=False))
    expected = _expected_objective(task, option, y_val, predictions)
    assert_close(history.history[name][-1], expected, 1e-4, 1e-5)


@needs_tuner
@pytest.mark.slow
@pytest.mark.parametrize("batch_sizes, expected", [([64], 64), ([16, 32], 32), ([16], 16)])
def test_fit_uses_the_batch_size_and_tunes_it_only_when_there_is_a_choice(batch_sizes, expected):
    y = np.resize(_targets("binary01"), (130, 1))
    x = np.random.default_rng(0).normal(size=(130, 3))
    hypermodel = TaskHyperModel("binary", (3,), y=y, batch_sizes=batch_sizes)
    hp = keras_tuner.HyperParameters()
    model = hypermodel.build(hp)
    batches = []
    counter = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(b))
    hypermodel.fit(hp, model, x, y, epochs=1, verbose=0, callbacks=[counter])
    assert len(batches) == math.ceil(130 / expected)
    if len(batch_sizes) == 1:
        assert "batch_size" not in hp.values
    else:
        assert hp.values["batch_size"] == expected


# --- BinaryAccuracy ---------------------------------------------------------------------------


def _accuracy(y, positive, weights=None):
    """The (weighted) share of elements where the prediction is the label's side of 0.5."""
    correct = (positive == (np.asarray(y, dtype="float64") > 0.5)).astype("float64")
    if weights is None:
        return correct.mean()
    weights = np.broadcast_to(np.asarray(weights, dtype="float64").reshape(-1, 1), correct.shape)
    return (weights * correct).sum() / weights.sum()


def _data(columns=3, draw=0):
    rng = np.random.default_rng(draw)
    y = (rng.random((40, columns)) < 0.5).astype("float32")
    p = rng.uniform(0.01, 0.99, (40, columns)).astype("float32")
    z = rng.normal(0.0, 2.0, (40, columns)).astype("float32")
    return y, p, z


def _result(metric, *batches):
    for batch in batches:
        metric.update_state(*batch[:2], sample_weight=batch[2] if len(batch) > 2 else None)
    return float(metric.result())


@pytest.mark.parametrize("threshold", [0.5, 0.3])
def test_binary_accuracy_on_probabilities(threshold):
    y, p, _ = _data()
    metric = BinaryAccuracy(threshold=threshold)
    expected = _accuracy(y, p.astype("float64") > threshold)
    assert 0.2 < expected < 0.8  # mixed right and wrong
    assert_close(_result(metric, (y, p)), expected, 1e-6, 1e-6)


@pytest.mark.parametrize("threshold", [0.5, 0.3])
def test_binary_accuracy_on_logits(threshold):
    y, _, z = _data()
    metric = BinaryAccuracy(threshold=threshold, from_logits=True)
    # sigmoid(z) > t exactly when z > log(t / (1 - t)): 0 for t = 0.5
    expected = _accuracy(y, z.astype("float64") > math.log(threshold / (1 - threshold)))
    assert_close(_result(metric, (y, z)), expected, 1e-6, 1e-6)


def test_binary_accuracy_on_signed_labels():
    y, p, z = _data(columns=1)
    signed = 2.0 * y - 1.0
    logits = BinaryAccuracy(from_logits=True)
    assert_close(_result(logits, (signed, z)), _accuracy(y, z > 0), 1e-6, 1e-6)
    probabilities = BinaryAccuracy()
    assert_close(_result(probabilities, (signed, p)), _accuracy(y, p > 0.5), 1e-6, 1e-6)
    # Keras's own counts every -1 as wrong, so it scores only the positive labels
    keras_accuracy = keras.metrics.BinaryAccuracy(threshold=0.0)
    keras_accuracy.update_state(signed, z)
    only_positives = np.mean((signed > 0) & (z > 0))
    assert_close(keras_accuracy.result(), only_positives, 1e-6, 1e-6)
    assert abs(_accuracy(y, z > 0) - only_positives) > 0.1


def test_binary_accuracy_with_sample_weights_and_several_batches():
    y, p, z = _data()
    w = np.random.default_rng(1).uniform(0.0, 2.0, 40).astype("float32")
    metric = BinaryAccuracy()
    result = _result(metric, (y[:25], p[:25], w[:25]), (y[25:], p[25:], w[25:]))
    assert_close(result, _accuracy(y, p > 0.5, w), 1e-6, 1e-6)
    assert abs(result - _accuracy(y, p > 0.5)) > 1e-4  # the weights matter here
    column = BinaryAccuracy(from_logits=True)
    assert_close(
        _result(column, (y[:, :1], z[:, :1], w)), _accuracy(y[:, :1], z[:, :1] > 0, w), 1e-6, 1e-6
    )
    metric.reset_state()
    assert_close(_result(metric, (y, p)), _accuracy(y, p > 0.5), 1e-6, 1e-6)


def test_binary_accuracy_config_and_serialization_round_trip():
    y, _, z = _data()
    metric = BinaryAccuracy(threshold=0.3, from_logits=True, name="acc")
    config = metric.get_config()
    assert config == {"name": "acc", "dtype": "float32", "threshold": 0.3, "from_logits": True}
    rebuilt = BinaryAccuracy.from_config(config)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert type(restored) is BinaryAccuracy
    for copy in (rebuilt, restored):
        assert copy.get_config() == config
        assert _result(copy, (y, z)) == _result(BinaryAccuracy(0.3, True), (y, z))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": 1.0}, "threshold"),
        ({"from_logits": "yes"}, "from_logits"),
    ],
)
def test_binary_accuracy_argument_errors(kwargs, match):
    _expect_value_error(match, BinaryAccuracy, **kwargs)


def _hinge_model(metrics):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, ka.Linear()(keras.layers.Dense(1)(inputs)))
    model.compile("adam", loss=ka.get_loss("hinge"), metrics=metrics)
    return model


def test_keras_accuracy_with_signed_labels_is_flagged():
    found = check_targets(_hinge_model(["accuracy"]), _targets("signed"))
    assert [f.code for f in found] == ["accuracy-with-signed-labels"]


@pytest.mark.parametrize("name", ["binary_accuracy", "accuracy"])
def test_our_binary_accuracy_with_signed_labels_is_not_flagged(name):
    model = _hinge_model([BinaryAccuracy(from_logits=True, name=name)])
    assert check_targets(model, _targets("signed")) == []


# --- the optional dependency ------------------------------------------------------------------


@pytest.mark.slow
def test_importing_the_package_does_not_import_keras_tuner():
    seen = run_fresh(
        """
        import json, sys
        import keras_actloss
        print(json.dumps({"keras_tuner": "keras_tuner" in sys.modules}))
        """
    )
    assert seen == {"keras_tuner": False}


@pytest.mark.slow
def test_tuning_without_keras_tuner_says_which_extra_to_install():
    seen = run_fresh(
        """
        import json, sys
        sys.modules["keras_tuner"] = None  # as if it were not installed
        import keras_actloss
        from keras_actloss._optional import MissingDependencyError
        try:
            import keras_actloss.tuning
        except MissingDependencyError as error:
            print(json.dumps({
                "raised": True,
                "module_not_found": isinstance(error, ModuleNotFoundError),
                "message": str(error),
            }))
        else:
            print(json.dumps({"raised": False}))
        """
    )
    assert seen["raised"] and seen["module_not_found"]
    assert 'pip install "keras-actloss[tuner]"' in seen["message"]
    assert "keras_tuner" in seen["message"]
