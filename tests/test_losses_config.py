"""Loss configs, `.keras` round trips, lookup, argument and shape checks."""

import inspect
import json

import keras
import numpy as np
import pytest
from fresh_process import run_fresh

import keras_actloss as ka
from keras_actloss import catalog
from keras_actloss import losses as L

LOSS_CLASSES = [entry.implementation for entry in catalog.entries("loss")]

# One instance of every class with every argument away from its default.
NON_DEFAULT = {
    "mse": L.MeanSquaredError(reduction="sum", name="my_mse", dtype="float64"),
    "mae": L.MeanAbsoluteError(reduction="mean_with_sample_weight", name="l1"),
    "rmse": L.RootMeanSquaredError(
        reduction="mean_with_sample_weight", name="rmse", dtype="float64"
    ),
    "msle": L.MeanSquaredLogarithmicError(reduction="sum", name="msle"),
    "me": L.MeanError(reduction="mean", name="bias"),
    "huber": L.Huber(delta=3.0, reduction="sum", name="robust", dtype="float64"),
    "bce": L.BinaryCrossentropy(
        from_logits=True, label_smoothing=0.1, axis=-1, reduction="sum", name="bce"
    ),
    "cce": L.CategoricalCrossentropy(
        from_logits=True, label_smoothing=0.2, axis=-1, name="cce", dtype="float64"
    ),
    "scce": L.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=0, reduction="sum", axis=-1, name="scce"
    ),
    "kld": L.KLDivergence(reduction="sum", name="kl", dtype="mixed_float16"),
    "hinge": L.Hinge(reduction="sum", name="svm"),
    "squared_hinge": L.SquaredHinge(reduction="mean_with_sample_weight", name="sq"),
    "zero_one": L.ZeroOneLoss(threshold=0.3, from_logits=True, reduction="sum", name="errors"),
    "perceptron": L.PerceptronLoss(reduction="sum", name="rosenblatt"),
}


def test_every_loss_class_has_a_non_default_instance_here():
    assert {type(loss) for loss in NON_DEFAULT.values()} == set(LOSS_CLASSES)


@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=lambda c: c.__name__)
def test_get_config_returns_every_constructor_argument(cls):
    loss = next(v for v in NON_DEFAULT.values() if type(v) is cls)
    config = loss.get_config()
    parameters = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    assert set(config) == set(parameters)
    for name in parameters:
        if name != "dtype":
            assert config[name] == getattr(loss, name), name
    restored = cls.from_config(json.loads(json.dumps(config)))
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


@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=lambda c: c.__name__)
def test_registered_and_deserializable_by_keras(cls):
    loss = next(v for v in NON_DEFAULT.values() if type(v) is cls)
    serialized = keras.saving.serialize_keras_object(loss)
    assert serialized["registered_name"] == f"keras_actloss>{cls.__name__}"
    restored = keras.saving.deserialize_keras_object(serialized)
    assert type(restored) is cls and restored.get_config() == loss.get_config()


def test_drop_in_default_names_and_signatures_match_keras():
    for ours in LOSS_CLASSES:
        theirs = getattr(keras.losses, ours.__name__, None)
        if theirs is None:
            continue
        ours_parameters = list(inspect.signature(ours.__init__).parameters)
        theirs_parameters = list(inspect.signature(theirs.__init__).parameters)
        assert ours_parameters == theirs_parameters, ours.__name__  # positional order too
        assert ours().name == theirs().name, ours.__name__


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


def _model(kind, units, rng):
    """A small model for one kind of loss, with data for it: (model, x, y)."""
    x = rng.normal(size=(40, 4)).astype("float32")
    head = {
        "regression": None,
        "positive": "softplus",
        "sigmoid": "sigmoid",
        "softmax": "softmax",
        "logits": None,
    }[kind]
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(units, activation=head, name=f"out_{kind}")]
    )
    if kind == "regression":
        y = rng.normal(size=(40, units))
    elif kind == "positive":
        y = rng.uniform(0, 3, (40, units))
    elif kind == "softmax":
        y = np.eye(units)[rng.integers(0, units, 40)]
    else:
        y = rng.integers(0, 2, (40, units)).astype(float)
    return model, x, y.astype("float32")


LOSS_SETUPS = {
    # name: (model kind, units, how y is derived from the kind's y)
    "mse": ("regression", 3, None),
    "mae": ("regression", 3, None),
    "rmse": ("regression", 3, None),
    "msle": ("positive", 3, None),
    "me": ("regression", 3, None),
    "huber": ("regression", 3, None),
    "bce": ("logits", 3, None),
    "cce": ("logits", 4, "one_hot"),
    "scce": ("logits", 4, "labels"),
    "kld": ("softmax", 4, None),
    "hinge": ("logits", 3, "signed"),
    "squared_hinge": ("logits", 3, "signed"),
    "zero_one": ("logits", 3, None),
    "perceptron": ("logits", 3, "signed"),
}


def _targets(y, how, units, rng):
    if how == "one_hot":
        return np.eye(units, dtype="float32")[rng.integers(0, units, len(y))]
    if how == "labels":
        return rng.integers(0, units, len(y)).astype("float32")
    if how == "signed":
        return 2 * y - 1
    return y


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

    for case, loss in NON_DEFAULT.items():
        kind, units, how = LOSS_SETUPS[case]
        model, x, y = _model(kind, units, rng)
        save(case, model, loss, x, _targets(y, how, units, rng))

    # Keras's own Huber for contrast, and our metrics on an RMSE model.
    model, x, y = _model("regression", 3, rng)
    save("keras_huber", model, keras.losses.Huber(delta=3.0), x, y)
    model, x, y = _model("regression", 3, rng)
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
    for case, record in saved.items():
        if case == "keras_huber":
            continue
        assert loaded[case]["compile_config"] == record["compile_config"], case
        assert loaded[case]["evaluate"] == record["evaluate"], case
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
    assert all(type(n) is str for n in names) and len(names) == len(set(names)) == 14
    assert names == [entry.info.name for entry in catalog.entries("loss")]
    for name in names:
        assert type(ka.get_loss(name)).__name__ in L.__all__


def test_catalog_records_what_each_loss_needs():
    activations = set(ka.activation_names())
    predictions = {"values", "probabilities", "probabilities_or_logits", "raw_scores"}
    for entry in catalog.entries("loss"):
        info = entry.info
        assert info.kind == "loss" and info.formula and info.when_to_use and info.target_encoding
        assert info.prediction in predictions, info.name
        assert info.pairs_with and set(info.pairs_with) <= activations, info.name
        assert info.task in ("regression", "binary_classification", "multiclass_classification")
    assert ka.describe("bce").pairs_with == ("sigmoid",)
    assert ka.describe("scce").target_encoding == "integer class indices"
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


@pytest.mark.parametrize("cls", LOSS_CLASSES, ids=lambda c: c.__name__)
def test_unknown_reduction_raises_with_received(cls):
    with pytest.raises(ValueError, match=r"Received: reduction='average'$"):
        cls(reduction="average")
    with pytest.raises(ValueError, match=r"Received: reduction=\['sum'\]$"):
        cls(reduction=["sum"])


# --- shape checks ----------------------------------------------------------------------------

SHAPE_CHECKED = [
    (cls, {"from_logits": True} if "from_logits" in inspect.signature(cls).parameters else {})
    for cls in LOSS_CLASSES
    if cls is not L.SparseCategoricalCrossentropy
]


@pytest.mark.parametrize("cls, kwargs", SHAPE_CHECKED, ids=lambda c: getattr(c, "__name__", ""))
def test_incompatible_shapes_raise_naming_both(cls, kwargs):
    y_true, y_pred = np.zeros((32, 3), "float32"), np.full((32, 5), 0.5, "float32")
    with pytest.raises(
        ValueError, match=r"Received: y_true.shape=\(32, 3\), y_pred.shape=\(32, 5\)"
    ):
        cls(**kwargs)(y_true, y_pred)


@pytest.mark.parametrize("cls, kwargs", SHAPE_CHECKED, ids=lambda c: getattr(c, "__name__", ""))
def test_trailing_dimension_of_1_is_accepted_as_keras_does(cls, kwargs):
    y_true, y_pred = np.ones(32, "float32"), np.full((32, 1), 0.5, "float32")
    loss = cls(reduction=None, **kwargs)
    np.testing.assert_array_equal(loss(y_true, y_pred), loss(y_true[:, None], y_pred))
    assert tuple(loss(y_true, y_pred).shape) == (32,)


def test_broadcasting_rules():
    # A dimension of 1 may broadcast for regression losses, not for cross-entropies,
    # and a missing leading dimension never does.
    y_true, y_pred = np.zeros((32, 1), "float32"), np.full((32, 5), 0.5, "float32")
    assert tuple(L.MeanSquaredError(reduction=None)(y_true, y_pred).shape) == (32,)
    with pytest.raises(ValueError, match=r"y_true.shape=\(32, 1\), y_pred.shape=\(32, 5\)"):
        L.BinaryCrossentropy()(y_true, y_pred)
    with pytest.raises(ValueError, match=r"y_true.shape=\(5,\), y_pred.shape=\(32, 5\)"):
        L.MeanSquaredError()(np.zeros(5, "float32"), y_pred)
    with pytest.raises(ValueError, match="categorical"):
        L.CategoricalCrossentropy()(np.zeros(32, "float32"), y_pred)  # integer labels: use sparse


def test_sparse_labels_must_match_predictions_without_the_class_axis():
    with pytest.raises(
        ValueError, match=r"Received: y_true.shape=\(32, 3\), y_pred.shape=\(32, 5\)"
    ):
        L.SparseCategoricalCrossentropy()(np.zeros((32, 3)), np.full((32, 5), 0.2, "float32"))
    with pytest.raises(ValueError, match=r"y_true.shape=\(16,\), y_pred.shape=\(32, 5\)"):
        L.SparseCategoricalCrossentropy()(np.zeros(16), np.full((32, 5), 0.2, "float32"))


def test_unknown_batch_size_is_not_rejected_while_tracing():
    import tensorflow as tf

    loss = L.MeanSquaredError()
    traced = tf.function(
        lambda t, p: loss(t, p),
        input_signature=[tf.TensorSpec((None, 3)), tf.TensorSpec((None, 3))],
    )
    np.testing.assert_allclose(traced(np.zeros((4, 3)), np.ones((4, 3))), 1.0)
