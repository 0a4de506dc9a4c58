"""Drawing catalog entries for `keras-actloss show NAME --plot FILE`.

Imported only by the CLI's `--plot`, so matplotlib stays optional. What is
drawn is decided by catalog fields (an activation's `elementwise`, a loss's
`targets`), never by a function's name, so a new entry is drawn the way its
kind is, or refused with a clear error.
"""

from __future__ import annotations

import inspect

import numpy as np
from keras import ops

from keras_actloss.losses import MeanAbsoluteError, MeanSquaredError


def _activation_curves(entry, x):
    """The function and its derivative on a 1-D grid `x`, with a label."""
    cls = entry.implementation
    if hasattr(cls, "example_curve"):  # not a function of one number: it shows an example
        return cls.example_curve(x)
    if not entry.info.elementwise or entry.required_arguments:
        raise ValueError(
            f"Cannot draw {entry.info.name!r}: it is not elementwise, or needs arguments "
            f"{entry.required_arguments}, and its class has no `example_curve`."
        )
    layer = cls()
    value = ops.convert_to_numpy(layer(x))
    derivative = ops.convert_to_numpy(layer.derivative(x))
    return value, derivative, f"{entry.info.name}(x)"


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


def _float_argument(cls):
    """The name and default of the first float argument of a loss (Huber's `delta`), or None."""
    for parameter in inspect.signature(cls.__init__).parameters.values():
        if isinstance(parameter.default, float):
            return parameter.name, parameter.default
    return None


def _error_curves(entry, error, target):
    """A regression loss against the error; one curve per value of its float argument."""
    cls = entry.implementation
    y_true = np.full((error.size, 1), target, dtype="float32")
    y_pred = y_true + error[:, None]
    argument = _float_argument(cls)
    if argument is None:
        return [(f"{entry.info.name}(e)", _per_sample(cls(reduction=None), y_true, y_pred), "-")]
    name, default = argument
    curves = [
        (
            f"{entry.info.name}, {name}={value:g}",
            _per_sample(cls(reduction=None, **{name: value}), y_true, y_pred),
            "-",
        )
        for value in (default / 2, default, default * 2)
    ]
    curves.append(("MSE: e^2", _per_sample(MeanSquaredError(reduction=None), y_true, y_pred), "--"))
    curves.append(("MAE: |e|", _per_sample(MeanAbsoluteError(reduction=None), y_true, y_pred), ":"))
    return curves


def _real(entry):
    x = np.linspace(-3, 3, 601, dtype="float32")
    return x, _error_curves(entry, x, target=0.0), "error e = y_pred - y_true"


def _non_negative(entry):
    # Defined for y >= 0: with the target at 1, errors down to -1 make sense.
    x = np.linspace(-1, 3, 401, dtype="float32")
    return x, _error_curves(entry, x, target=1.0), "error e = y_pred - y_true (y_true = 1)"


def _labelled(entry, x, labels):
    loss = entry.implementation(reduction=None)
    column = x[:, None]
    return [
        (f"label {label:+g}", _per_sample(loss, np.full_like(column, label), column), "-")
        for label in labels
    ]


def _signed(entry):
    x = np.linspace(-3, 3, 601, dtype="float32")
    return x, _labelled(entry, x, (1, -1)), "raw score y_pred"


def _binary(entry):
    if entry.info.prediction == "raw_scores":
        x = np.linspace(-3, 3, 601, dtype="float32")
        return x, _labelled(entry, x, (1, 0)), "raw score y_pred"
    x = np.linspace(0.001, 0.999, 999, dtype="float32")
    return x, _labelled(entry, x, (1, 0)), "predicted probability of class 1"


def _two_classes(entry, targets):
    """Two classes, [p, 1 - p], against each target row in `targets`."""
    x = np.linspace(0.001, 0.999, 999, dtype="float32")
    loss = entry.implementation(reduction=None)
    y_pred = np.stack([x, 1.0 - x], axis=-1)
    curves = [
        (label, _per_sample(loss, np.tile(np.asarray(t, "float32"), (x.size, 1)), y_pred), style)
        for label, t, style in targets
    ]
    return x, curves, "probability given to class 0 (of two)"


def _one_hot(entry):
    return _two_classes(entry, [("target [1, 0]", [1.0, 0.0], "-")])


def _distribution(entry):
    return _two_classes(
        entry, [("target [1, 0]", [1.0, 0.0], "-"), ("target [0.7, 0.3]", [0.7, 0.3], "--")]
    )


def _integer_labels(entry):
    x = np.linspace(0.001, 0.999, 999, dtype="float32")
    y_pred = np.stack([x, 1.0 - x], axis=-1)
    loss = entry.implementation(reduction=None)
    curves = [("label 0", _per_sample(loss, np.zeros(x.size, "int32"), y_pred), "-")]
    return x, curves, "probability given to class 0 (of two)"


#: How a loss is drawn, by the kind of targets it expects (`LossInfo.targets`).
LOSS_DRAWINGS = {
    "real": _real,
    "non_negative": _non_negative,
    "signed": _signed,
    "binary": _binary,
    "one_hot": _one_hot,
    "distribution": _distribution,
    "integer_labels": _integer_labels,
}


def draw_loss(axes, entry):
    """A loss against the error, the raw score or the predicted probability, by its targets."""
    info = entry.info
    try:
        drawing = LOSS_DRAWINGS[info.targets]
    except KeyError:
        raise ValueError(
            f"No drawing for losses whose targets are {info.targets!r}. Known: "
            f"{', '.join(LOSS_DRAWINGS)}. Received: name={info.name!r}"
        ) from None
    x, curves, xlabel = drawing(entry)
    for label, values, style in curves:
        axes.plot(x, values, label=label, linestyle=style, linewidth=2)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("loss")
    axes.axhline(0, color="black", linewidth=0.5)
    axes.set_title(f"{info.name}: {info.formula}")


DRAWERS = {"activation": draw_activation, "loss": draw_loss}
