"""Activation layers survive serialization and `.keras` round trips."""

import json

import keras
import numpy as np
import pytest
from activation_cases import NON_DEFAULT, make
from fresh_process import run_fresh

import keras_actloss as ka


def _normalised(config):
    return json.loads(json.dumps(config, sort_keys=True, default=str))


@pytest.mark.parametrize("name", ka.activation_names())
def test_serialize_deserialize_round_trip(name):
    layer = make(name)
    serialized = keras.saving.serialize_keras_object(layer)
    assert serialized["registered_name"] == f"keras_actloss>{type(layer).__name__}"
    restored = keras.saving.deserialize_keras_object(serialized)
    assert type(restored) is type(layer)
    assert _normalised(restored.get_config()) == _normalised(layer.get_config())


@pytest.mark.parametrize("name", ka.activation_names())
def test_get_config_holds_every_constructor_argument(name):
    import inspect

    layer = make(name)
    parameters = inspect.signature(type(layer).__init__).parameters
    arguments = {p for p in parameters if p not in ("self", "kwargs")}
    assert arguments <= set(layer.get_config()), arguments - set(layer.get_config())
    keras_objects = ("_initializer", "_regularizer", "_constraint")
    for key, value in NON_DEFAULT[name].items():
        if not key.endswith(keras_objects):
            assert layer.get_config()[key] == value, key


def _model_with_every_layer():
    inputs = keras.Input((6,))
    x = keras.layers.Dense(6, activation=ka.Swish(beta=2.0))(inputs)
    outputs = []
    for name in ka.activation_names():
        if name == "maxout":
            outputs.append(make(name)(x))
        else:
            outputs.append(make(name)(keras.layers.Dense(6)(x)))
    return keras.Model(inputs, keras.layers.Concatenate()(outputs))


@pytest.mark.slow
def test_keras_file_round_trip_in_a_fresh_process(tmp_path):
    keras.utils.set_random_seed(0)
    model = _model_with_every_layer()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6)).astype("float32")
    y = rng.normal(size=(32, model.output_shape[-1])).astype("float32")
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    model.fit(x, y, epochs=2, verbose=0)  # so PReLU, Maxout and Swish's beta move
    path = tmp_path / "every_activation.keras"
    model.save(path)
    np.save(tmp_path / "x.npy", x)
    expected = model.predict(x, verbose=0)

    loaded = run_fresh(
        f"""
        import json, numpy as np, keras
        import keras_actloss
        model = keras.saving.load_model({str(path)!r})
        out = model.predict(np.load({str(tmp_path / "x.npy")!r}), verbose=0)
        np.save({str(tmp_path / "out.npy")!r}, out)
        print(json.dumps(model.get_config(), default=str))
        """
    )
    actual = np.load(tmp_path / "out.npy")
    assert actual.dtype == expected.dtype
    assert np.array_equal(actual, expected), "predictions must be bitwise identical"
    assert loaded == _normalised(model.get_config())


@pytest.mark.slow
def test_loading_without_importing_the_package_names_the_missing_class(tmp_path):
    path = tmp_path / "m.keras"
    keras.Sequential([keras.Input((2,)), ka.Swish(beta=2.0)]).save(path)
    with pytest.raises(AssertionError, match="keras_actloss>Swish"):
        run_fresh(
            f"""
            import keras
            keras.saving.load_model({str(path)!r})
            print("{{}}")
            """
        )
