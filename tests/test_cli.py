"""The `keras-actloss` command line."""

import pytest

import keras_actloss as ka
from keras_actloss import cli


def test_list_prints_every_activation(capsys):
    assert cli.main(["list", "--kind", "activation"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["activation", "range", "zero-centred"]
    for name in ka.activation_names():
        assert any(line.split()[0] == name for line in lines[2:]), name


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
