"""Activation layers survive serialization and `.keras` round trips."""

import inspect
import json

import keras
import numpy as np
import pytest
from activation_cases import NON_DEFAULT, arguments, implementation, make
from checks import assert_config_holds_every_argument, catalog_names, constructor_arguments
from fresh_process import run_fresh

import keras_actloss as ka


def _normalised(config):
    return json.loads(json.dumps(config, sort_keys=True, default=str))


@pytest.mark.parametrize("name", catalog_names("activation"))
def test_non_default_arguments_are_known_and_not_the_defaults(name):
    given = arguments(name)  # fails naming `name` when NON_DEFAULT lacks it
    parameters = inspect.signature(implementation(name).__init__).parameters
    unknown = set(given) - set(constructor_arguments(implementation(name)))
    assert not unknown, f"NON_DEFAULT[{name!r}] names no constructor argument: {unknown}"
    same = [a for a, value in given.items() if value == parameters[a].default]
    assert not same, f"NON_DEFAULT[{name!r}] gives the defaults of {same}"


def test_non_default_arguments_name_only_catalog_activations():
    stale = set(NON_DEFAULT) - set(catalog_names("activation"))
    assert not stale, f"NON_DEFAULT (tests/activation_cases.py) has no catalog entry for {stale}"


@pytest.mark.parametrize("name", catalog_names("activation"))
def test_serialize_deserialize_round_trip(name):
    layer = make(name)
    serialized = keras.saving.serialize_keras_object(layer)
    assert serialized["registered_name"] == f"keras_actloss>{type(layer).__name__}"
    restored = keras.saving.deserialize_keras_object(serialized)
    assert type(restored) is type(layer)
    assert _normalised(restored.get_config()) == _normalised(layer.get_config())


@pytest.mark.parametrize("name", catalog_names("activation"))
def test_get_config_holds_every_constructor_argument(name):
    assert_config_holds_every_argument(make(name), arguments(name))


def _model_with_every_layer():
    inputs = keras.Input((6,))
    x = keras.layers.Dense(6, activation=ka.Swish(beta=2.0))(inputs)
    outputs = [make(name)(keras.layers.Dense(6)(x)) for name in catalog_names("activation")]
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
