"""The base classes of every activation layer, and numerics their functions share."""

from __future__ import annotations

import functools
import warnings

import keras
from keras import ops

from keras_actloss import _validation as check
from keras_actloss import catalog


class ActivationLayer(keras.layers.Layer):
    """Base class of every activation layer: a function of its input and arguments.

    Subclasses name their `function` and declare each constructor argument
    as a `check.Argument`; `arguments()` collects them, and `call` and
    `get_config` both read that one dict, so a constructor argument cannot
    be forgotten by either. The input's Keras
    mask is passed on to the output. A layer without weights is built at
    construction, as Keras's own activation layers are.
    """

    function = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        if type(self).build is keras.layers.Layer.build:
            self.built = True

    def arguments(self):
        """The function's keyword arguments (also the layer's config): its `Argument`s."""
        return check.argument_values(self)

    def call(self, inputs):
        return type(self).function(inputs, **self.arguments())

    def output_bounds(self):
        """The range of this layer's output, ``(low, high)``, for its own arguments.

        The catalog's `output_range` is for the default arguments; layers
        whose range moves with an argument (`ELU`'s alpha) override this.
        """
        return catalog.entry_of(self).info.bounds

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), **self.arguments()}


class ElementwiseActivation(ActivationLayer):
    """An activation applied to each element alone, with its analytic derivative."""

    derivative_function = None

    def derivative(self, x):
        """The analytic derivative f'(x), elementwise, in the layer's compute dtype."""
        x = ops.convert_to_tensor(x, dtype=self.compute_dtype)
        return type(self).derivative_function(x, **self.arguments())


_WIDER = {"float16": "float32", "bfloat16": "float32", "float32": "float64"}


@functools.cache
def _has_float64():
    # JAX without `jax_enable_x64` quietly turns float64 into float32 (with a
    # warning per call); there float32 work simply stays float32.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probe = ops.convert_to_tensor(0.0, dtype="float64")
    return keras.backend.standardize_dtype(probe.dtype) == "float64"


def widen(x):
    wide = _WIDER.get(keras.backend.standardize_dtype(x.dtype), x.dtype)
    if wide == "float64" and not _has_float64():
        return x
    return ops.cast(x, wide)


def is_one(value):
    return isinstance(value, (int, float)) and value == 1.0


def scaled(x, beta):
    """(beta * x, x) computed in a float type wider than x's.

    exp(beta * x) turns the rounding error of the product into a relative
    error of |beta * x| ulps (up to ~70 where the result is still above
    1e-30), so a non-unit beta is applied in the next wider type.
    """
    x = widen(x)
    # A Python float multiplies exactly in x's type; `ops.cast(1.7, "float64")`
    # would first round it to float32.
    beta = beta if isinstance(beta, (int, float)) else ops.cast(beta, x.dtype)
    return beta * x, x
