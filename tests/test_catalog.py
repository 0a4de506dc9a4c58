"""The catalog, name lookup and the import footprint."""

import importlib.util

import keras
import pytest
from checks import catalog_names
from fresh_process import run_fresh

import keras_actloss as ka
from keras_actloss import catalog

ARTICLE_ACTIVATIONS = {
    # Every activation the source articles describe, by the name they use: a list
    # written from the articles, independent of the catalog.
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


def test_catalog_covers_every_article_activation_exactly():
    assert set(catalog_names("activation")) == set(ARTICLE_ACTIVATIONS)
    assert set(ka.activation_names(include_required=True)) == set(ARTICLE_ACTIVATIONS)
    for name, cls in ARTICLE_ACTIVATIONS.items():
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


def test_describe_searches_both_kinds_with_one_message():
    assert ka.describe("huber_loss").name == "huber"
    assert ka.describe("silu").kind == "activation"
    with pytest.raises(ValueError) as error:
        ka.describe("hubr")
    message = str(error.value)
    assert message.count("Unknown") == 1 and message.count("Received:") == 1
    assert "Did you mean 'huber'" in message
    assert "losss" not in message and "Known losses: " in message
    assert "Known activations: " in message
    assert message.endswith("Received: name='hubr'")


def test_describe_of_one_kind_only_searches_that_kind():
    assert ka.describe("bce", kind="loss").name == "binary_crossentropy"
    with pytest.raises(ValueError) as error:
        ka.describe("bce", kind="activation")
    message = str(error.value)
    assert message.startswith("Unknown activation 'bce'.") and "Known losses" not in message
    assert message.endswith("Received: name='bce'")
    with pytest.raises(ValueError, match=r"Did you mean 'swish'.*Received: name='swisj'"):
        ka.describe("swisj", kind="activation")


def test_find_serves_both_kinds_and_lookup_stays_per_kind():
    assert catalog.find("huber").implementation is ka.losses.Huber
    assert catalog.find("Parametric ReLU").implementation is ka.PReLU
    assert catalog.find("hinge", kind="loss").info.kind == "loss"
    assert catalog.lookup("loss", "mse").implementation is ka.losses.MeanSquaredError
    with pytest.raises(ValueError, match=r"Unknown loss 'silu'\..*Received: name='silu'"):
        catalog.lookup("loss", "silu")
    with pytest.raises(ValueError, match=r"Known losses: .*Received: name='msee'"):
        catalog.lookup("loss", "msee")
    for call in (lambda: ka.describe(3), lambda: catalog.find(3), lambda: ka.get_loss(3)):
        with pytest.raises(TypeError, match="Received: name=3"):
            call()
    with pytest.raises(ValueError, match="Received: kind='layer'"):
        catalog.find("relu", kind="layer")


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
    assert info.source in catalog.ARTICLES
    assert info.article is catalog.ARTICLES[info.source]
    assert info.article.title in str(info.article)


@pytest.mark.parametrize("name", catalog_names("activation"))
def test_every_entry_cites_a_source_article(name):
    info = ka.describe(name, kind="activation")
    assert info.article is catalog.ARTICLES[info.source]
    assert info.article.title and info.article.author


@pytest.mark.parametrize("name", catalog_names("activation"))
def test_every_entry_is_registered_with_keras(name):
    cls = catalog.lookup("activation", name).implementation
    registered = f"keras_actloss>{cls.__name__}"
    assert keras.saving.get_registered_object(registered) is cls
    info = ka.describe(name)
    assert info.formula and info.when_to_use and info.derivative


def test_catalog_rejects_bad_records_and_name_clashes():
    source = ka.describe("relu").source
    with pytest.raises(ValueError, match="Received: roles"):
        catalog.ActivationInfo(name="x", formula="f", when_to_use="w", source=source, roles={"top"})
    with pytest.raises(ValueError, match="Received: output_range"):
        catalog.ActivationInfo(
            name="x", formula="f", when_to_use="w", source=source, output_range="0..1"
        )
    with pytest.raises(ValueError, match="Received: source=.*'blog'"):
        catalog.ActivationInfo(name="x", formula="f", when_to_use="w", source="blog")
    before = catalog.names("activation")
    clash = catalog.ActivationInfo(
        name="relu2", aliases=("silu",), formula="f", when_to_use="w", source=source
    )
    with pytest.raises(ValueError, match="already taken by 'swish'"):
        catalog.register(clash)(type("Relu2", (keras.layers.Layer,), {}))
    # The class name is a name too.
    fresh = catalog.ActivationInfo(name="relu3", formula="f", when_to_use="w", source=source)
    with pytest.raises(ValueError, match="'LeakyReLU' is already taken by 'leaky_relu'"):
        catalog.register(fresh)(type("LeakyReLU", (keras.layers.Layer,), {}))
    with pytest.raises(TypeError, match="Expected a subclass of .*Layer.*Received: cls="):
        catalog.register(fresh)(type("Relu3", (), {}))
    assert catalog.names("activation") == before  # nothing half-registered
    assert keras.saving.get_registered_object("keras_actloss>Relu2") is None


def test_activation_names_by_default_lists_what_builds_without_arguments():
    names = ka.activation_names()
    assert "maxout" not in names  # Maxout needs `units`
    assert set(names) == set(ARTICLE_ACTIVATIONS) - {"maxout"}
    for name in names:
        assert isinstance(ka.get_activation(name), ARTICLE_ACTIVATIONS[name])
    every = ka.activation_names(include_required=True)
    assert "maxout" in every and every == catalog_names("activation")
    with pytest.raises(ValueError, match="Received: include_required='yes'"):
        ka.activation_names(include_required="yes")


def test_activation_names_by_role_and_task():
    hidden = ka.activation_names(role="hidden")
    assert {"relu", "leaky_relu", "elu", "swish", "tanh"} <= set(hidden)
    assert not {"sigmoid", "softmax", "linear", "step", "maxout"} & set(hidden)
    assert "maxout" in ka.activation_names(role="hidden", include_required=True)
    with_role = {e.info.name for e in catalog.entries("activation") if "hidden" in e.info.roles}
    assert set(ka.activation_names(role="hidden", include_required=True)) == with_role
    assert ka.activation_names(task="binary") == ["linear", "sigmoid", "tanh"]
    assert ka.activation_names(task="binary", role="output") == ["linear", "sigmoid", "tanh"]
    assert set(ka.activation_names(task="multiclass")) == {"linear", "softmax"}
    output = set(ka.activation_names(role="output"))
    assert {"linear", "sigmoid", "softmax"} <= output and not {"leaky_relu", "maxout"} & output


def test_activation_names_elementwise_filter():
    assert ka.activation_names(elementwise=False) == ["softmax"]
    assert set(ka.activation_names(elementwise=False, include_required=True)) == {
        "softmax",
        "maxout",
    }
    elementwise = ka.activation_names(elementwise=True)
    assert set(elementwise) == set(ARTICLE_ACTIVATIONS) - {"softmax", "maxout"}


@pytest.mark.parametrize(
    "kwargs, received",
    [
        (dict(role="top"), "role='top'"),
        (dict(role="binary"), "role='binary'"),
        (dict(task="ranking"), "task='ranking'"),
        (dict(task="hidden"), "task='hidden'"),
        (dict(role="hidden", task="binary"), "role='hidden'"),
    ],
)
def test_activation_names_rejects_bad_role_or_task(kwargs, received):
    with pytest.raises(ValueError, match=f"Received: {received}"):
        ka.activation_names(**kwargs)


# `import keras` itself imports sklearn, matplotlib and scipy when they are installed
# (and jax does need scipy), so "what is new in sys.modules" cannot see those. Instead
# the fresh process refuses them from the start, as if they were not installed, and
# records which of them each phase asks for. Each backend blocks what it can live
# without; together they cover every optional package.
_OPTIONAL_IMPORTS = {
    "tensorflow": ["keras_tuner", "matplotlib", "scipy", "sklearn"],
    "jax": ["keras_tuner", "matplotlib", "sklearn", "tensorflow"],
}

_IMPORT_WITH_OPTIONAL_PACKAGES_BLOCKED = """
    import json, os, sys

    backend, blocked = sys.argv[1], set(sys.argv[2].split(","))
    os.environ["KERAS_BACKEND"] = backend  # before `import keras`, which reads it

    class Refuse:
        # A finder ahead of all others: a blocked package looks uninstalled.
        phase = "keras"
        requested = {"keras": set(), "keras_actloss": set(), "probe": set()}

        def find_spec(self, fullname, path=None, target=None):
            top = fullname.partition(".")[0]
            if top in blocked:
                self.requested[self.phase].add(top)
                raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
            return None

    refuse = Refuse()
    sys.meta_path.insert(0, refuse)
    assert not blocked & set(sys.modules)
    import keras

    refuse.phase = "keras_actloss"
    error = None
    try:
        import keras_actloss  # noqa: F401
    except ImportError as exc:
        error = f"{type(exc).__name__}: {exc}"

    refuse.phase = "probe"  # the finder really is in the way
    for name in sorted(blocked):
        try:
            __import__(name)
        except ModuleNotFoundError:
            pass
    print(json.dumps({
        "backend": keras.backend.backend(),
        "error": error,
        "requested": sorted(refuse.requested["keras_actloss"]),
        "probe": sorted(refuse.requested["probe"]),
        "loaded": sorted(blocked & {m.partition(".")[0] for m in sys.modules}),
    }))
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", sorted(_OPTIONAL_IMPORTS))
def test_import_does_not_pull_in_optional_packages(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"the {backend} backend is not installed")
    blocked = _OPTIONAL_IMPORTS[backend]
    report = run_fresh(_IMPORT_WITH_OPTIONAL_PACKAGES_BLOCKED, args=[backend, ",".join(blocked)])
    assert report["backend"] == backend
    assert report["probe"] == sorted(blocked)  # the blocking works
    assert report["error"] is None
    assert report["requested"] == []
    assert report["loaded"] == []
