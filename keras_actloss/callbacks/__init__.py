"""Keras callbacks: the pairing validator (training-health monitors come next to it)."""

from keras_actloss.callbacks.pairing import PairingValidator

__all__ = ["PairingValidator"]
