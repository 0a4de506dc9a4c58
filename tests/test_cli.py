"""The `keras-actloss` command line."""

import os
import re
import subprocess
import sys

import pytest
from checks import catalog_names

from keras_actloss import catalog, cli


def test_list_prints_every_activation(capsys):
    assert cli.main(["list", "--kind", "activation"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["activation", "range", "zero-centred"]
    assert [line.split()[0] for line in lines[2:]] == catalog_names("activation")


def test_list_prints_every_loss(capsys):
    assert cli.main(["list", "--kind", "loss"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "loss"
    assert [line.split()[0] for line in lines[2:]] == catalog_names("loss")


def _markdown_tables(text):
    """Each Markdown table in `text` as (header, rows), cells split on unescaped bars."""
    tables = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        assert all(line.startswith("|") and line.endswith("|") for line in lines), block
        cells = [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
        header, rule, *rows = cells
        assert all(set(c) == {"-"} for c in rule) and len(rule) == len(header), lines[1]
        assert all(len(row) == len(header) for row in rows), block
        tables.append((header, rows))
    return tables


def test_list_markdown_prints_one_row_per_catalog_entry_of_each_kind(capsys):
    assert cli.main(["list", "--markdown"]) == 0
    tables = _markdown_tables(capsys.readouterr().out)
    assert len(tables) == 2
    for kind, (header, rows) in zip(["activation", "loss"], tables, strict=True):
        assert header[:2] == ["class", "name"]
        classes = [row[0] for row in rows]
        expected = {f"`{e.implementation.__name__}`" for e in catalog.entries(kind)}
        assert len(classes) == len(set(classes)) == len(catalog.entries(kind)), kind
        assert set(classes) == expected, kind
        assert [row[1] for row in rows] == [f"`{n}`" for n in catalog_names(kind)]


def test_list_markdown_of_one_kind(capsys):
    assert cli.main(["list", "--kind", "activation", "--markdown"]) == 0
    ((header, rows),) = _markdown_tables(capsys.readouterr().out)
    assert [row[1] for row in rows] == [f"`{n}`" for n in catalog_names("activation")]
    derivative = dict(zip([row[1] for row in rows], [row[-1] for row in rows], strict=True))
    assert derivative["`softmax`"] == "`jacobian(x)`" and derivative["`maxout`"] == "—"
    assert derivative["`relu`"] == "`derivative(x)`"


def test_show_prints_formula_range_derivative_and_advice(capsys):
    assert cli.main(["show", "silu"]) == 0
    out = capsys.readouterr().out
    assert "x * sigmoid(beta * x)" in out
    assert "[-0.278465, inf)" in out
    assert "derivative" in out and "when to use" in out


def test_show_unknown_name_fails_with_suggestions(capsys):
    assert cli.main(["show", "swisj"]) == 2
    assert "Did you mean 'swish'" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["swish", "softmax", "maxout", "step"])
def test_show_plot_writes_a_png(tmp_path, name):
    from matplotlib import image

    path = tmp_path / f"{name}.png"
    assert cli.main(["show", name, "--plot", str(path)]) == 0
    picture = image.imread(path)
    assert picture.shape[0] > 100 and picture.shape[1] > 100
    assert picture[..., :3].std() > 0.05  # something was drawn


def _command(*argv):
    """The installed command's entry point in a fresh process, as a user's shell runs it."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    code = "import sys, keras_actloss_cli; sys.exit(keras_actloss_cli.main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.slow
@pytest.mark.parametrize("argv", [["list"], ["show", "swish"]])
def test_the_command_prints_no_tensorflow_start_up_lines(argv):
    result = _command(*argv)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # TensorFlow's C++ lines (oneDNN, CUDA, CPU features) held back
    assert result.stdout


@pytest.mark.slow
def test_the_command_still_reports_its_errors():
    result = _command("show", "no_such_function")
    assert result.returncode == 2
    assert "Unknown activation or loss 'no_such_function'" in result.stderr
    assert "oneDNN" not in result.stderr
