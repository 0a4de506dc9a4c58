"""Every activation layer of the catalog (also importable from `keras_actloss`)."""

from keras_actloss.activations import *  # noqa: F403
from keras_actloss.activations import LAYERS as __all__  # noqa: F401
