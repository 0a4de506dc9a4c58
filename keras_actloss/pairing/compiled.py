"""What a model was compiled with, and what the user passed per output."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras

from keras_actloss.findings import RULES
from keras_actloss.pairing.identify import loss_use


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
                f"Received: {len(value)} of them"
            )
        return dict(zip(names, value, strict=True))
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 1:
        value = value[0]
    return {name: value for name in names}


def compiled_metrics(model, output_name=None):
    """The metrics the model was compiled with for one output (all of them if not per output)."""
    try:
        config = model.get_compile_config() or {}
    except Exception:  # an uncompiled model has no compile config
        return []
    metrics = config.get("metrics") or []
    names = list(getattr(model, "output_names", None) or [])
    if isinstance(metrics, Mapping):
        if output_name is not None:
            return _as_list(metrics.get(output_name))
        return [m for value in metrics.values() for m in _as_list(value)]
    if (
        len(names) > 1
        and len(metrics) == len(names)
        and all(isinstance(m, (list, tuple)) or m is None for m in metrics)
    ):  # one list per output
        if output_name is not None and output_name in names:
            return _as_list(metrics[names.index(output_name)])
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
    """Any accuracy metric (binary, categorical, sparse, top-k, or Keras's "accuracy")."""
    name = _metric_name(metric).lower()
    return name in ("acc", "accuracy") or "accuracy" in name


def counts_signed_labels_wrong(metric):
    """An accuracy metric that reads labels as {0, 1}: all but ours, which reads -1 too."""
    from keras_actloss.metrics import BinaryAccuracy

    if isinstance(metric, Mapping):  # as `get_compile_config` holds it
        ours = metric.get("registered_name") == keras.saving.get_registered_name(BinaryAccuracy)
    else:
        ours = isinstance(metric, BinaryAccuracy)
    return is_accuracy(metric) and not ours


def is_binary_accuracy(metric):
    """Keras's "accuracy" (binary with binary cross-entropy) or `binary_accuracy`."""
    name = _metric_name(metric).lower().replace("_", "")
    return name in ("acc", "accuracy", "binaryaccuracy")


def codes(ignore):
    """Rule codes from `ignore`: one code or several; unknown ones raise."""
    ignore = (ignore,) if isinstance(ignore, str) else tuple(ignore or ())
    unknown = set(ignore) - set(RULES)
    if unknown:
        raise ValueError(
            f"Expected rule codes among {sorted(RULES)}. Received: ignore={sorted(unknown)}"
        )
    return ignore


def filtered(findings, ignore):
    ignore = set(codes(ignore))
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
