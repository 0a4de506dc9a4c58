"""Edges of the command line and of how the package presents itself.

`keras-actloss show` for names of either kind, `--plot` failures, `--version`,
and importing under ``python -OO``. (The losses' `repr` is tested with their
configs, in test_losses_config.py.)
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

import keras_actloss as ka
from keras_actloss import cli

_ENV = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}

# --- show: one lookup over both kinds -------------------------------------------------


def test_show_suggests_a_loss_for_a_misspelt_loss(capsys):
    assert cli.main(["show", "hubr"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("keras-actloss: ")
    assert "Did you mean 'huber'" in err
    assert "Unknown activation 'hubr'" not in err
    assert err.rstrip().endswith("Received: name='hubr'")


def test_show_still_suggests_an_activation_for_a_misspelt_activation(capsys):
    assert cli.main(["show", "sigmod"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean 'sigmoid'" in err and err.rstrip().endswith("Received: name='sigmod'")


@pytest.mark.parametrize("name, kind", [("silu", "activation"), ("bce", "loss"), ("MSE", "loss")])
def test_show_finds_names_of_either_kind(capsys, name, kind):
    assert cli.main(["show", name]) == 0
    fields = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines() if line)
    assert fields["kind"].strip() == kind


# --- show --plot failures ---------------------------------------------------------------


def test_plot_to_a_missing_directory_is_a_one_line_error(tmp_path, capsys):
    path = tmp_path / "missing_dir" / "x.png"
    assert cli.main(["show", "swish", "--plot", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"keras-actloss: cannot write {path}: No such file or directory\n"
    assert not path.exists()


def test_plot_to_an_unknown_image_format_is_a_one_line_error(tmp_path, capsys):
    path = tmp_path / "x.notaformat"
    assert cli.main(["show", "huber", "--plot", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"keras-actloss: cannot write {path}: ")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_plot_without_matplotlib_names_the_extra_to_install(tmp_path, capsys, monkeypatch):
    for module in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    path = tmp_path / "swish.png"
    assert cli.main(["show", "swish", "--plot", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("keras-actloss: ")
    assert "matplotlib" in err and 'pip install "keras-actloss[examples]"' in err
    assert not path.exists()


# --- --version --------------------------------------------------------------------------


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code in (0, None)
    out = capsys.readouterr().out
    assert out == f"keras-actloss {ka.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", ka.__version__)


@pytest.mark.slow
def test_installed_command_prints_the_version():
    command = shutil.which("keras-actloss")
    if command is None:
        pytest.skip("the keras-actloss console script is not installed")
    result = subprocess.run(
        [command, "--version"], capture_output=True, text=True, timeout=300, env=_ENV
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout == f"keras-actloss {ka.__version__}\n"


# --- python -OO -------------------------------------------------------------------------


@pytest.mark.slow
def test_import_works_without_docstrings():
    result = subprocess.run(
        [sys.executable, "-OO", "-c", "import keras_actloss; print(keras_actloss.Swish.__doc__)"],
        capture_output=True,
        text=True,
        timeout=300,
        env=_ENV,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.strip() == "None"  # -OO really was in effect
