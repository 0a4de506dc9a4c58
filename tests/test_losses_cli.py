"""`keras-actloss list` and `show` for losses, and the loss plots."""

import numpy as np
import pytest

import keras_actloss as ka
from keras_actloss import catalog, cli


def test_list_prints_every_loss(capsys):
    assert cli.main(["list", "--kind", "loss"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["loss", "task", "y_pred", "pairs", "with", "gradient", "diagnostic"]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert set(rows) == set(ka.loss_names())
    assert rows["zero_one_loss"][-2:] == ["no", "no"]
    assert rows["mean_error"][-2:] == ["yes", "yes"]
    assert rows["huber"][1:4] == ["regression", "values", "linear"]


def test_show_prints_the_loss_record(capsys):
    assert cli.main(["show", "bce"]) == 0
    out = capsys.readouterr().out
    assert "keras_actloss.losses.BinaryCrossentropy" in out
    assert "binary_classification" in out and "probabilities_or_logits" in out
    assert "sigmoid" in out and "log_loss" in out


def test_show_marks_what_cannot_be_trained(capsys):
    assert cli.main(["show", "0-1"]) == 0
    assert "zero almost everywhere" in capsys.readouterr().out
    assert cli.main(["show", "me"]) == 0
    assert "do not minimize it" in capsys.readouterr().out


def test_huber_plot_draws_three_deltas_next_to_mse_and_mae():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from keras_actloss import plotting

    figure, axes = plt.subplots()
    plotting.draw_loss(axes, catalog.lookup("loss", "huber"))
    curves = {
        line.get_label(): line for line in axes.get_lines() if not line.get_label().startswith("_")
    }
    plt.close(figure)
    assert set(curves) == {
        "huber, delta=0.5",
        "huber, delta=1",
        "huber, delta=2",
        "MSE: e^2",
        "MAE: |e|",
    }
    for label, expected in (
        ("huber, delta=1", 2.5),
        ("huber, delta=2", 4.0),
        ("MSE: e^2", 9.0),
        ("MAE: |e|", 3.0),
    ):
        x, y = curves[label].get_data()
        assert x[-1] == 3.0
        np.testing.assert_allclose(y[-1], expected, rtol=1e-6)  # the loss at an error of 3


@pytest.mark.parametrize(
    "name",
    [
        "huber",
        "binary_crossentropy",
        "sparse_categorical_crossentropy",
        "kl_divergence",
        "hinge",
        "zero_one_loss",
        "mean_squared_logarithmic_error",
    ],
)
def test_show_plot_writes_a_png_for_losses(tmp_path, name):
    from matplotlib import image

    path = tmp_path / f"{name}.png"
    assert cli.main(["show", name, "--plot", str(path)]) == 0
    picture = image.imread(path)
    assert picture.shape[0] > 100 and picture[..., :3].std() > 0.05


def test_every_loss_can_be_drawn():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from keras_actloss import plotting

    for entry in catalog.entries("loss"):
        figure, axes = plt.subplots()
        plotting.draw_loss(axes, entry)
        lines = [line for line in axes.get_lines() if not line.get_label().startswith("_")]
        plt.close(figure)
        assert lines, entry.info.name
        for line in lines:
            assert np.all(np.isfinite(line.get_ydata())), entry.info.name
