"""Run code in a brand-new Python process, as a user loading a saved model would."""

import json
import os
import subprocess
import sys
import textwrap


def run_fresh(code, args=(), timeout=300):
    """Runs `code` in a new interpreter and returns what it printed as JSON.

    `args` become the process's `sys.argv[1:]`. The code must print exactly
    one JSON document on its last line of stdout.
    """
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    if result.returncode != 0:
        raise AssertionError(f"fresh process failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
