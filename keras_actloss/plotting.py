"""Drawing catalog entries for `keras-actloss show NAME --plot FILE`.

Imported only by the CLI's `--plot`, so matplotlib stays optional.
"""

from __future__ import annotations

import numpy as np
from keras import ops

from keras_actloss.activations import functions as F
from keras_actloss.losses import MeanAbsoluteError, MeanSquaredError


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


def _per_sample(loss, y_true, y_pred):
    """The loss of each row, as numbers."""
    return ops.convert_to_numpy(loss(y_true, y_pred))


def _regression_curves(entry, error, target):
    info, cls = entry.info, entry.implementation
    y_true = np.full((error.size, 1), target, dtype="float32")
    y_pred = y_true + error[:, None]
    if info.name != "huber":
        return [(f"{info.name}(e)", _per_sample(cls(reduction=None), y_true, y_pred), "-")]
    curves = [
        (
            f"huber, delta={delta:g}",
            _per_sample(cls(delta=delta, reduction=None), y_true, y_pred),
            "-",
        )
        for delta in (0.5, 1.0, 2.0)
    ]
    curves.append(("MSE: e^2", _per_sample(MeanSquaredError(reduction=None), y_true, y_pred), "--"))
    curves.append(("MAE: |e|", _per_sample(MeanAbsoluteError(reduction=None), y_true, y_pred), ":"))
    return curves


def _classification_curves(entry, x):
    """Curves against the score (raw-score losses) or the probability of class 1."""
    info, cls = entry.info, entry.implementation
    loss = cls(reduction=None)
    column = x[:, None]
    if info.prediction == "raw_scores":
        return [
            (f"label {label:+d}", _per_sample(loss, np.full_like(column, label), column), "-")
            for label in (1, -1)
        ]
    if info.task == "binary_classification":
        return [
            (f"label {label}", _per_sample(loss, np.full_like(column, label), column), "-")
            for label in (1, 0)
        ]
    # Two classes, [p, 1 - p], with class 0 the true one.
    y_pred = np.concatenate([column, 1.0 - column], axis=-1)
    if info.target_encoding.startswith("integer"):
        return [("label 0", _per_sample(loss, np.zeros(x.size, "int32"), y_pred), "-")]
    targets = [(1.0, "-")] + ([(0.7, "--")] if info.name == "kl_divergence" else [])
    return [
        (
            f"target [{t:g}, {1 - t:g}]",
            _per_sample(loss, np.tile([t, 1.0 - t], (x.size, 1)), y_pred),
            style,
        )
        for t, style in targets
    ]


def draw_loss(axes, entry):
    """Regression losses against the error; classification losses against the prediction."""
    info = entry.info
    if info.task == "regression":
        x = np.linspace(-3, 3, 601, dtype="float32")
        if info.target_encoding.startswith("non-negative"):
            # MSLE is defined for y >= 0: with the target at 1, errors down to -1 make sense.
            x = x[x >= -1.0]
            curves = _regression_curves(entry, x, target=1.0)
            axes.set_xlabel("error e = y_pred - y_true (y_true = 1)")
        else:
            curves = _regression_curves(entry, x, target=0.0)
            axes.set_xlabel("error e = y_pred - y_true")
    elif info.prediction == "raw_scores":
        x = np.linspace(-3, 3, 601, dtype="float32")
        curves = _classification_curves(entry, x)
        axes.set_xlabel("raw score y_pred")
    else:
        x = np.linspace(0.001, 0.999, 999, dtype="float32")
        curves = _classification_curves(entry, x)
        axes.set_xlabel(
            "predicted probability of class 1"
            if info.task == "binary_classification"
            else "probability given to class 0 (of two)"
        )
    for label, values, style in curves:
        axes.plot(x, values, label=label, linestyle=style, linewidth=2)
    axes.set_ylabel("loss")
    axes.axhline(0, color="black", linewidth=0.5)
    axes.set_title(f"{info.name}: {info.formula}")


DRAWERS = {"activation": draw_activation, "loss": draw_loss}
