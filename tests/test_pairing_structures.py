"""The models the rules must read: nested models, shape-only layers, convolutions, several outputs.

In each case the truth is plain: a layer that only rearranges or averages
values (Reshape, Flatten, Dropout, Permute, global average pooling) does
not change which activation decides the output, a nested model's output is
its last layer's, and a multi-output model pairs each output with its loss.
"""

import keras
import pytest
from pairing_models import codes, only

import keras_actloss as ka
from keras_actloss import check_pairing

L = keras.layers

_FROM_LOGITS = {
    "keras": lambda: keras.losses.BinaryCrossentropy(from_logits=True),
    "ours": lambda: ka.losses.BinaryCrossentropy(from_logits=True),
}


# --- nested models ----------------------------------------------------------------------------


def _inner_sequential(activation="softmax"):
    return keras.Sequential(
        [L.Dense(8, activation="relu"), L.Dense(3, activation=activation, name="inner_out")],
        name="inner",
    )


def _sequential_in_functional():
    x = keras.Input((4,))
    return keras.Model(x, _inner_sequential()(x))


def _functional_in_functional():
    x = keras.Input((4,))
    inner = keras.Model(x, _inner_sequential()(x), name="middle")
    y = keras.Input((4,))
    return keras.Model(y, inner(y))


def _sequential_in_sequential():
    return keras.Sequential([keras.Input((4,)), _inner_sequential()])


def _nested_then_dropout():
    x = keras.Input((4,))
    return keras.Model(x, L.Dropout(0.2)(_inner_sequential()(x)))


def _nested_then_activation_layer():
    inner = keras.Sequential([L.Dense(8, activation="relu"), L.Dense(3, name="inner_logits")])
    x = keras.Input((4,))
    return keras.Model(x, L.Softmax(name="inner_out")(inner(x)))


NESTED = {
    "sequential_in_functional": _sequential_in_functional,
    "functional_in_functional": _functional_in_functional,
    "sequential_in_sequential": _sequential_in_sequential,
    "nested_then_dropout": _nested_then_dropout,
    "nested_then_softmax_layer": _nested_then_activation_layer,
}


@pytest.mark.parametrize("structure", list(NESTED))
def test_nested_model_output_is_read(structure):
    model = NESTED[structure]()
    assert check_pairing(model, "categorical_crossentropy") == []
    found = check_pairing(model, "mse")
    assert codes(found) == ["softmax-with-regression-loss"]
    assert only(found, "softmax-with-regression-loss").layer == "inner_out"


def test_hidden_layers_of_a_nested_model_are_read():
    inner = keras.Sequential([L.Dense(8, name="linear_hidden"), L.Dense(3, name="inner_out")])
    x = keras.Input((4,))
    found = check_pairing(keras.Model(x, inner(x)), "mse")
    assert codes(found) == ["no-hidden-nonlinearity"]
    assert only(found, "no-hidden-nonlinearity").layer == "linear_hidden"


# --- shape-only layers after the activation -------------------------------------------------


def _after(input_shape, units, *shape_layers, separate=False):
    """Input -> Dense(8, relu) -> sigmoid output 'out' -> shape-only layers."""
    head = (
        [L.Dense(units, name="out_dense"), ka.Sigmoid(name="out")]
        if separate
        else [L.Dense(units, activation="sigmoid", name="out")]
    )
    return keras.Sequential(
        [keras.Input(input_shape), L.Dense(8, activation="relu"), *head, *shape_layers]
    )


SHAPE_ONLY = {
    "Reshape": lambda s: _after((4,), 6, L.Reshape((2, 3)), separate=s),
    "Flatten": lambda s: _after((5, 4), 3, L.Flatten(), separate=s),
    "Dropout": lambda s: _after((4,), 3, L.Dropout(0.5), separate=s),
    "SpatialDropout1D": lambda s: _after((5, 4), 3, L.SpatialDropout1D(0.5), separate=s),
    "Permute": lambda s: _after((5, 4), 3, L.Permute((2, 1)), separate=s),
    "GlobalAveragePooling1D": lambda s: _after((5, 4), 3, L.GlobalAveragePooling1D(), separate=s),
    "GlobalAveragePooling2D": lambda s: _after(
        (3, 3, 2), 3, L.GlobalAveragePooling2D(), separate=s
    ),
    "Identity": lambda s: _after((4,), 3, L.Identity(), separate=s),
    "chain": lambda s: _after(
        (4,),
        6,
        L.Dropout(0.1),
        L.Reshape((3, 2)),
        L.Permute((2, 1)),
        L.Flatten(),
        separate=s,
    ),
}


@pytest.mark.parametrize("separate", [False, True], ids=["in_dense", "sigmoid_layer"])
@pytest.mark.parametrize("shape_layer", list(SHAPE_ONLY))
@pytest.mark.parametrize("spelling", list(_FROM_LOGITS))
def test_shape_only_layers_are_looked_through(shape_layer, separate, spelling):
    model = SHAPE_ONLY[shape_layer](separate)
    found = check_pairing(model, _FROM_LOGITS[spelling]())
    assert codes(found) == ["from-logits-after-squash"]
    assert only(found, "from-logits-after-squash").layer == "out"


@pytest.mark.parametrize("shape_layer", list(SHAPE_ONLY))
def test_shape_only_layers_after_a_correct_pair(shape_layer):
    assert check_pairing(SHAPE_ONLY[shape_layer](False), "binary_crossentropy") == []


def test_softmax_averaged_over_time_is_still_a_distribution():
    model = keras.Sequential(
        [
            keras.Input((5, 4)),
            L.Dense(3, activation="softmax", name="out"),
            L.GlobalAveragePooling1D(),
        ]
    )
    assert check_pairing(model, "categorical_crossentropy") == []
    assert codes(check_pairing(model, "mse")) == ["softmax-with-regression-loss"]


@pytest.mark.parametrize(
    "identity",
    [
        lambda: L.Activation("linear", dtype="float32"),
        lambda: ka.Linear(dtype="float32"),
    ],
    ids=["keras_activation_linear", "ours_linear"],
)
def test_identity_activation_after_a_softmax(identity):
    model = keras.Sequential(
        [
            keras.Input((4,)),
            L.Dense(8, activation="relu"),
            L.Dense(3, activation="softmax", name="out"),
            identity(),
        ]
    )
    assert check_pairing(model, "categorical_crossentropy") == []


# --- convolutions -----------------------------------------------------------------------------

_CONV_SPELLINGS = {
    "keras_string": lambda conv, act, name: [conv(activation=act, name=name)],
    "ours_in_conv": lambda conv, act, name: [
        conv(activation={"sigmoid": ka.Sigmoid, "softmax": ka.Softmax}[act](), name=name)
    ],
    "keras_layer": lambda conv, act, name: [
        conv(name=f"{name}_conv"),
        L.Activation(act, name=name),
    ],
}


def _conv_model(kind, activation, spelling, pooled=True):
    if kind == "conv1d":
        shape, conv, pool = (8, 2), lambda **kw: L.Conv1D(3, 3, **kw), L.GlobalAveragePooling1D
    else:
        shape, conv, pool = (6, 6, 2), lambda **kw: L.Conv2D(3, 3, **kw), L.GlobalAveragePooling2D
    hidden = (
        L.Conv1D(4, 3, activation="relu") if kind == "conv1d" else L.Conv2D(4, 3, activation="relu")
    )
    layers = [keras.Input(shape), hidden, *_CONV_SPELLINGS[spelling](conv, activation, "out")]
    return keras.Sequential(layers + ([pool()] if pooled else []))


@pytest.mark.parametrize("spelling", list(_CONV_SPELLINGS))
@pytest.mark.parametrize("kind", ["conv1d", "conv2d"])
def test_convolution_with_a_softmax(kind, spelling):
    model = _conv_model(kind, "softmax", spelling)
    assert check_pairing(model, "categorical_crossentropy") == []
    found = check_pairing(model, "mse")
    assert codes(found) == ["softmax-with-regression-loss"]
    assert only(found, "softmax-with-regression-loss").layer == "out"


@pytest.mark.parametrize("pooled", [True, False], ids=["pooled", "per_pixel"])
@pytest.mark.parametrize("spelling", list(_CONV_SPELLINGS))
@pytest.mark.parametrize("kind", ["conv1d", "conv2d"])
def test_convolution_with_a_sigmoid(kind, spelling, pooled):
    model = _conv_model(kind, "sigmoid", spelling, pooled)
    assert check_pairing(model, "binary_crossentropy") == []
    found = check_pairing(model, keras.losses.BinaryCrossentropy(from_logits=True))
    assert codes(found) == ["from-logits-after-squash"]
    assert only(found, "from-logits-after-squash").layer == "out"


# --- several outputs --------------------------------------------------------------------------


def _two_outputs(as_dict=True):
    x = keras.Input((4,))
    h = L.Dense(8, activation="relu")(x)
    a = L.Dense(1, activation="sigmoid", name="a")(h)
    b = L.Dense(3, activation="softmax", name="b")(h)
    return keras.Model(x, {"a": a, "b": b} if as_dict else [a, b])


_PER_OUTPUT = {
    "dict": lambda a, b: {"a": a, "b": b},
    "list": lambda a, b: [a, b],
    "tuple": lambda a, b: (a, b),
}


@pytest.mark.parametrize("compiled", [False, True], ids=["loss_argument", "compiled"])
@pytest.mark.parametrize("form", list(_PER_OUTPUT))
def test_multi_output_findings_name_their_output(form, compiled):
    model = _two_outputs(as_dict=form == "dict")
    good = _PER_OUTPUT[form]("binary_crossentropy", "categorical_crossentropy")
    bad = _PER_OUTPUT[form](keras.losses.BinaryCrossentropy(from_logits=True), "mean_squared_error")
    if compiled:
        model.compile(loss=good)
        assert check_pairing(model) == []
        model.compile(loss=bad)
        found = check_pairing(model)
    else:
        assert check_pairing(model, good) == []
        found = check_pairing(model, bad)
    assert sorted((f.code, f.output, f.layer) for f in found) == [
        ("from-logits-after-squash", "a", "a"),
        ("softmax-with-regression-loss", "b", "b"),
    ]


def test_one_loss_for_every_output():
    found = check_pairing(_two_outputs(), "binary_crossentropy")
    assert [(f.code, f.output) for f in found] == [("bce-after-softmax", "b")]


def test_an_output_without_a_loss_is_not_checked():
    found = check_pairing(_two_outputs(), {"a": "binary_crossentropy"})
    assert [(f.code, f.severity, f.output) for f in found] == [("not-checked", "info", "b")]


def test_loss_argument_overrides_the_compiled_loss():
    model = keras.Sequential(
        [keras.Input((4,)), L.Dense(8, activation="relu"), L.Dense(1, activation="sigmoid")]
    )
    model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True))
    assert codes(check_pairing(model)) == ["from-logits-after-squash"]
    assert check_pairing(model, "binary_crossentropy") == []


def test_sequential_built_by_calling_it():
    model = keras.Sequential([L.Dense(8, activation="relu"), L.Dense(1, activation="sigmoid")])
    model(keras.ops.zeros((2, 4)))
    assert codes(check_pairing(model, ka.losses.BinaryCrossentropy(from_logits=True))) == [
        "from-logits-after-squash"
    ]
