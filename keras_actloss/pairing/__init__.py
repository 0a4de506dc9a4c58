"""Pairing checks: catch a mismatched output activation, loss or targets before training.

"Activation functions and loss functions are not independent choices. They
must be paired correctly" ("Activation Functions and Loss Functions: The
Engines of Neural Network Learning", MHTECHIN, 2026). These functions read
a built model (and its targets) and report each mismatch as a `Finding`
with the reason and the fix:

- `check_pairing(model, loss=None)`: each output's activation with its loss;
- `check_targets(model, y, loss=None)`: the targets with the loss and output;
- `suggest_head(y, task=None)`: the output layer and loss for these targets.

`ignore=("code", ...)` silences chosen rules; `RULES` lists them all.
"""

from __future__ import annotations

from keras_actloss.findings import RULES, Finding, PairingError, PairingWarning, Rule, finding
from keras_actloss.pairing.compiled import (
    compiled_metrics,
    filtered,
    is_binary_accuracy,
    resolve_losses,
)
from keras_actloss.pairing.identify import activation_use, loss_use
from keras_actloss.pairing.model import all_layers, model_outputs
from keras_actloss.pairing.rules import check_hidden, check_output
from keras_actloss.pairing.targets import Head, check_targets, suggest_head

__all__ = [
    "RULES",
    "Finding",
    "Head",
    "PairingError",
    "PairingWarning",
    "Rule",
    "activation_use",
    "check_pairing",
    "check_targets",
    "loss_use",
    "suggest_head",
]


def check_pairing(model, loss=None, *, ignore=()):
    """Checks a built model's output activations against their losses.

    Args:
        model: a built `keras.Model` (Sequential and Functional, nested too).
        loss: anything `model.compile(loss=...)` takes: a string such as
            `"mse"`, a Keras or keras_actloss `Loss`, a loss function, or a
            dict / list with one per output. Defaults to the compiled loss.
        ignore: rule codes to leave out.

    Returns:
        A list of `Finding`s, empty when nothing is wrong.

    Raises:
        ValueError: for a model that is not built, or a per-output `loss`
            that does not match the model's outputs.
    """
    outputs = model_outputs(model)
    losses = resolve_losses(model, loss, outputs)
    multi = len(outputs) > 1
    found = []
    for output in outputs:
        name = output.name if multi else None
        used = losses[output.name]
        if used is None:
            found.append(
                finding(
                    "not-checked",
                    "No loss was given and the model is not compiled, so the output's "
                    "pairing with its loss was not checked.",
                    "pass `loss=` or compile the model first.",
                    output=name,
                    layer=output.layer,
                )
            )
            continue
        found.extend(check_output(output, used, name))
        if (
            output.activation.name == "softmax"
            and output.units != 1
            and used.info is not None
            and "multilabel" in used.info.tasks
            and any(is_binary_accuracy(m) for m in compiled_metrics(model, output.name))
        ):
            found.append(
                finding(
                    "accuracy-inflated",
                    "With binary cross-entropy on a softmax, Keras's accuracy counts each "
                    "unit as a separate yes/no, and most units are correctly 'no': the "
                    "reported accuracy is inflated.",
                    "use CategoricalCrossentropy with a `categorical_accuracy` metric.",
                    output=name,
                    layer=output.layer,
                )
            )
    found.extend(check_hidden(all_layers(model), {o.layer for o in outputs}))
    return filtered(found, ignore)
