"""`keras-actloss list` and `show` for losses, and the loss plots."""

import re

import numpy as np
import pytest
from checks import catalog_names

import keras_actloss as ka
from keras_actloss import catalog, cli


def table(text):
    """A printed table as {first cell: {header: cell}}; columns are found from the dashes."""
    lines = text.splitlines()
    spans = [m.span() for m in re.finditer(r"-+", lines[1])]

    def cells(line):
        return [line[a:b].strip() for a, b in spans[:-1]] + [line[spans[-1][0] :].strip()]

    header = cells(lines[0])
    return {row[0]: dict(zip(header, row, strict=True)) for row in map(cells, lines[2:])}


def record(text):
    """`show`'s output as {field: value}: the field, then two spaces or more."""
    return dict(re.split(r"\s{2,}", line, maxsplit=1) for line in text.splitlines() if line)


def test_list_prints_every_loss(capsys):
    assert cli.main(["list", "--kind", "loss"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == [
        "loss",
        "tasks",
        "y_pred",
        "pairs",
        "with",
        "gradient",
        "diagnostic",
    ]
    rows = table(out)
    assert list(rows) == ka.loss_names()  # every loss, in catalog order
    assert [rows["zero_one_loss"][c] for c in ("gradient", "diagnostic")] == ["no", "no"]
    assert [rows["mean_error"][c] for c in ("gradient", "diagnostic")] == ["yes", "yes"]
    assert [rows["huber"][c] for c in ("tasks", "y_pred", "pairs with")] == [
        "regression",
        "values",
        "linear",
    ]
    assert rows["binary_crossentropy"]["tasks"] == "binary, multilabel"
    assert rows["mean_squared_error"]["pairs with"] == "linear, sigmoid"
    assert rows["sparse_categorical_crossentropy"]["tasks"] == "multiclass"


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_list_row_shows_the_catalog_record(capsys, name):
    assert cli.main(["list", "--kind", "loss"]) == 0
    row = table(capsys.readouterr().out)[name]
    info = catalog.lookup("loss", name).info
    assert row["tasks"] == ", ".join(info.tasks)
    assert set(row["tasks"].split(", ")) <= set(catalog.TASKS)
    assert row["y_pred"] == info.prediction
    assert row["pairs with"] == ", ".join(info.pairs_with)
    assert row["gradient"] == ("yes" if info.differentiable else "no")
    assert row["diagnostic"] == ("yes" if info.diagnostic else "no")


def test_show_prints_the_loss_record(capsys):
    assert cli.main(["show", "bce"]) == 0
    out = capsys.readouterr().out
    fields = record(out)
    assert fields["class"] == "keras_actloss.losses.BinaryCrossentropy"
    assert fields["tasks"] == "binary, multilabel"
    assert fields["targets"] == "0 or 1 per output (probabilities in [0, 1] too)"
    assert fields["y_pred"] == "probabilities_or_logits"
    assert fields["pairs with"] == "sigmoid"
    assert "log_loss" in fields["aliases"]
    assert "sigmoid" in out and "log_loss" in out
    assert "MHTECHIN" in fields["source"]


@pytest.mark.parametrize(
    "name, tasks, targets",
    [
        ("scce", "multiclass", "integer class indices"),
        ("hinge", "binary", "-1 or 1 (0 or 1 converted)"),
        ("msle", "regression", "non-negative real values"),
        ("kld", "multiclass", "probability distributions (soft targets)"),
    ],
)
def test_show_prints_tasks_and_targets_in_words(capsys, name, tasks, targets):
    assert cli.main(["show", name]) == 0
    fields = record(capsys.readouterr().out)
    assert fields["tasks"] == tasks and fields["targets"] == targets


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_show_prints_every_field_of_each_loss(capsys, name):
    assert cli.main(["show", name]) == 0
    fields = record(capsys.readouterr().out)
    info = catalog.lookup("loss", name).info
    assert fields["name"] == name and fields["kind"] == "loss"
    assert fields["tasks"] == ", ".join(info.tasks)
    assert fields["targets"] == catalog.TARGETS[info.targets]
    assert fields["y_pred"] == info.prediction
    assert fields["formula"] == info.formula
    assert fields["source"] == str(info.article)


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


def first_loss_of_each_targets_kind():
    first = {}
    for entry in catalog.entries("loss"):
        first.setdefault(entry.info.targets, entry.info.name)
    return list(first.values())


PNG_LOSSES = [
    "huber",
    "binary_crossentropy",
    "sparse_categorical_crossentropy",
    "kl_divergence",
    "hinge",
    "zero_one_loss",
    "mean_squared_logarithmic_error",
]
PNG_LOSSES += [n for n in first_loss_of_each_targets_kind() if n not in PNG_LOSSES]


@pytest.mark.parametrize("name", PNG_LOSSES)
def test_show_plot_writes_a_png_for_losses(tmp_path, name):
    from matplotlib import image

    path = tmp_path / f"{name}.png"
    assert cli.main(["show", name, "--plot", str(path)]) == 0
    picture = image.imread(path)
    assert picture.shape[0] > 100 and picture[..., :3].std() > 0.05


@pytest.fixture
def axes():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_every_loss_can_be_drawn(axes, name):
    from keras_actloss import plotting

    entry = catalog.lookup("loss", name)
    plotting.draw_loss(axes, entry)
    lines = [line for line in axes.get_lines() if not line.get_label().startswith("_")]
    assert lines, name
    for line in lines:
        y = np.asarray(line.get_ydata(), "float64")
        assert y.size > 10 and np.all(np.isfinite(y)), (name, line.get_label())
    assert any(np.ptp(line.get_ydata()) > 0 for line in lines), name  # not all flat
    assert axes.get_title().startswith(f"{name}: ")


@pytest.mark.parametrize("name", catalog_names("loss"))
def test_a_loss_whose_targets_have_no_drawing_raises_naming_it(axes, monkeypatch, name):
    from keras_actloss import plotting

    entry = catalog.lookup("loss", name)
    drawings = {k: v for k, v in plotting.LOSS_DRAWINGS.items() if k != entry.info.targets}
    monkeypatch.setattr(plotting, "LOSS_DRAWINGS", drawings)
    with pytest.raises(ValueError, match=rf"{entry.info.targets!r}.*Received: name={name!r}"):
        plotting.draw_loss(axes, entry)
    assert not axes.get_lines()  # nothing half drawn


def test_drawings_are_keyed_by_catalog_targets():
    from keras_actloss import plotting

    assert set(plotting.LOSS_DRAWINGS) <= set(catalog.TARGETS)  # no stale key
    assert {e.info.targets for e in catalog.entries("loss")} <= set(plotting.LOSS_DRAWINGS)
