"""`keras-actloss check` on saved `.keras` files, and `keras-actloss rules`."""

import json
import os
import shutil
import subprocess
import sys

import keras
import pytest

import keras_actloss as ka
from keras_actloss import cli
from keras_actloss.findings import RULES

L = keras.layers


def _ours_squashed_twice():
    model = keras.Sequential(
        [
            keras.Input((4,)),
            L.Dense(8, activation=ka.ReLU()),
            L.Dense(1, name="out_dense"),
            ka.Sigmoid(name="out"),
        ]
    )
    model.compile(loss=ka.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


def _keras_squashed_twice():
    model = keras.Sequential(
        [
            keras.Input((4,)),
            L.Dense(8, activation="relu"),
            L.Dense(3, activation="softmax", name="out"),
        ]
    )
    model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    return model


def _ours_correct():
    model = keras.Sequential(
        [keras.Input((4,)), L.Dense(8, activation=ka.ReLU()), L.Dense(3), ka.Softmax(name="out")]
    )
    model.compile(loss=ka.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return model


def _keras_correct():
    model = keras.Sequential(
        [keras.Input((4,)), L.Dense(8, activation="relu"), L.Dense(1, name="out")]
    )
    model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True))
    return model


def _warning_only():
    model = keras.Sequential(
        [keras.Input((4,)), L.Dense(8, activation="relu"), L.Dense(3, activation="softmax")]
    )
    model.compile(loss="mse")
    return model


def _two_outputs():
    x = keras.Input((4,))
    h = L.Dense(8, activation="relu")(x)
    a = L.Dense(1, activation="sigmoid", name="a")(h)
    b = L.Dense(3, activation="softmax", name="b")(h)
    return keras.Model(x, {"a": a, "b": b})


def _save(model, tmp_path, name):
    path = tmp_path / f"{name}.keras"
    model.save(path)
    return str(path)


def _check(capsys, *args):
    code = cli.main(["check", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    "build, layer",
    [(_ours_squashed_twice, "out"), (_keras_squashed_twice, "out")],
    ids=["keras_actloss_objects", "keras_objects"],
)
def test_check_exits_1_on_an_error(build, layer, tmp_path, capsys):
    code, out, _ = _check(capsys, _save(build(), tmp_path, "model"))
    assert code == 1
    assert "from-logits-after-squash" in out and f"layer {layer}" in out


@pytest.mark.parametrize(
    "build", [_ours_correct, _keras_correct], ids=["keras_actloss_objects", "keras_objects"]
)
def test_check_exits_0_on_a_correct_model(build, tmp_path, capsys):
    path = _save(build(), tmp_path, "model")
    code, out, err = _check(capsys, path)
    assert code == 0
    assert "no pairing problems found" in out and err == ""


def test_check_exits_0_on_warnings_only(tmp_path, capsys):
    code, out, _ = _check(capsys, _save(_warning_only(), tmp_path, "model"))
    assert code == 0
    assert "softmax-with-regression-loss" in out


def test_check_json_lists_the_codes(tmp_path, capsys):
    code, out, _ = _check(capsys, _save(_ours_squashed_twice(), tmp_path, "model"), "--json")
    assert code == 1
    found = json.loads(out)
    assert [f["code"] for f in found] == ["from-logits-after-squash"]
    assert found[0]["severity"] == RULES["from-logits-after-squash"].severity
    assert found[0]["layer"] == "out" and found[0]["output"] is None
    assert found[0]["message"] and found[0]["fix"]


def test_check_json_of_a_correct_model_is_an_empty_list(tmp_path, capsys):
    code, out, _ = _check(capsys, _save(_ours_correct(), tmp_path, "model"), "--json")
    assert code == 0 and json.loads(out) == []


def test_check_json_names_each_output(tmp_path, capsys):
    model = _two_outputs()
    model.compile(loss={"a": ka.losses.BinaryCrossentropy(from_logits=True), "b": "mse"})
    code, out, _ = _check(capsys, _save(model, tmp_path, "model"), "--json")
    assert code == 1
    assert sorted((f["code"], f["output"]) for f in json.loads(out)) == [
        ("from-logits-after-squash", "a"),
        ("softmax-with-regression-loss", "b"),
    ]


def test_check_ignore(tmp_path, capsys):
    path = _save(_ours_squashed_twice(), tmp_path, "model")
    code, out, _ = _check(capsys, path, "--json", "--ignore", "from-logits-after-squash")
    assert code == 0 and json.loads(out) == []


def test_check_an_uncompiled_model(tmp_path, capsys):
    model = keras.Sequential([keras.Input((4,)), L.Dense(1, activation="sigmoid")])
    code, out, _ = _check(capsys, _save(model, tmp_path, "model"), "--json")
    assert code == 0
    assert [(f["code"], f["severity"]) for f in json.loads(out)] == [("not-checked", "info")]


def test_check_a_missing_file(tmp_path, capsys):
    code, out, err = _check(capsys, str(tmp_path / "missing.keras"))
    assert code == 2 and out == ""
    assert "missing.keras" in err and "Traceback" not in err


def _marker_lambda(marker):
    """A Python lambda that writes `marker` when called.

    Keras saves a lambda's bytecode (a named function only by its name), so the
    file holds code that would write the marker if it were loaded and run.
    """
    return eval(f"lambda x: (open({str(marker)!r}, 'w').write('ran'), x)[1]")


def test_check_refuses_a_lambda_layer_without_running_it(tmp_path, capsys):
    marker = tmp_path / "marker"
    model = keras.Sequential(
        [
            keras.Input((4,)),
            L.Dense(8, activation="relu"),
            L.Lambda(_marker_lambda(marker)),
            L.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy")
    assert marker.exists()  # building the model called the function once
    path = _save(model, tmp_path, "lambda")
    marker.unlink()

    code, out, err = _check(capsys, path)
    assert code == 2 and out == ""
    assert "Lambda" in err and "lambda.keras" in err
    assert "Traceback" not in err
    assert not marker.exists()

    # The control: loading the file unsafely does run the function.
    keras.saving.load_model(path, safe_mode=False)
    assert marker.exists()


def test_rules_lists_every_code(capsys):
    assert cli.main(["rules"]) == 0
    out = capsys.readouterr().out
    for code, rule in RULES.items():
        assert f"{code}  [{rule.severity}]" in out


def test_rules_markdown_has_one_row_per_rule(capsys):
    assert cli.main(["rules", "--markdown"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    header, rule_line, *rows = lines
    assert header.startswith("| code | severity")
    assert set(rule_line.replace("|", "")) == {"-"}
    assert len(rows) == len(RULES)
    assert [row.split("|")[1].strip() for row in rows] == [f"`{code}`" for code in RULES]
    assert [row.split("|")[2].strip() for row in rows] == [r.severity for r in RULES.values()]


def _run_cli(*args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
    command = shutil.which("keras-actloss")
    argv = [command] if command else [sys.executable, "-m", "keras_actloss.cli"]
    return subprocess.run([*argv, *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.slow
def test_the_installed_command_exit_codes(tmp_path):
    bad = _save(_ours_squashed_twice(), tmp_path, "bad")
    good = _save(_ours_correct(), tmp_path, "good")
    assert _run_cli("check", bad).returncode == 1
    assert _run_cli("check", good).returncode == 0
    missing = _run_cli("check", str(tmp_path / "missing.keras"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
