"""Loads a saved model in this (fresh) process and prints its test scores as JSON.

python -m keras_actloss.examples.reload MODEL.keras DATA.npz

The examples run it to show that a `.keras` file of theirs loads back, with
its keras_actloss layers and loss, and scores what the trained model scored.
"""

import json
import sys

import keras
import numpy as np

import keras_actloss  # noqa: F401  (registers the classes the file refers to)


def main(argv=None):
    model_path, data_path = argv or sys.argv[1:]
    data = np.load(data_path)
    model = keras.saving.load_model(model_path)
    scores = model.evaluate(data["x"], data["y"], verbose=0, return_dict=True)
    print(json.dumps({k: float(v) for k, v in scores.items()}))


if __name__ == "__main__":
    main()
