"""Loss values and gradients against float64 NumPy references written here.

Every reference below is the textbook formula, written independently of
`keras_actloss.losses` (often in a different algebraic form), and evaluated
in float64 on the very float32 inputs the loss receives, so the tolerance
measures only the loss's own rounding.

`CASES` is the one table a new loss needs here: each case names the catalog
loss it covers, and `test_every_catalog_loss_has_a_float64_reference` fails
by name for a catalog loss without one. Every other test below is
parametrised from `CASES` or from the catalog.
"""

import dataclasses
import sys
from collections.abc import Callable

import keras
import numpy as np
import pytest
from backends import connected_gradient
from backends import gradient as backend_gradient
from checks import assert_close, catalog_names, require
from scipy.special import expit, log_softmax, logsumexp, softmax

from keras_actloss import _keras_internals as internals
from keras_actloss import catalog
from keras_actloss import losses as L

RTOL, ATOL = 1e-5, 1e-6
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None, "none"]
N, D = 8, 3


def f32(x):
    """Rounds to float32 and back, so the reference sees what the loss sees."""
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def signed(t):
    # Hinge labels: {0, 1} becomes {-1, 1} when every label is 0 or 1.
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def mean_last(x):
    return x.mean(axis=-1)


# --- the cases: data, per-sample reference, derivative of the per-sample loss --------


@dataclasses.dataclass
class Case:
    """One configuration of one catalog loss, with its float64 reference.

    `reference` is the per-sample loss that `Loss.__call__` weights and
    reduces; with `root=True` the loss is the square root of that reduced
    value (RMSE), which the value and gradient tests apply on top.
    """

    id: str
    name: str  # the catalog name of the loss it covers
    make: Callable  # (**base kwargs) -> Loss
    data: Callable  # rng -> (y_true, y_pred), float64
    reference: Callable  # (y_true, y_pred) -> per-sample loss, float64
    derivative: Callable  # (y_true, y_pred) -> d per-sample loss / d y_pred, float64
    root: bool = False  # the loss is sqrt of the reduced per-sample values


def regression(rng):
    return rng.normal(size=(N, D)), rng.normal(size=(N, D)) * 2


def positive(rng):
    return rng.uniform(0, 4, (N, D)), rng.uniform(0, 4, (N, D))


def binary_probabilities(rng):
    return rng.integers(0, 2, (N, D)).astype(float), rng.uniform(0.02, 0.98, (N, D))


def binary_logits(rng):
    return rng.integers(0, 2, (N, D)).astype(float), rng.normal(size=(N, D)) * 4


def soft_binary(rng):
    return rng.uniform(0, 1, (N, D)), rng.uniform(0.02, 0.98, (N, D))


def signed_scores(rng):
    return rng.choice([-1.0, 1.0], (N, D)), rng.normal(size=(N, D)) * 2


def one_hot_probabilities(rng):
    # Not normalized on purpose: the loss normalizes, as Keras does.
    return np.eye(D)[rng.integers(0, D, N)], rng.uniform(0.05, 1.0, (N, D))


def one_hot_logits(rng):
    return np.eye(D)[rng.integers(0, D, N)], rng.normal(size=(N, D)) * 3


def labels_probabilities(rng):
    return rng.integers(0, D, N).astype(float), rng.uniform(0.05, 1.0, (N, D))


def labels_logits(rng):
    return rng.integers(0, D, N).astype(float), rng.normal(size=(N, D)) * 3


def distributions_with_zeros(rng):
    target = rng.uniform(0, 1, (N, D)) * (rng.uniform(size=(N, D)) > 0.3)
    target[:, 0] += 0.1  # every row has some mass
    target /= target.sum(-1, keepdims=True)
    predicted = rng.uniform(0.05, 1, (N, D))
    return target, predicted / predicted.sum(-1, keepdims=True)


def smoothed_binary(t, s):
    return t * (1 - s) + 0.5 * s


def smoothed_categorical(t, s):
    return t * (1 - s) + s / t.shape[-1]


def one_hot(labels):
    return np.eye(D)[labels.astype(int)]


def _huber(delta):
    def reference(t, p):
        e = np.abs(p - t)
        return mean_last(np.where(e <= delta, 0.5 * e**2, delta * e - 0.5 * delta**2))

    return Case(
        f"huber-{delta}",
        "huber",
        lambda **kw: L.Huber(delta=delta, **kw),
        regression,
        reference,
        lambda t, p: np.clip(p - t, -delta, delta) / D,
    )


def _bce(smoothing, from_logits):
    def reference(t, p):
        t = smoothed_binary(t, smoothing)
        if from_logits:
            return mean_last(np.logaddexp(0, p) - t * p)
        return mean_last(-(t * np.log(p) + (1 - t) * np.log(1 - p)))

    def derivative(t, p):
        t = smoothed_binary(t, smoothing)
        return (expit(p) - t if from_logits else (1 - t) / (1 - p) - t / p) / D

    return Case(
        f"bce-ls{smoothing}-logits{from_logits}",
        "binary_crossentropy",
        lambda **kw: L.BinaryCrossentropy(from_logits=from_logits, label_smoothing=smoothing, **kw),
        binary_logits if from_logits else (soft_binary if smoothing else binary_probabilities),
        reference,
        derivative,
    )


def _cce(smoothing, from_logits):
    def reference(t, p):
        t = smoothed_categorical(t, smoothing)
        log_p = log_softmax(p, axis=-1) if from_logits else np.log(p / p.sum(-1, keepdims=True))
        return -(t * log_p).sum(-1)

    def derivative(t, p):
        t = smoothed_categorical(t, smoothing)
        if from_logits:
            return softmax(p, axis=-1) * t.sum(-1, keepdims=True) - t
        return -t / p + t.sum(-1, keepdims=True) / p.sum(-1, keepdims=True)

    return Case(
        f"cce-ls{smoothing}-logits{from_logits}",
        "categorical_crossentropy",
        lambda **kw: L.CategoricalCrossentropy(
            from_logits=from_logits, label_smoothing=smoothing, **kw
        ),
        one_hot_logits if from_logits else one_hot_probabilities,
        reference,
        derivative,
    )


def _scce(from_logits):
    def reference(t, p):
        rows = np.arange(len(t))
        if from_logits:
            return logsumexp(p, axis=-1) - p[rows, t.astype(int)]
        return -np.log(p[rows, t.astype(int)] / p.sum(-1))

    def derivative(t, p):
        if from_logits:
            return softmax(p, axis=-1) - one_hot(t)
        return -one_hot(t) / p + 1 / p.sum(-1, keepdims=True)

    return Case(
        f"scce-logits{from_logits}",
        "sparse_categorical_crossentropy",
        lambda **kw: L.SparseCategoricalCrossentropy(from_logits=from_logits, **kw),
        labels_logits if from_logits else labels_probabilities,
        reference,
        derivative,
    )


def _kld(t, p):
    terms = np.zeros_like(t)
    positive_ = t > 0
    terms[positive_] = t[positive_] * np.log(t[positive_] / p[positive_])
    return terms.sum(-1)


def _zero_one(t, p):
    return mean_last(((p > 0.5) != (t > 0.5)).astype(float))


CASES = [
    Case(
        "mse",
        "mean_squared_error",
        L.MeanSquaredError,
        regression,
        lambda t, p: mean_last((t - p) ** 2),
        lambda t, p: 2 * (p - t) / D,
    ),
    Case(
        "mae",
        "mean_absolute_error",
        L.MeanAbsoluteError,
        regression,
        lambda t, p: mean_last(np.abs(t - p)),
        lambda t, p: np.sign(p - t) / D,
    ),
    # RMSE reduces the per-sample squared errors, then takes the root of the result.
    Case(
        "rmse",
        "root_mean_squared_error",
        L.RootMeanSquaredError,
        regression,
        lambda t, p: mean_last((t - p) ** 2),
        lambda t, p: 2 * (p - t) / D,
        root=True,
    ),
    Case(
        "msle",
        "mean_squared_logarithmic_error",
        L.MeanSquaredLogarithmicError,
        positive,
        lambda t, p: mean_last((np.log(1 + p) - np.log(1 + t)) ** 2),
        lambda t, p: 2 * (np.log(1 + p) - np.log(1 + t)) / (1 + p) / D,
    ),
    Case(
        "me",
        "mean_error",
        L.MeanError,
        regression,
        lambda t, p: mean_last(t - p),
        lambda t, p: -np.ones_like(p) / D,
    ),
    _huber(1.0),
    _huber(0.3),
    _bce(0.0, False),
    _bce(0.0, True),
    _bce(0.2, False),
    _bce(0.2, True),
    _cce(0.0, False),
    _cce(0.0, True),
    _cce(0.1, False),
    _cce(0.1, True),
    _scce(False),
    _scce(True),
    Case(
        "kld", "kl_divergence", L.KLDivergence, distributions_with_zeros, _kld, lambda t, p: -t / p
    ),
    Case(
        "hinge",
        "hinge",
        L.Hinge,
        signed_scores,
        lambda t, p: mean_last(np.maximum(0, 1 - t * p)),
        lambda t, p: np.where(1 - t * p > 0, -t, 0) / D,
    ),
    Case(
        "hinge-01-labels",
        "hinge",
        L.Hinge,
        binary_logits,
        lambda t, p: mean_last(np.maximum(0, 1 - signed(t) * p)),
        lambda t, p: np.where(1 - signed(t) * p > 0, -signed(t), 0) / D,
    ),
    Case(
        "squared_hinge",
        "squared_hinge",
        L.SquaredHinge,
        signed_scores,
        lambda t, p: mean_last(np.maximum(0, 1 - t * p) ** 2),
        lambda t, p: -2 * t * np.maximum(0, 1 - t * p) / D,
    ),
    Case(
        "perceptron",
        "perceptron_loss",
        L.PerceptronLoss,
        signed_scores,
        lambda t, p: mean_last(np.maximum(0, -t * p)),
        lambda t, p: np.where(-t * p > 0, -t, 0) / D,
    ),
    Case(
        "perceptron-01-labels",
        "perceptron_loss",
        L.PerceptronLoss,
        binary_logits,
        lambda t, p: mean_last(np.maximum(0, -signed(t) * p)),
        lambda t, p: np.where(-signed(t) * p > 0, -signed(t), 0) / D,
    ),
    Case(
        "zero_one",
        "zero_one_loss",
        L.ZeroOneLoss,
        binary_probabilities,
        _zero_one,
        lambda t, p: 0 * p,
    ),
]

CASES_BY_NAME = {}
for _case in CASES:
    CASES_BY_NAME.setdefault(_case.name, []).append(_case)


def case_named(name):
    return next(c for c in CASES if c.id == name)


def reduce(per_sample, reduction, sample_weight=None, mask=None):
    """Keras 3's reductions, in NumPy: weights and masks multiply, then reduce."""
    weight = np.ones_like(per_sample) if sample_weight is None else sample_weight
    valid = np.ones_like(per_sample) if mask is None else mask.astype(float)
    weighted = per_sample * weight * valid
    if reduction in (None, "none"):
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return weighted.sum() / (weight * valid).sum()
    # "sum_over_batch_size", "mean": divided by the number of valid entries.
    return weighted.sum() / valid.sum()


def inputs(case, seed=0):
    rng = np.random.default_rng(seed)
    y_true, y_pred = case.data(rng)
    return f32(y_true), f32(y_pred)


# --- every catalog loss has a case ------------------------------------------------------


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_every_catalog_loss_has_a_float64_reference(name):
    cases = require(CASES_BY_NAME, name, "loss", "CASES (tests/test_losses_values.py)")
    cls = catalog.lookup("loss", name).implementation
    for case in cases:
        assert type(case.make()) is cls, f"case {case.id!r} names {name!r} but makes another loss"


def test_every_case_names_a_catalog_loss_and_has_its_own_id():
    assert set(CASES_BY_NAME) <= set(catalog_names("loss")), sorted(
        set(CASES_BY_NAME) - set(catalog_names("loss"))
    )
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


# --- values ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_call_returns_one_loss_per_sample(case):
    y_true, y_pred = inputs(case)
    values = case.make().call(
        keras.ops.convert_to_tensor(y_true, "float32"),
        keras.ops.convert_to_tensor(y_pred, "float32"),
    )
    assert tuple(values.shape) == (N,)
    assert_close(values, case.reference(y_true, y_pred), RTOL, ATOL)


def weight_options(seed=1):
    return {"unweighted": None, "weighted": f32(np.random.default_rng(seed).uniform(0.1, 2.0, N))}


def assert_every_reduction(make, y_true, y_pred, per_sample, mask=None, seed=1, root=False):
    """Checks `make(reduction=...)` under every reduction, with and without weights.

    With `root`, the loss is the square root of the reduced `per_sample`.
    """
    for reduction in REDUCTIONS:
        for label, weight in weight_options(seed).items():
            expected = reduce(per_sample, reduction, weight, mask)
            try:
                assert_close(
                    make(reduction=reduction)(y_true, y_pred, sample_weight=weight),
                    np.sqrt(expected) if root else expected,
                    RTOL,
                    ATOL,
                )
            except AssertionError as error:
                raise AssertionError(f"reduction={reduction!r}, {label}: {error}") from None


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_value_matches_reference_under_every_reduction(case):
    y_true, y_pred = inputs(case)
    assert_every_reduction(
        case.make, y_true, y_pred, case.reference(y_true, y_pred), root=case.root
    )


@pytest.mark.parametrize(
    "case",
    [case_named(n) for n in ("mse", "bce-ls0.0-logitsTrue", "cce-ls0.1-logitsFalse")],
    ids=lambda c: c.id,
)
def test_keras_mask_on_y_pred_is_applied(case):
    y_true, y_pred = inputs(case)
    mask = np.arange(N) % 3 != 0
    masked = keras.ops.convert_to_tensor(y_pred, "float32")
    internals.set_keras_mask(masked, keras.ops.convert_to_tensor(mask))
    assert_every_reduction(case.make, y_true, masked, case.reference(y_true, y_pred), mask)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_function_is_the_per_sample_loss(case):
    # keras_actloss.losses.<snake_case>(...) is what the class reduces.
    y_true, y_pred = inputs(case)
    loss = case.make()
    function = type(loss).function
    assert_close(
        function(y_true.astype("float32"), y_pred.astype("float32"), **loss.arguments()),
        case.reference(y_true, y_pred),
        RTOL,
        ATOL,
    )


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_function_is_exported_under_the_catalog_name_next_to_its_class(name):
    cls = catalog.lookup("loss", name).implementation
    module = sys.modules[cls.__module__]  # one family module: the function next to its class
    function = getattr(module, name, None)
    assert callable(function), f"{module.__name__} has no function {name!r}"
    assert name in module.__all__ and cls.__name__ in module.__all__, name
    # The function the class reduces is defined next to it.
    assert cls.function.__module__ == cls.__module__, name
    if cls.__module__.startswith("keras_actloss."):  # the package face re-exports its modules
        assert name in L.__all__ and cls.__name__ in L.__all__, name
        assert getattr(L, cls.function.__name__) is cls.function, name


def test_snake_case_functions_are_exported():
    assert L.huber is L.regression.huber
    assert L.MeanSquaredError.function is L.mean_squared_error
    assert L.BinaryCrossentropy.function is L.probabilistic.binary_crossentropy
    assert L.Hinge.function is L.margin.hinge
    # 0.5 * 0.5^2 and 1 * (3 - 0.5), averaged.
    assert_close(L.huber([[0.0, 0.0]], [[0.5, 3.0]], delta=1.0), [1.3125], RTOL, 0)


def test_rank_1_inputs_are_a_batch_of_scalars_with_correct_weights():
    # Keras would average a rank-1 MSE into one number, which then multiplies
    # the mean weight; here each element is a sample.
    rng = np.random.default_rng(3)
    y_true, y_pred, weight = (
        f32(rng.normal(size=N)),
        f32(rng.normal(size=N)),
        f32(rng.uniform(size=N)),
    )
    actual = L.MeanSquaredError(reduction="mean_with_sample_weight")(y_true, y_pred, weight)
    assert_close(actual, np.sum(weight * (y_true - y_pred) ** 2) / weight.sum(), RTOL, 0)
    assert tuple(L.mean_squared_error(y_true, y_pred).shape) == (N,)


def test_trailing_1_is_squeezed_or_expanded_like_keras():
    rng = np.random.default_rng(4)
    y_true, y_pred = f32(rng.normal(size=32)), f32(rng.normal(size=(32, 1)))
    expected = np.mean((y_true - y_pred[:, 0]) ** 2)
    for loss in (L.MeanSquaredError(), keras.losses.MeanSquaredError()):
        assert_close(loss(y_true, y_pred), expected, RTOL, 0)
        assert_close(loss(y_pred, y_true), expected, RTOL, 0)


# --- label smoothing, ignore_class, other axes -----------------------------------------


@pytest.mark.parametrize("ignore_class", [0, -1])
def test_sparse_ignore_class_is_masked_out(ignore_class):
    rng = np.random.default_rng(5)
    labels = rng.integers(0, D, N)
    labels[::3] = ignore_class if ignore_class < 0 else labels[::3]
    logits = f32(rng.normal(size=(N, D)) * 3)
    valid = labels != ignore_class
    assert 0 < valid.sum() < N  # the case really ignores some labels
    picked = logits[np.arange(N), np.where(valid, labels, 0)]
    per_sample = np.where(valid, logsumexp(logits, -1) - picked, 0)

    def make(reduction):
        return L.SparseCategoricalCrossentropy(
            from_logits=True, ignore_class=ignore_class, reduction=reduction
        )

    assert_every_reduction(make, labels, logits, per_sample, valid, seed=2)


@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_crossentropy_along_axis_1(from_logits):
    rng = np.random.default_rng(6)
    y_true = rng.integers(0, 2, (N, 4, 5)).astype(float)
    y_pred = f32(
        rng.normal(size=(N, 4, 5)) * 3 if from_logits else rng.uniform(0.02, 0.98, (N, 4, 5))
    )
    t = smoothed_binary(y_true, 0.1)
    if from_logits:
        elementwise = np.logaddexp(0, y_pred) - t * y_pred
    else:
        elementwise = -(t * np.log(y_pred) + (1 - t) * np.log(1 - y_pred))
    loss = L.BinaryCrossentropy(
        from_logits=from_logits, label_smoothing=0.1, axis=1, reduction=None
    )
    assert_close(loss(y_true, y_pred), elementwise.mean(axis=1), RTOL, ATOL)


@pytest.mark.parametrize("from_logits", [False, True])
def test_categorical_crossentropy_along_axis_1_smooths_over_that_axis(from_logits):
    rng = np.random.default_rng(7)
    classes = 4
    y_true = np.moveaxis(np.eye(classes)[rng.integers(0, classes, (N, 5))], -1, 1)  # (N, 4, 5)
    y_pred = f32(
        rng.normal(size=(N, classes, 5)) * 3
        if from_logits
        else rng.uniform(0.05, 1, (N, classes, 5))
    )
    t = y_true * 0.8 + 0.2 / classes  # K is the size of axis 1, not of the last axis
    log_p = (
        log_softmax(y_pred, axis=1)
        if from_logits
        else np.log(y_pred / y_pred.sum(1, keepdims=True))
    )
    loss = L.CategoricalCrossentropy(
        from_logits=from_logits, label_smoothing=0.2, axis=1, reduction=None
    )
    assert_close(loss(y_true, y_pred), -(t * log_p).sum(axis=1), RTOL, ATOL)


@pytest.mark.parametrize("keep_dim", [False, True], ids=["labels (N, T)", "labels (N, 1, T)"])
def test_sparse_categorical_crossentropy_along_axis_1(keep_dim):
    # Keras's own raises "Only axis=-1 is currently supported" on TensorFlow.
    rng = np.random.default_rng(8)
    labels = rng.integers(0, 4, (N, 5))
    logits = f32(rng.normal(size=(N, 4, 5)) * 3)
    expected = -np.take_along_axis(log_softmax(logits, axis=1), labels[:, None, :], axis=1)[:, 0]
    y_true = labels[:, None, :] if keep_dim else labels
    loss = L.SparseCategoricalCrossentropy(from_logits=True, axis=1, reduction=None)
    assert_close(loss(y_true, logits), expected, RTOL, ATOL)


def test_sparse_accepts_a_trailing_1_on_labels():
    rng = np.random.default_rng(9)
    labels, logits = rng.integers(0, D, N), f32(rng.normal(size=(N, D)))
    loss = L.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    expected = logsumexp(logits, -1) - logits[np.arange(N), labels]
    assert_close(loss(labels, logits), expected, RTOL, ATOL)
    np.testing.assert_array_equal(loss(labels[:, None], logits), loss(labels, logits))


# --- gradients -------------------------------------------------------------------------


def gradient(loss, y_true, y_pred, sample_weight=None):
    """d loss(y_true, y_pred, sample_weight) / d y_pred, with y_pred in float32."""
    return backend_gradient(
        lambda p: loss(y_true, p, sample_weight=sample_weight), y_pred, dtype="float32"
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_gradient_matches_analytic_derivative(case):
    y_true, y_pred = inputs(case, seed=11)
    weight = f32(np.random.default_rng(12).uniform(0.1, 2.0, N))
    actual = gradient(case.make(), y_true, y_pred, weight)
    # d/dp of sum_i w_i l_i / N ("sum_over_batch_size").
    expected = weight[:, None] * case.derivative(y_true, y_pred) / N
    if case.root:  # d sqrt(m) = dm / (2 sqrt(m))
        expected /= 2 * np.sqrt(np.sum(weight * case.reference(y_true, y_pred)) / N)
    assert_close(actual, expected, RTOL, ATOL, x=y_pred)


def test_zero_one_loss_gradient_is_a_connected_zero():
    # Zeros, not None: `fit` with it runs (and learns nothing).
    actual = connected_gradient(
        lambda p: L.ZeroOneLoss()([[1.0], [0.0]], p), [[0.3], [0.9]], "float32"
    )
    assert actual is not None
    np.testing.assert_array_equal(actual, 0.0)


# --- root mean squared error: the root of the reduced mean ------------------------------
# Its value under every reduction, and its gradient, are the "rmse" case above.


def test_rmse_of_the_batch_is_not_the_mean_of_per_sample_roots():
    y_true, y_pred = np.zeros((2, 1)), np.array([[3.0], [4.0]])
    assert_close(L.RootMeanSquaredError()(y_true, y_pred), np.sqrt(12.5), RTOL, 0)
    assert_close(L.root_mean_squared_error(y_true, y_pred), [3.0, 4.0], RTOL, 0)


def test_rmse_gradient_matches_analytic_and_is_finite_at_zero_error():
    y_true, y_pred = inputs(case_named("mse"), seed=13)
    weight = f32(np.random.default_rng(14).uniform(0.1, 2.0, N))
    mse = mean_last((y_true - y_pred) ** 2)
    rmse = np.sqrt(np.sum(weight * mse) / N)
    expected = weight[:, None] * 2 * (y_pred - y_true) / (N * D) / (2 * rmse)
    actual = gradient(L.RootMeanSquaredError(), y_true, y_pred, weight)
    assert_close(actual, expected, RTOL, ATOL)
    at_zero = gradient(L.RootMeanSquaredError(), y_true, y_true)
    np.testing.assert_array_equal(at_zero, 0.0)
    at_zero_per_sample = gradient(L.RootMeanSquaredError(reduction=None), y_true, y_true)
    np.testing.assert_array_equal(at_zero_per_sample, 0.0)


# --- parity with Keras's own losses where the math agrees ------------------------------

#: Catalog losses whose Keras namesake gives another value on their CASES, on purpose.
KERAS_DIFFERS = {
    # Keras clips targets at 1e-7, which the zero targets of the "kld" case expose.
    "kl_divergence": "test_kl_divergence_matches_keras_where_no_target_is_zero",
}


def keras_twin(case):
    """Keras's loss of the same name, with the case's arguments; None when Keras has none."""
    loss = case.make()
    theirs = getattr(keras.losses, type(loss).__name__, None)
    if theirs is None or case.name in KERAS_DIFFERS:
        return None
    return theirs(**loss.arguments())


@pytest.mark.parametrize("case", [c for c in CASES if keras_twin(c)], ids=lambda c: c.id)
def test_same_value_as_keras_on_ordinary_inputs(case):
    y_true, y_pred = inputs(case, seed=15)
    assert_close(case.make()(y_true, y_pred), keras_twin(case)(y_true, y_pred), 2e-5, 1e-6)


def test_drop_ins_are_compared_with_keras():
    # Every loss named after a Keras loss meets it above or in its own test.
    compared = {c.name for c in CASES if keras_twin(c)} | set(KERAS_DIFFERS)
    namesakes = {
        e.info.name
        for e in catalog.entries("loss")
        if hasattr(keras.losses, e.implementation.__name__)
    }
    assert namesakes <= compared, sorted(namesakes - compared)
    assert {"mean_squared_error", "huber", "hinge", "binary_crossentropy"} <= namesakes


def test_kl_divergence_matches_keras_where_no_target_is_zero():
    rng = np.random.default_rng(16)
    t, p = (f32(softmax(rng.normal(size=(N, D)), axis=-1)) for _ in range(2))
    assert_close(L.KLDivergence()(t, p), keras.losses.KLDivergence()(t, p), 2e-5, 0)
