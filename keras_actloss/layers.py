"""Every activation in the seed articles as a registered Keras layer."""

from keras_actloss.activations.layers import (
    ELU,
    ActivationLayer,
    LeakyReLU,
    Linear,
    Maxout,
    PReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Step,
    Swish,
    Tanh,
)

__all__ = [
    "ActivationLayer",
    "ELU",
    "LeakyReLU",
    "Linear",
    "Maxout",
    "PReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Step",
    "Swish",
    "Tanh",
]
