"""The README's examples run, and it documents every class in the catalog."""

import pathlib
import re

import numpy as np
import pytest

from keras_actloss import catalog

README = (pathlib.Path(__file__).parents[1] / "README.md").read_text()


@pytest.mark.slow
def test_quick_start_runs(tmp_path, monkeypatch):
    code = re.search(r"## Quick start\n\n```python\n(.*?)```", README, re.S).group(1)
    monkeypatch.chdir(tmp_path)  # it saves model.keras
    rng = np.random.default_rng(0)
    names = {
        "x": rng.normal(size=(4, 5)).astype("float32"),
        "logits": rng.normal(size=(4, 3)).astype("float32"),
        "y_true": np.zeros((4, 1), "float32"),
        "y_pred": np.ones((4, 1), "float32"),
    }
    exec(compile(code, "README quick start", "exec"), names)
    assert (tmp_path / "model.keras").exists()


@pytest.mark.parametrize("kind", ["activation", "loss"])
def test_every_catalog_class_is_in_a_readme_table(kind):
    for entry in catalog.entries(kind):
        assert f"`{entry.implementation.__name__}`" in README, entry.implementation.__name__


def test_readme_states_the_two_commands_that_ci_runs():
    ci = (pathlib.Path(__file__).parents[1] / ".ci" / "run").read_text()
    test_command = "python -m pip install nox && python -m nox"
    assert test_command in README
    assert test_command in ci


def test_readme_tables_are_generated_from_the_catalog():
    from keras_actloss import docs

    assert docs.update_readme(README) == README, (
        "The README's catalog tables drifted: run `keras-actloss list --markdown --write README.md`"
    )


def test_user_facing_text_cites_articles_not_file_names():
    import keras_actloss

    package = pathlib.Path(keras_actloss.__file__).parent
    texts = {"README.md": README}
    scripts = [*package.rglob("*.py"), *(package.parent / "examples").glob("*.py")]
    texts.update({str(p): p.read_text() for p in scripts})
    # "seed" alone is a random seed (`--seed`, `make_tuner(seed=...)`); the articles are
    # never "the seeds" or "seed articles / files" to a user.
    jargon = re.compile(
        r"\bthe seeds\b|\bseeds'|\bseed (?:articles?|files?)\b|DESIGN\.md|\d{3}_[0-9a-f]{16}"
    )
    for where, text in texts.items():
        assert not jargon.search(text), where


@pytest.mark.slow
def test_readme_quotes_the_error_of_loading_without_the_import(tmp_path):
    import keras
    from fresh_process import run_fresh

    import keras_actloss as ka

    path = tmp_path / "swish.keras"
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), ka.Swish()]).save(path)
    seen = run_fresh(
        """
        import json, sys
        import keras
        try:
            keras.saving.load_model(sys.argv[1])
            print(json.dumps(None))
        except Exception as error:
            print(json.dumps([type(error).__name__, str(error)]))
        """,
        args=[str(path)],
    )
    kind, message = seen
    quoted = " ".join(README.split("**Loading a saved model needs")[1].split("\n\n")[0].split())
    assert f"fails with a `{kind}`" in quoted
    assert (
        "Could not locate class 'Swish'" in message and "Could not locate class 'Swish'" in quoted
    )
    assert message.startswith("<class 'keras.src.models.sequential.Sequential'> could not be")
