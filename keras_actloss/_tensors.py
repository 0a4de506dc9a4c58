"""Tensor helpers shared by the activation and loss functions (keras.ops only)."""

from __future__ import annotations

import keras
import ml_dtypes
from keras import ops


def as_float(x):
    """`x` as a tensor of a float type: its own if it has one, else `floatx()`."""
    x = ops.convert_to_tensor(x)
    if not keras.backend.is_float_dtype(x.dtype):
        x = ops.cast(x, keras.backend.floatx())
    return x


def finfo(dtype):
    """Machine limits of a float dtype given in any form Keras accepts (bfloat16 too)."""
    return ml_dtypes.finfo(keras.backend.standardize_dtype(dtype))
