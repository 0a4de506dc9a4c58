"""`keras_actloss.config`: exact numerics by default, Keras's own kernels on request.

In "fast" mode each function that has a costlier exact form must compute
what Keras's built-in computes (value and gradient, within float32's
rounding of the same formula), and must differ from the exact form where
Keras's is known to be off (so the switch is seen to act). The default
stays exact, and nothing else changes: configs, the logits an output
carries, the clipping of probabilities.
"""

import threading

import keras
import numpy as np
import pytest
from backends import BACKEND, gradient, to_numpy, value_and_gradient

import keras_actloss as ka
from keras_actloss import config
from keras_actloss import losses as L


@pytest.fixture
def fast():
    with config.numerics_scope("fast"):
        yield


X = np.concatenate([np.linspace(-12.0, 12.0, 97), [-1e-4, 1e-4, 30.0, -30.0]]).astype("float32")

# (name, ours, Keras's) with Keras's as the reference for the fast mode.
ACTIVATIONS = [
    ("tanh", ka.Tanh(), keras.activations.tanh),
    ("sigmoid", ka.Sigmoid(), keras.activations.sigmoid),
    ("elu", ka.ELU(), keras.activations.elu),
    ("elu(alpha=0.5)", ka.ELU(alpha=0.5), lambda x: keras.activations.elu(x, alpha=0.5)),
    ("silu", ka.Swish(), keras.activations.silu),
    ("swish(beta=1.5)", ka.Swish(beta=1.5), lambda x: x * keras.activations.sigmoid(1.5 * x)),
    ("softplus", ka.Softplus(), keras.activations.softplus),
    (
        "softplus(beta=2)",
        ka.Softplus(beta=2.0),
        lambda x: keras.activations.softplus(2.0 * x) / 2.0,
    ),
    ("softmax", ka.Softmax(), keras.activations.softmax),
]


@pytest.mark.parametrize(("name", "ours", "theirs"), ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_fast_activations_compute_what_keras_computes(fast, name, ours, theirs):
    x = X.reshape(1, -1) if name == "softmax" else X
    value, slope = value_and_gradient(ours, x)
    expected_value, expected_slope = value_and_gradient(theirs, x)
    np.testing.assert_allclose(to_numpy(value), to_numpy(expected_value), rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(to_numpy(slope), to_numpy(expected_slope), rtol=1e-5, atol=1e-7)


def test_the_default_is_exact_and_fast_gives_kerass_error():
    # tanh'(10) = 8.2e-9: Keras's 1 - tanh^2 rounds it to 0, the exact form does not.
    x = np.array([10.0], "float32")
    assert config.numerics() == "exact"
    assert to_numpy(gradient(ka.Tanh(), x))[0] == pytest.approx(8.2446e-9, rel=1e-4)
    with config.numerics_scope("fast"):
        assert (
            to_numpy(gradient(ka.Tanh(), x))[0] == to_numpy(gradient(keras.activations.tanh, x))[0]
        )


LOGITS = np.random.default_rng(0).normal(0.0, 4.0, (64, 7)).astype("float32")
LABELS = np.random.default_rng(1).integers(0, 7, 64)
ONE_HOT = np.eye(7, dtype="float32")[LABELS]
BINARY = (np.random.default_rng(2).uniform(size=(64, 7)) > 0.5).astype("float32")
POSITIVE = np.abs(LOGITS)

LOSSES = [
    ("cce logits", L.CategoricalCrossentropy(from_logits=True),
     keras.losses.CategoricalCrossentropy(from_logits=True), ONE_HOT, LOGITS),
    ("cce smoothed", L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
     keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), ONE_HOT, LOGITS),
    ("cce probabilities", L.CategoricalCrossentropy(),
     keras.losses.CategoricalCrossentropy(), ONE_HOT, keras.ops.convert_to_numpy(
         keras.ops.softmax(LOGITS))),
    ("scce logits", L.SparseCategoricalCrossentropy(from_logits=True),
     keras.losses.SparseCategoricalCrossentropy(from_logits=True), LABELS, LOGITS),
    ("bce logits", L.BinaryCrossentropy(from_logits=True),
     keras.losses.BinaryCrossentropy(from_logits=True), BINARY, LOGITS),
    ("msle", L.MeanSquaredLogarithmicError(),
     keras.losses.MeanSquaredLogarithmicError(), POSITIVE[::-1].copy(), POSITIVE),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "ours", "theirs", "y_true", "y_pred"), LOSSES, ids=[c[0] for c in LOSSES]
)
def test_fast_losses_compute_what_keras_computes(fast, name, ours, theirs, y_true, y_pred):
    value, slope = value_and_gradient(lambda p: ours(y_true, p), y_pred)
    expected_value, expected_slope = value_and_gradient(lambda p: theirs(y_true, p), y_pred)
    np.testing.assert_allclose(to_numpy(value), to_numpy(expected_value), rtol=2e-6)
    np.testing.assert_allclose(to_numpy(slope), to_numpy(expected_slope), rtol=1e-5, atol=1e-9)


def test_fast_cross_entropy_still_reads_the_logits_behind_a_sigmoid(fast):
    # A logit of 50 with label 0 costs 50, not the clipped 16.1 of its probability.
    loss = L.BinaryCrossentropy()([[0.0]], ka.Sigmoid()(np.array([[50.0]], "float32")))
    assert float(to_numpy(loss)) == pytest.approx(50.0, rel=1e-6)


def test_fast_sparse_cross_entropy_keeps_its_checks(fast):
    with pytest.raises(ValueError, match="Received a label value of 9"):
        L.SparseCategoricalCrossentropy(from_logits=True)(np.array([9]), LOGITS[:1])
    values = L.sparse_categorical_crossentropy(
        np.array([1, -1]), LOGITS[:2], from_logits=True, ignore_class=-1
    )
    assert to_numpy(values)[1] == 0.0


def test_fast_sparse_cross_entropy_over_another_axis(fast):
    logits = np.moveaxis(LOGITS.reshape(8, 8, 7), -1, 1)  # classes on axis 1
    labels = LABELS.reshape(8, 8)
    ours = L.sparse_categorical_crossentropy(labels, logits, from_logits=True, axis=1)
    theirs = keras.losses.sparse_categorical_crossentropy(
        labels, np.moveaxis(logits, 1, -1), from_logits=True
    )
    np.testing.assert_allclose(to_numpy(ours), to_numpy(theirs), rtol=2e-6)


def test_a_bad_value_is_refused():
    with pytest.raises(ValueError, match=r"one of \('exact', 'fast'\).*Received: numerics='quick'"):
        config.set_numerics("quick")
    with pytest.raises(ValueError, match="Received"), config.numerics_scope("fastest"):
        pass
    assert config.numerics() == "exact"


def test_set_numerics_holds_for_every_thread_and_a_scope_for_its_own():
    seen = {}

    def read(key):
        seen[key] = config.numerics()

    try:
        config.set_numerics("fast")
        thread = threading.Thread(target=read, args=("global",))
        thread.start()
        thread.join()
        with config.numerics_scope("exact"):
            assert config.is_fast() is False
            thread = threading.Thread(target=read, args=("other thread",))
            thread.start()
            thread.join()
        assert config.is_fast()
    finally:
        config.set_numerics("exact")
    assert seen == {"global": "fast", "other thread": "fast"}
    assert config.numerics() == "exact"


def test_a_scope_is_restored_after_an_error():
    with pytest.raises(RuntimeError), config.numerics_scope("fast"):
        raise RuntimeError("inside")
    assert config.numerics() == "exact"


def test_a_model_traced_fast_trains_and_its_config_is_unchanged(fast):
    model = keras.Sequential(
        [keras.Input((7,)), keras.layers.Dense(8), ka.Tanh(), keras.layers.Dense(7), ka.Softmax()]
    )
    model.compile("sgd", L.CategoricalCrossentropy())
    history = model.fit(LOGITS, ONE_HOT, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert "numerics" not in str(model.get_config())
    if BACKEND == "tensorflow":
        assert history.history["loss"][1] < history.history["loss"][0]
