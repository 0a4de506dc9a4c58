"""Loss configs, `.keras` round trips, lookup, argument and shape checks, `repr`.

Everything per loss is derived from the catalog: `NON_DEFAULT` (the one
table a new loss needs here) fails by name for a catalog loss without an
entry, the round trips pick their data from the loss's `targets`, and the
bad-argument tests from the constructor's signature.
"""

import ast
import inspect
import json
import math
import re

import keras
import numpy as np
import pytest
from backends import BACKEND, tensorflow_only
from checks import (
    assert_config_holds_every_argument,
    catalog_names,
    constructor_arguments,
    require,
)
from fresh_process import run_fresh
from test_losses_values import CASES_BY_NAME, inputs

import keras_actloss as ka
from keras_actloss import catalog
from keras_actloss import losses as L

LOSS_CLASSES = [entry.implementation for entry in catalog.entries("loss")]
WHERE = "NON_DEFAULT (tests/test_losses_config.py)"

# For every catalog loss, constructor arguments that are all away from their defaults.
NON_DEFAULT = {
    "hinge": dict(reduction="sum", name="svm", dtype="float64"),
    "squared_hinge": dict(reduction="mean_with_sample_weight", name="sq", dtype="float64"),
    "perceptron_loss": dict(reduction="sum", name="rosenblatt", dtype="float64"),
    "zero_one_loss": dict(
        threshold=0.3, from_logits=True, reduction="sum", name="errors", dtype="float64"
    ),
    "binary_crossentropy": dict(
        from_logits=True, label_smoothing=0.1, axis=1, reduction="sum", name="bce", dtype="float64"
    ),
    "categorical_crossentropy": dict(
        from_logits=True, label_smoothing=0.2, axis=1, reduction="mean", name="cce", dtype="float64"
    ),
    "sparse_categorical_crossentropy": dict(
        from_logits=True, ignore_class=0, reduction="sum", axis=1, name="scce", dtype="float64"
    ),
    "kl_divergence": dict(reduction="sum", name="kl", dtype="mixed_float16"),
    "mean_squared_error": dict(reduction="sum", name="my_mse", dtype="float64"),
    "mean_absolute_error": dict(reduction="mean_with_sample_weight", name="l1", dtype="float64"),
    "root_mean_squared_error": dict(
        reduction="mean_with_sample_weight", name="rmse", dtype="float64"
    ),
    "mean_squared_logarithmic_error": dict(reduction="sum", name="msle", dtype="float64"),
    "mean_error": dict(reduction="mean", name="bias", dtype="float64"),
    "huber": dict(delta=3.0, reduction="sum", name="robust", dtype="float64"),
}


SHARED_ARGUMENTS = {"reduction", "name", "dtype"}


def non_default(name):
    """The catalog loss `name` built with its `NON_DEFAULT` arguments: (loss, arguments).

    A loss whose constructor takes only the arguments every loss shares needs
    no entry: those are set away from their defaults here.
    """
    cls = catalog.lookup("loss", name).implementation
    if name not in NON_DEFAULT and set(constructor_arguments(cls)) <= SHARED_ARGUMENTS:
        arguments = dict(reduction="sum", name=f"my_{name}", dtype="float64")
    else:
        arguments = require(NON_DEFAULT, name, "loss", WHERE)
    return cls(**arguments), arguments


def defaults(cls):
    """{argument: default} of a constructor, in order."""
    parameters = inspect.signature(cls.__init__).parameters
    return {name: parameters[name].default for name in constructor_arguments(cls)}


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_every_loss_has_a_non_default_instance_here(name):
    loss, arguments = non_default(name)
    cls = catalog.lookup("loss", name).implementation
    assert type(loss) is cls
    for argument, default in defaults(cls).items():
        assert argument in arguments, f"{name}: NON_DEFAULT does not set {argument!r}"
        if argument == "name":
            default = cls.default_name  # what `name=None` gives
        assert arguments[argument] != default, f"{name}: {argument} is its default"


def test_non_default_names_only_catalog_losses():
    assert set(NON_DEFAULT) <= set(catalog_names("loss")), sorted(
        set(NON_DEFAULT) - set(catalog_names("loss"))
    )


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_get_config_returns_every_constructor_argument(name):
    loss, arguments = non_default(name)
    assert_config_holds_every_argument(loss, arguments)
    for argument, value in arguments.items():
        if argument != "dtype":
            assert getattr(loss, argument) == value, argument
    config = loss.get_config()
    restored = type(loss).from_config(json.loads(json.dumps(config)))  # no extra keys either
    assert restored.get_config() == config
    assert restored.dtype == loss.dtype


def test_config_holds_exactly_what_was_asked():
    assert L.Huber(delta=3.0, reduction="sum", name="h", dtype="float64").get_config() == {
        "delta": 3.0,
        "reduction": "sum",
        "name": "h",
        "dtype": "float64",
    }
    # No dtype given: none recorded, so a reload follows that process's floatx.
    assert L.MeanSquaredError().get_config() == {
        "name": "mean_squared_error",
        "reduction": "sum_over_batch_size",
        "dtype": None,
    }
    assert (
        L.KLDivergence(dtype=keras.DTypePolicy("mixed_float16")).get_config()["dtype"]
        == "mixed_float16"
    )


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_registered_and_deserializable_by_keras(name):
    loss, _ = non_default(name)
    cls = type(loss)
    serialized = keras.saving.serialize_keras_object(loss)
    assert serialized["registered_name"] == f"keras_actloss>{cls.__name__}"
    restored = keras.saving.deserialize_keras_object(serialized)
    assert type(restored) is cls and restored.get_config() == loss.get_config()


def test_drop_in_default_names_and_signatures_match_keras():
    compared = []
    for ours in LOSS_CLASSES:
        theirs = getattr(keras.losses, ours.__name__, None)
        if theirs is None:
            continue
        ours_parameters = list(inspect.signature(ours.__init__).parameters)
        theirs_parameters = list(inspect.signature(theirs.__init__).parameters)
        assert ours_parameters == theirs_parameters, ours.__name__  # positional order too
        assert ours().name == theirs().name, ours.__name__
        compared.append(ours.__name__)
    assert {"MeanSquaredError", "Huber", "SparseCategoricalCrossentropy"} <= set(compared)


def test_metrics_do_not_take_the_losses_registered_names():
    # Keras's registry silently replaces a class registered under a taken name.
    assert (
        keras.saving.get_registered_object("keras_actloss>RootMeanSquaredError")
        is L.RootMeanSquaredError
    )
    assert keras.saving.get_registered_object("keras_actloss>MeanError") is L.MeanError
    for cls in (ka.metrics.RootMeanSquaredError, ka.metrics.MeanError, ka.metrics.ZeroOneError):
        assert keras.saving.get_registered_name(cls) == f"keras_actloss>metrics.{cls.__name__}"


# --- .keras round trips in a fresh process ---------------------------------------------


def _one_hot(rng, units):
    return np.eye(units)[rng.integers(0, units, 40)]


def _distributions(rng, units):
    weights = rng.uniform(0.05, 1.0, (40, units))
    return weights / weights.sum(-1, keepdims=True)


#: By the targets a loss expects (`LossInfo.targets`): output units, the output
#: activation when the loss takes probabilities, and targets for 40 samples.
TARGET_DATA = {
    "real": (3, None, lambda rng, units: rng.normal(size=(40, units))),
    "non_negative": (3, "softplus", lambda rng, units: rng.uniform(0, 3, (40, units))),
    "binary": (3, "sigmoid", lambda rng, units: rng.integers(0, 2, (40, units))),
    "signed": (3, None, lambda rng, units: rng.choice([-1.0, 1.0], (40, units))),
    "one_hot": (4, "softmax", _one_hot),
    "integer_labels": (4, "softmax", lambda rng, units: rng.integers(0, units, 40)),
    "distribution": (4, "softmax", _distributions),
}


def _target_data(name):
    targets = catalog.lookup("loss", name).info.targets
    if targets not in TARGET_DATA:
        pytest.fail(
            f"The loss {name!r} expects targets {targets!r}, which have no entry in "
            "TARGET_DATA (tests/test_losses_config.py)."
        )
    return TARGET_DATA[targets]


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_every_loss_has_round_trip_data_for_its_targets(name):
    units, _, make_targets = _target_data(name)
    y = make_targets(np.random.default_rng(0), units)
    assert len(y) == 40 and np.all(np.isfinite(y)), name


def _model(name, arguments, rng):
    """A small model for the catalog loss `name`, with data for it: (model, x, y)."""
    units, head, make_targets = _target_data(name)
    if arguments.get("from_logits"):
        head = None  # the loss takes the logits
    x = rng.normal(size=(40, 4)).astype("float32")
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(units, activation=head, name=f"out_{name}")]
    )
    return model, x, np.asarray(make_targets(rng, units), "float32")


def _save_everything(directory):
    """Saves one compiled model per case; returns {case: (path, x, y, config, evaluate)}."""
    rng = np.random.default_rng(0)
    keras.utils.set_random_seed(0)
    saved = {}

    def save(case, model, loss, x, y, metrics=None):
        model.compile(optimizer="sgd", loss=loss, metrics=metrics)
        path = str(directory / f"{case}.keras")
        data = str(directory / f"{case}.npz")
        model.save(path)
        if isinstance(y, list):
            y = {f"y{i}": part for i, part in enumerate(y)}
        np.savez(data, x=x, **(y if isinstance(y, dict) else {"y": y}))
        if case == "list_outputs":
            y = [y["y0"], y["y1"]]
        result = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
        saved[case] = {
            "path": path,
            "data": data,
            "compile_config": json.loads(json.dumps(model.get_compile_config(), default=str)),
            "evaluate": {k: float(v).hex() for k, v in result.items()},
        }

    for name in catalog_names("loss"):
        loss, arguments = non_default(name)
        model, x, y = _model(name, arguments, rng)
        save(name, model, loss, x, y)

    # Keras's own Huber for contrast, and our metrics on an RMSE model.
    model, x, y = _model("huber", {}, rng)
    save("keras_huber", model, keras.losses.Huber(delta=3.0), x, y)
    model, x, y = _model("root_mean_squared_error", {}, rng)
    metrics = [
        ka.metrics.RootMeanSquaredError(name="rmse_metric", dtype="float64"),
        ka.metrics.MeanError(name="bias_metric"),
        ka.metrics.ZeroOneError(threshold=0.3, from_logits=True, name="errors_metric"),
    ]
    save("metrics", model, L.MeanSquaredError(), x, y, metrics)

    # Losses per output, in a dict and in a list.
    inputs = keras.Input((4,))
    outputs = {
        "a": keras.layers.Dense(2, name="a")(inputs),
        "b": keras.layers.Dense(2, activation="sigmoid", name="b")(inputs),
    }
    x = rng.normal(size=(40, 4)).astype("float32")
    targets = {
        "a": rng.normal(size=(40, 2)).astype("float32"),
        "b": rng.integers(0, 2, (40, 2)).astype("float32"),
    }
    dict_losses = {
        "a": L.Huber(delta=2.5, name="ha"),
        "b": L.BinaryCrossentropy(label_smoothing=0.1, name="hb"),
    }
    save("dict_outputs", keras.Model(inputs, outputs), dict_losses, x, targets)
    list_model = keras.Model(inputs, [outputs["a"], outputs["b"]])
    list_losses = [L.Huber(delta=0.5, name="la"), L.SquaredHinge(reduction="sum", name="lb")]
    save("list_outputs", list_model, list_losses, x, [targets["a"], 2 * targets["b"] - 1])
    return saved


@pytest.mark.slow
def test_every_loss_survives_save_and_load_in_a_fresh_process(tmp_path):
    saved = _save_everything(tmp_path)
    (tmp_path / "saved.json").write_text(json.dumps(saved))
    loaded = run_fresh(
        f"""
        import json
        import os

        os.environ["KERAS_BACKEND"] = {BACKEND!r}  # loaded on the backend that saved
        import keras, numpy as np
        import keras_actloss  # registers the classes, as a user must

        saved = json.load(open({str(tmp_path / "saved.json")!r}))
        out = {{}}
        for case, record in saved.items():
            model = keras.saving.load_model(record["path"])
            data = np.load(record["data"])
            x = data["x"]
            if case == "dict_outputs":
                y = {{"a": data["a"], "b": data["b"]}}
            elif case == "list_outputs":
                y = [data["y0"], data["y1"]]
            else:
                y = data["y"]
            result = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
            out[case] = {{
                "compile_config": json.loads(json.dumps(model.get_compile_config(), default=str)),
                "evaluate": {{k: float(v).hex() for k, v in result.items()}},
                "loss_types": [type(l).__module__ + "." + type(l).__name__
                               for l in keras.tree.flatten(model.loss)],
            }}
        print(json.dumps(out))
        """
    )
    assert set(catalog_names("loss")) <= set(saved) == set(loaded)
    for case, record in saved.items():
        if case == "keras_huber":
            continue
        assert loaded[case]["compile_config"] == record["compile_config"], case
        assert loaded[case]["evaluate"] == record["evaluate"], case
        assert all(math.isfinite(float.fromhex(v)) for v in record["evaluate"].values()), case
    for entry in catalog.entries("loss"):
        cls = entry.implementation
        assert loaded[entry.info.name]["loss_types"] == [f"{cls.__module__}.{cls.__name__}"]
    assert all(t.startswith("keras_actloss.") for t in loaded["huber"]["loss_types"])
    assert loaded["huber"]["compile_config"]["loss"]["config"]["delta"] == 3.0
    # Keras 3.15's own Huber(delta=3.0) comes back with delta=1.0 and another loss.
    keras_config = loaded["keras_huber"]["compile_config"]["loss"]["config"]
    assert keras_config.get("delta", 1.0) != 3.0
    assert loaded["keras_huber"]["evaluate"] != saved["keras_huber"]["evaluate"]


# --- lookup ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "alias, cls",
    [
        ("mse", L.MeanSquaredError),
        ("l2", L.MeanSquaredError),
        ("MeanSquaredError", L.MeanSquaredError),
        ("mae", L.MeanAbsoluteError),
        ("l1", L.MeanAbsoluteError),
        ("rmse", L.RootMeanSquaredError),
        ("msle", L.MeanSquaredLogarithmicError),
        ("me", L.MeanError),
        ("huber_loss", L.Huber),
        ("bce", L.BinaryCrossentropy),
        ("log_loss", L.BinaryCrossentropy),
        ("binary cross-entropy", L.BinaryCrossentropy),
        ("cce", L.CategoricalCrossentropy),
        ("scce", L.SparseCategoricalCrossentropy),
        ("kld", L.KLDivergence),
        ("kullback_leibler_divergence", L.KLDivergence),
        ("hinge", L.Hinge),
        ("squared_hinge", L.SquaredHinge),
        ("0-1", L.ZeroOneLoss),
        ("zero_one", L.ZeroOneLoss),
        ("perceptron", L.PerceptronLoss),
    ],
)
def test_loss_aliases(alias, cls):
    assert type(ka.get_loss(alias)) is cls


def test_get_loss_passes_arguments_and_validates_them():
    loss = ka.get_loss("huber", delta=2.0)
    assert isinstance(loss, L.Huber) and loss.delta == 2.0
    with pytest.raises(ValueError, match="Received: delta=-1"):
        ka.get_loss("huber", delta=-1)
    with pytest.raises(ValueError, match=r"Did you mean 'huber'.*Received: name='hubr'"):
        ka.get_loss("hubr")


def test_loss_names_are_the_catalog_in_order():
    names = ka.loss_names()
    assert all(type(n) is str for n in names) and len(names) == len(set(names))
    assert names == [entry.info.name for entry in catalog.entries("loss")]
    for name in names:
        assert type(ka.get_loss(name)).__name__ in L.__all__


REGRESSION = {
    "mean_squared_error",
    "mean_absolute_error",
    "root_mean_squared_error",
    "mean_squared_logarithmic_error",
    "mean_error",
    "huber",
}


def test_loss_names_filter_by_task():
    assert set(ka.loss_names("regression")) == REGRESSION
    assert set(ka.loss_names(task="binary")) == {
        "binary_crossentropy",
        "hinge",
        "squared_hinge",
        "perceptron_loss",
        "zero_one_loss",
    }
    assert set(ka.loss_names("multiclass")) == {
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "kl_divergence",
    }
    assert ka.loss_names("multilabel") == ["binary_crossentropy"]
    for task in catalog.TASKS:  # each a subsequence of the catalog order
        names = ka.loss_names(task)
        assert names == [n for n in ka.loss_names() if n in names], task


def test_loss_names_filter_by_trainable():
    everything = ka.loss_names()
    # The 0-1 loss has a zero gradient; the mean error is unbounded below.
    assert set(ka.loss_names(trainable=False)) == {"zero_one_loss", "mean_error"}
    trainable = ka.loss_names(trainable=True)
    assert trainable == [n for n in everything if n not in ("zero_one_loss", "mean_error")]
    assert ka.loss_names("regression", trainable=True) == [
        n for n in everything if n in REGRESSION - {"mean_error"}
    ]
    assert "mean_error" not in ka.loss_names("regression", trainable=True)
    assert ka.loss_names("regression", trainable=False) == ["mean_error"]
    assert ka.loss_names("binary", trainable=False) == ["zero_one_loss"]
    assert ka.loss_names(trainable=None) == everything


def test_loss_names_rejects_an_unknown_task():
    for task in ("regresion", "classification", "binary_classification", 3):
        with pytest.raises(ValueError, match=f"Received: task={task!r}"):
            ka.loss_names(task)
    with pytest.raises(TypeError):
        ka.loss_names("regression", True)  # `trainable` is keyword-only


def test_catalog_records_what_each_loss_needs():
    activations = set(ka.activation_names())
    predictions = {"values", "probabilities", "probabilities_or_logits", "raw_scores"}
    assert set(catalog.PREDICTIONS) == predictions
    assert set(catalog.TASKS) == {"binary", "multiclass", "multilabel", "regression"}
    for entry in catalog.entries("loss"):
        info = entry.info
        assert info.kind == "loss" and info.formula and info.when_to_use, info.name
        assert info.targets in catalog.TARGETS and catalog.TARGETS[info.targets], info.name
        assert info.prediction in predictions, info.name
        assert info.pairs_with and set(info.pairs_with) <= activations, info.name
        assert info.tasks and set(info.tasks) <= set(catalog.TASKS), info.name
        assert len(info.tasks) == len(set(info.tasks)), info.name
        assert info.source in catalog.ARTICLES and info.article.title in str(info.article)
    assert ka.describe("bce").pairs_with == ("sigmoid",)
    assert ka.describe("bce").tasks == ("binary", "multilabel")
    assert ka.describe("bce").targets == "binary"
    assert ka.describe("cce").tasks == ("multiclass",)
    assert ka.describe("cce").targets == "one_hot"
    assert ka.describe("huber").tasks == ("regression",)
    assert ka.describe("msle").targets == "non_negative"
    assert ka.describe("scce").targets == "integer_labels"
    assert catalog.TARGETS["integer_labels"] == "integer class indices"
    assert ka.describe("kld").targets == "distribution"
    assert ka.describe("hinge").targets == "signed"
    assert ka.describe("hinge").prediction == "raw_scores"
    assert ka.describe("kld").prediction == "probabilities"
    assert ka.describe("huber").pairs_with == ("linear",)
    zero_one = ka.describe("0-1")
    assert not zero_one.differentiable and not zero_one.diagnostic
    assert ka.describe("me").diagnostic and ka.describe("me").differentiable
    assert sum(e.info.diagnostic for e in catalog.entries("loss")) == 1


# --- argument checks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, received",
    [
        (lambda: L.Huber(delta=0), "delta=0"),
        (lambda: L.Huber(delta=-1.0), "delta=-1.0"),
        (lambda: L.Huber(delta=float("nan")), "delta=nan"),
        (lambda: L.Huber(delta="1"), "delta='1'"),
        (lambda: L.BinaryCrossentropy(label_smoothing=-0.1), "label_smoothing=-0.1"),
        (lambda: L.BinaryCrossentropy(label_smoothing=1.5), "label_smoothing=1.5"),
        (lambda: L.CategoricalCrossentropy(label_smoothing=2), "label_smoothing=2"),
        (lambda: L.BinaryCrossentropy(from_logits="yes"), "from_logits='yes'"),
        (lambda: L.CategoricalCrossentropy(axis=1.5), "axis=1.5"),
        (lambda: L.SparseCategoricalCrossentropy(axis=True), "axis=True"),
        (lambda: L.SparseCategoricalCrossentropy(ignore_class=1.5), "ignore_class=1.5"),
        (lambda: L.ZeroOneLoss(threshold=0.0), "threshold=0.0"),
        (lambda: L.ZeroOneLoss(threshold=1), "threshold=1"),
        (lambda: ka.metrics.ZeroOneError(threshold=2.0), "threshold=2.0"),
        (lambda: L.huber([0.0], [1.0], delta=0.0), "delta=0.0"),
        (lambda: L.binary_crossentropy([0.0], [0.5], label_smoothing=3), "label_smoothing=3"),
    ],
)
def test_invalid_arguments_raise_value_error_with_received(make, received):
    with pytest.raises(ValueError, match="Received: " + received.replace("(", r"\(")) as error:
        make()
    assert "must be" in str(error.value)


def invalid_values(default):
    """Values no argument with this default accepts (a None default: an optional int)."""
    if isinstance(default, bool):
        return ["yes", 1]
    if isinstance(default, int):
        return [1.5, True, "1"]
    if isinstance(default, float):
        return ["1", float("nan"), True]
    if isinstance(default, str):
        return ["not_a_" + default, [default]]
    if default is None:
        return [1.5, "x"]
    return [NO_INVALID_VALUE]


NO_INVALID_VALUE = object()
UNCHECKED = ("name", "dtype")  # Keras's own: any name, any dtype policy


def bad_arguments(signature_of):
    """(name, argument, value) for every checked argument of every catalog loss."""
    return [
        pytest.param(
            name,
            argument,
            value,
            id=f"{name}-{argument}={'?' if value is NO_INVALID_VALUE else value!r}",
        )
        for name in catalog_names("loss")
        for argument, default in signature_of(name).items()
        if argument not in UNCHECKED
        for value in invalid_values(default)
    ]


def _constructor_defaults(name):
    return defaults(catalog.lookup("loss", name).implementation)


def _function_defaults(name):
    function = catalog.lookup("loss", name).implementation.function
    parameters = list(inspect.signature(function).parameters.values())[2:]  # y_true, y_pred
    return {p.name: p.default for p in parameters}


@pytest.mark.parametrize("name, argument, value", bad_arguments(_constructor_defaults))
def test_every_invalid_constructor_argument_raises_with_received(name, argument, value):
    if value is NO_INVALID_VALUE:
        pytest.fail(f"{name}: no invalid value known for {argument!r}; extend invalid_values")
    cls = catalog.lookup("loss", name).implementation
    with pytest.raises((ValueError, TypeError)) as error:
        cls(**{argument: value})
    # `reduction` is Keras's argument and gets Keras's message, which shows the value with str.
    shown = value if argument == "reduction" and isinstance(value, str) else repr(value)
    assert f"Received: {argument}={shown}" in str(error.value)


@pytest.mark.parametrize("name, argument, value", bad_arguments(_function_defaults))
def test_every_invalid_function_argument_raises_with_received(name, argument, value):
    if value is NO_INVALID_VALUE:
        pytest.fail(f"{name}: no invalid value known for {argument!r}; extend invalid_values")
    function = catalog.lookup("loss", name).implementation.function
    y_true, y_pred = inputs(require(CASES_BY_NAME, name, "loss", "CASES")[0])
    with pytest.raises((ValueError, TypeError)) as error:
        function(y_true.astype("float32"), y_pred.astype("float32"), **{argument: value})
    assert f"Received: {argument}={value!r}" in str(error.value)


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_setting_an_invalid_argument_raises_and_keeps_the_old(name):
    loss, arguments = non_default(name)
    for argument in loss.arguments():  # the loss's own arguments, checked on every set
        before = getattr(loss, argument)
        for value in invalid_values(_constructor_defaults(name)[argument]):
            with pytest.raises((ValueError, TypeError), match=f"Received: {argument}="):
                setattr(loss, argument, value)
            assert getattr(loss, argument) == before and loss.get_config()[argument] == before


@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=lambda c: c.__name__)
def test_unknown_reduction_raises_kerass_own_error(cls):
    def message(make):
        with pytest.raises(ValueError) as error:
            make()
        parts = re.match(r"(.*one of )(\{.*\})(\. Received: .*)", str(error.value))
        head, allowed, tail = parts.groups()
        return head, set(ast.literal_eval(allowed)), tail

    ours = message(lambda: cls(reduction="average"))
    # The same text as Keras's but for the order of the allowed values (a set, printed).
    assert ours == message(lambda: keras.losses.MeanSquaredError(reduction="average"))
    assert ours[0] == "Invalid value for argument `reduction`. Expected one of "
    assert ours[2] == ". Received: reduction=average"
    # Keras fails on an unhashable value with a TypeError of its set; ours says what it got.
    assert message(lambda: cls(reduction=["sum"]))[2] == ". Received: reduction=['sum']"


# --- shape checks ----------------------------------------------------------------------------

SHAPE_CHECKED = [
    (cls, {"from_logits": True} if "from_logits" in inspect.signature(cls).parameters else {})
    for cls in LOSS_CLASSES
    if cls is not L.SparseCategoricalCrossentropy
]


INCOMPATIBLE_SHAPES = [
    ((32, 3), (32, 5)),
    ((8, 1), (1, 8)),  # Keras broadcasts these to (8, 8)
    ((32, 1), (32, 2)),  # and these to (32, 2)
    ((32, 2), (32, 1)),
    ((5,), (32, 5)),
]


@pytest.mark.filterwarnings("ignore:In `categorical_crossentropy`, `y_pred` has a single class")
@pytest.mark.parametrize("true_shape, pred_shape", INCOMPATIBLE_SHAPES, ids=str)
@pytest.mark.parametrize("cls, kwargs", SHAPE_CHECKED, ids=lambda c: getattr(c, "__name__", ""))
def test_incompatible_shapes_raise_naming_both(cls, kwargs, true_shape, pred_shape):
    y_true, y_pred = np.zeros(true_shape, "float32"), np.full(pred_shape, 0.5, "float32")
    received = f"Received: y_true.shape={true_shape}, y_pred.shape={pred_shape}"
    with pytest.raises(ValueError, match=received.replace("(", r"\(").replace(")", r"\)")):
        cls(**kwargs)(y_true, y_pred)


@pytest.mark.parametrize("cls, kwargs", SHAPE_CHECKED, ids=lambda c: getattr(c, "__name__", ""))
def test_trailing_dimension_of_1_is_accepted_as_keras_does(cls, kwargs):
    y_true, y_pred = np.ones(32, "float32"), np.full((32, 1), 0.5, "float32")
    loss = cls(reduction=None, **kwargs)
    np.testing.assert_array_equal(loss(y_true, y_pred), loss(y_true[:, None], y_pred))
    assert tuple(loss(y_true, y_pred).shape) == (32,)


def test_broadcasting_rules():
    # Nothing broadcasts: a dimension of 1 against a larger one raises for regression
    # losses as for cross-entropies, and a missing leading dimension never broadcasts.
    assert "broadcast" not in inspect.signature(L.align_shapes).parameters
    y_true, y_pred = np.zeros((32, 1), "float32"), np.full((32, 5), 0.5, "float32")
    with pytest.raises(ValueError, match=r"y_true.shape=\(32, 1\), y_pred.shape=\(32, 5\)"):
        L.MeanSquaredError(reduction=None)(y_true, y_pred)
    with pytest.raises(ValueError, match=r"y_true.shape=\(32, 1\), y_pred.shape=\(32, 5\)"):
        L.BinaryCrossentropy()(y_true, y_pred)
    with pytest.raises(ValueError, match=r"y_true.shape=\(5,\), y_pred.shape=\(32, 5\)"):
        L.MeanSquaredError()(np.zeros(5, "float32"), y_pred)
    with pytest.raises(ValueError, match="categorical"):
        L.CategoricalCrossentropy()(np.zeros(32, "float32"), y_pred)  # integer labels: use sparse


def test_a_column_against_a_row_raises_where_keras_broadcasts():
    y_true = np.arange(8, dtype="float32")[:, None]  # (8, 1)
    y_pred = np.zeros((1, 8), "float32")
    # Keras compares every target with every prediction: mean(t^2) over (8, 8).
    np.testing.assert_allclose(
        keras.losses.MeanSquaredError()(y_true, y_pred), np.mean(np.arange(8) ** 2), rtol=1e-6
    )
    for loss in (L.MeanSquaredError(), L.MeanSquaredError(reduction=None)):
        with pytest.raises(ValueError, match=r"y_true.shape=\(8, 1\), y_pred.shape=\(1, 8\)"):
            loss(y_true, y_pred)
    with pytest.raises(ValueError, match=r"y_true.shape=\(8, 1\), y_pred.shape=\(1, 8\)"):
        L.mean_squared_error(y_true, y_pred)


def test_one_output_against_two_raises():
    n = 16
    with pytest.raises(ValueError, match=rf"y_true.shape=\({n}, 1\), y_pred.shape=\({n}, 2\)"):
        L.MeanSquaredError()(np.zeros((n, 1), "float32"), np.ones((n, 2), "float32"))
    with pytest.raises(ValueError, match=rf"y_true.shape=\({n}, 2\), y_pred.shape=\({n}, 1\)"):
        L.MeanSquaredError()(np.zeros((n, 2), "float32"), np.ones((n, 1), "float32"))


def test_align_shapes_keeps_only_the_trailing_1_rule():
    from keras import ops

    def shapes(true_shape, pred_shape):
        y_true, y_pred = L.align_shapes(np.zeros(true_shape), ops.zeros(pred_shape))
        return (
            tuple(y_true.shape),
            tuple(y_pred.shape),
            keras.backend.standardize_dtype(y_true.dtype),
        )

    assert shapes((8,), (8, 1)) == ((8, 1), (8, 1), "float32")  # rank 1 gains the 1
    assert shapes((8, 1), (8,)) == ((8, 1), (8, 1), "float32")
    assert shapes((8, 3, 1), (8, 3)) == ((8, 3), (8, 3), "float32")  # others lose it
    assert shapes((8, 3), (8, 3)) == ((8, 3), (8, 3), "float32")
    for true_shape, pred_shape in [((8, 1), (1, 8)), ((8, 1), (8, 2)), ((8, 2, 1), (8, 1, 2))]:
        with pytest.raises(ValueError, match=rf"y_true.shape=\({true_shape[0]}, "):
            L.align_shapes(np.zeros(true_shape), ops.zeros(pred_shape))
    with pytest.raises(ValueError, match="Use the other loss. Received: y_true"):
        L.align_shapes(np.zeros((8, 1)), ops.zeros((8, 2)), hint="Use the other loss.")


def test_sparse_labels_must_match_predictions_without_the_class_axis():
    with pytest.raises(
        ValueError, match=r"Received: y_true.shape=\(32, 3\), y_pred.shape=\(32, 5\)"
    ):
        L.SparseCategoricalCrossentropy()(np.zeros((32, 3)), np.full((32, 5), 0.2, "float32"))
    with pytest.raises(ValueError, match=r"y_true.shape=\(16,\), y_pred.shape=\(32, 5\)"):
        L.SparseCategoricalCrossentropy()(np.zeros(16), np.full((32, 5), 0.2, "float32"))
    with pytest.raises(ValueError, match=r"y_true.shape=\(8, 1\), y_pred.shape=\(1, 8\)"):
        L.SparseCategoricalCrossentropy()(np.zeros((8, 1)), np.full((1, 8), 0.2, "float32"))


@tensorflow_only("a batch size unknown while tracing is a TensorFlow graph's (TensorSpec None)")
def test_unknown_batch_size_is_not_rejected_while_tracing():
    import tensorflow as tf

    loss = L.MeanSquaredError()
    traced = tf.function(
        lambda t, p: loss(t, p),
        input_signature=[tf.TensorSpec((None, 3)), tf.TensorSpec((None, 3))],
    )
    np.testing.assert_allclose(traced(np.zeros((4, 3)), np.ones((4, 3))), 1.0)


# --- repr: the constructor call, with the arguments that differ from the defaults --------


@pytest.mark.parametrize(
    "loss, expected",
    [
        (L.MeanSquaredError(), "MeanSquaredError()"),
        (L.Huber(), "Huber()"),
        (L.Huber(delta=2.0), "Huber(delta=2.0)"),
        (L.Huber(delta=1.0, name="huber_loss"), "Huber()"),
        (L.Huber(name="h", dtype="float64"), "Huber(name='h', dtype='float64')"),
        (L.MeanAbsoluteError(reduction="sum"), "MeanAbsoluteError(reduction='sum')"),
        (L.MeanAbsoluteError(reduction=None), "MeanAbsoluteError(reduction=None)"),
        (
            L.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
            "BinaryCrossentropy(from_logits=True, label_smoothing=0.1)",
        ),
        (
            L.SparseCategoricalCrossentropy(ignore_class=0, reduction="sum"),
            "SparseCategoricalCrossentropy(ignore_class=0, reduction='sum')",
        ),
        (L.ZeroOneLoss(threshold=0.3), "ZeroOneLoss(threshold=0.3)"),
    ],
)
def test_loss_repr_shows_the_arguments_that_differ_from_the_defaults(loss, expected):
    assert repr(loss) == expected
    assert _rebuild(expected).get_config() == loss.get_config()


def _rebuild(text):
    # Every catalog class by its name, wherever it is defined.
    return eval(
        text, {e.implementation.__name__: e.implementation for e in catalog.entries("loss")}
    )


def test_get_loss_result_has_a_readable_repr():
    assert repr(ka.get_loss("huber", delta=2.0)) == "Huber(delta=2.0)"


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_loss_repr_rebuilds_an_equal_loss(name):
    loss = catalog.lookup("loss", name).implementation(reduction="sum", name="custom")
    rebuilt = _rebuild(repr(loss))
    assert type(rebuilt) is type(loss)
    assert rebuilt.get_config() == loss.get_config()


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_loss_repr_shows_every_non_default_argument(name):
    loss, arguments = non_default(name)
    text = repr(loss)
    cls = type(loss)
    assert text.startswith(f"{cls.__name__}(") and text.endswith(")")
    for argument, value in arguments.items():  # all away from their defaults, so all shown
        assert f"{argument}={value!r}" in text, (argument, text)
    assert repr(cls()) == f"{cls.__name__}()"
    rebuilt = _rebuild(text)
    assert type(rebuilt) is cls and rebuilt.get_config() == loss.get_config()
