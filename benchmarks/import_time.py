"""How much `import keras_actloss` adds to `import keras`.

Each repeat starts a fresh interpreter, imports keras, then times the import
of keras_actloss alone. Run:

    python benchmarks/import_time.py [--repeats 7]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

PROBE = """
import json, time
t0 = time.perf_counter()
import keras
t1 = time.perf_counter()
import keras_actloss
t2 = time.perf_counter()
print(json.dumps({"keras": t1 - t0, "keras_actloss": t2 - t1}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    runs = []
    for _ in range(args.repeats):
        out = subprocess.run(
            [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    keras_s = statistics.median(r["keras"] for r in runs)
    ours_s = statistics.median(r["keras_actloss"] for r in runs)
    print(f"import keras:                    {keras_s:.3f} s (median of {args.repeats})")
    print(f"import keras_actloss afterwards: {ours_s:.3f} s (target < 0.3 s)")


if __name__ == "__main__":
    main()
