"""Every Keras internal the package uses still exists and still behaves as relied on."""

import keras
import numpy as np

from keras_actloss import _keras_internals as internals


def test_mask_functions_round_trip_a_mask():
    x = keras.ops.ones((2, 3))
    internals.set_keras_mask(x, keras.ops.convert_to_tensor([[True, False, True]] * 2))
    np.testing.assert_array_equal(internals.get_keras_mask(x), [[True, False, True]] * 2)


def test_keras_softmax_leaves_the_logits_where_we_read_them():
    logits = keras.ops.convert_to_tensor([[1.0, 2.0]])
    output = keras.activations.softmax(logits)
    assert internals.get_keras_logits(output) is logits  # TensorFlow tensors take attributes


def test_distribution_scaling_is_the_identity_outside_a_strategy():
    value = keras.ops.convert_to_tensor(3.0)
    assert float(internals.scale_loss_for_distribution(value)) == 3.0
    assert float(internals.unscale_loss_for_distribution(value)) == 3.0


def test_metric_direction_is_what_keras_callbacks_read():
    # EarlyStopping(mode="auto") must learn from the metric itself that lower is
    # better; without `_direction` Keras cannot tell and raises.
    import keras_actloss as ka

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(loss="mse", metrics=[ka.metrics.MeanError(name="bias")])
    x = np.zeros((4, 1), "float32")
    model.evaluate(x, x, verbose=0)  # builds the compiled metrics
    stopper = keras.callbacks.EarlyStopping(monitor="val_bias", mode="auto")
    stopper.set_model(model)
    stopper._set_monitor_op()
    assert stopper.monitor_op is keras.ops.less
