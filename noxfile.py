"""The test runs: the suite on every Keras backend, and on the oldest Keras the package supports.

`python -m nox` runs both sessions, each in a fresh virtual environment
under `.nox/`; `python -m nox -s tests` runs one. Arguments after `--` go
to every pytest call (`python -m nox -s tests -- -k softmax`).

- `tests`: one environment with all three backends installed. The whole
  suite runs on TensorFlow; the tests that are not marked slow run again
  under `KERAS_BACKEND=jax` and `KERAS_BACKEND=torch` (the slow ones train
  examples and searches end to end, which is TensorFlow's job here; the
  TensorFlow-only tests skip themselves elsewhere, each with its reason).
- `oldest_keras`: the non-slow suite on TensorFlow with the oldest Keras
  that `setup.cfg` allows.
"""

import configparser
import re

import nox
import nox.command

nox.options.sessions = ["tests", "oldest_keras"]
nox.options.reuse_venv = "no"

WORKERS = ["-n", "2"]


def _keras_floor():
    """The version in `keras>=X` of setup.cfg's install_requires: the one to test."""
    config = configparser.ConfigParser()
    config.read("setup.cfg")
    match = re.search(r"^keras>=([\d.]+)$", config["options"]["install_requires"], re.M)
    if match is None:
        raise ValueError("setup.cfg's install_requires names no `keras>=X.Y` floor to test")
    return match.group(1)


def _pytest(session, backend, *options):
    """Runs pytest under `KERAS_BACKEND=backend`; returns whether it passed."""
    session.log(f"KERAS_BACKEND={backend}")
    try:
        session.run(
            "python", "-m", "pytest", *WORKERS, *options, *session.posargs,
            env={"KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )  # fmt: skip
    except nox.command.CommandFailed:
        return False
    return True


def _all_pass(session, runs):
    """Runs every (backend, options) even after a failure, then fails naming the backends."""
    failed = [backend for backend, options in runs if not _pytest(session, backend, *options)]
    if failed:
        session.error(f"the tests failed on {', '.join(failed)}")


@nox.session
def tests(session):
    """The whole suite on TensorFlow, and the non-slow suite on JAX and PyTorch."""
    session.install("-e", ".[test,jax,torch]")
    not_slow = ("-m", "not slow")
    _all_pass(session, [("tensorflow", ()), ("jax", not_slow), ("torch", not_slow)])


@nox.session
def oldest_keras(session):
    """The non-slow suite on TensorFlow with the oldest Keras setup.cfg allows."""
    session.install("-e", ".[test]", f"keras=={_keras_floor()}")
    session.run("python", "-c", "import keras; print('Keras', keras.__version__)")
    _all_pass(session, [("tensorflow", ("-m", "not slow"))])
