"""What a model was compiled with, and what the user passed per output."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
                f"Received: {len(value)} {what}s"
            )
        return dict(zip(names, value, strict=True))
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 1:
        value = value[0]
    return {name: value for name in names}


def compiled_metrics(model):
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


def filtered(findings, ignore):
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
