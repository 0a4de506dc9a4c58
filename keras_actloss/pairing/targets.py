"""Checking targets against a model's outputs and losses, and choosing a head for them.

Both read the targets once, as NumPy arrays (a bounded number of batches
of a `tf.data.Dataset` or `keras.utils.PyDataset`), and decide with
vectorised NumPy, so a million labels take well under a second.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence

import keras
import numpy as np

from keras_actloss import catalog
from keras_actloss.findings import finding
from keras_actloss.pairing.compiled import (
    compiled_metrics,
    counts_signed_labels_wrong,
    filtered,
    per_output,
    resolve_losses,
)
from keras_actloss.pairing.model import model_outputs

#: Batches of a dataset that `check_targets` reads at most.
MAX_BATCHES = 64


def _to_numpy(y):
    try:
        array = np.asarray(keras.ops.convert_to_numpy(y))
    except Exception as error:  # e.g. a ragged or string tensor
        raise TypeError(
            f"Expected targets as an array or tensor of numbers. Received: y of type "
            f"{type(y).__name__} ({error})"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Expected targets as an array or tensor of numbers. Received: y of dtype {array.dtype}"
        )
    return array


def _is_dataset(y):
    return hasattr(y, "element_spec") or isinstance(y, keras.utils.PyDataset)


def _dataset_targets(y, max_batches):
    """The targets of up to `max_batches` batches of a dataset, concatenated per output."""
    batches = iter(y) if hasattr(y, "element_spec") else (y[i] for i in range(len(y)))
    collected = []
    for batch in itertools.islice(batches, max_batches):
        if not isinstance(batch, (tuple, list)) or len(batch) < 2:
            raise ValueError(
                "Expected a dataset of (x, y) or (x, y, sample_weight) batches. "
                f"Received: a batch of type {type(batch).__name__}"
            )
        collected.append(batch[1])
    if not collected:
        raise ValueError("Expected a dataset with at least one batch. Received: an empty one")
    first = collected[0]
    if isinstance(first, Mapping):
        return {k: np.concatenate([_to_numpy(b[k]) for b in collected]) for k in first}
    if isinstance(first, (tuple, list)):
        return [np.concatenate([_to_numpy(b[i]) for b in collected]) for i in range(len(first))]
    return np.concatenate([_to_numpy(b) for b in collected])


def targets_per_output(y, names, max_batches=MAX_BATCHES):
    """{output name: targets as a NumPy array}, from any form `fit` accepts."""
    if _is_dataset(y):
        y = _dataset_targets(y, max_batches)
    if isinstance(y, Mapping):
        given = per_output(y, names, "targets")
        return {name: _to_numpy(v) for name, v in given.items() if v is not None}
    if isinstance(y, (list, tuple)) and len(names) == 1 and len(y) == 1:
        y = y[0]  # one array for the one output, as `fit` takes it
    if isinstance(y, (list, tuple)) and len(names) > 1:
        if len(y) != len(names):
            raise ValueError(
                f"Expected one target array per output ({len(names)}: {list(names)}). "
                f"Received: a list of {len(y)}"
            )
        return {name: _to_numpy(v) for name, v in zip(names, y, strict=True)}
    if len(names) > 1:
        raise ValueError(
            f"The model has {len(names)} outputs {list(names)}: give the targets as a list "
            "or a dict by output name. Received: a single array"
        )
    return {names[0]: _to_numpy(y)}


@dataclasses.dataclass(frozen=True)
class _Summary:
    """What the rules need to know about a target array, computed once."""

    columns: int
    low: float
    high: float
    integers: bool
    binary: bool  # every value 0 or 1
    signed: bool  # every value -1 or 1
    distinct: int
    rows_sum_to_one: bool

    @classmethod
    def of(cls, y):
        y = np.asarray(y, dtype="float64")
        columns = y.shape[-1] if y.ndim >= 2 else 1
        finite = y[np.isfinite(y)]
        if finite.size == 0:
            finite = np.zeros(1)
        values = np.unique(finite) if finite.size <= 10_000_000 else np.unique(finite[:100_000])
        sums = y.sum(axis=-1) if y.ndim >= 2 else y
        return cls(
            columns=columns,
            low=float(finite.min()),
            high=float(finite.max()),
            integers=bool(np.all(finite == np.round(finite))),
            binary=bool(np.isin(values, (0.0, 1.0)).all()),
            signed=bool(np.isin(values, (-1.0, 1.0)).all()),
            distinct=int(values.size),
            rows_sum_to_one=bool(y.ndim >= 2 and np.allclose(sums, 1.0, atol=1e-3)),
        )


def _shapes_agree(target, output):
    """Keras's rule: the same shape, up to one extra trailing axis of size 1 on either."""
    if target and target[-1] == 1 and len(target) == len(output) + 1:
        target = target[:-1]
    if output and output[-1] == 1 and len(output) == len(target) + 1:
        output = output[:-1]
    return len(target) == len(output) and all(
        t is None or o is None or t == o for t, o in zip(target, output, strict=True)
    )


def _check_one(output, loss, y, name, accuracy):
    act, info = output.activation, loss.info
    where = {"output": name, "layer": output.layer}
    if info is None or act.name is None:
        return []
    found = []
    sparse = info.targets == "integer_labels"
    if not np.isfinite(y).all():
        bad = int(np.size(y) - np.isfinite(y).sum())
        found.append(
            finding(
                "non-finite-targets",
                f"{bad} target value(s) are NaN or infinite: the loss and every gradient of "
                "a batch that holds one become NaN.",
                "drop or impute those samples before training.",
                **where,
            )
        )
        y = np.where(np.isfinite(y), y, 0.0)
    if sparse and loss.ignore_class is not None:
        y = y[y != loss.ignore_class]  # the loss skips these labels
        if y.size == 0:
            return found
    s = _Summary.of(y)
    units = output.units
    label_column = y.ndim <= 1 or (y.ndim >= 2 and s.columns == 1)

    def domain(message, fix):
        found.append(finding("targets-break-loss-domain", message, fix, **where))

    # --- the shape ---------------------------------------------------------------------
    if sparse:
        if not label_column and s.columns == units and s.binary and s.rows_sum_to_one:
            domain(
                f"The targets are one-hot rows of {s.columns} columns, but "
                f"{loss.class_name} wants one integer label per sample.",
                "use CategoricalCrossentropy, or pass `y.argmax(axis=-1)`.",
            )
            return found
    elif info.targets == "one_hot" and label_column and units not in (None, 1):
        domain(
            f"The targets are one integer label per sample, but {loss.class_name} wants one-hot "
            f"rows of {units} columns.",
            "use SparseCategoricalCrossentropy, or one-hot encode the labels.",
        )
        return found
    elif not _shapes_agree(tuple(y.shape[1:]), output.shape):
        found.append(
            finding(
                "target-columns",
                f"The targets have shape {tuple(y.shape[1:])} per sample but the output "
                f"has {output.shape}; Keras would broadcast them against each other "
                "without an error.",
                f"give targets of shape (N, {', '.join(str(d) for d in output.shape)}), or "
                "an output of the targets' shape.",
                **where,
            )
        )
        return found

    # --- the loss's domain ------------------------------------------------------------------
    if info.targets == "binary" and (s.low < 0 or s.high > 1):
        what = "labels in {-1, 1}" if s.signed else f"values in [{s.low:g}, {s.high:g}]"
        domain(
            f"{loss.class_name} needs targets in [0, 1] (probabilities or 0/1 labels); the "
            f"targets hold {what}.",
            "map {-1, 1} labels to {0, 1} with (y + 1) / 2, or use Hinge on a linear output."
            if s.signed
            else "rescale the targets into [0, 1], or use a regression loss.",
        )
    elif info.targets == "signed" and not (s.signed or s.binary):
        domain(
            f"{loss.class_name} is a two-class loss on labels in {{-1, 1}} (or {{0, 1}}); the "
            f"targets hold {s.distinct} distinct values.",
            "use Softmax with (Sparse)CategoricalCrossentropy for more than two classes.",
        )
    elif info.targets in ("one_hot", "distribution") and not (
        s.low >= 0 and s.high <= 1 and s.rows_sum_to_one
    ):
        domain(
            f"{loss.class_name} compares probability distributions: each target row must hold "
            "values in [0, 1] that sum to 1; these do not.",
            "one-hot encode the labels, or normalise each row to sum to 1.",
        )
    elif sparse and (not s.integers or s.low < 0 or (units and s.high >= units)):
        domain(
            f"{loss.class_name} needs integer labels in [0, {units}) for {units} classes; the "
            f"targets range over [{s.low:g}, {s.high:g}]"
            + ("" if s.integers else " and are not integers")
            + ".",
            f"give labels 0..{units - 1}, or an output of {int(s.high) + 1} units.",
        )
    elif info.targets == "non_negative" and s.low < 0:
        domain(
            f"{loss.class_name} is for non-negative targets; the smallest target is {s.low:g}, "
            "which it takes as 0.",
            "use MeanSquaredError or Huber for signed targets.",
        )

    # --- what the output can produce ---------------------------------------------------------
    low, high = act.bounds
    if info.targets in ("real", "non_negative") and (s.low < low or s.high > high):
        found.append(
            finding(
                "target-out-of-range",
                f"The {act.name} output ranges over [{low:g}, {high:g}], but the targets reach "
                f"[{s.low:g}, {s.high:g}]: those targets cannot be produced.",
                "use a Linear output for unbounded targets, or rescale the targets.",
                **where,
            )
        )
    elif (
        act.name == "sigmoid"
        and info.targets == "real"
        and "regression" in info.tasks
        and s.binary
        and s.distinct == 2
    ):
        found.append(
            finding(
                "classification-with-regression-loss",
                f"The targets are {{0, 1}} labels: that is classification, and "
                f"{loss.class_name} on a sigmoid gives weak gradients for confident mistakes.",
                "use BinaryCrossentropy.",
                **where,
            )
        )
    if accuracy and s.signed and s.low < 0:
        found.append(
            finding(
                "accuracy-with-signed-labels",
                "Keras's accuracy compares predictions with labels in {0, 1}; every -1 label "
                "counts as wrong.",
                "use `keras_actloss.metrics.BinaryAccuracy(from_logits=True)`, which reads "
                "{-1, 1} labels and raw scores, or labels in {0, 1} (hinge losses convert them).",
                **where,
            )
        )
    return found


def check_targets(model, y, loss=None, *, ignore=(), max_batches=MAX_BATCHES):
    """Checks targets against a built model's outputs and losses.

    Args:
        model: a built `keras.Model`.
        y: the targets, as `fit` takes them: an array or tensor, a list or
            dict with one per output, or a `tf.data.Dataset` /
            `keras.utils.PyDataset` of `(x, y)` batches (at most
            `max_batches` are read).
        loss: as for `check_pairing`; defaults to the compiled loss.
        ignore: rule codes to leave out.

    Returns:
        A list of `Finding`s, empty when nothing is wrong.
    """
    outputs = model_outputs(model)
    losses = resolve_losses(model, loss, outputs)
    targets = targets_per_output(y, [o.name for o in outputs], max_batches)
    multi = len(outputs) > 1
    found = []
    for output in outputs:
        used = losses[output.name]
        if used is None or output.name not in targets:
            continue
        accuracy = any(counts_signed_labels_wrong(m) for m in compiled_metrics(model, output.name))
        found.extend(
            _check_one(output, used, targets[output.name], output.name if multi else None, accuracy)
        )
    return filtered(found, ignore)


# --- suggesting a head ------------------------------------------------------------------------


#: The kinds of targets `suggest_head` tells apart (the second field of a task).
HEAD_TARGETS = (
    "binary",  # {0, 1} labels
    "signed",  # {-1, 1} labels
    "integer_labels",
    "one_hot",
    "distribution",  # rows of probabilities
    "unit_interval",  # real values in [0, 1]
    "non_negative",
    "real",
)


@dataclasses.dataclass(frozen=True)
class Head:
    """An output layer and loss for a task: the cheat sheet's row for some targets.

    Attributes:
        task: one of `catalog.TASKS`.
        targets: the kind of targets, one of `HEAD_TARGETS`.
        activation: the output activation, a layer instance.
        units: the output's units.
        loss: a `keras.losses.Loss` instance.
        reason: one line on why.
    """

    task: str
    targets: str
    activation: keras.layers.Layer
    units: int
    loss: keras.losses.Loss
    reason: str

    def output_layers(self, name=None):
        """New layers for the head: a `Dense(units)` and a copy of the activation."""
        activation = type(self.activation).from_config(
            {**self.activation.get_config(), "name": f"{name}_activation" if name else None}
        )
        return [keras.layers.Dense(self.units, name=name), activation]

    def build_loss(self):
        """A new copy of the loss."""
        return type(self.loss).from_config(self.loss.get_config())


def _infer_task(s, y):
    if s.columns == 1:
        if s.binary:
            return "binary"
        if s.signed:
            return "binary"
        if s.integers and s.low == 0 and s.distinct >= 3 and s.distinct >= 0.5 * (s.high + 1):
            return "multiclass"
        return "regression"
    if s.binary and not s.rows_sum_to_one:
        return "multilabel"
    if s.low >= 0 and s.high <= 1 and s.rows_sum_to_one:
        return "multiclass"
    return "regression"


def suggest_head(y, *, task=None):
    """The output activation, units and loss that suit the targets `y`.

    The cheat sheet of "Activation Functions and Loss Functions: The
    Engines of Neural Network Learning" (MHTECHIN, 2026), as a function:
    {0, 1} labels get a sigmoid with binary cross-entropy; {-1, 1} labels a
    linear output with the hinge loss; integer labels 0..K-1 a softmax of
    K units with sparse categorical cross-entropy; one-hot rows a softmax
    with categorical cross-entropy; rows of probabilities a softmax with KL
    divergence; several {0, 1} columns a sigmoid per column with binary
    cross-entropy; real values a linear output with MSE, or a sigmoid with
    MSE when they lie in [0, 1].

    Args:
        y: the targets (array or tensor).
        task: one of `catalog.TASKS` to override the inferred task.
    """
    from keras_actloss import layers as L
    from keras_actloss import losses

    if task is not None and task not in catalog.TASKS:
        raise ValueError(f"Expected task to be one of {catalog.TASKS}. Received: task={task!r}")
    if isinstance(y, (Mapping, Sequence)) and not isinstance(y, np.ndarray) and not np.isscalar(y):
        y = np.asarray(y)
    y = _to_numpy(y)
    if y.size == 0:
        raise ValueError(f"Expected at least one target. Received: y.shape={y.shape}")
    s = _Summary.of(y)
    task = task or _infer_task(s, y)
    if task == "multiclass" and s.columns == 1 and not (s.integers and s.low >= 0):
        raise ValueError(
            "Expected integer class labels >= 0 (or one-hot rows) for task='multiclass'. "
            f"Received: targets over [{s.low:g}, {s.high:g}]"
            + ("" if s.integers else ", not integers")
        )
    if task in ("binary", "multilabel") and not (s.signed or (s.low >= 0 and s.high <= 1)):
        raise ValueError(
            f"Expected labels in {{0, 1}}, {{-1, 1}} or probabilities in [0, 1] for "
            f"task={task!r}. Received: targets over [{s.low:g}, {s.high:g}]"
        )
    kind = "binary" if s.binary else "unit_interval"  # soft labels are BCE targets too
    if task == "binary":
        if s.signed and s.low < 0:
            return Head(
                task,
                "signed",
                L.Linear(),
                1,
                losses.Hinge(),
                "labels in {-1, 1}: raw scores and the hinge loss",
            )
        return Head(
            task,
            kind,
            L.Sigmoid(),
            s.columns,
            losses.BinaryCrossentropy(),
            "labels in {0, 1}: a probability and binary cross-entropy",
        )
    if task == "multilabel":
        return Head(
            task,
            kind,
            L.Sigmoid(),
            s.columns,
            losses.BinaryCrossentropy(),
            f"{s.columns} independent {{0, 1}} labels: a sigmoid per class and binary "
            "cross-entropy",
        )
    if task == "multiclass":
        if s.columns == 1:
            classes = int(s.high) + 1
            return Head(
                task,
                "integer_labels",
                L.Softmax(),
                classes,
                losses.SparseCategoricalCrossentropy(),
                f"integer labels 0..{classes - 1}: a softmax over {classes} classes and sparse "
                "categorical cross-entropy",
            )
        if s.binary:
            return Head(
                task,
                "one_hot",
                L.Softmax(),
                s.columns,
                losses.CategoricalCrossentropy(),
                f"one-hot rows of {s.columns} classes: a softmax and categorical cross-entropy",
            )
        return Head(
            task,
            "distribution",
            L.Softmax(),
            s.columns,
            losses.KLDivergence(),
            "rows of probabilities (soft targets): a softmax and KL divergence",
        )
    if s.low >= 0 and s.high <= 1 and not s.binary:
        return Head(
            task,
            "unit_interval",
            L.Sigmoid(),
            s.columns,
            losses.MeanSquaredError(),
            "real values in [0, 1]: a sigmoid (bounded regression) and MSE",
        )
    if s.low >= 0:
        return Head(
            task,
            "non_negative",
            L.Linear(),
            s.columns,
            losses.MeanSquaredError(),
            "non-negative real values: a linear output and mean squared error (or a Softplus "
            "output with MSLE when they span orders of magnitude)",
        )
    return Head(
        task,
        "real",
        L.Linear(),
        s.columns,
        losses.MeanSquaredError(),
        "real values: a linear output and mean squared error",
    )
