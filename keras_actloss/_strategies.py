"""`tf.distribute` strategies by name, for the searches and the examples.

TensorFlow is imported only when a strategy is asked for: the rest of the
package runs on every Keras backend.
"""

from __future__ import annotations

import keras

#: The strategies known by name; any `tf.distribute.Strategy` is accepted too.
NAMES = ("none", "mirrored")


def resolve_strategy(strategy):
    """`None` for none, a `tf.distribute.MirroredStrategy` over every local GPU (else every
    logical CPU) for ``"mirrored"``, or the strategy given.

    Raises:
        ValueError: for another string, or a strategy on a backend other than TensorFlow.
        TypeError: for something that is not a strategy.
    """
    expected = "distribution_strategy None, 'none', 'mirrored' or a tf.distribute.Strategy"
    if strategy is None or (isinstance(strategy, str) and strategy == "none"):
        return None
    if isinstance(strategy, str):
        if strategy not in NAMES:
            raise ValueError(f"Expected {expected}. Received: {strategy!r}")
    elif not (hasattr(strategy, "scope") and hasattr(strategy, "extended")):
        raise TypeError(
            f"Expected {expected}. Received: {strategy!r} of type {type(strategy).__name__}"
        )
    if keras.backend.backend() != "tensorflow":
        raise ValueError(
            "A tf.distribute strategy needs the TensorFlow backend (on JAX, see "
            "keras.distribution). Received: distribution_strategy="
            f"{strategy!r} with backend {keras.backend.backend()!r}"
        )
    if strategy == "mirrored":
        import tensorflow as tf

        # TensorFlow's default takes the GPUs, else one CPU even where the CPU was split into
        # logical devices: take every GPU, else every logical CPU.
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([device.name for device in devices])
    return strategy
