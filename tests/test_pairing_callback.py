"""`PairingValidator`: the checks before the first batch of `fit`, on every backend."""

import importlib.util
import logging
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from fresh_process import run_fresh
from pairing_models import build, inputs, make_loss, spelled, targets
from test_pairing_canonical import CANONICAL
from test_pairing_canonical import _targets as canonical_targets

from keras_actloss import PairingError, PairingWarning
from keras_actloss.callbacks import PairingValidator
from keras_actloss.findings import RULES


def _model(loss, activation="sigmoid", units=1, metrics=None):
    model = build(activation, "ours_layer", units)
    model.compile(loss=loss, optimizer=keras.optimizers.SGD(0.1), metrics=metrics)
    return model


def _squashed_twice():
    """A sigmoid output with `from_logits=True`: an error-severity finding.

    Keras's loss class, not ours: our loss reports the same mistake itself when
    called (a `PairingWarning` that the validator's `ignore=` does not reach), and
    these tests look at what the validator alone reports.
    """
    return _model(keras.losses.BinaryCrossentropy(from_logits=True))


def _fit(model, callback, y=None, epochs=1):
    y = targets("binary01") if y is None else y
    return model.fit(
        inputs(len(y)), y, epochs=epochs, batch_size=16, verbose=0, callbacks=[callback]
    )


def _pairing_warnings(caught):
    return [w for w in caught if issubclass(w.category, PairingWarning)]


# --- without fit ------------------------------------------------------------------------------


def test_on_train_begin_warns_and_keeps_the_findings():
    callback = PairingValidator()
    callback.set_model(_squashed_twice())
    with pytest.warns(PairingWarning, match="from-logits-after-squash"):
        callback.on_train_begin()
    assert [f.code for f in callback.findings] == ["from-logits-after-squash"]
    assert callback.findings[0].severity == RULES["from-logits-after-squash"].severity


def test_on_train_begin_strict_raises():
    callback = PairingValidator(strict=True)
    callback.set_model(_squashed_twice())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PairingWarning)
        with pytest.raises(PairingError) as error:
            callback.on_train_begin()
    assert isinstance(error.value, ValueError)
    assert [f.code for f in error.value.findings] == ["from-logits-after-squash"]
    assert "from-logits-after-squash" in str(error.value)


@pytest.mark.parametrize(
    "ignore", [["no-such-rule"], ("from-logits-after-squash", "typo-code")], ids=["one", "mixed"]
)
def test_unknown_codes_in_ignore_are_refused(ignore):
    with pytest.raises(ValueError, match="Received:") as error:
        PairingValidator(ignore=ignore)
    unknown = [code for code in ignore if code not in RULES]
    assert all(code in str(error.value) for code in unknown)


def test_strict_must_be_a_bool():
    with pytest.raises((TypeError, ValueError), match="strict"):
        PairingValidator(strict="yes")


# --- in fit, on TensorFlow --------------------------------------------------------------------


@pytest.mark.slow
def test_fit_warns_through_warnings():
    callback = PairingValidator()
    with pytest.warns(PairingWarning, match=r"\[error\] from-logits-after-squash"):
        _fit(_squashed_twice(), callback)
    assert [f.code for f in callback.findings] == ["from-logits-after-squash"]


@pytest.mark.slow
def test_fit_reports_through_logging(caplog):
    with caplog.at_level(logging.INFO, logger="keras_actloss"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _fit(_squashed_twice(), PairingValidator())
    records = [r for r in caplog.records if r.name == "keras_actloss"]
    assert [r.levelno for r in records] == [logging.ERROR]
    assert "from-logits-after-squash" in records[0].getMessage()


@pytest.mark.slow
def test_info_findings_are_logged_but_not_warned(caplog):
    def my_loss(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_true - y_pred))

    with caplog.at_level(logging.INFO, logger="keras_actloss"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _fit(_model(my_loss), PairingValidator())
    assert _pairing_warnings(caught) == []
    records = [r for r in caplog.records if r.name == "keras_actloss"]
    assert [r.levelno for r in records] == [logging.INFO]
    assert "not-checked" in records[0].getMessage()


@pytest.mark.slow
def test_fit_with_targets_warns_about_them():
    model = _model("binary_crossentropy")  # a correct pair, but targets in {-1, 1}
    callback = PairingValidator(y=targets("signed"))
    with pytest.warns(PairingWarning, match="targets-break-loss-domain"):
        _fit(model, callback, y=targets("signed"))
    assert [f.code for f in callback.findings] == ["targets-break-loss-domain"]


def _weights(model):
    return [np.array(w) for w in model.get_weights()]


@pytest.mark.slow
@pytest.mark.parametrize("case", ["pairing", "targets"])
def test_strict_raises_before_any_weight_changes(case):
    if case == "pairing":
        model, y = _squashed_twice(), targets("binary01")
    else:
        model, y = _model("binary_crossentropy"), targets("signed")
    before = _weights(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PairingWarning)
        with pytest.raises(PairingError) as error:
            _fit(model, PairingValidator(y=y, strict=True), y=y, epochs=3)
    expected = "from-logits-after-squash" if case == "pairing" else "targets-break-loss-domain"
    assert [f.code for f in error.value.findings] == [expected]
    after = _weights(model)
    assert all(np.array_equal(b, a) for b, a in zip(before, after, strict=True))
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 0


@pytest.mark.slow
def test_strict_trains_when_there_are_only_warnings():
    model = _model("mean_squared_error", activation="softmax", units=3)
    y = targets("one_hot", k=3)
    before = _weights(model)
    with pytest.warns(PairingWarning, match="softmax-with-regression-loss"):
        _fit(model, PairingValidator(y=y, strict=True), y=y)
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) > 0
    assert not all(np.array_equal(b, a) for b, a in zip(before, _weights(model), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("strict", [False, True])
def test_ignore_silences_a_code(strict):
    callback = PairingValidator(strict=strict, ignore=["from-logits-after-squash"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _fit(_squashed_twice(), callback)
    assert _pairing_warnings(caught) == []
    assert callback.findings == []


@pytest.mark.slow
def test_targets_as_a_dataset():
    y = targets("signed")
    data = tf.data.Dataset.from_tensor_slices((inputs(len(y)), y)).batch(16)
    model = _model("binary_crossentropy")
    callback = PairingValidator(y=data)
    with pytest.warns(PairingWarning, match="targets-break-loss-domain"):
        model.fit(data, epochs=1, verbose=0, callbacks=[callback])


@pytest.mark.slow
@pytest.mark.parametrize(
    "task, activation, act_spelling, units, loss, loss_spelling, kind",
    [p for p in spelled(CANONICAL, loss_only=True) if p.values[5] == "ours_class"],
)
def test_canonical_pairs_train_with_a_silent_validator(
    task, activation, act_spelling, units, loss, loss_spelling, kind
):
    model = build(activation, act_spelling, units)
    model.compile(loss=make_loss(loss, loss_spelling), optimizer="sgd")
    y = canonical_targets(kind)
    callback = PairingValidator(y=y, strict=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = _fit(model, callback, y=y)
    assert _pairing_warnings(caught) == [] and callback.findings == []
    assert np.isfinite(history.history["loss"]).all()


# --- JAX and PyTorch, each in a fresh process ---------------------------------------------

_FIT_ON_BACKEND = """
import os, sys, json, warnings
os.environ["KERAS_BACKEND"] = sys.argv[1]
import keras
import numpy as np
import keras_actloss as ka
from keras_actloss.callbacks import PairingValidator

def model():
    m = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(1, name="out_dense"),
        ka.Sigmoid(name="out"),
    ])
    # Keras's loss: ours would also warn by itself when called (see _squashed_twice)
    m.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True), optimizer="sgd")
    return m

rng = np.random.default_rng(0)
x = rng.normal(size=(32, 4)).astype("float32")
y = (np.arange(32) % 2).reshape(32, 1).astype("float32")

m = model()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    m.fit(x, y, epochs=1, verbose=0, callbacks=[PairingValidator(y=y)])
warned = sorted(str(w.message).split()[1] for w in caught
                if issubclass(w.category, ka.PairingWarning))

m = model()
before = [np.array(w) for w in m.get_weights()]
raised = None
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        m.fit(x, y, epochs=2, verbose=0, callbacks=[PairingValidator(y=y, strict=True)])
    except ka.PairingError as error:
        raised = [f.code for f in error.findings]
unchanged = all(np.array_equal(b, np.array(a)) for b, a in zip(before, m.get_weights()))

m = model()
cb = PairingValidator(ignore=["from-logits-after-squash"])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    m.fit(x, y, epochs=1, verbose=0, callbacks=[cb])
ignored = [str(w.message) for w in caught if issubclass(w.category, ka.PairingWarning)]

print(json.dumps({"backend": keras.backend.backend(), "warned": warned, "raised": raised,
                  "unchanged": unchanged, "ignored": ignored,
                  "iterations": int(np.array(m.optimizer.iterations))}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_fit_with_the_validator_on_another_backend(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    result = run_fresh(_FIT_ON_BACKEND, args=[backend])
    assert result == {
        "backend": backend,
        "warned": ["from-logits-after-squash"],
        "raised": ["from-logits-after-squash"],
        "unchanged": True,
        "ignored": [],
        "iterations": 1,  # 32 samples in one batch of 32 (the default), one epoch
    }
