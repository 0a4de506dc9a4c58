"""KerasTuner searches over the catalog that never try a mismatched activation and loss.

- `hp_activation(hp)` and `hp_head(hp, task, y)`: search-space helpers;
  a head (output activation and loss, chosen together) is offered only if
  the pairing checks accept it for the task and its targets;
- `TaskHyperModel`: an MLP whose depth, widths, hidden activation, dropout,
  head, learning rate and batch size are tuned, trained with the
  `PairingValidator`;
- `make_tuner(kind, hypermodel, ...)`: Hyperband, Bayesian optimization,
  random or grid search with sensible defaults, run in one process or as
  the chief or a worker of KerasTuner's distributed mode (`distributed`;
  `python -m keras_actloss.tuning.launch` starts one on this machine).

The hyperparameters are those of "Activation Functions, Loss Functions, and
Hyperparameters: A Deep Dive" (S. Reddy): learning rate, number of layers,
batch size, searched by grid, random or Bayesian optimization (plus Hyperband).

This module imports `keras_tuner` (the `tuner` extra); `import keras_actloss`
does not.
"""

from keras_actloss._optional import require

require("keras_tuner", "keras_actloss.tuning")

from keras_actloss.tuning.hypermodel import TaskHyperModel  # noqa: E402
from keras_actloss.tuning.spaces import (  # noqa: E402
    LOSS_HYPERPARAMETERS,
    HeadOption,
    head_options,
    hp_activation,
    hp_head,
)
from keras_actloss.tuning.tuners import (  # noqa: E402
    TUNERS,
    BayesianOptimization,
    GridSearch,
    Hyperband,
    RandomSearch,
    make_tuner,
)

__all__ = [
    "LOSS_HYPERPARAMETERS",
    "TUNERS",
    "BayesianOptimization",
    "GridSearch",
    "HeadOption",
    "Hyperband",
    "RandomSearch",
    "TaskHyperModel",
    "head_options",
    "hp_activation",
    "hp_head",
    "make_tuner",
]
