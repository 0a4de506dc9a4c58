"""Activation functions (`keras.ops`) and their Keras layers, one family per module.

- `classical`: the perceptron's step, the identity, sigmoid and tanh;
- `rectifiers`: ReLU, leaky ReLU, PReLU, ELU, Swish and softplus;
- `vector`: softmax and maxout, which are not elementwise.

Each module holds each function next to its derivative and its layer class.
The functions, e.g. ``keras_actloss.activations.swish(x, beta=1.0)``, are
importable from here; the layer classes from `keras_actloss` too.
"""

from keras_actloss.activations import classical, rectifiers, vector
from keras_actloss.activations._base import ActivationLayer, ElementwiseActivation
from keras_actloss.activations.classical import *  # noqa: F403
from keras_actloss.activations.rectifiers import *  # noqa: F403
from keras_actloss.activations.vector import *  # noqa: F403

_FAMILIES = (classical, rectifiers, vector)

#: The layer classes (re-exported by `keras_actloss.layers` and `keras_actloss`).
LAYERS = [
    "ActivationLayer",
    "ElementwiseActivation",
    *(n for module in _FAMILIES for n in module.__all__ if n[0].isupper()),
]

__all__ = [n for module in _FAMILIES for n in module.__all__] + [
    "ActivationLayer",
    "ElementwiseActivation",
]
