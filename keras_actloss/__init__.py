"""keras_actloss: every activation and loss from the seed articles, for Keras 3.

Importing the package registers its classes with Keras, which is also what
loading a `.keras` file that uses them requires (Keras >= 3.9 no longer
imports third-party modules while loading)::

    import keras_actloss
    model = keras.saving.load_model("model.keras")
"""

from keras_actloss import catalog, losses, metrics
from keras_actloss.layers import *  # noqa: F403
from keras_actloss.layers import __all__ as _layer_names
from keras_actloss.lookup import activation_names, describe, get_activation, get_loss, loss_names

__version__ = "0.1.0"

__all__ = [
    *_layer_names,
    "activation_names",
    "catalog",
    "describe",
    "get_activation",
    "get_loss",
    "loss_names",
    "losses",
    "metrics",
]
