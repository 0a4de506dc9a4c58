"""Activation layers inside Keras models: shapes, training, policies, errors."""

import inspect

import keras
import numpy as np
import pytest
from activation_cases import implementation, make, required_arguments
from backends import tensorflow_only, to_numpy
from checks import catalog_names

import keras_actloss as ka
from keras_actloss import catalog


def _data(n=64, features=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x[:, :1] - 0.5 * x[:, 1:2] > 0).astype("float32")
    return x, y


@pytest.mark.parametrize("name", catalog_names("activation"))
def test_sequential_and_functional_models(name):
    x, _ = _data()
    sequential = keras.Sequential([keras.Input((5,)), keras.layers.Dense(6), make(name)])
    inputs = keras.Input((5,))
    functional = keras.Model(inputs, make(name)(keras.layers.Dense(6)(inputs)))
    for model in (sequential, functional):
        out = model.predict(x, verbose=0)
        assert out.shape == (64, 6)
        assert np.isfinite(out).all()


# Maxout is a dense layer itself: it sets the output width, so it is no `activation=`.
@pytest.mark.parametrize("name", [n for n in catalog_names("activation") if n != "maxout"])
def test_as_dense_activation_argument(name):
    layer = keras.layers.Dense(8, activation=make(name))
    out = layer(np.ones((2, 3), "float32"))
    assert out.shape == (2, 8)
    config = keras.layers.Dense.from_config(layer.get_config()).get_config()
    assert config["activation"] == layer.get_config()["activation"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", [n for n in catalog_names("activation") if n not in ("step", "softmax")]
)
def test_fit_reduces_the_loss_with_the_activation_in_a_hidden_layer(name):
    keras.utils.set_random_seed(1)
    x, y = _data(n=256)
    model = keras.Sequential(
        [keras.Input((5,)), keras.layers.Dense(12), make(name), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, epochs=8, batch_size=32, verbose=0).history["loss"]
    assert history[-1] < 0.7 * history[0], history


def test_step_with_straight_through_gradient_trains_but_zero_gradient_does_not():
    keras.utils.set_random_seed(2)
    x, y = _data(n=256)
    results = {}
    for gradient in ("zero", "straight_through"):
        model = keras.Sequential(
            [keras.Input((5,)), keras.layers.Dense(1), ka.Step(gradient=gradient)]
        )
        before = model.get_weights()
        model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
        model.fit(x, y, epochs=3, batch_size=32, verbose=0)
        results[gradient] = any(
            not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True)
        )
    assert results == {"zero": False, "straight_through": True}


def test_trainable_parameters_are_learned():
    x, y = _data(n=128)
    prelu, swish = ka.PReLU(), ka.Swish(trainable_beta=True)
    model = keras.Sequential(
        [
            keras.Input((5,)),
            keras.layers.Dense(8),
            prelu,
            keras.layers.Dense(8),
            swish,
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert not np.allclose(keras.ops.convert_to_numpy(prelu.alpha), 0.25)
    assert not np.isclose(float(to_numpy(swish.beta_weight)), 1.0)
    assert swish.get_config()["beta"] == 1.0  # the config keeps the initial value


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_policies(policy):
    keras.config.set_dtype_policy(policy)
    compute = policy.split("_")[1]
    x, y = _data(n=64)
    for name in catalog_names("activation"):
        layer = make(name)
        model = keras.Sequential(
            [keras.Input((5,)), keras.layers.Dense(6), layer, keras.layers.Dense(1)]
        )
        assert layer.compute_dtype == compute
        out = layer(keras.ops.ones((2, 6), dtype=compute))
        assert keras.backend.standardize_dtype(out.dtype) == compute
        model.compile(optimizer="adam", loss="mse")
        loss = model.fit(x, y, epochs=1, batch_size=16, verbose=0).history["loss"][-1]
        assert np.isfinite(loss), name


def test_softmax_takes_the_mask_keras_propagates():
    # Embedding(mask_zero=True) attaches a mask that Keras hands to our call().
    tokens = keras.Input((4,), dtype="int32")
    scores = keras.layers.Embedding(10, 3, mask_zero=True)(tokens)
    probabilities = ka.Softmax(axis=1)(scores)
    model = keras.Model(tokens, probabilities)
    out = model.predict(np.array([[3, 0, 5, 7]]), verbose=0)
    np.testing.assert_array_equal(out[0, 1], 0.0)  # the padding token gets no mass
    np.testing.assert_allclose(out[0].sum(axis=0), 1.0, rtol=1e-6)
    expected = r"broadcastable to `inputs`.*Received: mask.shape=\(2, 5\), inputs.shape=\(2, 4\)"
    with pytest.raises(ValueError, match=expected):
        ka.Softmax()(np.ones((2, 4)), mask=np.ones((2, 5), bool))


@pytest.mark.parametrize(
    ("shape", "mask"),
    [
        ((2, 3), [True, False, True]),  # from the right, over every row
        ((2, 3), [[True], [False]]),  # a 1 broadcasts
        ((2, 2, 3), [[True, False, True]]),
        ((2, 3), [[True, False, True], [False, True, True]]),  # the same shape
    ],
)
def test_softmax_masks_broadcast_from_the_right_as_keras(shape, mask):
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    mask = np.asarray(mask)
    expected = keras.layers.Softmax()(x, mask=mask)
    got = ka.Softmax()(x, mask=mask)
    full = np.broadcast_to(mask, shape)
    # Keras gives a fully masked row a uniform softmax; ours gives it no mass at all.
    rows = full.any(axis=-1)
    got, expected = to_numpy(got), to_numpy(expected)
    np.testing.assert_allclose(got[rows], expected[rows], atol=1e-6)
    np.testing.assert_array_equal(got[~full], 0.0)


@pytest.mark.parametrize(
    ("shape", "mask_shape"), [((2, 3), (4,)), ((2, 3), (3, 2)), ((2,), (2, 2))]
)
def test_softmax_refuses_a_mask_that_does_not_broadcast(shape, mask_shape):
    with pytest.raises(ValueError, match="must be broadcastable to `inputs`"):
        ka.Softmax()(np.ones(shape, "float32"), mask=np.ones(mask_shape, bool))


@tensorflow_only("Keras's own cross-entropies recover the logits from `_keras_logits`")
def test_keras_crossentropy_stays_exact_after_our_sigmoid_and_softmax():
    # Keras recovers the logits from our outputs, so a confidently wrong
    # prediction costs what the math says.
    logit = np.array([[50.0]], "float32")
    bce = keras.losses.BinaryCrossentropy()(np.zeros((1, 1)), ka.Sigmoid()(logit))
    np.testing.assert_allclose(float(bce), 50.0, rtol=1e-4)
    logits = np.array([[100.0, 0.0]], "float32")
    cce = keras.losses.CategoricalCrossentropy()(np.array([[0.0, 1.0]]), ka.Softmax()(logits))
    np.testing.assert_allclose(float(cce), 100.0, rtol=1e-4)


BAD_ARGUMENTS = [
    (ka.LeakyReLU, dict(negative_slope=-0.1), "negative_slope=-0.1"),
    (ka.LeakyReLU, dict(negative_slope="a"), "negative_slope='a'"),
    (ka.ELU, dict(alpha="big"), "alpha='big'"),
    (ka.ELU, dict(alpha=float("nan")), "alpha=nan"),
    (ka.ELU, dict(alpha=-1.0), "alpha=-1.0"),
    (ka.Step, dict(gradient="identity"), "gradient='identity'"),
    (ka.Step, dict(threshold=None), "threshold=None"),
    (ka.Swish, dict(beta="1"), "beta='1'"),
    (ka.Swish, dict(trainable_beta="yes"), "trainable_beta='yes'"),
    (ka.Softplus, dict(beta=0.0), "beta=0.0"),
    (ka.Softmax, dict(axis="last"), "axis='last'"),
    (ka.Softmax, dict(axis=(1, 1)), "axis=(1, 1)"),
    (ka.Maxout, dict(units=0), "units=0"),
    (ka.Maxout, dict(units=4, pieces=1), "pieces=1"),
    (ka.Maxout, dict(units=2.5), "units=2.5"),
    (ka.PReLU, dict(shared_axes="x"), "shared_axes='x'"),
]


@pytest.mark.parametrize("cls, kwargs, received", BAD_ARGUMENTS)
def test_bad_arguments_raise_value_error_naming_the_value(cls, kwargs, received):
    with pytest.raises(ValueError) as error:
        cls(**kwargs)
    assert str(error.value).endswith(f"Received: {received}"), str(error.value)


def test_maxout_needs_a_known_last_dimension():
    with pytest.raises(ValueError, match=r"last dimension.*Received: input_shape=\(None, None\)"):
        ka.Maxout(units=3).build((None, None))
    with pytest.raises(ValueError):
        ka.Maxout(units=3)(np.ones((4,), "float32"))  # no feature axis at all


# A wrong type for every argument whose default is a number, a bool or a str
# (Keras objects such as initializers are Keras's to check).
WRONG_TYPES = {
    bool: [2, "yes", None],
    int: ["bad", None, True],  # a bool is no number here
    float: ["bad", None, True],
    str: [2, None, True],
}
_KERAS_OBJECTS = ("_initializer", "_regularizer", "_constraint")


def _typed_arguments():
    for name in catalog_names("activation"):
        parameters = inspect.signature(implementation(name).__init__).parameters.values()
        for p in parameters:
            if type(p.default) in WRONG_TYPES and not p.name.endswith(_KERAS_OBJECTS):
                yield name, p.name


TYPED_ARGUMENTS = list(_typed_arguments())


def test_typed_arguments_are_found():
    # The ones the classes had when this was written; the catalog adds to them.
    assert {
        ("step", "threshold"),
        ("step", "gradient"),
        ("leaky_relu", "negative_slope"),
        ("elu", "alpha"),
        ("swish", "beta"),
        ("swish", "trainable_beta"),
        ("softplus", "beta"),
        ("softmax", "axis"),
        ("maxout", "pieces"),
    } <= set(TYPED_ARGUMENTS)


@pytest.mark.parametrize("name, argument", TYPED_ARGUMENTS)
def test_wrong_type_raises_naming_the_argument_and_value(name, argument):
    default = inspect.signature(implementation(name).__init__).parameters[argument].default
    for value in WRONG_TYPES[type(default)]:
        with pytest.raises((ValueError, TypeError)) as error:
            ka.get_activation(name, **{**required_arguments(name), argument: value})
        assert f"Received: {argument}={value!r}" in str(error.value), str(error.value)


@pytest.mark.parametrize("entry", catalog.entries("activation"), ids=lambda e: e.info.name)
def test_class_hierarchy_follows_the_catalog(entry):
    cls = entry.implementation
    assert issubclass(cls, ka.ActivationLayer)
    assert issubclass(cls, ka.ElementwiseActivation) == entry.info.elementwise
    if entry.info.elementwise:
        assert callable(getattr(cls, "derivative", None))
    else:
        assert not hasattr(cls, "derivative")


def test_softmax_has_a_jacobian_and_no_derivative():
    assert callable(getattr(ka.Softmax, "jacobian", None))
    assert not hasattr(ka.Softmax, "derivative")
    assert not hasattr(ka.Maxout, "derivative") and not hasattr(ka.Maxout, "jacobian")
    assert not ka.describe("softmax").elementwise and not ka.describe("maxout").elementwise
    assert issubclass(ka.PReLU, keras.layers.PReLU)  # a drop-in for Keras's
    assert issubclass(ka.PReLU, ka.ElementwiseActivation)


def test_derivative_of_prelu_builds_the_layer():
    layer = ka.PReLU()
    np.testing.assert_allclose(to_numpy(layer.derivative(np.array([[-1.0, 2.0]]))), [[0.25, 1.0]])
