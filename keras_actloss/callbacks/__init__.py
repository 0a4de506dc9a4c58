"""Keras callbacks: the pairing validator and the training-health monitors."""

from keras_actloss.callbacks.health import (
    DeadReLUMonitor,
    GradientHealthMonitor,
    SaturationMonitor,
)
from keras_actloss.callbacks.pairing import PairingValidator

__all__ = ["DeadReLUMonitor", "GradientHealthMonitor", "PairingValidator", "SaturationMonitor"]
