"""Drawing catalog entries for `keras-actloss show NAME --plot FILE`.

Imported only by the CLI's `--plot`, so matplotlib stays optional.
"""

from __future__ import annotations

import numpy as np
from keras import ops

from keras_actloss.activations import functions as F


def _activation_curves(entry, x):
    """The function and its derivative on a 1-D grid `x`."""
    name = entry.info.name
    if name == "softmax":
        # The first of two classes whose other logit is 0: softmax([x, 0])_0,
        # and its diagonal Jacobian entry s (1 - s).
        logits = np.stack([x, np.zeros_like(x)], axis=-1)
        jacobian = ops.convert_to_numpy(F.softmax_jacobian(logits))
        value = ops.convert_to_numpy(F.softmax(logits))[:, 0]
        return value, jacobian[:, 0, 0], "softmax([x, 0])[0]"
    if name == "maxout":
        # A unit with two pieces, x and -x: the seeds' "absolute function" example.
        value = ops.convert_to_numpy(F.maxout(np.stack([x, -x], axis=-1), pieces=2))
        return value, np.sign(x), "maxout(x, -x) = |x|"
    layer = entry.implementation()
    value = ops.convert_to_numpy(layer(x))
    derivative = ops.convert_to_numpy(layer.derivative(x))
    return value, derivative, f"{name}(x)"


def draw_activation(axes, entry):
    x = np.linspace(-5, 5, 1001, dtype="float32")
    value, derivative, label = _activation_curves(entry, x)
    axes.plot(x, value, label=label, linewidth=2)
    axes.plot(x, derivative, label="derivative", linestyle="--")
    axes.axhline(0, color="black", linewidth=0.5)
    axes.axvline(0, color="black", linewidth=0.5)
    axes.set_xlabel("x")
    axes.set_title(f"{entry.info.name}: {entry.info.formula}")


DRAWERS = {"activation": draw_activation}
