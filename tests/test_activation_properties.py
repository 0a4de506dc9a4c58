"""Property-based checks: random arguments and inputs, and the catalog's claims."""

import numpy as np
import pytest
from activation_cases import required_arguments
from backends import to_numpy
from checks import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

import keras_actloss as ka

finite_inputs = st.lists(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, width=32), min_size=1, max_size=32
)


# Every check here: within 1e-6 relative or 1e-30 absolute of the float64 reference,
# unless it says otherwise.
RTOL, ATOL = 1e-6, 1e-30


@settings(max_examples=60, deadline=None)
@given(finite_inputs, st.floats(min_value=0.0, max_value=1.0))
def test_leaky_relu_any_slope(xs, slope):
    x = np.array(xs, dtype="float32")
    x64 = x.astype("float64")
    slope32 = float(np.float32(slope))  # the layer computes with the slope in float32
    expected = np.where(x64 > 0, x64, slope32 * x64)
    assert_close(ka.LeakyReLU(negative_slope=slope)(x), expected, rtol=2e-7, atol=ATOL, x=x)


@settings(max_examples=60, deadline=None)
@given(finite_inputs, st.floats(min_value=0.05, max_value=10.0))
def test_elu_any_alpha(xs, alpha):
    x = np.array(xs, dtype="float32")
    x64 = x.astype("float64")
    alpha32 = float(np.float32(alpha))
    expected = np.where(x64 > 0, x64, alpha32 * np.expm1(np.minimum(x64, 0.0)))
    assert_close(ka.ELU(alpha=alpha)(x), expected, RTOL, ATOL, x=x)


@settings(max_examples=60, deadline=None)
@given(finite_inputs, st.floats(min_value=0.1, max_value=10.0))
def test_swish_and_softplus_any_beta(xs, beta):
    x = np.array(xs, dtype="float32")
    x64 = x.astype("float64")
    assert_close(ka.Swish(beta=beta)(x), x64 * special.expit(beta * x64), RTOL, ATOL, x=x)
    assert_close(ka.Softplus(beta=beta)(x), np.logaddexp(0.0, beta * x64) / beta, RTOL, ATOL, x=x)


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
    out = to_numpy(ka.Softmax()(x), "float64")
    assert_close(out, special.softmax(x.astype("float64"), axis=-1), RTOL, ATOL)
    assert abs(out.sum() - 1.0) < 1e-6


GRID = np.linspace(-50.0, 50.0, 20001).astype("float32")


# Every elementwise activation: the range and monotonicity of a function of one input.
@pytest.mark.parametrize("name", ka.activation_names(elementwise=True, include_required=True))
def test_catalog_range_and_monotonicity_hold_for_the_implementation(name):
    info = ka.describe(name)
    layer = ka.get_activation(name, **required_arguments(name))
    values = to_numpy(layer(GRID), "float64")
    low, high = info.bounds
    assert values.min() >= low - 1e-6 and values.max() <= high + 1e-6, (values.min(), values.max())
    # TensorFlow's float32 tanh and expm1 step back by 1 ulp here and there
    # near saturation; the catalog describes the mathematical function, so
    # only a fall larger than a few ulps counts (Swish dips by 0.28).
    ulps = 4 * np.finfo("float32").eps * np.maximum(np.abs(values[1:]), np.finfo("float32").tiny)
    non_decreasing = bool(np.all(np.diff(values) >= -ulps))
    assert non_decreasing == info.monotonic
