"""Activations compiled as `fit` and `predict` run them keep their float64 accuracy.

Several activations reach float32's precision through error-free
transformations and corrections (`keras_actloss/activations/_base.py`)
that rely on each rounding happening as written. Graph compilers rewrite
arithmetic: TensorFlow's graph optimizer turns log(y + 1) into log1p(y),
XLA folds the constants of (y + 1) - 1 into y. So the references of
tests/test_activation_values.py are checked here again with the layer
inside `tf.function` (with and without XLA) or `jax.jit`: values, and the
gradients of elementwise activations. PyTorch runs eagerly in Keras.
"""

import keras
import numpy as np
import pytest
from backends import BACKEND
from checks import assert_close
from test_activation_values import REFERENCES

import keras_actloss as ka
from keras_actloss import catalog

MODES = {"tensorflow": ["graph", "xla"], "jax": ["jit"]}.get(BACKEND, [])


def _compiled(fn, mode):
    """`fn` and its elementwise gradient, compiled in `mode`: two functions of a NumPy array."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        jit = mode == "xla"

        @tf.function(jit_compile=jit)
        def value(x):
            return fn(x)

        @tf.function(jit_compile=jit)
        def slope(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                total = tf.reduce_sum(fn(x))
            return tape.gradient(total, x)

        return lambda x: value(tf.constant(x)), lambda x: slope(tf.constant(x))
    import jax

    return jax.jit(fn), jax.jit(jax.grad(lambda x: fn(x).sum()))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", sorted(REFERENCES))
def test_compiled_values_and_gradients_match_float64(case, mode):
    reference = REFERENCES[case]
    layer = ka.get_activation(reference.name, **reference.kwargs)
    x = reference.inputs
    layer(x[:1])  # builds the weights outside the compiled function
    value, slope = _compiled(layer, mode)
    x64 = x.astype("float64")
    elementwise = catalog.lookup("activation", reference.name).info.elementwise
    assert_close(value(x), reference.value(x64), *reference.value_tolerance)
    if elementwise:
        expected = reference.derivative(x64)
        keep = np.ones_like(x64, dtype=bool)
        for kink in reference.kinks:
            keep &= np.abs(x64 - kink) > 1e-3
        actual = keras.ops.convert_to_numpy(slope(x))
        assert_close(np.where(keep, actual, expected), expected, *reference.derivative_tolerance)
