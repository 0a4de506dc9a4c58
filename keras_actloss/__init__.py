"""keras_actloss: activation layers and losses for Keras 3, with a catalog of what each is for.

Importing the package registers its classes with Keras, which is also what
loading a `.keras` file that uses them requires (Keras >= 3.9 no longer
imports third-party modules while loading)::

    import keras_actloss
    model = keras.saving.load_model("model.keras")
"""

from keras_actloss import callbacks, catalog, config, layers, lookup, losses, metrics, pairing
from keras_actloss.findings import Finding, HealthWarning, PairingError, PairingWarning
from keras_actloss.layers import *  # noqa: F403
from keras_actloss.lookup import *  # noqa: F403
from keras_actloss.pairing import check_pairing, check_targets, suggest_head

__version__ = "0.1.0"

__all__ = [
    *layers.__all__,
    *lookup.__all__,
    "Finding",
    "HealthWarning",
    "PairingError",
    "PairingWarning",
    "callbacks",
    "catalog",
    "check_pairing",
    "config",
    "check_targets",
    "losses",
    "metrics",
    "pairing",
    "suggest_head",
]
