"""Losses as accurate as the activations: value and gradient against float64, where it is hard.

Each reference is computed here in float64 NumPy from the same float32
inputs, independently of the package. The bound is 1e-6 relative, or 1e-9
absolute for values near 0. The cases are those where the usual float32
forms lose digits: confident cross-entropy rows (the log of a sum just
above 1), MSLE where the prediction is close to the target (a difference
of two logs), and Huber's gradient inside delta (delta - delta).

Then every loss of the catalog, over its whole range: logits from N(0, 4^2)
and at +-50 and +-100, the logits behind our `Sigmoid` and `Softmax`,
probabilities in the clip band [epsilon, 1 - epsilon] and beyond it,
regression values from 1e-3 to 1e4 and near-equal pairs, margin losses with
labels in {-1, 1} and {0, 1}. A catalog loss without a case here fails.
"""

import keras
import numpy as np
import pytest
from backends import gradient, to_numpy
from checks import catalog_names, require

import keras_actloss as ka
from keras_actloss import catalog
from keras_actloss import losses as L

RTOL, ATOL = 1e-6, 1e-9


def _within(actual, reference):
    actual, reference = np.asarray(actual, np.float64), np.asarray(reference, np.float64)
    error = np.abs(actual - reference)
    worst = np.max(error / np.maximum(np.abs(reference), ATOL / RTOL))
    assert np.all(error <= RTOL * np.abs(reference) + ATOL), f"worst relative error {worst:.2e}"


def _confident_logits(rows=2000, classes=7, seed=0):
    """Logits from N(0, 4^2), labels the most likely class in 70 % of the rows."""
    rng = np.random.default_rng(seed)
    z = (rng.normal(size=(rows, classes)) * 4).astype("float32")
    labels = np.where(rng.random(rows) < 0.7, z.argmax(axis=1), rng.integers(0, classes, rows))
    return z, labels


def _log_softmax64(z):
    """log softmax along the last axis in float64, with log1p of the sum beside the largest term."""
    z = np.asarray(z, np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)
    terms = np.exp(shifted)
    np.put_along_axis(terms, shifted.argmax(axis=-1)[..., None], 0.0, axis=-1)
    return shifted - np.log1p(terms.sum(axis=-1, keepdims=True))


def test_categorical_crossentropy_from_logits_value_and_gradient():
    z, labels = _confident_logits()
    one_hot = np.eye(z.shape[1], dtype="float32")[labels]
    log_p = _log_softmax64(z)
    _within(L.categorical_crossentropy(one_hot, z, from_logits=True), -log_p[one_hot > 0])
    grad = gradient(lambda v: L.categorical_crossentropy(one_hot, v, from_logits=True), z)
    _within(grad, np.exp(log_p) - one_hot)
    # Keras's own is 1e-4 off on these rows: the test can tell.
    keras_value = keras.losses.categorical_crossentropy(one_hot, z, from_logits=True)
    with pytest.raises(AssertionError):
        _within(keras_value, -log_p[one_hot > 0])


def test_sparse_and_smoothed_crossentropy_from_logits():
    z, labels = _confident_logits(seed=1)
    log_p = _log_softmax64(z)
    _within(
        L.sparse_categorical_crossentropy(labels, z, from_logits=True),
        -log_p[np.arange(len(labels)), labels],
    )
    smoothing, classes = 0.1, z.shape[1]
    targets = np.eye(classes)[labels] * (1 - smoothing) + smoothing / classes
    _within(
        L.categorical_crossentropy(
            np.eye(classes, dtype="float32")[labels],
            z,
            from_logits=True,
            label_smoothing=smoothing,
        ),
        -(targets * log_p).sum(axis=-1),
    )


def test_crossentropy_at_tied_largest_logits():
    # Every largest entry adds exactly 1 to the sum: ties must each be counted once.
    z = np.array([[2.0, 2.0, -1.0], [5.0, 5.0, 5.0], [3.0, -20.0, 3.0]], "float32")
    labels = [1, 2, 1]
    one_hot = np.eye(3, dtype="float32")[labels]
    log_p = _log_softmax64(z)
    _within(L.categorical_crossentropy(one_hot, z, from_logits=True), -log_p[one_hot > 0])
    _within(L.sparse_categorical_crossentropy(labels, z, from_logits=True), -log_p[one_hot > 0])
    grad = gradient(lambda v: L.categorical_crossentropy(one_hot, v, from_logits=True), z)
    _within(grad, np.exp(log_p) - one_hot)


def test_msle_where_the_prediction_is_close_to_the_target():
    rng = np.random.default_rng(2)
    y = rng.uniform(0.0, 10.0, size=(4000, 1)).astype("float32")
    p = (y * (1.0 + rng.normal(size=y.shape) * 1e-3)).astype("float32")
    y64, p64 = y.astype(np.float64), p.astype(np.float64)
    log_ratio = np.log1p(p64) - np.log1p(y64)
    _within(L.mean_squared_logarithmic_error(y, p), (log_ratio**2)[:, 0])
    grad = gradient(lambda v: L.mean_squared_logarithmic_error(y, v), p)
    _within(grad, 2 * log_ratio / (1 + p64))


@pytest.mark.parametrize("delta", [1.0, 0.5])
def test_huber_gradient_inside_and_outside_delta(delta):
    rng = np.random.default_rng(3)
    y = rng.normal(size=(4000, 1)).astype("float32")
    error = rng.uniform(-3 * delta, 3 * delta, size=y.shape).astype("float32")
    error[:1000] = rng.uniform(-0.02, 0.02, size=(1000, 1))  # where delta - delta rounded
    p = (y + error).astype("float32")
    e = p.astype(np.float64) - y.astype(np.float64)
    inside = np.abs(e) <= delta
    reference = np.where(inside, 0.5 * e**2, delta * (np.abs(e) - 0.5 * delta))
    _within(L.huber(y, p, delta=delta), reference[:, 0])
    grad = gradient(lambda v: L.huber(y, v, delta=delta), p)
    _within(grad, np.where(inside, e, delta * np.sign(e)))


# --- Every loss of the catalog, over the whole range --------------------------------------------
#
# One entry of CASES per catalog loss. A case builds float32 inputs, computes the float64
# reference from them here, and checks the per-sample values (reduction=None) and the gradient
# of their sum with respect to y_pred (behind our Sigmoid / Softmax: the logits), region by
# region. Samples are independent, so one call covers several regions, told apart by rows.

F32 = np.float32
ROWS = 512


class _Checks:
    """Collects every region's comparison, so that one failing region does not hide another."""

    def __init__(self):
        self.failures = []

    def close(self, what, actual, reference):
        actual = np.asarray(actual, np.float64)
        reference = np.asarray(reference, np.float64)
        assert actual.shape == reference.shape, f"{what}: shape {actual.shape} != {reference.shape}"
        error = np.abs(actual - reference)
        # The relative error of every element not already within the absolute bound.
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(error <= ATOL, 0.0, error / np.abs(reference))
        relative = np.nan_to_num(relative, nan=np.inf)
        worst = float(np.max(relative, initial=0.0))
        bad = ~(error <= RTOL * np.abs(reference) + ATOL)
        if bad.any():
            at = np.unravel_index(np.argsort(np.where(bad, relative, -1.0), axis=None), bad.shape)
            at = tuple(index[::-1][:3] for index in at)
            self.failures.append(
                f"{what}: {bad.sum()} of {bad.size} off, worst relative error {worst:.2e}; "
                f"got {actual[at]}, expected {reference[at]}"
            )

    def zero(self, what, actual):
        actual = np.asarray(actual)
        if not np.all(actual == 0.0):
            self.failures.append(f"{what}: not exactly 0, largest {np.max(np.abs(actual)):.2e}")

    def loss(self, regions, fn, x, value, grad):
        """`fn(x)` against `value`, and d sum(fn(x)) / dx against `grad`, region by region.

        `regions` is a name (every row), or {name: boolean mask of the rows it compares};
        rows in no mask (at a kink) are computed but not compared.
        """
        actual_value, actual_grad = to_numpy(fn(x)), gradient(fn, x)
        if isinstance(regions, str):
            regions = {regions: ...}
        for name, rows in regions.items():
            assert rows is ... or np.any(rows), f"{name}: no rows in this region"
            self.close(f"{name}: value", actual_value[rows], np.asarray(value)[rows])
            self.close(f"{name}: gradient", actual_grad[rows], np.asarray(grad)[rows])

    def done(self):
        if self.failures:
            pytest.fail("\n".join(self.failures), pytrace=False)


def _blocks(blocks):
    """Stacks `(region, *arrays)` blocks along the rows: the stacked arrays and {region: rows}."""
    ends = np.cumsum([len(block[1]) for block in blocks])
    starts = ends - [len(block[1]) for block in blocks]
    regions = {
        block[0]: (np.arange(ends[-1]) >= start) & (np.arange(ends[-1]) < end)
        for block, start, end in zip(blocks, starts, ends, strict=True)
    }
    arrays = [np.concatenate(parts) for parts in zip(*(block[1:] for block in blocks), strict=True)]
    return (*arrays, regions)


def _softplus(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _sigmoid(x):
    return np.exp(-_softplus(-x))


def _magnitudes(rng, shape, low=-3.0, high=4.0, signed=True):
    """Values log-uniform in [10^low, 10^high] in magnitude, of either sign when `signed`."""
    values = 10.0 ** rng.uniform(low, high, shape)
    return values * rng.choice([-1.0, 1.0], shape) if signed else values


def _distinct(target, prediction):
    """`prediction` moved by one float32 step wherever it equals `target`."""
    same = prediction == target
    prediction[same] = np.nextafter(prediction[same], F32(np.inf))
    return prediction


# --- Regression ----------------------------------------------------------------------------------


def _regression_blocks(rng, signed=True, features=3):
    """(region, y_true, y_pred) blocks in float32: unrelated values from 1e-3 to 1e4, near-equal."""
    shape = (ROWS // 2, features)
    y = _magnitudes(rng, shape, signed=signed).astype(F32)
    unrelated = _distinct(y, _magnitudes(rng, shape, signed=signed).astype(F32))
    close = _magnitudes(rng, shape, signed=signed).astype(F32)
    near = _distinct(close, (close * (1.0 + _magnitudes(rng, shape, -6.0, -2.0))).astype(F32))
    return [("from 1e-3 to 1e4", y, unrelated), ("near-equal pairs", close, near)]


def _one_sign_rows(y, p):
    """(y, p) swapped where needed so that the errors y - p of each row share one sign."""
    flip = np.sign(y - p) != np.sign(y - p)[:, :1]
    return np.where(flip, p, y), np.where(flip, y, p)


def _regression_case(value_and_derivative, one_sign=False):
    """A case for an elementwise loss f(y, p) averaged over the last axis, given f and df/dp.

    With `one_sign`, each row's errors share a sign: a mean of signed errors that cancel is
    ill-conditioned, and its float32 sum loses digits in any order of summation.
    """

    def case(cls, checks, rng):
        y, p, regions = _blocks(_regression_blocks(rng))
        if one_sign:
            y, p = _one_sign_rows(y, p)
        value, derivative = value_and_derivative(y.astype(np.float64), p.astype(np.float64))
        checks.loss(
            regions,
            lambda v: cls(reduction=None)(y, v),
            p,
            value.mean(axis=-1),
            derivative / p.shape[-1],
        )

    return case


def _mse(y, p):
    return (p - y) ** 2, 2.0 * (p - y)


def _mae(y, p):
    return np.abs(p - y), np.sign(p - y)


def _mean_error(y, p):
    return y - p, -np.ones_like(p)


def _msle_case(cls, checks, rng):
    blocks = _regression_blocks(rng, signed=False)
    shape = blocks[0][1].shape
    y, p = (_magnitudes(rng, shape, signed=False) for _ in range(2))
    # Taken as 0 where negative, with a zero gradient there.
    y[rng.random(shape) < 0.3] *= -1.0
    p[rng.random(shape) < 0.3] *= -1.0
    blocks.append(("negative values", y.astype(F32), _distinct(y, p).astype(F32)))
    y, p, regions = _blocks(blocks)
    y64, p64 = np.maximum(y.astype(np.float64), 0.0), np.maximum(p.astype(np.float64), 0.0)
    log_ratio = np.log1p(p64) - np.log1p(y64)
    far_below = ((1.0 + p64) < (1.0 + y64) / 2.0).any(axis=-1)
    regions = {
        f"{name}, {where}": rows & mask
        for name, rows in regions.items()
        for where, mask in (
            ("1 + y_pred below (1 + y_true) / 2", far_below),
            ("elsewhere", ~far_below),
        )
        if np.any(rows & mask)
    }
    checks.loss(
        regions,
        lambda v: cls(reduction=None)(y, v),
        p,
        (log_ratio**2).mean(axis=-1),
        np.where(p > 0, 2.0 * log_ratio / (1.0 + p64), 0.0) / p.shape[-1],
    )


def _rmse_case(cls, checks, rng):
    y, p, regions = _blocks(_regression_blocks(rng))
    e = p.astype(np.float64) - y.astype(np.float64)
    per_sample = np.sqrt((e**2).mean(axis=-1))
    # reduction=None: the root of each sample's mean square.
    checks.loss(
        {f"{name}, per sample": rows for name, rows in regions.items()},
        lambda v: cls(reduction=None)(y, v),
        p,
        per_sample,
        e / (p.shape[-1] * per_sample[:, None]),
    )
    # The default reduction: the root of the batch's mean square, not a mean of the roots.
    batch = np.sqrt((e**2).mean())
    checks.loss(
        "root of the mean square of the batch",
        lambda v: cls()(y, v),
        p,
        batch,
        e / (e.size * batch),
    )


def _huber_case(cls, checks, rng):
    for delta in (1.0, 0.3):
        blocks = _regression_blocks(rng)
        y = blocks[0][1]
        inside = _distinct(y, (y + rng.uniform(-2.0, 2.0, y.shape) * delta).astype(F32))
        y, p, regions = _blocks([*blocks, ("errors within 2 delta", y, inside)])
        e = p.astype(np.float64) - y.astype(np.float64)
        # Away from the kink |e| = delta, where the branch is a convention.
        away = (np.abs(np.abs(e) - delta) > 8 * np.spacing(F32(delta))).all(axis=-1)
        quadratic = np.abs(e) <= delta
        checks.loss(
            {f"delta={delta}, {name}": rows & away for name, rows in regions.items()},
            lambda v, y=y, delta=delta: cls(delta=delta, reduction=None)(y, v),
            p,
            np.where(quadratic, 0.5 * e**2, delta * (np.abs(e) - 0.5 * delta)).mean(axis=-1),
            np.where(quadratic, e, delta * np.sign(e)) / p.shape[-1],
        )


# --- Cross-entropies and KL divergence -----------------------------------------------------------


def _wide_logits(rng, rows, columns):
    """N(0, 4^2) logits, a quarter of them replaced by +-50 or +-100."""
    z = rng.normal(size=(rows, columns)) * 4.0
    extreme = rng.random(z.shape) < 0.25
    z[extreme] = rng.choice([-100.0, -50.0, 50.0, 100.0], extreme.sum())
    return z.astype(F32)


def _epsilon_band():
    """The clip band [epsilon, 1 - epsilon] as the float32 bounds the losses clip at."""
    epsilon = keras.config.epsilon()
    return np.float64(F32(epsilon)), np.float64(F32(1.0 - epsilon))


def _binary_probabilities(rng, shape):
    """Float32 probabilities inside the clip band (1e-6 and 1 - 1e-6 among them), and outside."""
    low, high = _epsilon_band()
    p = rng.uniform(0.0, 1.0, shape)
    tail = 10.0 ** rng.uniform(np.log10(2 * low), -1.0, shape)
    confident = rng.random(shape) < 0.4
    p[confident] = np.where(rng.random(shape) < 0.5, tail, 1.0 - tail)[confident]
    p.flat[:4] = [1e-6, 1.0 - 1e-6, 2 * low, 1.0 - 2 * low]
    p = p.astype(F32)
    assert ((p > low) & (p < high)).all()
    outside = rng.choice(np.array([0.0, 1e-9, 5e-8, 1.0 - 3e-8, 1.0], F32), shape)
    assert ((outside < low) | (outside > high)).all()
    return p, outside


def _bce_case(cls, checks, rng):
    shape = (ROWS, 3)
    y = (rng.random(shape) < 0.5).astype(F32)
    z = _wide_logits(rng, *shape)
    z64 = z.astype(np.float64)
    value = (y * _softplus(-z64) + (1.0 - y) * _softplus(z64)).mean(axis=-1)
    derivative = ((1.0 - y) * _sigmoid(z64) - y * _sigmoid(-z64)) / shape[-1]
    logits = cls(from_logits=True, reduction=None)
    checks.loss("logits", lambda v: logits(y, v), z, value, derivative)
    checks.loss(
        "logits behind our Sigmoid",
        lambda v: cls(reduction=None)(y, ka.Sigmoid()(v)),
        z,
        value,
        derivative,
    )
    inside, outside = _binary_probabilities(rng, (ROWS // 2, 3))
    y, p, regions = _blocks(
        [
            ("probabilities in the clip band", y[: ROWS // 2], inside),
            ("probabilities beyond the clip band", y[ROWS // 2 :], outside),
        ]
    )
    low, high = _epsilon_band()
    p64 = p.astype(np.float64)
    q = np.clip(p64, low, high)  # clipped as Keras clips, with a zero gradient beyond
    value = -(y * np.log(q) + (1.0 - y) * np.log1p(-q))
    derivative = np.where((p64 >= low) & (p64 <= high), -y / q + (1.0 - y) / (1.0 - q), 0.0)
    checks.loss(
        regions,
        lambda v: cls(reduction=None)(y, v),
        p,
        value.mean(axis=-1),
        derivative / p.shape[-1],
    )


def _class_logits(rng, rows=2000, classes=7):
    """Wide logits, labels the most likely class in half the rows (confident and wrong ones)."""
    z = _wide_logits(rng, rows, classes)
    labels = np.where(rng.random(rows) < 0.5, z.argmax(axis=1), rng.integers(0, classes, rows))
    return z, labels


def _class_probabilities(rng, rows=2000, classes=7):
    """Rows of float32 probabilities inside the clip band, summing to 1 up to rounding.

    Half of the rows are random, the others have one class at 1 - r, r from 2e-6 to 0.1;
    the first two are (1 - 1e-6, ...) and (1e-6, ...).
    """
    p = rng.dirichlet(np.ones(classes), rows)
    top = rng.integers(0, classes, rows)
    rest = 10.0 ** rng.uniform(np.log10(2e-6), -1.0, rows)
    spread = rng.dirichlet(np.ones(classes - 1), rows) * 0.5 + 0.5 / (classes - 1)
    for i in np.flatnonzero(rng.random(rows) < 0.5):
        p[i, top[i]] = 1.0 - rest[i]
        p[i, np.arange(classes) != top[i]] = rest[i] * spread[i]
    p[0] = [1.0 - 1e-6] + [1e-6 / (classes - 1)] * (classes - 1)
    p[1] = [1e-6] + [(1.0 - 1e-6) / (classes - 1)] * (classes - 1)
    p = p.astype(F32)
    labels = np.where(rng.random(rows) < 0.5, p.argmax(axis=1), rng.integers(0, classes, rows))
    return p, labels


def _categorical_case(sparse):
    def targets(one_hot):
        return one_hot.argmax(axis=-1).astype("int32") if sparse else one_hot.astype(F32)

    def case(cls, checks, rng):
        flat = rng.normal(size=(ROWS // 4, 1000)).astype(F32)
        for classes, (z, labels) in (
            ("7 classes", _class_logits(rng)),
            ("1000 classes of N(0, 1)", (flat, rng.integers(0, 1000, len(flat)))),
        ):
            one_hot = np.eye(z.shape[1])[labels]
            log_p = _log_softmax64(z)
            value = -(one_hot * log_p).sum(axis=-1)
            derivative = np.exp(log_p) - one_hot
            y = targets(one_hot)
            checks.loss(
                f"logits, {classes}",
                lambda v, y=y: cls(from_logits=True, reduction=None)(y, v),
                z,
                value,
                derivative,
            )
            checks.loss(
                f"logits behind our Softmax, {classes}",
                lambda v, y=y: cls(reduction=None)(y, ka.Softmax()(v)),
                z,
                value,
                derivative,
            )
        p, labels = _class_probabilities(rng)
        # Some rows with entries beyond the clip band: zeros, and one-hot rows.
        beyond = np.flatnonzero(p.max(axis=-1) < 0.5)[:300]
        for i in beyond:
            small = rng.choice(np.flatnonzero(p[i] < p[i].max()), rng.integers(1, 3), False)
            p[i, small] = rng.choice(np.array([0.0, 1e-9, 5e-8], F32), len(small))
        p[beyond[:4]] = np.eye(p.shape[1], dtype=F32)[0]
        labels[beyond[:4]] = [0, 0, 1, 2]
        one_hot = np.eye(p.shape[1])[labels]
        # Normalized, then clipped as Keras clips, with a zero gradient beyond the band.
        low, high = _epsilon_band()
        p64 = p.astype(np.float64)
        total = p64.sum(axis=-1, keepdims=True)
        q = p64 / total
        inside = (q >= low) & (q <= high)
        likely = (q.max(axis=-1) >= 0.9) & (q.max(axis=-1) <= high)
        clipped = ~inside.all(axis=-1) & ~likely
        y = targets(one_hot)
        checks.loss(
            {
                "probabilities in the clip band, a class above 0.9": likely,
                "probabilities in the clip band, none above 0.9": ~likely & ~clipped,
                "probabilities, some beyond the clip band": clipped,
            },
            lambda v: cls(reduction=None)(y, v),
            p,
            -(one_hot * np.log(np.clip(q, low, high))).sum(axis=-1),
            np.where(inside & (one_hot > 0), -one_hot / np.maximum(p64, low), 0.0)
            + (one_hot * inside).sum(axis=-1, keepdims=True) / total,
        )

    return case


def _kl_targets(rng, rows, classes):
    """Target distributions in float32 with zeros: one-hot rows and sparse soft rows."""
    y = rng.dirichlet(np.ones(classes), rows)
    y[rng.random(y.shape) < 0.4] = 0.0
    one_hot = rng.random(rows) < 0.3
    y[one_hot] = np.eye(classes)[rng.integers(0, classes, one_hot.sum())]
    y[y.sum(axis=-1) == 0, 0] = 1.0
    return (y / y.sum(axis=-1, keepdims=True)).astype(F32)


def _entropy_terms(y):
    """y log y in float64, 0 where y = 0."""
    return np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)


def _kl_case(cls, checks, rng):
    flat = rng.normal(size=(ROWS // 4, 1000)).astype(F32)
    for classes, z in (("7 classes", _class_logits(rng)[0]), ("1000 classes of N(0, 1)", flat)):
        y = _kl_targets(rng, *z.shape)
        y64 = y.astype(np.float64)
        log_p = _log_softmax64(z)
        derivative = np.exp(log_p) * y64.sum(axis=-1, keepdims=True) - y64
        # Where a soft target y is close to its probability p, the gradient p - y is the
        # difference of two nearly equal float32 numbers: p's rounding (a few ulps) grows by
        # max(p, y) / |p - y|. Rows where that factor stays below 2 keep within 1e-6.
        apart = np.abs(derivative) >= 0.5 * np.maximum(np.exp(log_p), y64)
        checks.loss(
            {f"logits behind our Softmax, {classes}": apart.all(-1)},
            lambda v, y=y: cls(reduction=None)(y, ka.Softmax()(v)),
            z,
            (_entropy_terms(y64) - y64 * log_p).sum(axis=-1),
            derivative,
        )
    low, _ = _epsilon_band()
    p, _ = _class_probabilities(rng)
    y = _kl_targets(rng, *p.shape)
    y64 = y.astype(np.float64)
    below = rng.random(p.shape) < 0.05
    p[below] = rng.choice(np.array([0.0, 1e-9, 5e-8], F32), below.sum())
    p64 = p.astype(np.float64)
    assert (p64 < 1.0).all()
    q = np.maximum(p64, low)  # clipped to [epsilon, 1], with a zero gradient below epsilon
    checks.loss(
        "probabilities, some below epsilon",
        lambda v: cls(reduction=None)(y, v),
        p,
        (_entropy_terms(y64) - y64 * np.log(q)).sum(axis=-1),
        np.where(p64 >= low, -y64 / q, 0.0),
    )


# --- Margin losses and the 0-1 loss --------------------------------------------------------------


def _margin_case(value_and_derivative, kink):
    """A case for a margin loss f(m), m = s y_hat with s the label in {-1, 1}, given f and df/dm."""

    def case(cls, checks, rng):
        shape = (ROWS // 2, 3)
        signs = rng.choice([-1.0, 1.0], (ROWS, 3))
        wide = _magnitudes(rng, shape)
        near = signs[ROWS // 2 :] * (1.0 + _magnitudes(rng, shape, -6.0, -1.0))
        signs, p, regions = _blocks(
            [
                ("scores from 1e-3 to 1e4", signs[: ROWS // 2], wide.astype(F32)),
                ("scores within 10 % of |y_hat| = 1", signs[ROWS // 2 :], near.astype(F32)),
            ]
        )
        margin = signs * p.astype(np.float64)
        # The gradient at the kink is a convention: keep a few ulps away from it.
        away = (np.abs(margin - kink) > 4 * np.spacing(F32(max(abs(kink), 1.0)))).all(axis=-1)
        value, derivative = value_and_derivative(margin)
        for labels, name in ((signs, "{-1, 1}"), ((signs + 1.0) / 2.0, "{0, 1}")):
            labels = labels.astype(F32)
            checks.loss(
                {f"labels in {name}, {region}": rows & away for region, rows in regions.items()},
                lambda v, y=labels: cls(reduction=None)(y, v),
                p,
                value.mean(axis=-1),
                signs * derivative / p.shape[-1],
            )

    return case


def _hinge(m):
    return np.maximum(0.0, 1.0 - m), -(m < 1.0).astype(np.float64)


def _squared_hinge(m):
    return np.maximum(0.0, 1.0 - m) ** 2, -2.0 * np.maximum(0.0, 1.0 - m)


def _perceptron(m):
    return np.maximum(0.0, -m), -(m < 0.0).astype(np.float64)


def _zero_one_case(cls, checks, rng):
    shape = (ROWS, 3)
    positive = rng.random(shape) < 0.5
    for threshold in (0.5, 0.7):
        boundary = np.log(threshold) - np.log1p(-threshold)
        z = _wide_logits(rng, *shape)
        p = rng.uniform(0.0, 1.0, shape).astype(F32)
        # Away from the decision boundary, where the comparison is a convention.
        z[np.abs(z - boundary) < 1e-3] += F32(0.01)
        p[np.abs(p - threshold) < 1e-3] += F32(0.01)
        for labels, name in ((positive * 2.0 - 1.0, "{-1, 1}"), (positive * 1.0, "{0, 1}")):
            labels = labels.astype(F32)
            for region, scores, from_logits, cut in (
                ("probabilities", p, False, threshold),
                ("logits", z, True, boundary),
            ):
                loss = cls(threshold=threshold, from_logits=from_logits, reduction=None)
                what = f"threshold={threshold}, labels in {name}, {region}"
                wrong = (scores.astype(np.float64) > cut) != positive
                checks.close(f"{what}: value", to_numpy(loss(labels, scores)), wrong.mean(-1))
                grad = gradient(lambda v, loss=loss, y=labels: loss(y, v), scores)
                checks.zero(f"{what}: gradient (zero by design)", grad)


CASES = {
    "mean_squared_error": _regression_case(_mse),
    "mean_absolute_error": _regression_case(_mae),
    "root_mean_squared_error": _rmse_case,
    "mean_squared_logarithmic_error": _msle_case,
    "mean_error": _regression_case(_mean_error, one_sign=True),
    "huber": _huber_case,
    "binary_crossentropy": _bce_case,
    "categorical_crossentropy": _categorical_case(sparse=False),
    "sparse_categorical_crossentropy": _categorical_case(sparse=True),
    "kl_divergence": _kl_case,
    "hinge": _margin_case(_hinge, kink=1.0),
    "squared_hinge": _margin_case(_squared_hinge, kink=1.0),
    "perceptron_loss": _margin_case(_perceptron, kink=0.0),
    "zero_one_loss": _zero_one_case,
}

LOSS_CLASSES = {entry.info.name: entry.implementation for entry in catalog.entries("loss")}


def test_every_case_is_a_catalog_loss():
    assert sorted(set(CASES) - set(LOSS_CLASSES)) == []


def _run_case(name):
    case = require(CASES, name, "loss", "CASES of tests/test_losses_accuracy.py")
    checks = _Checks()
    case(LOSS_CLASSES[name], checks, np.random.default_rng(sorted(CASES).index(name)))
    return checks


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_value_and_gradient_against_float64_over_the_whole_range(name):
    _run_case(name).done()
