"""Shared test cases: each activation built with non-default arguments."""

import keras

import keras_actloss as ka

# One instance per class, with non-default arguments where there are any.
NON_DEFAULT = {
    "step": dict(threshold=0.25, gradient="straight_through"),
    "linear": {},
    "sigmoid": {},
    "tanh": {},
    "relu": {},
    "leaky_relu": dict(negative_slope=0.2),
    "prelu": dict(alpha_initializer=keras.initializers.Constant(0.1), shared_axes=[1]),
    "elu": dict(alpha=0.5),
    "swish": dict(beta=1.5, trainable_beta=True),
    "softplus": dict(beta=2.0),
    "softmax": dict(axis=-1),
    "maxout": dict(units=6, pieces=3, kernel_regularizer="l2"),
}


def make(name):
    return ka.get_activation(name, **NON_DEFAULT[name])
