"""Property-based checks: random arguments and inputs, and the catalog's claims."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

import keras_actloss as ka

finite_inputs = st.lists(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, width=32), min_size=1, max_size=32
)


def _assert_close(actual, expected, rtol=1e-6, atol=1e-30):
    actual = np.asarray(actual, dtype="float64")
    np.testing.assert_array_less(
        np.abs(actual - expected), np.maximum(rtol * np.abs(expected), atol) + 1e-300
    )


@settings(max_examples=60, deadline=None)
@given(finite_inputs, st.floats(min_value=0.0, max_value=1.0))
def test_leaky_relu_any_slope(xs, slope):
    x = np.array(xs, dtype="float32")
    x64 = x.astype("float64")
    slope32 = float(np.float32(slope))  # the layer computes with the slope in float32
    _assert_close(
        ka.LeakyReLU(negative_slope=slope)(x), np.where(x64 > 0, x64, slope32 * x64), rtol=2e-7
    )


@settings(max_examples=60, deadline=None)
@given(finite_inputs, st.floats(min_value=0.05, max_value=10.0))
def test_elu_any_alpha(xs, alpha):
    x = np.array(xs, dtype="float32")
    x64 = x.astype("float64")
    alpha32 = float(np.float32(alpha))
    _assert_close(ka.ELU(alpha=alpha)(x), np.where(x64 > 0, x64, alpha32 * np.expm1(x64)))


@settings(max_examples=60, deadline=None)
@given(finite_inputs, st.floats(min_value=0.1, max_value=10.0))
def test_swish_and_softplus_any_beta(xs, beta):
    x = np.array(xs, dtype="float32")
    x64 = x.astype("float64")
    _assert_close(ka.Swish(beta=beta)(x), x64 * special.expit(beta * x64))
    _assert_close(ka.Softplus(beta=beta)(x), np.logaddexp(0.0, beta * x64) / beta)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, width=32),
        min_size=2,
        max_size=12,
    )
)
def test_softmax_is_a_distribution_matching_the_reference(xs):
    x = np.array([xs], dtype="float32")
    out = np.asarray(ka.Softmax()(x), dtype="float64")
    _assert_close(out, special.softmax(x.astype("float64"), axis=-1))
    assert abs(out.sum() - 1.0) < 1e-6


GRID = np.linspace(-50.0, 50.0, 20001).astype("float32")


@pytest.mark.parametrize(
    "name", [n for n in ka.activation_names() if n not in ("softmax", "maxout")]
)
def test_catalog_range_and_monotonicity_hold_for_the_implementation(name):
    info = ka.describe(name)
    values = np.asarray(ka.get_activation(name)(GRID), dtype="float64")
    low, high = info.bounds
    assert values.min() >= low - 1e-6 and values.max() <= high + 1e-6, (values.min(), values.max())
    # TensorFlow's float32 tanh and expm1 step back by 1 ulp here and there
    # near saturation; the catalog describes the mathematical function, so
    # only a fall larger than a few ulps counts (Swish dips by 0.28).
    ulps = 4 * np.finfo("float32").eps * np.maximum(np.abs(values[1:]), np.finfo("float32").tiny)
    non_decreasing = bool(np.all(np.diff(values) >= -ulps))
    assert non_decreasing == info.monotonic
