"""Every loss in the seed articles: per-sample functions and Keras `Loss` classes.

``keras_actloss.losses.huber(y_true, y_pred, delta=1.0)`` is the per-sample
function; ``keras_actloss.losses.Huber(delta=1.0)`` the registered
`keras.losses.Loss` to pass to `model.compile`. Where Keras has the same
loss, the class has Keras's name and constructor arguments.
"""

from keras_actloss.losses.classes import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Hinge,
    Huber,
    KLDivergence,
    MeanAbsoluteError,
    MeanError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    PerceptronLoss,
    PerSampleLoss,
    RootMeanSquaredError,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    ZeroOneLoss,
)
from keras_actloss.losses.functions import (
    align_shapes,
    binary_crossentropy,
    categorical_crossentropy,
    hinge,
    huber,
    kl_divergence,
    mean_absolute_error,
    mean_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    perceptron_loss,
    root_mean_squared_error,
    sparse_categorical_crossentropy,
    squared_hinge,
    zero_one_loss,
)

__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Hinge",
    "Huber",
    "KLDivergence",
    "MeanAbsoluteError",
    "MeanError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "PerSampleLoss",
    "PerceptronLoss",
    "RootMeanSquaredError",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "ZeroOneLoss",
    "align_shapes",
    "binary_crossentropy",
    "categorical_crossentropy",
    "hinge",
    "huber",
    "kl_divergence",
    "mean_absolute_error",
    "mean_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "perceptron_loss",
    "root_mean_squared_error",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "zero_one_loss",
]
