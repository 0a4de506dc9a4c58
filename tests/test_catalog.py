"""The catalog, name lookup and the import footprint."""

import keras
import pytest
from fresh_process import run_fresh

import keras_actloss as ka
from keras_actloss import catalog

SEED_ACTIVATIONS = {
    # Every activation the seed articles describe, by the name they use.
    "step": ka.Step,
    "linear": ka.Linear,
    "sigmoid": ka.Sigmoid,
    "tanh": ka.Tanh,
    "relu": ka.ReLU,
    "leaky_relu": ka.LeakyReLU,
    "prelu": ka.PReLU,
    "elu": ka.ELU,
    "swish": ka.Swish,
    "softmax": ka.Softmax,
    "softplus": ka.Softplus,
    "maxout": ka.Maxout,
}


def test_catalog_covers_every_seed_activation_exactly():
    assert set(ka.activation_names()) == set(SEED_ACTIVATIONS)
    for name, cls in SEED_ACTIVATIONS.items():
        assert catalog.lookup("activation", name).implementation is cls


@pytest.mark.parametrize(
    "alias, cls",
    [
        ("silu", ka.Swish),
        ("logistic", ka.Sigmoid),
        ("identity", ka.Linear),
        ("heaviside", ka.Step),
        ("threshold", ka.Step),
        ("LeakyReLU", ka.LeakyReLU),
        ("leaky-relu", ka.LeakyReLU),
        ("Parametric ReLU", ka.PReLU),
    ],
)
def test_aliases(alias, cls):
    assert type(ka.get_activation(alias)) is cls


def test_get_activation_passes_arguments():
    layer = ka.get_activation("leaky_relu", negative_slope=0.1)
    assert isinstance(layer, ka.LeakyReLU) and layer.negative_slope == 0.1
    with pytest.raises(ValueError, match="Received: negative_slope=-1"):
        ka.get_activation("leaky_relu", negative_slope=-1)


def test_unknown_name_lists_close_matches():
    with pytest.raises(ValueError, match=r"Did you mean 'leaky_relu'.*Received: name='leaky_rleu'"):
        ka.get_activation("leaky_rleu")
    with pytest.raises(TypeError, match="Received: name=3"):
        ka.get_activation(3)


def test_activation_names_are_plain_strings_for_hp_choice():
    names = ka.activation_names()
    assert all(type(n) is str for n in names) and len(names) == len(set(names))


def test_describe_returns_the_record():
    info = ka.describe("silu")
    assert info.name == "swish" and info.kind == "activation"
    assert info.bounds[1] == float("inf") and not info.monotonic
    assert ka.describe("logistic").bounds == (0.0, 1.0)
    assert "hidden" in ka.describe("relu").roles
    assert ka.describe("softmax").roles == {"multiclass_output"}
    assert info.seed in catalog.SEED_ARTICLES.values()


@pytest.mark.parametrize("name", list(SEED_ACTIVATIONS))
def test_every_entry_is_registered_with_keras(name):
    cls = catalog.lookup("activation", name).implementation
    registered = f"keras_actloss>{cls.__name__}"
    assert keras.saving.get_registered_object(registered) is cls
    info = ka.describe(name)
    assert info.formula and info.when_to_use and info.derivative


def test_catalog_rejects_bad_records_and_name_clashes():
    with pytest.raises(ValueError, match="Received: roles"):
        catalog.ActivationInfo(
            name="x", formula="f", when_to_use="w", seed=ka.describe("relu").seed, roles={"top"}
        )
    with pytest.raises(ValueError, match="Received: output_range"):
        catalog.ActivationInfo(
            name="x",
            formula="f",
            when_to_use="w",
            seed=ka.describe("relu").seed,
            output_range="0..1",
        )
    clash = catalog.ActivationInfo(
        name="relu2", aliases=("silu",), formula="f", when_to_use="w", seed=ka.describe("relu").seed
    )
    with pytest.raises(ValueError, match="already taken by 'swish'"):
        catalog.entry(clash)(type("Relu2", (), {}))


@pytest.mark.slow
def test_import_does_not_pull_in_optional_packages():
    loaded = run_fresh(
        """
        import json, sys
        import keras  # itself imports sklearn/matplotlib/scipy when installed
        before = set(sys.modules)
        import keras_actloss
        added = {m.split(".")[0] for m in set(sys.modules) - before}
        heavy = ["keras_tuner", "sklearn", "matplotlib", "scipy", "tensorflow"]
        print(json.dumps(sorted(added & set(heavy))))
        """
    )
    assert loaded == []
