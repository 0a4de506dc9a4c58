"""Runnable examples: each trains a model from the catalog, or searches for one with KerasTuner.

Run one as ``python examples/NAME.py [options]`` from the repository, or as
``keras-actloss example NAME [options]`` wherever the package is installed
(the `examples` extra, plus `tuner` for a search). ``--help`` lists the options.

- `binary_moons`: make_moons, Sigmoid + binary cross-entropy, the decision boundary;
- `multiclass_digits`: scikit-learn's digits, Softmax + sparse categorical cross-entropy;
- `regression_outliers`: outliers in the training targets, MSE against MAE and Huber;
- `multilabel`: several labels per sample, a Sigmoid per class + binary cross-entropy.
"""

from __future__ import annotations

import importlib

#: The examples, by name.
NAMES = ("binary_moons", "multiclass_digits", "regression_outliers", "multilabel")


def get(name):
    """The `Example` record of the example `name`."""
    if name not in NAMES:
        raise ValueError(f"Expected an example among {list(NAMES)}. Received: {name!r}")
    return importlib.import_module(f"keras_actloss.examples.{name}").EXAMPLE


def run(name, argv=None):
    """Runs the example `name` with command-line options `argv`; returns the exit status."""
    from keras_actloss.examples import runner

    return runner.main(get(name), argv)
