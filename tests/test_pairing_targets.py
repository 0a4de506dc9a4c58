"""`check_targets` (targets against the output and loss) and `suggest_head` (a head for targets).

The verdicts are the cheat sheets': sparse cross-entropy takes integer labels
in [0, K), categorical cross-entropy one-hot rows (or distributions), binary
cross-entropy values in [0, 1], the hinge loss two classes, MSLE
non-negative values, and a bounded output cannot reach targets outside its
range. In each triggering case the model and loss are themselves a correct
pair (`check_pairing` finds nothing): only the targets are wrong.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from pairing_models import (
    K,
    N,
    build,
    codes,
    inputs,
    make_loss,
    only,
    problems,
    spelled,
    targets,
)

import keras_actloss as ka
from keras_actloss import check_pairing, check_targets, suggest_head

L = keras.layers


def _labels_with(value, k=K):
    y = targets("int_labels", k=k).astype("float32")
    y[3] = value
    return y


def _constant(value):
    return np.full((N, 1), value, dtype="float32")


# (code, output activation, units, loss, targets, other codes also expected, metrics)
TARGET_TRIGGERS = [
    ("target-columns", "sigmoid", 2, "bce", lambda: targets("binary01"), (), None),
    ("target-columns", "linear", 3, "mse", lambda: targets("real"), (), None),
    ("target-out-of-range", "sigmoid", 1, "mse", lambda: _constant(5.3), (), None),
    ("target-out-of-range", "tanh", 1, "mse", lambda: targets("real"), (), None),
    ("target-out-of-range", "relu", 1, "huber", lambda: -targets("non_negative"), (), None),
    ("targets-break-loss-domain", "softmax", K, "scce", lambda: _labels_with(K), (), None),
    ("targets-break-loss-domain", "softmax", K, "scce", lambda: _labels_with(-1), (), None),
    ("targets-break-loss-domain", "softmax", K, "scce", lambda: _labels_with(1.5), (), None),
    ("targets-break-loss-domain", "sigmoid", 1, "bce", lambda: targets("signed"), (), None),
    ("targets-break-loss-domain", "softmax", K, "cce", lambda: targets("int_labels"), (), None),
    ("targets-break-loss-domain", "softmax", K, "scce", lambda: targets("one_hot"), (), None),
    ("targets-break-loss-domain", "linear", 1, "hinge", lambda: _labels_with(2, 3), (), None),
    ("targets-break-loss-domain", "softmax", K, "cce", lambda: targets("multi_hot"), (), None),
    ("targets-break-loss-domain", "softmax", K, "kld", lambda: 0.5 * targets("soft"), (), None),
    (
        "targets-break-loss-domain",
        "relu",
        1,
        "msle",
        lambda: targets("real"),
        ("target-out-of-range",),  # a ReLU cannot produce the negative targets either
        None,
    ),
    (
        "classification-with-regression-loss",
        "sigmoid",
        1,
        "mse",
        lambda: targets("binary01"),
        (),
        None,
    ),
    (
        "classification-with-regression-loss",
        "sigmoid",
        1,
        "mae",
        lambda: targets("binary01"),
        (),
        None,
    ),
    (
        "accuracy-with-signed-labels",
        "linear",
        1,
        "hinge",
        lambda: targets("signed"),
        (),
        ["accuracy"],
    ),
]

# (code, output activation, units, loss, targets, metrics): the targets the loss wants.
TARGET_OK = [
    ("target-columns", "sigmoid", 2, "bce", lambda: targets("multi_hot", k=2), None),
    ("target-columns", "sigmoid", 1, "bce", lambda: targets("binary01")[:, 0], None),
    ("target-columns", "linear", 3, "mse", lambda: targets("soft", k=3) * 7 - 2, None),
    ("target-out-of-range", "sigmoid", 1, "mse", lambda: targets("unit"), None),
    ("target-out-of-range", "linear", 1, "mse", lambda: _constant(5.3), None),
    ("target-out-of-range", "tanh", 1, "mse", lambda: np.tanh(targets("real")), None),
    ("target-out-of-range", "relu", 1, "huber", lambda: targets("non_negative"), None),
    ("targets-break-loss-domain", "softmax", K, "scce", lambda: targets("int_labels"), None),
    (
        "targets-break-loss-domain",
        "softmax",
        K,
        "scce",
        lambda: targets("int_labels")[:, None],
        None,
    ),
    ("targets-break-loss-domain", "sigmoid", 1, "bce", lambda: targets("binary01"), None),
    ("targets-break-loss-domain", "sigmoid", 1, "bce", lambda: targets("unit"), None),
    ("targets-break-loss-domain", "softmax", K, "cce", lambda: targets("one_hot"), None),
    ("targets-break-loss-domain", "softmax", K, "cce", lambda: targets("soft"), None),
    ("targets-break-loss-domain", "linear", 1, "hinge", lambda: targets("signed"), None),
    ("targets-break-loss-domain", "linear", 1, "hinge", lambda: targets("binary01"), None),
    ("targets-break-loss-domain", "softmax", K, "kld", lambda: targets("soft"), None),
    ("targets-break-loss-domain", "softplus", 1, "msle", lambda: targets("non_negative"), None),
    ("classification-with-regression-loss", "sigmoid", 1, "mse", lambda: targets("unit"), None),
    (
        "accuracy-with-signed-labels",
        "sigmoid",
        1,
        "bce",
        lambda: targets("binary01"),
        ["accuracy"],
    ),
]


def _check(model, loss, loss_spelling, y, metrics):
    if metrics:
        model.compile(loss=make_loss(loss, loss_spelling), metrics=metrics)
        return check_pairing(model), check_targets(model, y)
    loss_object = make_loss(loss, loss_spelling)
    return check_pairing(model, loss_object), check_targets(model, y, loss_object)


@pytest.mark.parametrize(
    "code, activation, act_spelling, units, loss, loss_spelling, y, also, metrics",
    spelled(TARGET_TRIGGERS),
)
def test_targets_trigger_rule(
    code, activation, act_spelling, units, loss, loss_spelling, y, also, metrics
):
    model = build(activation, act_spelling, units)
    paired, found = _check(model, loss, loss_spelling, y(), metrics)
    assert paired == []  # the model and loss are a correct pair: only the targets are wrong
    assert codes(found) == sorted([code, *also]), found
    finding = only(found, code)
    assert finding.layer == "out" and finding.output is None
    assert finding.message and finding.fix


@pytest.mark.parametrize(
    "code, activation, act_spelling, units, loss, loss_spelling, y, metrics", spelled(TARGET_OK)
)
def test_matching_targets_do_not_trigger_rule(
    code, activation, act_spelling, units, loss, loss_spelling, y, metrics
):
    model = build(activation, act_spelling, units)
    paired, found = _check(model, loss, loss_spelling, y(), metrics)
    assert paired == [] and found == []


@pytest.mark.parametrize("metric", ["accuracy", "acc", "binary_accuracy"])
def test_accuracy_with_signed_labels_for_each_accuracy_spelling(metric):
    model = build("tanh", "keras_string", 1)
    model.compile(loss="hinge", metrics=[metric])
    found = check_targets(model, targets("signed"))
    assert codes(found) == ["accuracy-with-signed-labels"]


def test_sigmoid_mse_on_values_spread_over_the_unit_interval_is_bounded_regression():
    y = np.linspace(0.0, 1.0, N, dtype="float32")[:, None]
    model = build("sigmoid", "keras_string", 1)
    assert check_targets(model, y, "mse") == []
    assert codes(check_targets(model, np.round(y), "mse")) == [
        "classification-with-regression-loss"
    ]


# --- the forms `fit` takes ------------------------------------------------------------------


def test_targets_as_a_tensor():
    model = build("softmax", "keras_string", K)
    assert check_targets(model, tf.constant(targets("int_labels")), "scce") == []
    found = check_targets(model, tf.constant(_labels_with(K)), "scce")
    assert codes(found) == ["targets-break-loss-domain"]


def _two_outputs():
    x = keras.Input((4,))
    h = L.Dense(8, activation="relu")(x)
    a = L.Dense(1, activation="sigmoid", name="a")(h)
    b = L.Dense(K, activation="softmax", name="b")(h)
    return keras.Model(x, {"a": a, "b": b}), keras.Model(x, [a, b])


_GOOD = {"a": lambda: targets("binary01"), "b": lambda: targets("int_labels")}
_BAD_A = {"a": lambda: targets("signed"), "b": lambda: targets("int_labels")}
_BAD_B = {"a": lambda: targets("binary01"), "b": lambda: _labels_with(K)}


@pytest.mark.parametrize("form", ["dict", "list", "tuple"])
@pytest.mark.parametrize("case, bad", [("good", None), ("bad_a", "a"), ("bad_b", "b")])
def test_targets_per_output(form, case, bad):
    by_dict, by_list = _two_outputs()
    ys = {"good": _GOOD, "bad_a": _BAD_A, "bad_b": _BAD_B}[case]
    ys = {name: make() for name, make in ys.items()}
    if form == "dict":
        model, y = by_dict, ys
    else:
        model, y = by_list, [ys["a"], ys["b"]]
        if form == "tuple":
            y = tuple(y)
    found = check_targets(model, y, {"a": "bce", "b": "sparse_categorical_crossentropy"})
    if bad is None:
        assert found == []
    else:
        finding = only(found, "targets-break-loss-domain")
        assert len(found) == 1 and finding.output == bad and finding.layer == bad


def test_targets_with_the_compiled_per_output_losses():
    model, _ = _two_outputs()
    model.compile(loss={"a": "bce", "b": "sparse_categorical_crossentropy"})
    assert check_targets(model, {n: make() for n, make in _GOOD.items()}) == []
    found = check_targets(model, {n: make() for n, make in _BAD_A.items()})
    assert [(f.code, f.output) for f in found] == [("targets-break-loss-domain", "a")]


def _dataset(y, batch=8, weights=False):
    x = inputs(len(y) if not isinstance(y, dict) else N)
    parts = (x, y) if not weights else (x, y, np.ones(len(x), "float32"))
    return tf.data.Dataset.from_tensor_slices(parts).batch(batch)


@pytest.mark.parametrize("weights", [False, True], ids=["x_y", "x_y_weights"])
def test_targets_as_a_dataset(weights):
    model = build("softmax", "keras_string", K)
    assert check_targets(model, _dataset(targets("int_labels"), weights=weights), "scce") == []
    found = check_targets(model, _dataset(_labels_with(K), weights=weights), "scce")
    assert codes(found) == ["targets-break-loss-domain"]


def test_dataset_of_dict_targets_for_two_outputs():
    model, _ = _two_outputs()
    loss = {"a": "bce", "b": "sparse_categorical_crossentropy"}
    good = _dataset({n: make() for n, make in _GOOD.items()})
    bad = _dataset({n: make() for n, make in _BAD_B.items()})
    assert check_targets(model, good, loss) == []
    assert [(f.code, f.output) for f in check_targets(model, bad, loss)] == [
        ("targets-break-loss-domain", "b")
    ]


def test_dataset_reads_at_most_max_batches():
    y = targets("int_labels", n=800).astype("float32")
    y[-1] = K  # only the last of 100 batches of 8 holds the bad label
    model = build("softmax", "keras_string", K)
    data = _dataset(y, batch=8)
    assert check_targets(model, data, "scce", max_batches=10) == []
    assert codes(check_targets(model, data, "scce", max_batches=100)) == [
        "targets-break-loss-domain"
    ]


def test_a_million_labels_in_one_call():
    y = np.random.default_rng(0).integers(0, 10, size=1_000_000)
    model = build("softmax", "keras_string", 10)
    assert check_targets(model, y, "sparse_categorical_crossentropy") == []
    y[-1] = 10
    found = check_targets(model, y, "sparse_categorical_crossentropy")
    assert codes(found) == ["targets-break-loss-domain"]


def test_ignore_leaves_out_a_target_rule():
    model = build("sigmoid", "keras_string", 1)
    y = targets("binary01")
    assert codes(check_targets(model, y, "mse")) == ["classification-with-regression-loss"]
    assert check_targets(model, y, "mse", ignore=["classification-with-regression-loss"]) == []


def test_an_unknown_loss_leaves_targets_unchecked():
    def my_loss(y_true, y_pred):
        return keras.ops.mean(keras.ops.abs(y_true - y_pred))

    model = build("sigmoid", "keras_string", 1)
    assert check_targets(model, _constant(5.3), my_loss) == []


# --- known false alarms ---------------------------------------------------------------------


def test_targets_matching_a_reshaped_output():
    model = keras.Sequential(
        [
            keras.Input((4,)),
            L.Dense(8, activation="relu"),
            L.Dense(6, activation="sigmoid", name="out"),
            L.Reshape((2, 3)),
        ]
    )
    y = (np.random.default_rng(0).uniform(size=(N, 2, 3)) > 0.5).astype("float32")
    assert check_targets(model, y, "binary_crossentropy") == []


def test_per_step_labels_for_a_sequence_output():
    model = build("sigmoid", "keras_string", 1, input_shape=(6, 4))
    y = (np.random.default_rng(0).uniform(size=(N, 6)) > 0.5).astype("float32")
    assert check_targets(model, y, "binary_crossentropy") == []


@pytest.mark.parametrize("loss_class", ["keras", "ours"])
def test_ignored_class_label(loss_class):
    losses = keras.losses if loss_class == "keras" else ka.losses
    model = build("softmax", "keras_string", K)
    y = _labels_with(-1)
    assert check_targets(model, y, losses.SparseCategoricalCrossentropy(ignore_class=-1)) == []


def test_accuracy_on_another_output_does_not_count():
    x = keras.Input((4,))
    h = L.Dense(8, activation="relu")(x)
    a = L.Dense(1, activation="sigmoid", name="a")(h)
    c = L.Dense(1, name="c")(h)
    model = keras.Model(x, {"a": a, "c": c})
    model.compile(loss={"a": "bce", "c": "hinge"}, metrics={"a": ["accuracy"]})
    assert check_targets(model, {"a": targets("binary01"), "c": targets("signed")}) == []


def test_a_one_element_list_of_targets_for_one_output():
    model = build("sigmoid", "keras_string", 1)
    assert check_targets(model, [targets("binary01")[:, 0]], "bce") == []


# --- suggest_head -----------------------------------------------------------------------------


def _reference(name, x):
    x = np.asarray(x, "float64")
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    return x  # linear


def assert_computes(layer, name, units):
    """The head's activation computes `name` (checked on numbers, not by its class)."""
    x = np.linspace(-3, 3, 4 * units).reshape(4, units).astype("float32")
    got = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(got, _reference(name, x), rtol=1e-5, atol=1e-6)


_LOSS_CLASSES = {
    "SparseCategoricalCrossentropy": (
        ka.losses.SparseCategoricalCrossentropy,
        keras.losses.SparseCategoricalCrossentropy,
    ),
    "CategoricalCrossentropy": (
        ka.losses.CategoricalCrossentropy,
        keras.losses.CategoricalCrossentropy,
    ),
    "BinaryCrossentropy": (ka.losses.BinaryCrossentropy, keras.losses.BinaryCrossentropy),
    "KLDivergence": (ka.losses.KLDivergence, keras.losses.KLDivergence),
    "Hinge": (ka.losses.Hinge, keras.losses.Hinge),
    "MeanSquaredError": (ka.losses.MeanSquaredError, keras.losses.MeanSquaredError),
}

# (id, targets, task, kind of targets, activation, units, loss class)
HEADS = [
    ("labels_0_9", lambda: targets("int_labels", n=200, k=10), "multiclass", "integer_labels",
     "softmax", 10, "SparseCategoricalCrossentropy"),
    ("labels_0_9_column", lambda: targets("int_labels", n=200, k=10)[:, None], "multiclass",
     "integer_labels", "softmax", 10, "SparseCategoricalCrossentropy"),
    ("signed", lambda: targets("signed"), "binary", "signed", "linear", 1, "Hinge"),
    ("signed_1d", lambda: targets("signed")[:, 0], "binary", "signed", "linear", 1, "Hinge"),
    ("binary01", lambda: targets("binary01"), "binary", "binary", "sigmoid", 1,
     "BinaryCrossentropy"),
    ("binary01_1d", lambda: targets("binary01")[:, 0], "binary", "binary", "sigmoid", 1,
     "BinaryCrossentropy"),
    ("one_hot", lambda: targets("one_hot"), "multiclass", "one_hot", "softmax", K,
     "CategoricalCrossentropy"),
    ("multi_hot", lambda: targets("multi_hot"), "multilabel", "binary", "sigmoid", K,
     "BinaryCrossentropy"),
    ("real", lambda: targets("real"), "regression", "real", "linear", 1, "MeanSquaredError"),
    ("real_3_columns", lambda: 5 * targets("soft", k=3) - 1, "regression", "real", "linear", 3,
     "MeanSquaredError"),
    ("non_negative", lambda: targets("non_negative"), "regression", "non_negative", "linear", 1,
     "MeanSquaredError"),
    ("unit_interval", lambda: targets("unit"), "regression", "unit_interval", "sigmoid", 1,
     "MeanSquaredError"),
    ("soft", lambda: targets("soft"), "multiclass", "distribution", "softmax", K,
     "KLDivergence"),
]  # fmt: skip

# (id, targets, task override, activation, units, loss class)
OVERRIDES = [
    ("labels_as_regression", lambda: targets("int_labels"), "regression", "linear", 1,
     "MeanSquaredError"),
    ("one_hot_as_multilabel", lambda: targets("one_hot"), "multilabel", "sigmoid", K,
     "BinaryCrossentropy"),
    ("unit_interval_as_binary", lambda: targets("unit"), "binary", "sigmoid", 1,
     "BinaryCrossentropy"),
    ("soft_as_multilabel", lambda: targets("soft"), "multilabel", "sigmoid", K,
     "BinaryCrossentropy"),
]  # fmt: skip


def _params(rows):
    return [pytest.param(*row[1:], id=row[0]) for row in rows]


@pytest.mark.parametrize("y, task, kind, activation, units, loss", _params(HEADS))
def test_suggest_head(y, task, kind, activation, units, loss):
    head = suggest_head(y())
    assert head.task == task
    assert head.targets == kind
    assert head.units == units
    assert_computes(head.activation, activation, units)
    assert isinstance(head.loss, _LOSS_CLASSES[loss])
    assert not getattr(head.loss, "from_logits", False)
    assert head.reason


@pytest.mark.parametrize("y, task, activation, units, loss", _params(OVERRIDES))
def test_suggest_head_with_a_task(y, task, activation, units, loss):
    head = suggest_head(y(), task=task)
    assert head.task == task and head.units == units
    assert_computes(head.activation, activation, units)
    assert isinstance(head.loss, _LOSS_CLASSES[loss])


def _head_model(head, name=None):
    return keras.Sequential(
        [keras.Input((4,)), L.Dense(8, activation="relu"), *head.output_layers(name)]
    )


def _without_kind(rows):
    return [(*row[:3], *row[4:]) for row in rows]


@pytest.mark.parametrize(
    "y, task, activation, units, loss", _params(_without_kind(HEADS) + OVERRIDES)
)
def test_suggested_head_passes_the_checks_on_its_targets(y, task, activation, units, loss):
    y = y()
    head = suggest_head(y, task=task)
    model = _head_model(head)
    model.compile(loss=head.build_loss())
    assert check_pairing(model) == []
    assert check_targets(model, y) == []


def test_suggested_regression_head_for_binary_labels_passes_the_checks():
    y = targets("binary01")
    head = suggest_head(y, task="regression")
    model = _head_model(head)
    model.compile(loss=head.build_loss())
    assert problems(check_pairing(model) + check_targets(model, y)) == []


def test_head_layers_are_new_and_named():
    head = suggest_head(targets("one_hot"))
    first, second = head.output_layers("out"), head.output_layers("out")
    assert [layer.name for layer in first] == ["out", "out_activation"]
    assert first[0] is not second[0] and first[1] is not head.activation
    assert head.build_loss() is not head.build_loss()


def test_suggest_head_takes_a_python_list():
    head = suggest_head([0, 1, 1, 0, 1])
    assert head.task == "binary" and head.units == 1
    assert isinstance(head.loss, _LOSS_CLASSES["BinaryCrossentropy"])


@pytest.mark.parametrize("task", ["classification", "Binary", ""])
def test_suggest_head_rejects_an_unknown_task(task):
    with pytest.raises(ValueError, match="Received:") as error:
        suggest_head(targets("binary01"), task=task)
    assert repr(task) in str(error.value)


def test_suggest_head_rejects_empty_targets():
    with pytest.raises(ValueError, match="Received:"):
        suggest_head(np.zeros((0,)))


def test_multiclass_task_on_targets_that_are_not_labels():
    y = -np.abs(targets("real")) - 1
    with pytest.raises(ValueError, match="Received:"):
        suggest_head(y, task="multiclass")
