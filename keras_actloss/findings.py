"""What the pairing checks (and, later, the training-health monitors) report.

A `Finding` is plain data: a stable code, a severity, which output and
layer it is about, what is wrong and why, and the fix. `RULES` lists every
code with its one severity, what it catches and the usual fix. Callbacks
and losses emit findings as warnings of a category users can filter
(`PairingWarning`), and strict mode raises `PairingError`. This module
imports nothing of the package, so the losses can report through it too.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings

SEVERITIES = ("error", "warning", "info")

logger = logging.getLogger("keras_actloss")
# A library logs only where the application configured logging: without this,
# Python's last-resort handler would print each finding a second time.
logger.addHandler(logging.NullHandler())


class PairingWarning(UserWarning):
    """A mismatched output activation, loss or target (filter it like any warning)."""


class HealthWarning(UserWarning):
    """A training-health problem that a monitor found (filter it like any warning)."""


class PairingError(ValueError):
    """Raised before training when an error-severity pairing finding exists (strict mode)."""

    def __init__(self, findings):
        self.findings = list(findings)
        super().__init__("\n".join(str(f) for f in self.findings))


@dataclasses.dataclass(frozen=True)
class Finding:
    """One thing a check found.

    Attributes:
        code: a stable kebab-case id, e.g. ``"from-logits-after-squash"``.
        severity: ``"error"``, ``"warning"`` or ``"info"``.
        message: what is wrong and why, in one or two sentences.
        fix: what to use instead, concretely.
        output: the model output's name (for multi-output models), or None.
        layer: the name of the layer the finding is about, or None.
    """

    code: str
    severity: str
    message: str
    fix: str
    output: str | None = None
    layer: str | None = None

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"Expected severity to be one of {SEVERITIES}. Received: severity={self.severity!r}"
            )

    def __str__(self):
        where = ", ".join(
            part
            for part in (
                f"output '{self.output}'" if self.output else "",
                f"layer '{self.layer}'" if self.layer else "",
            )
            if part
        )
        where = f" ({where})" if where else ""
        return f"[{self.severity}] {self.code}{where}: {self.message} Fix: {self.fix}"

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Rule:
    """One pairing rule: a stable code, one severity, what it catches, the usual fix."""

    code: str
    severity: str
    catches: str
    fix: str


RULES = {
    rule.code: rule
    for rule in [
        # --- the model and its loss -------------------------------------------------
        Rule(
            "from-logits-after-squash",
            "error",
            "`from_logits=True` on an output that already went through a sigmoid or softmax",
            "`from_logits=False`, or a linear output",
        ),
        Rule(
            "bounded-logits",
            "warning",
            "`from_logits=True` on a bounded output (tanh, ReLU, ...): the logits cannot reach "
            "the values that mean a confident prediction",
            "a linear output for logits",
        ),
        Rule(
            "probability-loss-on-unbounded-output",
            "error",
            "a loss that needs probabilities (cross-entropy, KL, 0-1) on an output that is "
            "not one (linear, ReLU, tanh, ...) without `from_logits=True`",
            "`from_logits=True` where the loss has it, or a sigmoid / softmax output",
        ),
        Rule(
            "softmax-single-unit",
            "error",
            "a softmax over a single unit: it always outputs 1",
            "a sigmoid for one unit, or one unit per class",
        ),
        Rule(
            "zero-gradient-on-path",
            "error",
            "a step activation (zero gradient) in the model, or the 0-1 loss as the loss",
            '`Step(gradient="straight_through")` or a smooth activation; cross-entropy as the loss',
        ),
        Rule(
            "categorical-loss-on-single-unit",
            "error",
            "categorical or sparse categorical cross-entropy on a one-unit output",
            "binary cross-entropy with a sigmoid, or one unit per class",
        ),
        Rule(
            "softmax-with-regression-loss",
            "warning",
            "a multi-unit softmax output with a regression loss (MSE, MAE, ...)",
            "categorical cross-entropy (or KL divergence for soft targets)",
        ),
        Rule(
            "bce-after-softmax",
            "warning",
            "binary cross-entropy on a multi-unit softmax output",
            "categorical cross-entropy for exclusive classes, or a sigmoid per class",
        ),
        Rule(
            "margin-loss-after-squash",
            "warning",
            "a hinge or perceptron loss after a sigmoid or softmax (they want raw scores)",
            "a linear (or tanh) output",
        ),
        Rule(
            "categorical-loss-on-sigmoid",
            "warning",
            "categorical cross-entropy or KL on a multi-unit sigmoid output",
            "binary cross-entropy for multi-label, or a softmax for exclusive classes",
        ),
        Rule(
            "msle-on-signed-output",
            "warning",
            "a loss for non-negative values (MSLE) on an output that can be negative",
            "a softplus or ReLU output",
        ),
        Rule(
            "no-hidden-nonlinearity",
            "warning",
            "hidden layers with no nonlinearity at all: stacked linear layers equal one",
            "a nonlinear activation (ReLU) in the hidden layers",
        ),
        Rule(
            "diagnostic-as-loss",
            "warning",
            "a measure to watch, unbounded below (the mean error), as the training loss",
            "MSE, MAE or Huber as the loss; the mean error as a metric",
        ),
        Rule(
            "accuracy-inflated",
            "warning",
            "an accuracy metric that binary cross-entropy on a multi-unit softmax inflates",
            "categorical cross-entropy and `categorical_accuracy`",
        ),
        Rule(
            "saturating-hidden-stack",
            "info",
            "sigmoid or tanh hidden layers in a deep stack (vanishing gradients)",
            "ReLU, Leaky ReLU or ELU in the hidden layers",
        ),
        Rule(
            "not-checked",
            "info",
            "an activation or loss the catalog does not know, or no loss at all",
            "nothing to do; the pairing could not be checked",
        ),
        # --- the targets ------------------------------------------------------------
        Rule(
            "target-columns",
            "error",
            "targets whose number of columns differs from the output's units",
            "targets with one column per output unit",
        ),
        Rule(
            "target-out-of-range",
            "error",
            "targets that the bounded output cannot produce",
            "an output whose range holds the targets (linear, or rescaled targets)",
        ),
        Rule(
            "targets-break-loss-domain",
            "error",
            "targets outside what the loss is defined for: labels out of [0, K), ±1 labels with "
            "binary cross-entropy, integer labels with categorical cross-entropy, one-hot rows "
            "with sparse cross-entropy, rows that do not sum to 1, more than two classes with "
            "a hinge loss, negative targets with MSLE",
            "the loss that matches the targets, or targets encoded for the loss",
        ),
        Rule(
            "non-finite-targets",
            "error",
            "targets that hold NaN or infinite values",
            "drop or impute those samples",
        ),
        Rule(
            "classification-with-regression-loss",
            "warning",
            "a sigmoid output with a regression loss (MSE, MAE) on {0, 1} labels",
            "binary cross-entropy",
        ),
        Rule(
            "accuracy-with-signed-labels",
            "warning",
            '`"accuracy"` with {-1, 1} labels, which it counts as wrong',
            "labels in {0, 1}, or a metric for signed labels",
        ),
    ]
}


def finding(code, message, fix, output=None, layer=None):
    """A `Finding` of the rule `code`, with that rule's one severity."""
    return Finding(code, RULES[code].severity, message, fix, output, layer)


_LOG_LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO}


def emit(findings, category=PairingWarning, stacklevel=3):
    """Reports each finding as a `category` warning and through `logging`."""
    for finding in findings:
        logger.log(_LOG_LEVELS[finding.severity], "%s", finding)
        if finding.severity != "info":
            warnings.warn(str(finding), category, stacklevel=stacklevel)
