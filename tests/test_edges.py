"""Behaviour at the edges: NaN, remembered logits, labels out of range, masks, metric dtypes.

The cases that depend on the backend are measured by `backend_edge_cases.py`
in a fresh process per backend (TensorFlow, JAX, PyTorch; a backend that is
not installed is skipped) and compared here with float64 NumPy references.
"""

import importlib.util
import pathlib

import keras
import numpy as np
import pytest
from activation_cases import make
from backends import to_numpy
from fresh_process import run_fresh
from scipy.special import log_softmax, logsumexp, softmax
from test_losses_values import CASES as LOSS_CASES
from test_losses_values import inputs

import keras_actloss as ka
from keras_actloss import _keras_internals as internals
from keras_actloss import catalog

SCRIPT = pathlib.Path(__file__).with_name("backend_edge_cases.py")
BACKENDS = ["tensorflow", "jax", "torch"]
_MEASURED = {}


def measured(backend, group):
    """One group of cases of `backend_edge_cases.py`, measured once per backend."""
    results = _measure(backend)[group]
    if "error" in results:
        pytest.fail(f"on {backend}, the {group} cases raised {results['error']}")
    return results


def _measure(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"the {backend} backend is not installed")
    if backend not in _MEASURED:
        _MEASURED[backend] = run_fresh(
            "import runpy, sys\n"
            f"sys.argv = [{str(SCRIPT)!r}, {backend!r}]\n"
            f"runpy.run_path({str(SCRIPT)!r}, run_name='__main__')\n"
        )
        assert _MEASURED[backend]["backend"] == backend
    return _MEASURED[backend]


def backends(test):
    """Runs `test` on every backend (slow: a fresh process per backend)."""
    return pytest.mark.slow(pytest.mark.parametrize("backend", BACKENDS)(test))


# --- NaN propagates ------------------------------------------------------------------


@backends
def test_rmse_propagates_nan_in_loss_function_metric_and_fit(backend):
    nan = measured(backend, "nan")
    t, p = np.array([[1.0], [2.0], [3.0]]), np.array([[1.5], [np.nan], [3.0]])
    assert np.isnan(nan["rmse_loss"])  # was 0.0: sqrt's guard `x > 0` is False for NaN
    np.testing.assert_array_equal(nan["rmse_function"], np.sqrt(((t - p) ** 2).mean(-1)))
    assert np.isnan(nan["rmse_metric"])
    # One NaN target: the loss reads NaN and TerminateOnNaN stops after the first epoch.
    assert len(nan["fit_losses"]) == 1 and np.isnan(nan["fit_losses"][0])


@backends
def test_step_and_zero_one_loss_propagate_nan(backend):
    nan = measured(backend, "nan")
    np.testing.assert_array_equal(nan["step"], np.heaviside([np.nan, 1.0, -1.0], 1.0))
    assert np.isnan(nan["zero_one_nan_label"][0]) and nan["zero_one_nan_label"][1] == 0.0
    assert nan["zero_one_inf_score"] == [0.0]  # an infinite score is a (correct) answer


@pytest.mark.parametrize("name", [e.info.name for e in catalog.entries("activation")])
def test_every_activation_propagates_nan(name):
    layer = make(name)
    x = np.random.default_rng(0).normal(size=(2, 6)).astype("float32")
    x[0, 0] = np.nan
    out = keras.ops.convert_to_numpy(layer(x))
    assert np.isnan(out[0]).any(), name
    assert np.isfinite(out[1]).all(), name


@pytest.mark.parametrize("side", ["y_true", "y_pred"])
@pytest.mark.parametrize("case", LOSS_CASES, ids=lambda c: c.id)
def test_every_loss_propagates_nan(case, side):
    y_true, y_pred = (v.astype("float32") for v in inputs(case))
    if side == "y_true":
        if case.id.startswith("scce"):
            pytest.skip("integer labels hold no NaN")
        y_true[0, ...] = np.nan
    else:
        y_pred[0, 0] = np.nan
    per_sample = keras.ops.convert_to_numpy(case.make(reduction=None)(y_true, y_pred))
    assert np.isnan(per_sample[0]), case.id


# --- an output carries the logits that produced it, and only those -------------------


@backends
@pytest.mark.parametrize("mode", ["eager", "compiled"])
@pytest.mark.parametrize("loss", ["cce", "scce", "kld"])
def test_crossentropy_after_a_masked_softmax_uses_the_masked_logits(backend, mode, loss):
    # Logits [2, 1, 0.5, -1] with the last two masked, true class 1: -log softmax([2, 1])[1].
    truth = -log_softmax(np.array([2.0, 1.0]))[1]  # 1.3133
    assert measured(backend, "logits")[f"masked_{loss}_{mode}"] == pytest.approx(truth, rel=1e-6)


@backends
@pytest.mark.parametrize("mode", ["eager", "compiled"])
def test_kl_after_a_softmax_over_axis_1_uses_that_axis(backend, mode):
    x = np.random.default_rng(3).normal(size=(2, 3, 4)).astype("float32").astype("float64")
    y = np.random.default_rng(4).dirichlet(np.ones(3), size=(2, 4)).transpose(0, 2, 1)
    y = y.astype("float32").astype("float64")
    p = softmax(x, axis=1)
    truth = np.mean(np.sum(y * (np.log(y) - np.log(p)), axis=-1))
    assert measured(backend, "logits")[f"axis1_kld_{mode}"] == pytest.approx(truth, rel=1e-5)


def _big_logits():
    z = np.random.default_rng(7).normal(0.0, 300.0, size=(32, 4)).astype("float32")
    labels = np.arange(32) % 4
    return z.astype("float64"), labels, np.eye(4)[labels]


@backends
@pytest.mark.parametrize("loss", ["cce", "scce", "kld"])
def test_crossentropy_after_our_softmax_is_exact_on_every_backend(backend, loss):
    z, labels, one_hot = _big_logits()
    truth = np.mean(logsumexp(z, axis=-1) - z[np.arange(32), labels])  # ~290, not 62
    big = measured(backend, "big_logits")
    assert big[f"{loss}_after_softmax"] == pytest.approx(truth, rel=1e-6)
    if backend == "jax":
        return  # jax.grad traces the layer: a tracer carries no logits (README)
    np.testing.assert_allclose(
        big[f"{loss}_gradient"], (softmax(z, axis=-1) - one_hot) / 32, atol=1e-7
    )


# --- labels out of range --------------------------------------------------------------


@backends
def test_sparse_labels_out_of_range_raise_eagerly_and_give_nan_when_compiled(backend):
    labels = measured(backend, "labels")
    for bad in (-1, -2, -3, -4, 3):
        assert f"Received a label value of {bad} " in labels[f"eager_{bad}"]
        assert "[0, 3)" in labels[f"eager_{bad}"]
    evaluated = labels["evaluate_-1"]
    if backend == "torch":  # PyTorch's evaluate runs eagerly
        assert "Received a label value of -1 " in evaluated
    else:
        assert np.isnan(evaluated)
    assert labels["ignore_class_-1"] == pytest.approx(np.log(3.0), rel=1e-6)


# --- masks pass through every layer -----------------------------------------------------


@backends
@pytest.mark.parametrize("head", ["maxout", "dense"])
def test_maxout_keeps_the_mask_of_padded_steps(backend, head):
    masks = measured(backend, "masks")
    tokens = np.array([[3, 1, 0, 0], [2, 5, 7, 0]])
    valid = tokens != 0
    per_step = ((np.array(masks[f"{head}_predictions"]) - masks["targets"]) ** 2).mean(-1)
    truth = per_step[valid].mean()  # padded steps left out, as for Dense
    assert masks[f"{head}_loss"] == pytest.approx(truth, rel=1e-5)


@pytest.mark.parametrize("name", [e.info.name for e in catalog.entries("activation")])
def test_every_activation_layer_passes_the_mask_on(name):
    inputs = keras.Input((5, 6))
    masked = keras.layers.Masking(0.0)(inputs)
    model = keras.Model(inputs, make(name)(masked))
    x = np.random.default_rng(0).normal(size=(2, 5, 6)).astype("float32")
    x[:, 3:] = 0.0
    mask = internals.get_keras_mask(model(x))
    assert mask is not None, name
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(mask), np.any(x != 0, axis=-1))


# --- metrics compute in their own dtype -------------------------------------------------


@backends
def test_metrics_cast_to_their_dtype_and_take_elementwise_weights(backend):
    metrics = measured(backend, "metrics")
    assert metrics["rmse_float16"] == 300.0  # was inf: 300^2 overflows float16
    rng = np.random.default_rng(6)
    t, p = (rng.normal(size=(6, 3)).astype("float32").astype("float64") for _ in range(2))
    w = rng.uniform(0.1, 2.0, (6, 3)).astype("float32")
    truth = np.sqrt(np.sum(w * (t - p) ** 2) / np.sum(w))
    assert metrics["rmse_elementwise_weights"] == pytest.approx(truth, rel=1e-6)


@backends
@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_metrics_under_mixed_precision_read_the_float32_truth(backend, policy):
    metrics = measured(backend, "metrics")
    error = np.array(metrics[policy + "_targets"]) - np.array(metrics[policy + "_predictions"])
    result = metrics[policy]
    assert result["root_mean_squared_error"] == pytest.approx(np.sqrt(np.mean(error**2)), rel=1e-5)
    assert result["mean_error"] == pytest.approx(np.mean(error), rel=1e-5)


# --- arguments stay valid after construction ----------------------------------------------

BAD_SETTINGS = [
    (lambda: ka.LeakyReLU(), "negative_slope", -5),
    (lambda: ka.ELU(), "alpha", -1.0),
    (lambda: ka.Softplus(), "beta", 0.0),
    (lambda: ka.Step(), "gradient", "sideways"),
    (lambda: ka.Step(), "threshold", float("nan")),
    (lambda: ka.Softmax(), "axis", "last"),
    (lambda: ka.losses.Huber(), "delta", 0.0),
    (lambda: ka.losses.BinaryCrossentropy(), "label_smoothing", 1.5),
    (lambda: ka.losses.CategoricalCrossentropy(), "from_logits", "yes"),
    (lambda: ka.losses.SparseCategoricalCrossentropy(), "ignore_class", 1.5),
    (lambda: ka.losses.ZeroOneLoss(), "threshold", 1.0),
]


@pytest.mark.parametrize(
    "factory, attribute, value", BAD_SETTINGS, ids=[f"{a}={v}" for _, a, v in BAD_SETTINGS]
)
def test_setting_a_bad_argument_after_construction_raises_and_keeps_the_old(
    factory, attribute, value
):
    obj = factory()
    before = getattr(obj, attribute)
    with pytest.raises(ValueError, match=f"Received: {attribute}="):
        setattr(obj, attribute, value)
    assert getattr(obj, attribute) == before
    assert obj.get_config()[attribute] == before


def test_leaky_relu_slope_set_later_is_checked_and_used():
    layer = ka.LeakyReLU()
    with pytest.raises(ValueError):
        layer.negative_slope = -5  # accepted before, and the output of -1 became 5.0
    assert float(layer(np.array([-1.0], "float32"))[0]) == pytest.approx(-0.01)
    layer.negative_slope = 0.2
    assert float(layer(np.array([-1.0], "float32"))[0]) == pytest.approx(-0.2)
    assert layer.get_config()["negative_slope"] == 0.2


@pytest.mark.parametrize(
    "factory, attribute, value",
    [
        (lambda: ka.Swish(), "trainable_beta", True),
        (lambda: ka.Swish(trainable_beta=True), "beta", 2.0),
        (lambda: ka.Maxout(4), "units", 8),
        (lambda: ka.Maxout(4), "pieces", 3),
    ],
    ids=["swish.trainable_beta", "swish.beta", "maxout.units", "maxout.pieces"],
)
def test_arguments_that_decide_the_weights_are_read_only(factory, attribute, value):
    obj = factory()
    with pytest.raises(AttributeError, match=f"fixed when it is created.*Received: {attribute}"):
        setattr(obj, attribute, value)


def test_prelu_accepts_an_empty_shared_axes_as_keras_does():
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    ours = ka.PReLU(shared_axes=[])
    theirs = keras.layers.PReLU(shared_axes=[], alpha_initializer=keras.initializers.Constant(0.25))
    np.testing.assert_array_equal(to_numpy(ours(x)), to_numpy(theirs(x)))
    assert tuple(ours.alpha.shape) == (3, 4)  # nothing shared
    assert ka.PReLU.from_config(ours.get_config()).shared_axes == []
    with pytest.raises(ValueError, match="Received: shared_axes=\\[0\\]"):
        ka.PReLU(shared_axes=[0])  # axis 0 is the batch
