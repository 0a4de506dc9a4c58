"""Markdown tables of the catalog, and the README blocks made from them.

`keras-actloss list --markdown` prints the tables; `keras-actloss list
--markdown --write README.md` rewrites the blocks between the markers
``<!-- catalog:KIND -->`` and ``<!-- /catalog:KIND -->`` in that file, so the
README's tables never drift from the catalog (and the rules table from
the pairing rules).
"""

from __future__ import annotations

import inspect
import re

from keras_actloss import catalog

# Arguments every loss shares; the README describes them once.
_SHARED_LOSS_ARGUMENTS = {"reduction", "name", "dtype"}
_PUBLIC_MODULE = {"activation": "keras_actloss", "loss": "keras_actloss.losses"}


def class_path(entry):
    """Where users import the class from, e.g. ``keras_actloss.losses.Huber``."""
    return f"{_PUBLIC_MODULE[entry.info.kind]}.{entry.implementation.__name__}"


def arguments(entry):
    """The constructor's own arguments as ``name=default`` text (required ones bare)."""
    skip = _SHARED_LOSS_ARGUMENTS if entry.info.kind == "loss" else set()
    shown = []
    for parameter in list(inspect.signature(entry.implementation.__init__).parameters.values())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.name in skip:
            continue
        if parameter.default is inspect.Parameter.empty:
            shown.append(f"`{parameter.name}`")
        else:
            shown.append(f"`{parameter.name}={parameter.default!r}`")
    return ", ".join(shown) or "—"


def derivative_method(entry):
    """Which method gives the derivative: `derivative(x)`, `jacobian(x)` or none."""
    cls = entry.implementation
    for method in ("derivative", "jacobian"):
        if callable(getattr(cls, method, None)):
            return f"`{method}(x)`"
    return "—"


def _cell(text):
    return str(text).replace("|", "\\|")


def _activation_row(entry):
    info = entry.info
    return [
        f"`{entry.implementation.__name__}`",
        f"`{info.name}`",
        arguments(entry),
        info.output_range,
        ", ".join(sorted(info.roles)) or "—",
        derivative_method(entry),
    ]


def _loss_row(entry):
    info = entry.info
    return [
        f"`{entry.implementation.__name__}`",
        f"`{info.name}`",
        arguments(entry),
        ", ".join(info.tasks),
        catalog.TARGETS[info.targets],
        info.prediction,
        ", ".join(info.pairs_with) or "—",
        _trains(info),
    ]


def _trains(info):
    if info.diagnostic:
        return "no: a diagnostic, unbounded below"
    if not info.differentiable:
        return "no: zero gradient"
    return "yes"


_TABLES = {
    "activation": (
        ["class", "name", "arguments", "range", "roles", "derivative"],
        _activation_row,
    ),
    "loss": (
        ["class", "name", "arguments", "tasks", "targets", "y_pred", "pairs with", "trains"],
        _loss_row,
    ),
}


def markdown_table(kind):
    """The catalog of one kind as a Markdown table, one row per entry."""
    header, row = _TABLES[kind]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for entry in catalog.entries(kind):
        lines.append("| " + " | ".join(_cell(c) for c in row(entry)) + " |")
    return "\n".join(lines)


def _blocks():
    """{block name: its current Markdown}, for every generated block of the README."""
    return {
        "catalog:activation": markdown_table("activation"),
        "catalog:loss": markdown_table("loss"),
        "rules": rules_table(markdown=True),
    }


def update_readme(text):
    """`text` with every generated block replaced by its current table.

    A block sits between ``<!-- NAME -->`` and ``<!-- /NAME -->``, NAME one
    of ``catalog:activation``, ``catalog:loss`` and ``rules``.
    """
    for name, table in _blocks().items():
        pattern = re.compile(rf"(<!-- {name} -->\n).*?(<!-- /{name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(
                f"Expected a block '<!-- {name} -->' ... '<!-- /{name} -->'. "
                "Received: a text without it"
            )
        text = pattern.sub(lambda m, table=table: f"{m.group(1)}{table}\n{m.group(2)}", text)
    return text


def rules_table(markdown=False):
    """Every pairing rule (code, severity, what it catches, the fix), from the rules themselves."""
    from keras_actloss.findings import RULES

    header = ["code", "severity", "catches", "fix"]
    rows = [
        [f"`{r.code}`" if markdown else r.code, r.severity, r.catches, r.fix]
        for r in RULES.values()
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
        return "\n".join(lines)
    return "\n\n".join(
        f"{code}  [{severity}]\n  catches: {catches}\n  fix: {fix}"
        for code, severity, catches, fix in rows
    )


def findings_table(findings):
    """Findings as readable text, one block per finding, errors first."""
    order = {"error": 0, "warning": 1, "info": 2}
    blocks = []
    for f in sorted(findings, key=lambda f: order[f.severity]):
        where = ", ".join(
            x
            for x in (
                f"output {f.output}" if f.output else "",
                f"layer {f.layer}" if f.layer else "",
            )
            if x
        )
        blocks.append(
            f"{f.severity.upper():7} {f.code}"
            + (f"  ({where})" if where else "")
            + f"\n        {f.message}\n        fix: {f.fix}"
        )
    return "\n\n".join(blocks)
