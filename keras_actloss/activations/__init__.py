"""Activation functions (`keras.ops`) and their Keras layers.

The functions, e.g. ``keras_actloss.activations.swish(x, beta=1.0)``, are
importable from here; the layer classes live in
`keras_actloss.activations.layers` and are re-exported by
`keras_actloss.layers` and the top-level package.
"""

from keras_actloss.activations.functions import (
    elu,
    elu_derivative,
    leaky_relu,
    leaky_relu_derivative,
    linear,
    linear_derivative,
    maxout,
    prelu,
    prelu_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    softmax_jacobian,
    softplus,
    softplus_derivative,
    step,
    step_derivative,
    swish,
    swish_derivative,
    tanh,
    tanh_derivative,
)

__all__ = [
    "elu",
    "elu_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear",
    "linear_derivative",
    "maxout",
    "prelu",
    "prelu_derivative",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_jacobian",
    "softplus",
    "softplus_derivative",
    "step",
    "step_derivative",
    "swish",
    "swish_derivative",
    "tanh",
    "tanh_derivative",
]
