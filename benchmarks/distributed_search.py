"""Wall time of one search in one process against a chief with N workers on this machine.

The moons example's random search (`keras_actloss.examples.binary_moons
--tuner random`, 12 trials of at most 20 epochs with early stopping, seed 42)
runs twice from a fresh output folder: once as a single process, once
through the launcher (`python -m keras_actloss.tuning.launch`) as a chief
and `--workers` workers on 127.0.0.1. Each time is the command's whole wall
time, start-up of every process and the final report included; the search
time alone (from the report) is printed too, with the seconds per epoch of
training (from the per-trial lines: the workers share the cores) and the
trials and epochs each run trained. Both searches propose the same
hyperparameters (the chief's sampling is seeded the same); their scores
differ a little, since each process draws initial weights in its own order.

Last, the cost of a call to the chief: a chief serving a tiny search in this
process, and a worker's client timing 200 round trips over 127.0.0.1 (a
trial makes about four: ask for a trial, report its metrics, end it, read
the best score for the progress line).

    python benchmarks/distributed_search.py [--trials 12] [--workers 2] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRIAL_LINE = re.compile(r"trial \d+: .*\| (\d+) epoch\(s\), ([\d.]+) s \|")


def _run(command, out):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    report = json.loads((out / "results.json").read_text())
    trials = [tuple(map(float, m.groups())) for m in TRIAL_LINE.finditer(result.stdout)]
    per_epoch = sum(s for _, s in trials) / sum(e for e, _ in trials)
    return seconds, report["search"], per_epoch


def _round_trip_ms(calls=200):
    """Median milliseconds of a worker's call to a chief serving in this process."""
    import threading

    import keras_tuner
    from keras_tuner.src.distribute import oracle_client

    from keras_actloss.tuning import distributed

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.environ.update(KERASTUNER_ORACLE_IP="127.0.0.1", KERASTUNER_ORACLE_PORT=str(port))
    oracle = keras_tuner.oracles.RandomSearchOracle(objective="val_loss", max_trials=1)
    hp = keras_tuner.HyperParameters()
    hp.Float("learning_rate", 1e-4, 1e-1, sampling="log")
    oracle.update_space(hp)
    oracle._set_project_dir(tempfile.mkdtemp(), "rpc")
    threading.Thread(target=distributed.serve, args=(oracle,), daemon=True).start()
    os.environ["KERASTUNER_TUNER_ID"] = "tuner0"
    distributed.wait_for_chief(30)
    client = oracle_client.OracleClient(oracle)
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        client.get_space()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="where the runs go (default: temp)")
    args = parser.parse_args(argv)
    root = args.out or Path(tempfile.mkdtemp(prefix="distributed-search-"))
    options = ["--tuner", "random", "--max-trials", str(args.trials), "--overwrite"]
    runs = {
        "1 process": [sys.executable, "-m", "keras_actloss.examples.binary_moons"],
        f"chief + {args.workers} workers": [
            sys.executable,
            "-m",
            "keras_actloss.tuning.launch",
            "binary_moons",
            "--workers",
            str(args.workers),
        ],
    }
    print(f"Moons random search, {args.trials} trials, on {os.cpu_count()} cores:")
    results = {}
    for name, command in runs.items():
        out = root / name.replace(" ", "_").replace("+", "and")
        seconds, search, per_epoch = _run([*command, *options, "--out", str(out)], out)
        results[name] = (seconds, search)
        print(
            f"  {name:<18} wall {seconds:6.1f} s | search {search['search_time_s']:6.1f} s | "
            f"{1000 * per_epoch:4.0f} ms/epoch | {search['trials_finished']} trials, "
            f"{search['epochs_spent']} epochs | best {search['objective']} "
            f"{search['best_score']:.4f}"
        )
    (one, one_search), (many, many_search) = results.values()
    print(
        f"Speed-up of the distributed run: {one / many:.2f}x in wall time, "
        f"{one_search['search_time_s'] / many_search['search_time_s']:.2f}x in search time."
    )
    print(f"A call to the chief over 127.0.0.1: {_round_trip_ms():.2f} ms (median of 200).")


if __name__ == "__main__":
    main()
