"""Shared test cases: each catalog activation built with non-default arguments.

A class without constructor arguments needs no entry in `NON_DEFAULT`; one
with arguments that has none fails every test that builds it, naming it.
"""

import keras
from checks import constructor_arguments, require

import keras_actloss as ka
from keras_actloss import catalog

WHERE = "NON_DEFAULT (tests/activation_cases.py)"

# Non-default arguments, per catalog name, of every class that takes any.
NON_DEFAULT = {
    "step": dict(threshold=0.25, gradient="straight_through"),
    "leaky_relu": dict(negative_slope=0.2),
    "prelu": dict(alpha_initializer=keras.initializers.Constant(0.1), shared_axes=[1]),
    "elu": dict(alpha=0.5),
    "swish": dict(beta=1.5, trainable_beta=True),
    "softplus": dict(beta=2.0),
    # Axis 1 is the last axis of the (batch, features) inputs most tests use.
    "softmax": dict(axis=1),
    "maxout": dict(units=6, pieces=3, kernel_regularizer=keras.regularizers.L2(0.01)),
}


def implementation(name):
    """The layer class of the catalog activation `name`."""
    return catalog.lookup("activation", name).implementation


def arguments(name):
    """The non-default constructor arguments of `name` ({} for a class that takes none)."""
    if not constructor_arguments(implementation(name)):
        return {}
    return require(NON_DEFAULT, name, "activation", WHERE)


def required_arguments(name):
    """Only the arguments `name`'s class cannot be built without (Maxout's `units`)."""
    required = catalog.lookup("activation", name).required_arguments
    if not required:
        return {}
    given = arguments(name)
    missing = [a for a in required if a not in given]
    assert not missing, f"{WHERE} lacks the required arguments {missing} of {name!r}"
    return {a: given[a] for a in required}


def make(name):
    """A new layer for the catalog activation `name`, with its non-default arguments."""
    return ka.get_activation(name, **arguments(name))
