"""The examples: every one runs plain and under every tuner, leaves its files, and fails clearly.

Budgets are tiny here (a few epochs and trials); the figures in the README
come from the default settings. Each run also checks, in a fresh process,
that the saved model scores what the trained one did.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from keras_actloss import examples
from keras_actloss.examples import runner

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

# The smallest budgets: what the search finds is not the point here.
TINY = {
    "none": ["--max-epochs", "1"],
    "hyperband": ["--max-epochs", "2"],  # a single bracket: one trial of 2 epochs
    "bayesian": ["--max-epochs", "1", "--max-trials", "1"],
    "random": ["--max-epochs", "1", "--max-trials", "1"],
    "grid": ["--max-epochs", "1", "--max-trials", "1"],
}


def _run(name, tuner, out, *extra):
    return examples.run(name, ["--tuner", tuner, "--out", str(out), *TINY[tuner], *extra])


@pytest.mark.parametrize("tuner", list(TINY))
@pytest.mark.parametrize("name", examples.NAMES)
def test_every_example_runs_with_every_tuner_and_leaves_its_files(name, tuner, tmp_path, capsys):
    assert _run(name, tuner, tmp_path) == 0
    printed = capsys.readouterr().out
    files = {p.name for p in tmp_path.iterdir()}
    assert f"{name}.png" in files and "results.json" in files
    assert any(f.endswith(".keras") for f in files)
    assert "loaded in a fresh process, it scores the same" in printed
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["example"] == name and results["tuner"] == tuner
    assert results["results"]["wall_time_s"] > 0
    if tuner == "none":
        return
    assert {"best_hyperparameters.json", "trials.png", "trials.txt", "model.keras"} <= files
    best = json.loads((tmp_path / "best_hyperparameters.json").read_text())
    search = results["search"]
    assert best["values"] == search["best_hyperparameters"]
    assert {"head", "learning_rate", "num_layers", "batch_size", "activation"} <= set(
        best["values"]
    )
    assert search["trials_finished"] >= 1 and search["epochs_spent"] >= search["trials_finished"]
    assert "Ranked trials" in printed and "Best hyperparameters" in printed
    # The ranked table is sorted by the objective, best first.
    rows = (tmp_path / "trials.txt").read_text().splitlines()[1:]
    scores = [float(row.split()[2]) for row in rows]
    maximise = search["objective"].endswith("accuracy")
    assert scores == sorted(scores, reverse=maximise)
    assert scores[0] == pytest.approx(search["best_score"], abs=5e-5)


def test_rerunning_resumes_the_search_and_overwrite_starts_over(tmp_path, capsys):
    assert _run("binary_moons", "random", tmp_path) == 0
    first = json.loads((tmp_path / "results.json").read_text())["search"]
    trial_files = sorted((tmp_path / "search" / "random").glob("trial_*/trial.json"))
    before = {p: p.read_text() for p in trial_files}
    capsys.readouterr()

    # One more trial: the finished one is kept, not run again.
    argv = ["--tuner", "random", "--out", str(tmp_path), "--max-epochs", "1", "--max-trials", "2"]
    assert examples.run("binary_moons", argv) == 0
    printed = capsys.readouterr().out
    assert "Resuming the search" in printed and "1 trial(s) already finished" in printed
    assert json.loads((tmp_path / "results.json").read_text())["search"]["trials_finished"] == 2
    assert {p: p.read_text() for p in trial_files} == before
    assert first["trials_finished"] == 1

    assert examples.run("binary_moons", [*argv[:-1], "1", "--overwrite"]) == 0
    printed = capsys.readouterr().out
    assert "Resuming" not in printed
    assert json.loads((tmp_path / "results.json").read_text())["search"]["trials_finished"] == 1


def test_the_regression_example_trains_each_loss_and_saves_each_model(tmp_path, capsys):
    assert _run("regression_outliers", "none", tmp_path) == 0
    numbers = json.loads((tmp_path / "results.json").read_text())["results"]
    for loss in ("MSE", "MAE", "Huber"):
        assert (tmp_path / f"model_{loss}.keras").exists()
        assert np.isfinite(numbers[f"clean_test_rmse_{loss}"])


def test_the_regression_data_hold_outliers_in_training_only():
    splits = examples.get("regression_outliers").load(0)
    share = splits.info["outliers"] / len(splits.y_train)
    assert share == pytest.approx(0.10, abs=0.002)
    # Outliers were shifted by at least 8: nothing that high outside the training set.
    assert (splits.y_train > 6).sum() >= splits.info["outliers"] * 0.95
    assert splits.y_val.max() < 6 and splits.y_test.max() < 6


def test_the_moons_data_are_the_articles():
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split

    # The article's steps, written out: make_moons, a 70/15/15 split, standardisation.
    x, y = make_moons(n_samples=2000, noise=0.2, random_state=42)
    x_train, x_rest, _, y_rest = train_test_split(x, y, test_size=0.3, random_state=42)
    _, x_test, _, y_test = train_test_split(x_rest, y_rest, test_size=0.5, random_state=42)
    expected = (x_test - x_train.mean(axis=0)) / x_train.std(axis=0)

    splits = examples.get("binary_moons").load(0)
    assert (len(splits.x_train), len(splits.x_val), len(splits.x_test)) == (1400, 300, 300)
    np.testing.assert_allclose(splits.x_test, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(splits.y_test.ravel(), y_test)


def test_the_moons_model_is_the_articles_network():
    from keras_actloss.examples import binary_moons

    model = binary_moons.build_model()
    widths = [layer.units for layer in model.layers if hasattr(layer, "units")]
    assert widths == [32, 16, 8, 1]
    assert type(model.loss).__name__ == "BinaryCrossentropy"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)


# --- the command line -----------------------------------------------------------------------


def _command(args, **env):
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env},
    )


def test_a_script_in_examples_runs_the_packaged_example(tmp_path):
    result = _command(
        [sys.executable, "examples/multiclass_digits.py", "--out", str(tmp_path)] + TINY["none"]
    )
    assert result.returncode == 0, result.stderr
    assert "Test (softmax + sparse categorical cross-entropy): accuracy" in result.stdout
    assert (tmp_path / "multiclass_digits.png").exists()


def test_keras_actloss_example_lists_and_runs_the_examples(tmp_path):
    listing = _command([sys.executable, "-m", "keras_actloss.cli", "example"])
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == list(examples.NAMES)
    result = _command(
        [
            sys.executable,
            "-m",
            "keras_actloss.cli",
            "example",
            "multilabel",
            "--out",
            str(tmp_path),
            *TINY["none"],
        ]
    )
    assert result.returncode == 0, result.stderr
    assert "Exact-match ratio" in result.stdout


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--tuner", "annealing"], "invalid choice: 'annealing' (choose from 'none', 'hyperband',"),
        (["--max-trials", "0", "--tuner", "random"], "expected a positive integer. Received: '0'"),
        (["--max-epochs", "many"], "expected a positive integer. Received: 'many'"),
        (["--tuner", "hyperband", "--max-trials", "3"], "Received: --tuner hyperband --max-trials"),
        (["--tuner", "none", "--max-trials", "3"], "applies to --tuner bayesian, random or grid"),
        (["--tuner", "hyperband", "--max-epochs", "1"], "needs --max-epochs >= 2. Received: 1"),
        (["--seed", "0"], "--seed must be >= 1. Received: 0"),
        (["--strategy", "tpu"], "invalid choice: 'tpu' (choose from 'none', 'mirrored')"),
        (["--chief-timeout", "3"], "applies to a search (--tuner hyperband, bayesian, random"),
        (["--tuner", "random", "--chief-timeout", "-1"], "positive integer. Received: '-1'"),
    ],
)
def test_bad_options_are_refused_with_the_valid_ones(argv, expected, capsys):
    with pytest.raises(SystemExit) as exit_:
        examples.run("binary_moons", argv)
    assert exit_.value.code == 2
    assert expected in capsys.readouterr().err


def test_an_unknown_example_lists_the_examples(capsys):
    with pytest.raises(ValueError, match=r"Expected an example among .*'binary_moons'.*Received"):
        examples.get("moons")
    with pytest.raises(SystemExit):
        from keras_actloss import cli

        cli.main(["example", "moons"])
    assert "Received: 'moons'" in capsys.readouterr().err


_BLOCKED = """
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None  # as if not installed
from keras_actloss import examples
sys.exit(examples.run("binary_moons", sys.argv[2:]))
"""


@pytest.mark.parametrize(
    "blocked, argv, extra",
    [
        ("keras_tuner", ["--tuner", "bayesian"], "tuner"),
        ("sklearn", [], "examples"),
        ("matplotlib", ["--tuner", "hyperband"], "examples"),
    ],
)
def test_a_missing_optional_dependency_names_the_extra_to_install(blocked, argv, extra, tmp_path):
    result = _command([sys.executable, "-c", _BLOCKED, blocked, "--out", str(tmp_path), *argv])
    assert result.returncode == 1
    assert f'pip install "keras-actloss[{extra}]"' in result.stderr
    assert blocked in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())  # failed before writing anything


def test_split_is_70_15_15_and_scales_with_the_training_set_only():
    x = np.arange(200, dtype="float64").reshape(100, 2)
    y = np.arange(100) % 2
    s = runner.split(x, y, scale=True)
    assert (len(s.x_train), len(s.x_val), len(s.x_test)) == (70, 15, 15)
    np.testing.assert_allclose(s.x_train.mean(axis=0), 0.0, atol=1e-5)
    assert abs(float(s.x_val.mean())) > 0 or abs(float(s.x_test.mean())) > 0
    stratified = runner.split(x, y, scale=False, stratify=True)
    assert stratified.y_val.mean() == pytest.approx(0.5, abs=0.07)
    assert stratified.x_train.dtype == np.float32
