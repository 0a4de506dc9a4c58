"""The pairing rules: which output activation goes with which loss and which targets.

Each rule is a `Rule` record (its code, one severity, what it catches and the
usual fix), and a check that reads the catalog: the rules know a loss by what
its record says it needs (`prediction`, `targets`, `tasks`,
`differentiable`, `diagnostic`) and an activation by its range in the model,
never by a list of names, so a loss or activation added to the catalog is
covered with no new rule. The reasoning quoted in the messages is that of
"Activation Functions and Loss Functions: The Engines of Neural Network
Learning" (MHTECHIN, 2026) and "Cost, Activation, Loss Function || Neural
Network || Deep Learning. What are these?" (M. Z. Mulla, 2020).
"""

from __future__ import annotations

import math

from keras_actloss.findings import RULES, finding

_SQUASHING = ("sigmoid", "softmax")
_PROBABILITY_INPUTS = ("probabilities", "probabilities_or_logits")


def check_output(output, loss, output_name=None):
    """The findings about one output's activation together with its loss."""
    act, info = output.activation, loss.info
    where = {"output": output_name, "layer": output.layer}
    found = []
    if act.name is None:
        found.append(
            finding(
                "not-checked",
                f"The output activation {act.spelled} is not one the pairing rules know.",
                RULES["not-checked"].fix,
                **where,
            )
        )
    if info is None:
        found.append(
            finding(
                "not-checked",
                f"The loss {loss.spelled} is not one the pairing rules know.",
                RULES["not-checked"].fix,
                **where,
            )
        )
    if act.name is None or info is None:
        return found
    units = output.units
    wants_probabilities = info.prediction in _PROBABILITY_INPUTS or info.name == "kl_divergence"
    if loss.from_logits and act.name in _SQUASHING:
        found.append(
            finding(
                "from-logits-after-squash",
                f"`from_logits=True` tells {loss.class_name} that the output holds raw "
                f"logits, but it went through a {act.name}: it is squashed twice, and the "
                "loss and its gradients are wrong.",
                f"use {loss.class_name}(from_logits=False), or make the output linear "
                f"(remove the {act.name}).",
                **where,
            )
        )
    elif loss.from_logits and _logits_capped(act.bounds, binary="binary" in info.tasks):
        low, high = act.bounds
        found.append(
            finding(
                "bounded-logits",
                f"`from_logits=True` takes the {act.name} output as logits, but it ranges over "
                f"{_interval(act.bounds)}: "
                + (
                    f"the predicted probability stays within [{_sigmoid(low):.3g}, "
                    f"{_sigmoid(high):.3g}], so the loss cannot approach 0."
                    if "binary" in info.tasks
                    else "the softmax of logits that bounded can never be confident."
                ),
                f"make the output linear (remove the {act.name}).",
                **where,
            )
        )
    elif wants_probabilities and not loss.from_logits and not act.within_unit_interval:
        has_flag = info.prediction == "probabilities_or_logits"
        squash = "Sigmoid" if "binary" in info.tasks else "Softmax"
        found.append(
            finding(
                "probability-loss-on-unbounded-output",
                f"{loss.class_name} needs probabilities in [0, 1], but the {act.name} output "
                f"ranges over {_interval(act.bounds)}: cross-entropy requires probability-like "
                "inputs between 0 and 1.",
                (
                    f"use {loss.class_name}(from_logits=True) on the raw output, or put a "
                    f"{squash} on the output."
                )
                if has_flag
                else f"put a {squash} on the output.",
                **where,
            )
        )
    if act.name == "softmax" and units == 1:
        found.append(
            finding(
                "softmax-single-unit",
                "A softmax over a single unit always outputs 1, whatever the input: the "
                "model cannot learn anything.",
                "use a Sigmoid for one unit (binary), or one unit per class with the Softmax.",
                **where,
            )
        )
    if not info.differentiable:
        found.append(
            finding(
                "zero-gradient-on-path",
                f"{loss.class_name} counts mistakes: its gradient is zero everywhere, so "
                "gradient-based optimization is impossible.",
                "train with cross-entropy and report the 0-1 loss as a metric.",
                **where,
            )
        )
    if info.targets in ("one_hot", "integer_labels") and units == 1:
        found.append(
            finding(
                "categorical-loss-on-single-unit",
                f"{loss.class_name} compares a distribution over classes, but the output "
                "has one unit: the loss is always 0 (one class) and nothing is learned.",
                "use BinaryCrossentropy with a Sigmoid output, or one unit per class.",
                **where,
            )
        )
    if act.name == "softmax" and units != 1 and "regression" in info.tasks:
        found.append(
            finding(
                "softmax-with-regression-loss",
                f"{loss.class_name} with a softmax output works mathematically but produces "
                "poor gradients and slow convergence.",
                "use CategoricalCrossentropy (one-hot targets), SparseCategoricalCrossentropy "
                "(integer labels) or KLDivergence (soft targets).",
                **where,
            )
        )
    if act.name == "softmax" and units != 1 and "multilabel" in info.tasks:
        found.append(
            finding(
                "bce-after-softmax",
                f"{loss.class_name} treats each unit as an independent yes/no, but a softmax "
                "makes the classes exclusive; the reported accuracy is inflated.",
                "use CategoricalCrossentropy for exclusive classes, or a Sigmoid per class for "
                "multi-label.",
                **where,
            )
        )
    if info.prediction == "raw_scores" and act.name in _SQUASHING:
        found.append(
            finding(
                "margin-loss-after-squash",
                f"{loss.class_name} wants raw scores of either sign around a margin, but "
                f"the {act.name} squashes them into (0, 1), where every score counts as "
                "positive.",
                "use a Linear (or Tanh) output.",
                **where,
            )
        )
    if (
        act.name == "sigmoid"
        and units != 1
        and info.targets
        in (
            "one_hot",
            "distribution",
            "integer_labels",
        )
    ):
        found.append(
            finding(
                "categorical-loss-on-sigmoid",
                f"{loss.class_name} expects one distribution over exclusive classes, but "
                "independent sigmoids do not sum to 1 (multi-label).",
                "use BinaryCrossentropy for multi-label, or a Softmax for exclusive classes.",
                **where,
            )
        )
    if info.targets == "non_negative" and act.bounds[0] < 0:
        found.append(
            finding(
                "msle-on-signed-output",
                f"{loss.class_name} is for non-negative values, but the {act.name} output "
                f"ranges over {_interval(act.bounds)}; negative predictions are clipped to 0 "
                "and get no gradient.",
                "use a Softplus or ReLU output.",
                **where,
            )
        )
    if info.diagnostic:
        found.append(
            finding(
                "diagnostic-as-loss",
                f"{loss.class_name} is unbounded below: positive and negative errors "
                "cancel, and minimizing it drives the predictions to infinity.",
                "train with MeanSquaredError, MeanAbsoluteError or Huber, and watch the mean "
                "error as a metric.",
                **where,
            )
        )
    return found


def _logits_capped(bounds, binary):
    """Whether logits within `bounds` keep the probability away from 0 or 1.

    A sigmoid needs logits of either sign and any size; a softmax is
    shift-invariant, so one open end is enough for it.
    """
    low, high = bounds
    finite = math.isfinite(low), math.isfinite(high)
    return any(finite) if binary else all(finite)


def _sigmoid(x):
    return 0.5 * (1.0 + math.tanh(0.5 * x)) if math.isfinite(x) else float(x > 0)


def _interval(bounds):
    low, high = bounds
    return f"[{low:g}, {high:g}]".replace("[-inf", "(-inf").replace("inf]", "inf)")


def check_hidden(layers, output_layers):
    """The findings about the hidden layers: zero-gradient steps, no nonlinearity, saturation."""
    from keras_actloss.pairing.model import has_weights, layer_activation

    found = []
    weighted = [layer for layer in layers if has_weights(layer)]
    nonlinear = []
    saturating = []
    for layer in layers:
        act = layer_activation(layer)
        if act is None:
            continue
        if act.zero_gradient:
            found.append(
                finding(
                    "zero-gradient-on-path",
                    "A step activation passes a zero gradient (its derivative is zero "
                    "everywhere), so no layer before it can learn.",
                    'use Step(gradient="straight_through"), or a smooth activation such as '
                    "Sigmoid or ReLU.",
                    layer=layer.name,
                )
            )
        if layer.name in output_layers:
            continue
        if act.name != "linear":
            nonlinear.append(layer)
        if act.name in ("sigmoid", "tanh"):
            saturating.append(layer)
    hidden_weighted = [layer for layer in weighted if layer.name not in output_layers]
    if len(weighted) >= 2 and hidden_weighted and not nonlinear:
        found.append(
            finding(
                "no-hidden-nonlinearity",
                "No hidden layer applies a nonlinearity: stacked linear layers equal one "
                "linear layer, so the depth adds nothing.",
                "give the hidden layers an activation, e.g. Dense(..., activation=ReLU()) or "
                "a ReLU layer after each.",
                layer=hidden_weighted[0].name,
            )
        )
    if saturating and len(hidden_weighted) >= 3:
        found.append(
            finding(
                "saturating-hidden-stack",
                f"{len(saturating)} hidden layers use sigmoid or tanh in a stack of "
                f"{len(hidden_weighted)}: their gradients shrink exponentially as they "
                "backpropagate (vanishing gradients).",
                "use ReLU, LeakyReLU or ELU in the hidden layers.",
                layer=saturating[0].name,
            )
        )
    return found
