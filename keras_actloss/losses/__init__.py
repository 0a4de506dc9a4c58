"""Every loss of the catalog: per-sample functions and Keras `Loss` classes.

``keras_actloss.losses.huber(y_true, y_pred, delta=1.0)`` is the per-sample
function; ``keras_actloss.losses.Huber(delta=1.0)`` the registered
`keras.losses.Loss` to pass to `model.compile`. Where Keras has the same
loss, the class has Keras's name and constructor arguments. One family per
module, each function next to its class:

- `regression`: MSE, MAE, RMSE, MSLE, the mean error and Huber;
- `probabilistic`: binary, categorical and sparse cross-entropy, KL divergence;
- `margin`: hinge, squared hinge, the perceptron criterion and the 0-1 loss.
"""

# The catalog lists losses in the order their modules register them.
from keras_actloss.losses import regression  # isort: split

from keras_actloss.losses import probabilistic  # isort: split

from keras_actloss.losses import margin  # isort: split

from keras_actloss.losses._base import PerSampleLoss, align_shapes
from keras_actloss.losses.margin import *  # noqa: F403
from keras_actloss.losses.probabilistic import *  # noqa: F403
from keras_actloss.losses.regression import *  # noqa: F403

__all__ = [
    *(n for module in (regression, probabilistic, margin) for n in module.__all__),
    "PerSampleLoss",
    "align_shapes",
]
