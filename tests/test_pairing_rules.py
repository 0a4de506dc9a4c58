"""Each rule of `RULES`: a model that breaks it is caught, the corrected model is not.

The expected verdicts are the cheat sheets' (MHTECHIN 2026, Mulla 2020):
a squashed output with `from_logits=True` is squashed twice, cross-entropy
needs probabilities, a one-unit softmax is constant, hinge losses want raw
scores, MSLE wants non-negative outputs, and so on. Every activation and
loss is written each way Keras and keras_actloss allow (see
`pairing_models`), and the finding must carry its rule's one severity and
name the layer that applies the activation (``"out"`` in these models).
"""

import keras
import pytest
from pairing_models import (
    activation_layers,
    activation_spellings,
    build,
    codes,
    compilable,
    loss_spellings,
    make_loss,
    only,
    spelled,
)
from test_pairing_targets import TARGET_TRIGGERS

import keras_actloss as ka
from keras_actloss import check_pairing
from keras_actloss.findings import RULES

L = keras.layers


# (code, output activation, units, loss): a model whose only mistake is `code`.
PAIR_TRIGGERS = [
    ("from-logits-after-squash", "sigmoid", 1, "bce_logits"),
    ("from-logits-after-squash", "softmax", 3, "cce_logits"),
    ("from-logits-after-squash", "softmax", 3, "scce_logits"),
    ("bounded-logits", "tanh", 1, "bce_logits"),
    ("bounded-logits", "relu", 1, "bce_logits"),
    ("bounded-logits", "tanh", 3, "cce_logits"),
    ("probability-loss-on-unbounded-output", "linear", 1, "bce"),
    ("probability-loss-on-unbounded-output", "tanh", 1, "bce"),
    ("probability-loss-on-unbounded-output", "relu", 3, "cce"),
    ("probability-loss-on-unbounded-output", "linear", 3, "scce"),
    ("probability-loss-on-unbounded-output", "linear", 3, "kld"),
    ("softmax-single-unit", "softmax", 1, "bce"),
    ("zero-gradient-on-path", "sigmoid", 1, "zero_one"),
    ("categorical-loss-on-single-unit", "sigmoid", 1, "cce"),
    ("categorical-loss-on-single-unit", "sigmoid", 1, "scce"),
    ("categorical-loss-on-single-unit", "linear", 1, "cce_logits"),
    ("softmax-with-regression-loss", "softmax", 3, "mse"),
    ("softmax-with-regression-loss", "softmax", 3, "mae"),
    ("softmax-with-regression-loss", "softmax", 3, "huber"),
    ("softmax-with-regression-loss", "softmax", 3, "rmse"),
    ("bce-after-softmax", "softmax", 3, "bce"),
    ("margin-loss-after-squash", "sigmoid", 1, "hinge"),
    ("margin-loss-after-squash", "softmax", 3, "squared_hinge"),
    ("margin-loss-after-squash", "sigmoid", 1, "perceptron"),
    ("categorical-loss-on-sigmoid", "sigmoid", 3, "cce"),
    ("categorical-loss-on-sigmoid", "sigmoid", 3, "kld"),
    ("msle-on-signed-output", "linear", 1, "msle"),
    ("msle-on-signed-output", "tanh", 1, "msle"),
    ("msle-on-signed-output", "leaky_relu", 1, "msle"),
    ("msle-on-signed-output", "elu", 1, "msle"),
    ("diagnostic-as-loss", "linear", 1, "mean_error"),
]

# (code, output activation, units, loss): the correct pairing next to each mistake above.
NEAR_MISSES = [
    ("from-logits-after-squash", "linear", 1, "bce_logits"),
    ("from-logits-after-squash", "linear", 3, "cce_logits"),
    ("from-logits-after-squash", "linear", 3, "scce_logits"),
    ("from-logits-after-squash", "sigmoid", 1, "bce"),
    ("bounded-logits", "linear", 1, "bce_logits"),
    ("bounded-logits", "relu", 3, "cce_logits"),
    ("probability-loss-on-unbounded-output", "sigmoid", 1, "bce"),
    ("probability-loss-on-unbounded-output", "softmax", 3, "cce"),
    ("probability-loss-on-unbounded-output", "softmax", 3, "scce"),
    ("probability-loss-on-unbounded-output", "softmax", 3, "kld"),
    ("softmax-single-unit", "sigmoid", 1, "bce"),
    ("softmax-single-unit", "softmax", 2, "cce"),
    ("zero-gradient-on-path", "sigmoid", 1, "bce"),
    ("categorical-loss-on-single-unit", "softmax", 3, "cce"),
    ("categorical-loss-on-single-unit", "softmax", 3, "scce"),
    ("softmax-with-regression-loss", "linear", 3, "mse"),
    ("softmax-with-regression-loss", "sigmoid", 1, "mse"),
    ("softmax-with-regression-loss", "linear", 3, "mae"),
    ("softmax-with-regression-loss", "linear", 3, "huber"),
    ("softmax-with-regression-loss", "linear", 3, "rmse"),
    ("bce-after-softmax", "sigmoid", 3, "bce"),
    ("margin-loss-after-squash", "linear", 1, "hinge"),
    ("margin-loss-after-squash", "tanh", 1, "hinge"),
    ("margin-loss-after-squash", "tanh", 1, "squared_hinge"),
    ("margin-loss-after-squash", "linear", 1, "perceptron"),
    ("categorical-loss-on-sigmoid", "softmax", 3, "cce"),
    ("categorical-loss-on-sigmoid", "softmax", 3, "kld"),
    ("msle-on-signed-output", "softplus", 1, "msle"),
    ("msle-on-signed-output", "relu", 1, "msle"),
    ("diagnostic-as-loss", "linear", 1, "mse"),
]

# Rules triggered by dedicated tests below (hidden layers, metrics, unknown spellings).
_TRIGGERED_BELOW = {
    "zero-gradient-on-path",
    "no-hidden-nonlinearity",
    "saturating-hidden-stack",
    "accuracy-inflated",
    "not-checked",
    "non-finite-targets",  # tests/test_pairing_errors.py
}


def test_every_rule_has_a_triggering_case():
    covered = {row[0] for row in PAIR_TRIGGERS} | {row[0] for row in TARGET_TRIGGERS}
    assert covered | _TRIGGERED_BELOW == set(RULES)


def test_every_rule_has_one_known_severity():
    assert {rule.severity for rule in RULES.values()} <= {"error", "warning", "info"}
    assert all(code == rule.code for code, rule in RULES.items())


@pytest.mark.parametrize(
    "code, activation, act_spelling, units, loss, loss_spelling", spelled(PAIR_TRIGGERS)
)
def test_rule_is_triggered(code, activation, act_spelling, units, loss, loss_spelling):
    model = build(activation, act_spelling, units)
    found = check_pairing(model, make_loss(loss, loss_spelling))
    assert codes(found) == [code], found
    finding = only(found, code)
    assert finding.layer == "out"
    assert finding.output is None  # a single-output model
    assert finding.message and finding.fix


@pytest.mark.parametrize(
    "code, activation, act_spelling, units, loss, loss_spelling", spelled(NEAR_MISSES)
)
def test_correct_pairing_does_not_trigger_rule(
    code, activation, act_spelling, units, loss, loss_spelling
):
    model = build(activation, act_spelling, units)
    assert check_pairing(model, make_loss(loss, loss_spelling)) == []


_COMPILED = [
    p
    for p in spelled(PAIR_TRIGGERS[:3] + PAIR_TRIGGERS[9:10], loss_only=True)
    if compilable(p.values[5])
]


@pytest.mark.parametrize("code, activation, act_spelling, units, loss, loss_spelling", _COMPILED)
def test_rule_is_triggered_by_the_compiled_loss(
    code, activation, act_spelling, units, loss, loss_spelling
):
    model = build(activation, act_spelling, units)
    model.compile(loss=make_loss(loss, loss_spelling))
    assert codes(check_pairing(model)) == [code]


# --- zero gradients: the step activation --------------------------------------------------


@pytest.mark.parametrize("spelling", activation_spellings("step"))
def test_zero_gradient_step_in_a_hidden_layer(spelling):
    model = keras.Sequential(
        [
            keras.Input((4,)),
            *activation_layers("step", spelling, 8, layer_name="hidden_step"),
            L.Dense(1, activation="sigmoid", name="out"),
        ]
    )
    found = check_pairing(model, "binary_crossentropy")
    assert codes(found) == ["zero-gradient-on-path"]
    assert only(found, "zero-gradient-on-path").layer == "hidden_step"


@pytest.mark.parametrize("spelling", activation_spellings("step"))
def test_zero_gradient_step_as_the_output(spelling):
    found = check_pairing(build("step", spelling, 1), "binary_crossentropy")
    assert codes(found) == ["zero-gradient-on-path"]
    assert only(found, "zero-gradient-on-path").layer == "out"


@pytest.mark.parametrize("spelling", activation_spellings("step"))
def test_straight_through_step_passes_a_gradient(spelling):
    model = keras.Sequential(
        [
            keras.Input((4,)),
            *activation_layers(
                "step", spelling, 8, layer_name="hidden_step", gradient="straight_through"
            ),
            L.Dense(1, activation="sigmoid", name="out"),
        ]
    )
    assert check_pairing(model, "binary_crossentropy") == []


# --- hidden layers ----------------------------------------------------------------------------


def _in_dense(spelling):
    return spelling in ("keras_default", "keras_string", "keras_function", "ours_in_dense")


@pytest.mark.parametrize("spelling", activation_spellings("linear"))
def test_no_hidden_nonlinearity(spelling):
    model = keras.Sequential(
        [
            keras.Input((4,)),
            *activation_layers("linear", spelling, 8, layer_name="hidden"),
            L.Dense(1, activation="sigmoid", name="out"),
        ]
    )
    found = check_pairing(model, "binary_crossentropy")
    assert codes(found) == ["no-hidden-nonlinearity"]
    # the hidden Dense that has no nonlinearity after it
    expected = "hidden" if _in_dense(spelling) else "hidden_dense"
    assert only(found, "no-hidden-nonlinearity").layer == expected


@pytest.mark.parametrize("spelling", activation_spellings("relu"))
def test_a_hidden_relu_is_a_nonlinearity(spelling):
    model = keras.Sequential(
        [
            keras.Input((4,)),
            *activation_layers("relu", spelling, 8, layer_name="hidden"),
            L.Dense(1, activation="sigmoid", name="out"),
        ]
    )
    assert check_pairing(model, "binary_crossentropy") == []


def test_a_single_linear_layer_has_no_hidden_layers_to_flag():
    model = keras.Sequential([keras.Input((4,)), L.Dense(1, activation="sigmoid", name="out")])
    assert check_pairing(model, "binary_crossentropy") == []


def _stack(activation, spelling, depth):
    layers = [keras.Input((4,))]
    for i in range(depth):
        layers += activation_layers(activation, spelling, 8, layer_name=f"h{i}")
    return keras.Sequential([*layers, L.Dense(1, name="out")])


@pytest.mark.parametrize(
    "activation, spelling",
    [(a, s) for a in ("sigmoid", "tanh") for s in activation_spellings(a)],
    ids=lambda v: str(v),
)
def test_saturating_hidden_stack(activation, spelling):
    found = check_pairing(_stack(activation, spelling, 3), "mse")
    assert codes(found) == ["saturating-hidden-stack"]
    assert only(found, "saturating-hidden-stack").layer == "h0"


@pytest.mark.parametrize("spelling", activation_spellings("relu"))
def test_relu_stack_does_not_saturate(spelling):
    assert check_pairing(_stack("relu", spelling, 3), "mse") == []


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_a_shallow_saturating_network_is_fine(activation):
    assert check_pairing(_stack(activation, "keras_string", 2), "mse") == []


# --- accuracy with binary cross-entropy on a softmax -----------------------------------------

_ACCURACIES = {
    "accuracy": lambda: "accuracy",
    "acc": lambda: "acc",
    "binary_accuracy": lambda: "binary_accuracy",
    "BinaryAccuracy": lambda: keras.metrics.BinaryAccuracy(),
}


def _accuracy_cases():
    acts, losses = activation_spellings("softmax"), loss_spellings("bce")
    cases = [(a, losses[0], "accuracy") for a in acts]
    cases += [(acts[0], s, "accuracy") for s in losses[1:]]
    cases += [(acts[0], losses[0], m) for m in list(_ACCURACIES)[1:]]
    return [pytest.param(*c, id=f"softmax[{c[0]}]+bce[{c[1]}]+{c[2]}") for c in cases]


@pytest.mark.parametrize("act_spelling, loss_spelling, metric", _accuracy_cases())
def test_accuracy_inflated_by_bce_on_softmax(act_spelling, loss_spelling, metric):
    model = build("softmax", act_spelling, 3)
    model.compile(loss=make_loss("bce", loss_spelling), metrics=[_ACCURACIES[metric]()])
    found = check_pairing(model)
    assert codes(found) == ["accuracy-inflated", "bce-after-softmax"]
    assert only(found, "accuracy-inflated").layer == "out"
    assert only(found, "bce-after-softmax").layer == "out"


@pytest.mark.parametrize(
    "activation, loss", [("softmax", "cce"), ("softmax", "scce"), ("sigmoid", "bce")]
)
def test_accuracy_with_the_matching_loss_is_not_inflated(activation, loss):
    model = build(activation, "keras_string", 3)
    model.compile(loss=make_loss(loss, "keras_string"), metrics=["accuracy"])
    assert check_pairing(model) == []


def test_categorical_accuracy_is_not_inflated():
    model = build("softmax", "keras_string", 3)
    model.compile(loss="binary_crossentropy", metrics=["categorical_accuracy"])
    assert codes(check_pairing(model)) == ["bce-after-softmax"]


# --- what the rules do not know ---------------------------------------------------------------


def my_loss(y_true, y_pred):
    return keras.ops.mean(keras.ops.square(y_true - y_pred))


_UNKNOWN_LOSSES = {
    "custom_function": lambda: my_loss,
    "lambda": lambda: lambda y, p: keras.ops.abs(y - p),
    "CategoricalHinge": lambda: keras.losses.CategoricalHinge(),
    "poisson_string": lambda: "poisson",
    "Poisson": lambda: keras.losses.Poisson(),
}


@pytest.mark.parametrize("loss", list(_UNKNOWN_LOSSES))
def test_unknown_loss_is_not_checked(loss):
    found = check_pairing(build("linear", "keras_default", 1), _UNKNOWN_LOSSES[loss]())
    assert codes(found) == ["not-checked"]
    assert only(found, "not-checked").layer == "out"


_UNKNOWN_ACTIVATIONS = {
    "gelu_string": lambda: L.Dense(1, activation="gelu", name="out"),
    "selu_function": lambda: L.Dense(1, activation=keras.activations.selu, name="out"),
    "relu6_string": lambda: L.Dense(1, activation="relu6", name="out"),
}


@pytest.mark.parametrize("activation", list(_UNKNOWN_ACTIVATIONS))
def test_unknown_activation_is_not_checked(activation):
    model = keras.Sequential(
        [keras.Input((4,)), L.Dense(8, activation="relu"), _UNKNOWN_ACTIVATIONS[activation]()]
    )
    found = check_pairing(model, "mse")
    assert codes(found) == ["not-checked"]
    assert only(found, "not-checked").layer == "out"


def test_no_loss_and_not_compiled_is_not_checked():
    found = check_pairing(build("sigmoid", "keras_string", 1))
    assert codes(found) == ["not-checked"]


def test_ignore_leaves_out_a_rule():
    model = build("sigmoid", "ours_layer", 1)
    loss = ka.losses.BinaryCrossentropy(from_logits=True)
    assert codes(check_pairing(model, loss)) == ["from-logits-after-squash"]
    assert check_pairing(model, loss, ignore=["from-logits-after-squash"]) == []
    assert check_pairing(model, loss, ignore=("softmax-single-unit",)) != []


def test_sparse_categorical_loss_on_a_multi_unit_sigmoid():
    found = check_pairing(build("sigmoid", "keras_string", 3), "sparse_categorical_crossentropy")
    assert codes(found) == ["categorical-loss-on-sigmoid"]


def test_accuracy_on_another_output_does_not_inflate():
    x = keras.Input((4,))
    h = L.Dense(8, activation="relu")(x)
    a = L.Dense(1, activation="sigmoid", name="a")(h)
    b = L.Dense(3, activation="softmax", name="b")(h)
    model = keras.Model(x, {"a": a, "b": b})
    model.compile(loss="binary_crossentropy", metrics={"a": ["accuracy"]})
    assert [(f.code, f.output) for f in check_pairing(model)] == [("bce-after-softmax", "b")]
