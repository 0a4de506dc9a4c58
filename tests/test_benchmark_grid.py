"""The grid speed benchmark runs on the current backend and writes its table, report and figure.

A tiny subset (one activation, one loss, and the control of each) with
three rounds: what is checked is that every cell gets a sensible ratio and
the three files appear, not the speeds themselves.
"""

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOSS = "CategoricalCrossentropy (from_logits=True)"


@pytest.mark.slow
def test_quick_grid_writes_a_positive_ratio_for_every_cell(tmp_path):
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "grid.py"),
        "--backend", backend,
        "--quick",
        "--rounds", "3",
        "--only", "tanh", LOSS,
        "--out", str(tmp_path),
    ]  # fmt: skip
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-4000:]

    with open(tmp_path / f"grid-{backend}.csv", newline="") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
    assert reader.fieldnames == [
        "kind", "name", "jit", "size", "ours_ms", "keras_ms", "ratio", "q1", "q3",
    ]  # fmt: skip
    jit = "off" if backend == "tensorflow" else "-"  # --quick leaves XLA off
    expected = {
        ("activation", name, jit, size)
        for name in ("ReLU vs ReLU (control)", "tanh")
        for size in ("W=256 B=256", "W=1024 B=1024")
    } | {
        ("loss", name, jit, "4096x256")
        for name in ("MeanSquaredError vs MeanSquaredError (control)", LOSS)
    }
    assert sorted((r["kind"], r["name"], r["jit"], r["size"]) for r in rows) == sorted(expected)
    for row in rows:
        numbers = {key: float(row[key]) for key in ("ours_ms", "keras_ms", "ratio", "q1", "q3")}
        assert all(math.isfinite(v) and v > 0 for v in numbers.values()), row
        assert numbers["q1"] <= numbers["ratio"] <= numbers["q3"], row

    report = (tmp_path / f"grid-{backend}.md").read_text()
    assert "| tanh |" in report and f"| {LOSS} |" in report and "Worst cells" in report
    assert "| tanh |" in result.stdout  # the report is printed too
    assert (tmp_path / f"grid-{backend}.png").stat().st_size > 0
