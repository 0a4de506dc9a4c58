"""A new activation and a new loss need one module and one reference: everything else follows.

A throwaway activation (`Softsign`) and loss (`HalfSquaredError`) are defined in a
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
from xml.etree import ElementTree

import pytest
from fresh_process import run_fresh

TESTS = pathlib.Path(__file__).parent

THROWAWAY = """
from keras import ops

from keras_actloss import catalog
from keras_actloss.activations import ElementwiseActivation
from keras_actloss.catalog import ActivationInfo, LossInfo
from keras_actloss.losses import PerSampleLoss, align_shapes

__all__ = ["HalfSquaredError", "Softsign", "half_squared_error", "softsign", "softsign_derivative"]


def _float(x):
    x = ops.convert_to_tensor(x)
    return x if "float" in str(x.dtype) else ops.cast(x, "float32")


def softsign(x):
    x = _float(x)
    return x / (1.0 + ops.abs(x))


def softsign_derivative(x):
    x = _float(x)
    return 1.0 / ops.square(1.0 + ops.abs(x))


@catalog.register(
    ActivationInfo(
        name="softsign",
        formula="f(x) = x / (1 + |x|)",
        derivative="1 / (1 + |x|)^2",
        output_range="(-1, 1)",
        zero_centred=True,
        when_to_use="Never: it exists for a test.",
        source="mulla",
        roles=frozenset({"hidden"}),
    )
)
class Softsign(ElementwiseActivation):
    \"\"\"Softsign {formula}.\"\"\"

    function = staticmethod(softsign)
    derivative_function = staticmethod(softsign_derivative)


def half_squared_error(y_true, y_pred):
    y_true, y_pred = align_shapes(y_true, _float(y_pred))
    return 0.5 * ops.mean(ops.square(y_pred - y_true), axis=-1)


@catalog.register(
    LossInfo(
        name="half_squared_error",
        formula="L = mean((y - y_hat)^2) / 2",
        when_to_use="Never: it exists for a test.",
        source="mulla",
        pairs_with=("linear",),
    )
)
class HalfSquaredError(PerSampleLoss):
    \"\"\"Half the squared error {formula}.

    Args:{reduction}
    \"\"\"

    function = staticmethod(half_squared_error)
    default_name = "half_squared_error"
"""


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

        layer = ka.get_activation("softsign")
        loss = ka.get_loss("half_squared_error")
        print(json.dumps({
            "layer": type(layer).__name__,
            "value": float(layer(np.array([2.0], "float32"))[0]),
            "derivative": float(layer.derivative(np.array([2.0], "float32"))[0]),
            "loss": float(loss([[0.0]], [[2.0]])),
            "in_names": ["softsign" in ka.activation_names(role="hidden"),
                         "half_squared_error" in ka.loss_names(task="regression")],
            "describe": ka.describe("half_squared_error").formula,
            "show": run("show", "softsign"),
            "list": run("list"),
            "markdown": docs.markdown_table("activation") + docs.markdown_table("loss"),
            "docstring": throwaway.Softsign.__doc__,
        }))
        """,
        args=[str(plugin_dir)],
    )
    assert found["layer"] == "Softsign"
    assert found["value"] == pytest.approx(2 / 3) and found["derivative"] == pytest.approx(1 / 9)
    assert found["loss"] == 2.0
    assert found["in_names"] == [True, True]
    assert found["describe"] == "L = mean((y - y_hat)^2) / 2"
    code, shown = found["show"]
    assert code == 0 and "f(x) = x / (1 + |x|)" in shown and "Mulla" in shown
    code, listed = found["list"]
    assert code == 0 and re.search(r"^softsign\s", listed, re.M)
    assert re.search(r"^half_squared_error\s", listed, re.M)
    assert "| `Softsign` | `softsign` |" in found["markdown"]
    assert "| `HalfSquaredError` | `half_squared_error` |" in found["markdown"]
    assert "``f(x) = x / (1 + |x|)``" in found["docstring"]


@pytest.mark.slow
def test_catalog_driven_tests_pick_a_new_function_up_and_demand_its_reference(plugin_dir):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(plugin_dir), os.environ.get("PYTHONPATH", "")]),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "KERAS_BACKEND": "tensorflow",
    }
    report = plugin_dir / "report.xml"
    subprocess.run(
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
            "softsign or half_squared_error",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            f"--junitxml={report}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        cwd=TESTS.parent,
    )
    cases = list(ElementTree.parse(report).iter("testcase"))
    failures = {}
    for case in cases:
        for kind in ("failure", "error"):
            problem = case.find(kind)
            if problem is not None:
                failures[case.get("name")] = problem.get("message", "")
    passed = [case.get("name") for case in cases if case.get("name") not in failures]
    for name in ("softsign", "half_squared_error"):
        assert sum(name in test for test in passed) >= 10, f"few catalog-driven tests ran {name}"
        assert any(name in test for test in failures), f"nothing demanded a reference for {name}"
    for test, message in failures.items():
        # The only failures are the missing references (and the tests that need them).
        assert "every catalog entry needs one" in message, f"{test}: {message}"
