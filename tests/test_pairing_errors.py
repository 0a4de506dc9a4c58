"""Bad input: a clear `ValueError` (or an `info` finding), never an internal traceback."""

import keras
import numpy as np
import pytest
from pairing_models import build, codes, targets

from keras_actloss import check_pairing, check_targets
from keras_actloss.callbacks import PairingValidator

L = keras.layers


def _unbuilt():
    return keras.Sequential([L.Dense(8, activation="relu"), L.Dense(1, activation="sigmoid")])


@pytest.mark.parametrize(
    "check",
    [
        lambda m: check_pairing(m, "binary_crossentropy"),
        lambda m: check_targets(m, targets("binary01"), "binary_crossentropy"),
    ],
    ids=["check_pairing", "check_targets"],
)
def test_a_model_that_is_not_built(check):
    model = _unbuilt()
    with pytest.raises(ValueError) as error:
        check(model)
    assert type(error.value) is ValueError
    message = str(error.value)
    assert "built" in message and "Input" in message and model.name in message


def test_a_model_built_with_build_is_read():
    model = _unbuilt()
    model.build((None, 4))
    assert check_pairing(model, "binary_crossentropy") == []


@pytest.mark.parametrize(
    "not_a_model", ["model.keras", None, L.Dense(1)], ids=["str", "None", "layer"]
)
def test_something_that_is_not_a_model(not_a_model):
    with pytest.raises(TypeError, match="Received:"):
        check_pairing(not_a_model, "mse")


def test_a_built_subclassed_model_is_not_called_unbuilt():
    class Classifier(keras.Model):
        def __init__(self):
            super().__init__()
            self.out = L.Dense(1, activation="sigmoid")

        def call(self, x):
            return self.out(x)

    model = Classifier()
    model(np.zeros((2, 4), "float32"))
    assert model.built
    try:
        check_pairing(model, "binary_crossentropy")
    except ValueError as error:
        assert "not built" not in str(error)


# --- losses the rules cannot read -------------------------------------------------------------


def my_loss(y, p):
    return keras.ops.mean(keras.ops.square(y - p))


@pytest.mark.parametrize(
    "loss",
    [my_loss, keras.losses.CategoricalHinge(), keras.losses.LogCosh()],
    ids=["custom_function", "CategoricalHinge", "LogCosh"],
)
def test_a_loss_the_rules_cannot_read_is_an_info_finding(loss):
    model = build("linear", "keras_default", 1)
    found = check_pairing(model, loss)
    assert [(f.code, f.severity, f.layer) for f in found] == [("not-checked", "info", "out")]
    assert check_targets(model, targets("real"), loss) == []


def test_a_compiled_custom_loss_is_an_info_finding():
    model = build("linear", "keras_default", 1)
    model.compile(loss=my_loss)
    assert [(f.code, f.severity) for f in check_pairing(model)] == [("not-checked", "info")]


# --- targets and losses that do not match the outputs -----------------------------------------


def _two_outputs():
    x = keras.Input((4,))
    h = L.Dense(8, activation="relu")(x)
    a = L.Dense(1, activation="sigmoid", name="a")(h)
    b = L.Dense(3, activation="softmax", name="b")(h)
    return keras.Model(x, {"a": a, "b": b})


_LOSSES = {"a": "binary_crossentropy", "b": "categorical_crossentropy"}

_BAD_TARGETS = {
    "dict_with_a_wrong_key": lambda: {"a": targets("binary01"), "c": targets("one_hot", k=3)},
    "list_too_short": lambda: [targets("binary01")],
    "list_too_long": lambda: [targets("binary01"), targets("one_hot", k=3), targets("real")],
    "single_array": lambda: targets("binary01"),
}


@pytest.mark.parametrize("y", list(_BAD_TARGETS))
def test_targets_that_do_not_match_the_outputs(y):
    with pytest.raises(ValueError, match="Received:") as error:
        check_targets(_two_outputs(), _BAD_TARGETS[y](), _LOSSES)
    assert type(error.value) is ValueError
    assert "'a'" in str(error.value) and "'b'" in str(error.value)


@pytest.mark.parametrize(
    "loss",
    [
        {"a": "binary_crossentropy", "c": "mse"},
        ["binary_crossentropy"],
        ["binary_crossentropy", "mse", "mse"],
    ],
    ids=["dict_with_an_unknown_key", "list_too_short", "list_too_long"],
)
def test_losses_that_do_not_match_the_outputs(loss):
    with pytest.raises(ValueError, match="Received:") as error:
        check_pairing(_two_outputs(), loss)
    assert "'a'" in str(error.value) and "'b'" in str(error.value)


def test_unknown_key_is_named():
    with pytest.raises(ValueError, match=r"\['c'\]"):
        check_pairing(_two_outputs(), {"a": "binary_crossentropy", "c": "mse"})


def test_wrong_number_of_losses_message_spelling():
    with pytest.raises(ValueError) as error:
        check_pairing(_two_outputs(), ["binary_crossentropy"])
    assert "losss" not in str(error.value)


@pytest.mark.parametrize(
    "check",
    [
        lambda m, ignore: check_pairing(m, "mse", ignore=ignore),
        lambda m, ignore: check_targets(m, targets("real"), "mse", ignore=ignore),
        lambda m, ignore: PairingValidator(ignore=ignore),
    ],
    ids=["check_pairing", "check_targets", "PairingValidator"],
)
def test_unknown_rule_codes_in_ignore(check):
    with pytest.raises(ValueError, match="no-such-code"):
        check(build("linear", "keras_default", 1), ["no-such-code"])


def test_ignore_given_as_one_string():
    model = build("linear", "keras_default", 1)
    try:
        found = check_pairing(model, "binary_crossentropy", ignore="no-hidden-nonlinearity")
    except (TypeError, ValueError) as error:
        received = str(error).split("Received:")[-1]
        assert "no-hidden-nonlinearity" in received  # at least name what was given
    else:
        assert codes(found) == ["probability-loss-on-unbounded-output"]


def test_string_targets():
    with pytest.raises(TypeError, match="Received:"):
        check_targets(build("sigmoid", "keras_string", 1), np.array(["cat", "dog"]), "bce")


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_non_finite_targets_are_an_error(bad):
    y = targets("binary01")
    y[0] = bad
    found = check_targets(build("sigmoid", "keras_string", 1), y, "binary_crossentropy")
    assert codes(found) == ["non-finite-targets"]
    assert "1 target value(s)" in found[0].message
