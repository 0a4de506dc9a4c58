"""Loads saved models in this (fresh) process and prints their test scores as JSON.

python -m keras_actloss.examples.reload DATA.npz MODEL.keras [MODEL.keras ...]

The examples run it to show that their `.keras` files load back, with their
keras_actloss layers and losses, and score what the trained models scored.
It prints one JSON list: a dict of scores per model, in order.
"""

import json
import sys

import keras
import numpy as np

import keras_actloss  # noqa: F401  (registers the classes the files refer to)


def main(argv=None):
    data_path, *model_paths = argv or sys.argv[1:]
    data = np.load(data_path)
    scores = []
    for path in model_paths:
        model = keras.saving.load_model(path)
        result = model.evaluate(data["x"], data["y"], verbose=0, return_dict=True)
        scores.append({k: float(v) for k, v in result.items()})
    print(json.dumps(scores))


if __name__ == "__main__":
    main()
