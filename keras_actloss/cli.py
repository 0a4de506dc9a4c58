"""`keras-actloss`: browse the catalog from the command line.

keras-actloss list [--kind activation|loss] [--markdown [--write README.md]]
keras-actloss show swish [--plot swish.png]
keras-actloss check model.keras [--json] [--ignore CODE ...]
keras-actloss rules [--markdown]
keras-actloss example [NAME [--tuner hyperband|bayesian|random|grid|none] [options]]
keras-actloss --version
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

from keras_actloss import catalog, docs
from keras_actloss._optional import MissingDependencyError, require


def _yes_no(flag):
    return "yes" if flag else "no"


def _activation_row(info):
    return [
        info.name,
        info.output_range,
        _yes_no(info.zero_centred),
        _yes_no(info.monotonic),
        _yes_no(info.smooth),
        ", ".join(sorted(info.roles)) or "-",
    ]


def _loss_row(info):
    return [
        info.name,
        ", ".join(info.tasks),
        info.prediction,
        ", ".join(info.pairs_with) or "-",
        _yes_no(info.differentiable),
        _yes_no(info.diagnostic),
    ]


_TABLES = {
    "activation": (
        ["activation", "range", "zero-centred", "monotonic", "smooth", "roles"],
        _activation_row,
    ),
    "loss": (["loss", "tasks", "y_pred", "pairs with", "gradient", "diagnostic"], _loss_row),
}


def format_table(header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def list_catalog(kinds):
    blocks = []
    for kind in kinds:
        header, row = _TABLES[kind]
        rows = [row(e.info) for e in catalog.entries(kind)]
        if rows:
            blocks.append(format_table(header, rows))
    return "\n\n".join(blocks)


def describe_entry(entry):
    info = entry.info
    fields = {
        "name": info.name,
        "kind": info.kind,
        "class": docs.class_path(entry),
    }
    if info.aliases:
        fields["aliases"] = ", ".join(info.aliases)
    fields["formula"] = info.formula
    if info.kind == "activation":
        fields.update(
            derivative=info.derivative,
            range=info.output_range,
            **{"zero-centred": _yes_no(info.zero_centred)},
            monotonic=_yes_no(info.monotonic),
            smooth=_yes_no(info.smooth),
            roles=", ".join(sorted(info.roles)) or "-",
        )
    else:
        fields.update(
            tasks=", ".join(info.tasks),
            targets=catalog.TARGETS[info.targets],
            y_pred=info.prediction,
            **{"pairs with": ", ".join(info.pairs_with) or "-"},
            gradient="yes" if info.differentiable else "zero almost everywhere",
            diagnostic="yes: watch it, do not minimize it" if info.diagnostic else "no",
        )
    fields["when to use"] = info.when_to_use
    fields["source"] = str(info.article)
    width = max(map(len, fields))
    return "\n".join(f"{key.ljust(width)}  {value}" for key, value in fields.items())


class PlotError(Exception):
    """`--plot` could not draw: matplotlib is missing or the file cannot be written."""


def plot_entry(entry, path):
    """Draws the function (and its derivative, or its loss curve) to `path`.

    Raises:
        PlotError: when matplotlib is not installed or `path` cannot be written.
    """
    try:
        matplotlib = require("matplotlib", "--plot")
    except MissingDependencyError as error:
        raise PlotError(str(error)) from None

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from keras_actloss import plotting

    figure, axes = plt.subplots(figsize=(7, 4.5))
    try:
        draw = plotting.DRAWERS[entry.info.kind]
        draw(axes, entry)
        axes.grid(True, alpha=0.3)
        axes.legend()
        figure.tight_layout()
        try:
            figure.savefig(path, dpi=120)
        except OSError as error:
            raise PlotError(f"cannot write {path}: {error.strerror or error}") from None
        except ValueError as error:  # e.g. an image format matplotlib does not know
            raise PlotError(f"cannot write {path}: {error}") from None
    finally:
        plt.close(figure)


def _list(parser, args):
    kinds = [args.kind] if args.kind else ["activation", "loss"]
    if args.write and not args.markdown:
        parser.error("--write needs --markdown")
    if not args.markdown:
        print(list_catalog(kinds))
        return 0
    if not args.write:
        print("\n\n".join(docs.markdown_table(kind) for kind in kinds))
        return 0
    try:
        with open(args.write, encoding="utf-8") as file:
            text = file.read()
        updated = docs.update_readme(text)
        with open(args.write, "w", encoding="utf-8") as file:
            file.write(updated)
    except (OSError, ValueError) as error:
        print(f"{parser.prog}: cannot update {args.write}: {error}", file=sys.stderr)
        return 2
    print(f"{'updated' if updated != text else 'unchanged:'} {args.write}")
    return 0


def _check(parser, args):
    """`keras-actloss check`: exit 1 on an error-severity finding, 2 when it cannot check."""
    import keras

    from keras_actloss import pairing

    try:
        # safe_mode: a file is data, never code; a Lambda layer's bytecode is refused.
        with warnings.catch_warnings():  # optimizer-state notes are not the user's question
            warnings.simplefilter("ignore", UserWarning)
            model = keras.saving.load_model(args.model, safe_mode=True, compile=True)
        found = pairing.check_pairing(model, ignore=args.ignore)
    except (OSError, ValueError, TypeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "safe_mode" in str(error) or "Lambda" in str(error):
            reason = (
                "it holds a Lambda layer (Python code), which is not loaded so that no "
                "untrusted code runs"
            )
        print(f"{parser.prog}: cannot check {args.model}: {reason}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([f.to_dict() for f in found], indent=2))
    elif found:
        print(docs.findings_table(found))
    else:
        print(f"{args.model}: no pairing problems found.")
    return 1 if any(f.severity == "error" for f in found) else 0


def _example(parser, args):
    from keras_actloss import examples

    if args.name is None:
        for name in examples.NAMES:
            print(f"{name:<20} {examples.get(name).summary}")
        return 0
    if args.name not in examples.NAMES:
        parser.error(f"Expected an example among {list(examples.NAMES)}. Received: {args.name!r}")
    return examples.run(args.name, args.options)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="keras-actloss",
        description="Browse the keras_actloss catalog and check saved models.",
    )
    # Importing `keras_actloss.cli` has already imported the package (which fills the
    # catalog), so this costs nothing.
    import keras_actloss

    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {keras_actloss.__version__}",
        help="print the version and exit",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="print the catalog as a table")
    listing.add_argument("--kind", choices=["activation", "loss"], help="only this kind")
    listing.add_argument("--markdown", action="store_true", help="print Markdown tables")
    listing.add_argument(
        "--write",
        metavar="README",
        help="with --markdown: rewrite the catalog blocks of this Markdown file in place",
    )
    show = commands.add_parser("show", help="print one function's record")
    show.add_argument("name", help="a name or alias, e.g. swish or huber")
    show.add_argument("--plot", metavar="FILE", help="also draw it to this image file")
    checking = commands.add_parser(
        "check", help="check a saved model's output activations against its loss"
    )
    checking.add_argument("model", help="a .keras file saved by model.save(...)")
    checking.add_argument("--json", action="store_true", help="print the findings as JSON")
    checking.add_argument(
        "--ignore", nargs="+", default=[], metavar="CODE", help="rule codes to leave out"
    )
    rules = commands.add_parser("rules", help="print every pairing rule")
    rules.add_argument("--markdown", action="store_true", help="as a Markdown table")
    example = commands.add_parser(
        "example",
        help="run an example (a KerasTuner search with --tuner); without NAME, list them",
        description="Run an example; `keras-actloss example NAME --help` lists its options.",
    )
    example.add_argument("name", nargs="?", help="the example's name")
    example.add_argument("options", nargs=argparse.REMAINDER, help="the example's options")
    args = parser.parse_args(argv)

    if args.command == "list":
        return _list(parser, args)
    if args.command == "check":
        return _check(parser, args)
    if args.command == "rules":
        print(docs.rules_table(markdown=args.markdown))
        return 0
    if args.command == "example":
        return _example(parser, args)
    try:
        entry = catalog.find(args.name)
    except ValueError as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 2
    print(describe_entry(entry))
    if args.plot:
        try:
            plot_entry(entry, args.plot)
        except PlotError as error:
            print(f"{parser.prog}: {error}", file=sys.stderr)
            return 2
        print(f"\nwrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
