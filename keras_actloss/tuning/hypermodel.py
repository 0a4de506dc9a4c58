"""`TaskHyperModel`: a tuned MLP for one of the cheat sheet's tasks."""

from __future__ import annotations

from functools import partial

import keras
import keras_tuner

from keras_actloss import _validation as check
from keras_actloss import lookup, metrics
from keras_actloss.callbacks import PairingValidator
from keras_actloss.tuning.spaces import (
    TASK_CHOICES,
    _heads,
    choose_head,
    chosen_options,
    hp_activation,
)

#: What a search on each task maximises or minimises: one metric every head reports the same
#: way (the losses differ between heads, so `val_loss` would compare apples with pears).
OBJECTIVES = {
    "binary": keras_tuner.Objective("val_accuracy", "max"),
    "multilabel": keras_tuner.Objective("val_accuracy", "max"),
    "multiclass": keras_tuner.Objective("val_accuracy", "max"),
    "regression": keras_tuner.Objective("val_root_mean_squared_error", "min"),
}


def head_metrics(task, targets, raw_scores):
    """Metrics that read every head of `task` alike, named as `OBJECTIVES` expects."""
    if task in ("binary", "multilabel"):
        return [metrics.BinaryAccuracy(from_logits=raw_scores, name="accuracy")]
    if task == "multiclass":
        if targets == "integer_labels":
            return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
        return [keras.metrics.CategoricalAccuracy(name="accuracy")]
    return [
        metrics.RootMeanSquaredError(name="root_mean_squared_error"),
        keras.metrics.MeanAbsoluteError(name="mean_absolute_error"),
    ]


def _range(name, value, checked):
    """A (low, high) range, or one fixed value given as a number; `checked(name, v)` each."""
    pair = value if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"Expected {name} as a number or a (low, high) pair. Received: {value!r}")
    low, high = (checked(name, v) for v in pair)
    if low > high:
        raise ValueError(f"Expected {name} as (low, high) with low <= high. Received: {value!r}")
    return low, high


class TaskHyperModel(keras_tuner.HyperModel):
    """A multilayer perceptron for a task, with its shape and training tuned.

    Tuned, under these hyperparameter names:

    - ``num_layers``: the number of hidden layers, 1 to `max_layers`;
    - ``units_0``, ``units_1``, ...: each hidden layer's width, a power of
      2 within `units` (active only when the layer exists);
    - ``activation``: the hidden activation (see `hp_activation`);
    - ``dropout``: the dropout rate after each hidden layer, within `dropout`;
    - ``head``: the output activation and loss (see `hp_head`), with the
      loss's own hyperparameters (e.g. ``huber_delta``);
    - ``learning_rate``: Adam's, log-uniform within `learning_rate`;
    - ``batch_size``: one of `batch_sizes` (used by `fit`, declared before
      the first trial).

    `fit` adds a strict `PairingValidator`: a trial whose pairing the checks
    flag as an error would stop before its first batch (none does, since
    the heads offered are those the checks accept). The search's objective
    is `objective`: validation accuracy for classification, validation RMSE
    for regression, which every head reports alike.

    Example:
    >>> hypermodel = TaskHyperModel("binary", input_shape=(2,), y=y_train)
    >>> tuner = make_tuner("hyperband", hypermodel, directory="runs")
    >>> tuner.search(x_train, y_train, validation_data=(x_val, y_val))

    Args:
        task: one of `catalog.TASKS`, or "auto" to infer it from `y`.
        input_shape: the shape of one input sample, e.g. `(2,)`; inputs of
            more than one axis are flattened.
        n_outputs: the output's units (the number of classes for
            "multiclass"); inferred from `y` when given.
        y: the training targets, which decide the heads offered (see
            `head_options`). Without them the task's usual targets are assumed.
        max_layers: the most hidden layers.
        units: the (low, high) widths of hidden layers, or one fixed width.
        dropout: the (low, high) dropout rate, or one fixed rate.
        learning_rate: the (low, high) learning rate, or one fixed rate.
        batch_sizes: the batch sizes to choose among.
        activations: the hidden activations to choose among (names or
            aliases); default every hidden activation of the catalog.
        heads: the heads to choose among (`HeadOption.name`s); default all
            that the checks accept.
        name: the hypermodel's name.
        tunable: whether KerasTuner may tune it (KerasTuner's argument).
    """

    def __init__(
        self,
        task,
        input_shape,
        n_outputs=None,
        *,
        y=None,
        max_layers=4,
        units=(8, 128),
        dropout=(0.0, 0.5),
        learning_rate=(1e-4, 1e-1),
        batch_sizes=(16, 32, 64, 128),
        activations=None,
        heads=None,
        name=None,
        tunable=True,
    ):
        super().__init__(name=name, tunable=tunable)
        check.check_choice("task", task, TASK_CHOICES)
        if isinstance(input_shape, int):
            input_shape = (input_shape,)
        if not isinstance(input_shape, (tuple, list)) or not input_shape:
            raise TypeError(
                f"Expected input_shape as a tuple of positive integers. Received: {input_shape!r}"
            )
        self.input_shape = tuple(
            check.check_integer("input_shape", d, minimum=1) for d in input_shape
        )
        self.canonical_head, options = _heads(task, y, n_outputs)
        self.head_options = chosen_options(options, heads, "heads")
        self.task = self.canonical_head.task
        self.n_outputs = self.canonical_head.units
        self.max_layers = check.check_integer("max_layers", max_layers, minimum=1)
        self.units = _range("units", units, partial(check.check_integer, minimum=1))
        self.dropout = _range(
            "dropout",
            dropout,
            partial(check.check_number, minimum=0, maximum=1, strict_maximum=True),
        )
        self.learning_rate = _range(
            "learning_rate",
            learning_rate,
            partial(check.check_number, minimum=0, strict_minimum=True),
        )
        if isinstance(batch_sizes, int) or not batch_sizes:
            raise ValueError(
                f"Expected batch_sizes as a list of positive integers. Received: {batch_sizes!r}"
            )
        self.batch_sizes = [check.check_integer("batch_sizes", b, minimum=1) for b in batch_sizes]
        # Validated once here, so that a bad name fails before the search, not in a trial.
        hp_activation(keras_tuner.HyperParameters(), values=activations)
        self.activations = None if activations is None else list(activations)

    @property
    def objective(self):
        """The `keras_tuner.Objective` a search over this hypermodel should use."""
        return OBJECTIVES[self.task]

    def grid_hyperparameters(self):
        """A coarse space for a grid search, where every combination is a trial.

        The learning rate takes powers of 10 within its range; the widths are
        fixed at 32 (within `units`) and the dropout at its lowest; the
        depth, activations, heads and batch sizes keep all their values.
        """
        hp = keras_tuner.HyperParameters()
        low, high = self.learning_rate
        if low < high:
            hp.Float("learning_rate", low, high, step=10, sampling="log")
        if self.units[0] < self.units[1]:
            # Under the same conditions as in `build`, or KerasTuner keeps both as two
            # hyperparameters of one name.
            self._depth(hp)
            for i in range(self.max_layers):
                with self._layer_exists(hp, i):
                    hp.Fixed(f"units_{i}", self._width(keras_tuner.HyperParameters(), i))
        if self.dropout[0] < self.dropout[1]:
            hp.Fixed("dropout", self.dropout[0])
        return hp

    def _width(self, hp, i):
        low, high = self.units
        if low == high:
            return low
        default = min(max(32, low), high)
        width = hp.Int(f"units_{i}", low, high, step=2, sampling="log", default=default)
        # KerasTuner may hand out a log-stepped Int as a float (8.0), which Dense refuses;
        # it hands out None for the width of a layer that does not exist.
        return None if width is None else int(width)

    def _depth(self, hp):
        return hp.Int("num_layers", 1, self.max_layers, default=min(2, self.max_layers))

    def _layer_exists(self, hp, i):
        return hp.conditional_scope("num_layers", list(range(i + 1, self.max_layers + 1)))

    def _number(self, hp, name, bounds, **kwargs):
        low, high = bounds
        return low if low == high else hp.Float(name, low, high, **kwargs)

    def build(self, hp):
        layers = self._depth(hp)
        activation = hp_activation(hp, values=self.activations)
        widths = []
        for i in range(self.max_layers):
            with self._layer_exists(hp, i):
                width = self._width(hp, i)
            if i < layers:
                widths.append(width)
        dropout = self._number(hp, "dropout", self.dropout, step=0.1, default=self.dropout[0])
        head = choose_head(hp, "head", self.canonical_head, self.head_options)
        learning_rate = self._number(
            hp,
            "learning_rate",
            self.learning_rate,
            sampling="log",
            default=min(max(1e-3, self.learning_rate[0]), self.learning_rate[1]),
        )

        inputs = keras.Input(self.input_shape, name="inputs")
        x = keras.layers.Flatten()(inputs) if len(self.input_shape) > 1 else inputs
        for i, width in enumerate(widths):
            x = keras.layers.Dense(width, name=f"dense_{i}")(x)
            x = lookup.get_activation(activation, name=f"{activation}_{i}")(x)
            if dropout:
                x = keras.layers.Dropout(dropout, name=f"dropout_{i}")(x)
        for layer in head.output_layers(name="output"):
            x = layer(x)
        model = keras.Model(inputs, x, name=self.name or f"{self.task}_mlp")
        option = next(o for o in self.head_options if o.name == hp.get("head"))
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate),
            loss=head.loss,
            metrics=head_metrics(self.task, head.targets, option.raw_scores),
        )
        return model

    def declare_hyperparameters(self, hp):
        """Puts ``batch_size`` in the search space before the first trial.

        Declared only in `fit`, it would enter the space once a first trial
        had ended: the first trials (one per worker of a distributed search)
        would all train at the default size, and a distributed search would
        propose other trials than the same search in one process.
        """
        self._batch_size(hp)

    def _batch_size(self, hp):
        if len(self.batch_sizes) == 1:
            return self.batch_sizes[0]
        default = 32 if 32 in self.batch_sizes else self.batch_sizes[0]
        return hp.Choice("batch_size", self.batch_sizes, default=default)

    def fit(self, hp, model, *args, **kwargs):
        """`model.fit` with a tuned ``batch_size`` and the strict `PairingValidator` added."""
        kwargs["batch_size"] = self._batch_size(hp)
        y = kwargs.get("y", args[1] if len(args) > 1 else None)
        kwargs["callbacks"] = [*(kwargs.get("callbacks") or []), PairingValidator(y=y, strict=True)]
        return model.fit(*args, **kwargs)
