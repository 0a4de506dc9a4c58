"""No false alarms: every canonical pair of the cheat sheets passes, however it is spelled.

"Activation Functions and Loss Functions" (MHTECHIN, 2026) and Mulla (2020):
binary: sigmoid + binary cross-entropy, a linear output with
`from_logits=True`, a linear or tanh output with the hinge loss;
multi-class: softmax + (sparse) categorical cross-entropy, a linear output
with `from_logits=True`; multi-label: a sigmoid per class + binary
cross-entropy; regression: linear + MSE, MAE, Huber or RMSE; bounded
regression: sigmoid + MSE or BCE on targets in [0, 1]; soft targets:
softmax + KL divergence; non-negative regression: softplus or ReLU + MSLE.
Each with the targets it is meant for.
"""

import keras
import pytest
from pairing_models import (
    K,
    build,
    compilable,
    make_loss,
    spelled,
    targets,
)

from keras_actloss import check_pairing, check_targets

# (task, output activation, units, loss, target kind)
CANONICAL = [
    ("binary", "sigmoid", 1, "bce", "binary01"),
    ("binary", "linear", 1, "bce_logits", "binary01"),
    ("binary", "linear", 1, "hinge", "signed"),
    ("binary", "tanh", 1, "hinge", "signed"),
    ("binary", "linear", 1, "hinge", "binary01"),  # hinge losses convert {0, 1} to {-1, 1}
    ("binary", "tanh", 1, "squared_hinge", "signed"),
    ("multiclass", "softmax", K, "cce", "one_hot"),
    ("multiclass", "softmax", K, "scce", "int_labels"),
    ("multiclass", "linear", K, "cce_logits", "one_hot"),
    ("multiclass", "linear", K, "scce_logits", "int_labels"),
    ("multilabel", "sigmoid", K, "bce", "multi_hot"),
    ("multilabel", "linear", K, "bce_logits", "multi_hot"),
    ("regression", "linear", 1, "mse", "real"),
    ("regression", "linear", 1, "mae", "real"),
    ("regression", "linear", 1, "huber", "real"),
    ("regression", "linear", 1, "rmse", "real"),
    ("regression", "linear", 3, "mse", "real3"),
    ("bounded-regression", "sigmoid", 1, "mse", "unit"),
    ("bounded-regression", "sigmoid", 1, "bce", "unit"),
    ("soft-targets", "softmax", K, "kld", "soft"),
    ("non-negative", "softplus", 1, "msle", "non_negative"),
    ("non-negative", "relu", 1, "msle", "non_negative"),
]


def _targets(kind):
    if kind == "real3":
        return targets("soft", k=3) * 9 - 4
    return targets(kind)


@pytest.mark.parametrize(
    "task, activation, act_spelling, units, loss, loss_spelling, kind", spelled(CANONICAL)
)
def test_canonical_pair_has_no_findings(
    task, activation, act_spelling, units, loss, loss_spelling, kind
):
    model = build(activation, act_spelling, units)
    loss_object = make_loss(loss, loss_spelling)
    assert check_pairing(model, loss_object) == []
    assert check_targets(model, _targets(kind), loss_object) == []


def _compiled_cases():
    return [
        p
        for p in spelled(CANONICAL, loss_only=True)
        if compilable(p.values[5]) and p.values[5] in ("keras_class", "ours_class", "ours_function")
    ]


@pytest.mark.parametrize(
    "task, activation, act_spelling, units, loss, loss_spelling, kind", _compiled_cases()
)
def test_canonical_pair_compiled_has_no_findings(
    task, activation, act_spelling, units, loss, loss_spelling, kind
):
    model = build(activation, act_spelling, units)
    # Keras's "accuracy" is right for {0, 1} labels, one-hot rows and integer labels
    metrics = ["accuracy"] if kind in ("binary01", "one_hot", "int_labels", "multi_hot") else []
    model.compile(loss=make_loss(loss, loss_spelling), metrics=metrics)
    assert check_pairing(model) == []
    assert check_targets(model, _targets(kind)) == []


@pytest.mark.parametrize("kind", ["binary01", "signed", "int_labels", "real"])
def test_one_dimensional_targets_are_fine_too(kind):
    rows = {
        "binary01": ("sigmoid", 1, "bce"),
        "signed": ("linear", 1, "hinge"),
        "int_labels": ("softmax", K, "scce"),
        "real": ("linear", 1, "mse"),
    }
    activation, units, loss = rows[kind]
    y = _targets(kind)
    y = y.reshape(len(y))
    model = build(activation, "keras_string", units)
    assert check_targets(model, y, make_loss(loss, "keras_class")) == []


def test_a_bounded_relu_holds_its_targets():
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1, name="out_dense"),
            keras.layers.ReLU(max_value=6.0, name="out"),
        ]
    )
    y = targets("unit") * 6.0
    assert check_pairing(model, "mse") == []
    assert check_targets(model, y, "mse") == []
    found = check_targets(model, y + 1.0, "mse")
    assert [(f.code, f.layer) for f in found] == [("target-out-of-range", "out")]
