"""A new activation and a new loss need one module and one reference: everything else follows.

A throwaway activation (`Cube`) and loss (`QuarticError`) are defined in a
module written here, outside the package, through the public decorator
`keras_actloss.catalog.register`. In a fresh process (nothing unregisters)
lookup, the CLI, the README generator and the catalog-driven tests must
pick them up with no other edit, and the accuracy tests must demand a
float64 reference for them.
"""

import os
import pathlib
import re
import subprocess
import sys

import pytest
from fresh_process import run_fresh

TESTS = pathlib.Path(__file__).parent

THROWAWAY = '''
from keras import ops

from keras_actloss import catalog
from keras_actloss.activations import ElementwiseActivation
from keras_actloss.catalog import ActivationInfo, LossInfo
from keras_actloss.losses import PerSampleLoss, align_shapes


def cube(x):
    return ops.convert_to_tensor(x, "float32") ** 3


def cube_derivative(x):
    return 3.0 * ops.convert_to_tensor(x, "float32") ** 2


@catalog.register(
    ActivationInfo(
        name="cube",
        formula="f(x) = x^3",
        derivative="3 x^2",
        when_to_use="Never: it exists for a test.",
        source="mulla",
        roles=frozenset({"hidden"}),
    )
)
class Cube(ElementwiseActivation):
    """The cube {formula}."""

    function = staticmethod(cube)
    derivative_function = staticmethod(cube_derivative)


def quartic_error(y_true, y_pred):
    y_true, y_pred = align_shapes(y_true, ops.convert_to_tensor(y_pred, "float32"))
    return ops.mean((y_pred - y_true) ** 4, axis=-1)


@catalog.register(
    LossInfo(
        name="quartic_error",
        formula="L = mean((y - y_hat)^4)",
        when_to_use="Never: it exists for a test.",
        source="mulla",
        pairs_with=("linear",),
    )
)
class QuarticError(PerSampleLoss):
    """The quartic error {formula}.

    Args:{reduction}
    """

    function = staticmethod(quartic_error)
    default_name = "quartic_error"
'''


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("plugin")
    (directory / "throwaway.py").write_text(THROWAWAY)
    return directory


@pytest.mark.slow
def test_lookup_cli_and_readme_generator_pick_a_new_function_up(plugin_dir):
    found = run_fresh(
        """
        import contextlib, io, json, sys
        sys.path.insert(0, sys.argv[1])
        import numpy as np
        import keras_actloss as ka
        import throwaway
        from keras_actloss import cli, docs

        def run(*argv):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = cli.main(list(argv))
            return code, out.getvalue()

        layer = ka.get_activation("cube")
        loss = ka.get_loss("quartic_error")
        print(json.dumps({
            "layer": type(layer).__name__,
            "value": float(layer(np.array([2.0], "float32"))[0]),
            "derivative": float(layer.derivative(np.array([2.0], "float32"))[0]),
            "loss": float(loss([[0.0]], [[2.0]])),
            "in_names": ["cube" in ka.activation_names(role="hidden"),
                         "quartic_error" in ka.loss_names(task="regression")],
            "describe": ka.describe("quartic_error").formula,
            "show": run("show", "cube"),
            "list": run("list"),
            "markdown": docs.markdown_table("activation") + docs.markdown_table("loss"),
            "docstring": throwaway.Cube.__doc__,
        }))
        """,
        args=[str(plugin_dir)],
    )
    assert found["layer"] == "Cube"
    assert found["value"] == 8.0 and found["derivative"] == 12.0 and found["loss"] == 16.0
    assert found["in_names"] == [True, True]
    assert found["describe"] == "L = mean((y - y_hat)^4)"
    code, shown = found["show"]
    assert code == 0 and "f(x) = x^3" in shown and "Mulla" in shown
    code, listed = found["list"]
    assert code == 0 and re.search(r"^cube\s", listed, re.M)
    assert re.search(r"^quartic_error\s", listed, re.M)
    assert "| `Cube` | `cube` |" in found["markdown"]
    assert "| `QuarticError` | `quartic_error` |" in found["markdown"]
    assert "``f(x) = x^3``" in found["docstring"]


@pytest.mark.slow
def test_catalog_driven_tests_pick_a_new_function_up_and_demand_its_reference(plugin_dir):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(plugin_dir), os.environ.get("PYTHONPATH", "")]),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "KERAS_BACKEND": "tensorflow",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(TESTS),
            "-p",
            "throwaway",
            "-m",
            "not slow",
            "-k",
            "cube or quartic",
            "-q",
            "-rA",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-o",
            "addopts=",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        cwd=TESTS.parent,
    )
    out = result.stdout
    passed = re.findall(r"^PASSED (\S+)", out, re.M)
    failed = re.findall(r"^FAILED (\S+)(?: - (.*))?", out, re.M)
    for name in ("cube", "quartic_error"):
        assert any(name in test for test in passed), f"no catalog-driven test ran for {name}"
        assert any(name in test for test, _ in failed), f"nothing demanded a reference for {name}"
    for test, reason in failed:
        # The only failures are the missing references (and tests that need them).
        assert "has no entry in" in (reason or ""), f"{test}: {reason}\n{out[-3000:]}"
