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

from collections.abc import Mapping, Sequence

from keras_actloss.findings import RULES, Finding, PairingError, PairingWarning, Rule, finding
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


def per_output(value, names, what):
    """`value` given once, per output as a list, or as a dict by output name -> {name: value}."""
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(
                f"The {what} dict names outputs the model does not have: {unknown}. The "
                f"model's outputs: {list(names)}. Received: {what} keys {sorted(value)}"
            )
        return {name: value.get(name) for name in names}
    if isinstance(value, Sequence) and not isinstance(value, str) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(
                f"Expected one {what} per output ({len(names)}: {list(names)}). "
                f"Received: {len(value)} {what}s"
            )
        return dict(zip(names, value, strict=True))
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 1:
        value = value[0]
    return {name: value for name in names}


def _compiled_metrics(model):
    try:
        config = model.get_compile_config() or {}
    except Exception:  # an uncompiled model has no compile config
        return []
    metrics = config.get("metrics") or []
    if isinstance(metrics, Mapping):
        metrics = [m for value in metrics.values() for m in _as_list(value)]
    return [m for value in metrics for m in _as_list(value)]


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _metric_name(metric):
    if isinstance(metric, str):
        return metric
    if isinstance(metric, Mapping):
        return str(metric.get("class_name") or metric.get("config", {}).get("name", ""))
    return getattr(metric, "name", type(metric).__name__)


def is_accuracy(metric):
    name = _metric_name(metric).lower()
    return name in ("acc", "accuracy") or "accuracy" in name


def _filtered(findings, ignore):
    ignore = set(ignore or ())
    unknown = ignore - set(RULES)
    if unknown:
        raise ValueError(
            f"Expected rule codes among {sorted(RULES)}. Received: ignore={sorted(unknown)}"
        )
    return [f for f in findings if f.code not in ignore]


def resolve_losses(model, loss, outputs):
    """{output name: LossUse or None} from `loss`, else from what the model was compiled with."""
    if loss is None:
        loss = getattr(model, "loss", None)
    names = [o.name for o in outputs]
    if loss is None:
        return {name: None for name in names}
    return {
        name: None if value is None else loss_use(value)
        for name, value in per_output(loss, names, "loss").items()
    }


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
            and any(is_accuracy(m) for m in _compiled_metrics(model))
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
    return _filtered(found, ignore)
