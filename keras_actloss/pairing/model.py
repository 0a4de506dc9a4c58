"""Reading a built Keras model: each output's activation and units, and the hidden layers.

The activation that decides an output is found by walking back from the
output through layers that only move values around (`Reshape`, `Flatten`,
`Dropout`, `Permute`, global average pooling, ...) and into nested models.
"""

from __future__ import annotations

import dataclasses

import keras

from keras_actloss import _keras_internals as internals
from keras_actloss.activations import ActivationLayer, Maxout
from keras_actloss.pairing.identify import ActivationUse, activation_use

# Layers whose output holds the same values as their input, rearranged or
# averaged: they do not change which activation decides the output's range.
_PASS_THROUGH = (
    keras.layers.Reshape,
    keras.layers.Flatten,
    keras.layers.Dropout,
    keras.layers.SpatialDropout1D,
    keras.layers.SpatialDropout2D,
    keras.layers.SpatialDropout3D,
    keras.layers.Permute,
    keras.layers.GlobalAveragePooling1D,
    keras.layers.GlobalAveragePooling2D,
    keras.layers.GlobalAveragePooling3D,
    keras.layers.Identity,
    keras.layers.ActivityRegularization,
)

_KERAS_ACTIVATION_LAYERS = (
    keras.layers.Activation,
    keras.layers.Softmax,
    keras.layers.ReLU,
    keras.layers.LeakyReLU,
    keras.layers.ELU,
    keras.layers.PReLU,
)


@dataclasses.dataclass(frozen=True)
class ModelOutput:
    """One output of a model as the rules see it."""

    name: str
    layer: str | None  # the layer whose activation decides it
    activation: ActivationUse
    units: int | None  # size of the deciding layer's last axis
    shape: tuple = ()  # the model output's shape, without the batch axis


def is_activation_layer(layer):
    return isinstance(layer, (ActivationLayer, *_KERAS_ACTIVATION_LAYERS)) and not isinstance(
        layer, Maxout
    )


def layer_activation(layer):
    """The activation a layer applies last, or None for a layer that is not known to apply one."""
    if is_activation_layer(layer):
        return activation_use(layer)
    if isinstance(layer, Maxout):
        return ActivationUse("maxout", layer.output_bounds(), "Maxout")
    if hasattr(layer, "activation") and not isinstance(layer, keras.Model):
        return activation_use(layer.activation)
    return None


def _is_identity(layer):
    """A linear activation layer (e.g. a float32 cast after a mixed-precision softmax)."""
    if not is_activation_layer(layer):
        return False
    use = activation_use(layer)
    return use.name == "linear"


def _deciding_layer(tensor):
    """(layer, output tensor) that decides the values of `tensor`, through pass-through layers.

    A linear activation layer is looked through (it may be the float32 cast
    after a mixed-precision softmax); when what it passes on is linear too,
    the linear activation layer itself is the one the user sees and named.
    """
    identity = None
    while True:
        produced = internals.producer(tensor)
        if produced is None:
            return identity or (None, tensor)
        layer, node_index, tensor_index = produced
        if isinstance(layer, keras.Model):
            tensor = layer.outputs[tensor_index]
            continue
        if isinstance(layer, _PASS_THROUGH) or _is_identity(layer):
            inputs = internals.node_inputs(layer, node_index)
            if len(inputs) != 1:
                return layer, tensor
            if identity is None and _is_identity(layer):
                identity = (layer, tensor)
            tensor = inputs[0]
            continue
        decided = layer_activation(layer)
        if identity is not None and (decided is None or decided.name == "linear"):
            return identity
        return layer, tensor


def check_built(model):
    if not isinstance(model, keras.Model):
        raise TypeError(f"Expected a keras.Model. Received: model={model!r}")
    if model.built and not getattr(model, "outputs", None):
        raise ValueError(
            "The pairing checks read the layer graph of a Sequential or Functional model; a "
            "subclassed model has none to read. Received: model="
            f"{model.name!r} of type {type(model).__name__}"
        )
    if not model.built:
        raise ValueError(
            "The pairing checks read a built model: give it an `Input`, call it on data or "
            f"call `model.build(input_shape)` first. Received: model={model.name!r}, which "
            "is not built."
        )


def model_outputs(model):
    """Every output of a built model, in order, with the activation that decides it."""
    check_built(model)
    outputs = []
    names = getattr(model, "output_names", None) or [  # a Sequential has none: its last layer's
        internals.producer(t)[0].name for t in model.outputs
    ]
    for name, tensor in zip(names, model.outputs, strict=True):
        layer, decided = _deciding_layer(tensor)
        activation = None if layer is None else layer_activation(layer)
        if activation is None:
            activation = ActivationUse(None, spelled=type(layer).__name__ if layer else "input")
        units = decided.shape[-1] if decided.shape else None
        outputs.append(
            ModelOutput(
                name,
                None if layer is None else layer.name,
                activation,
                units,
                tuple(tensor.shape[1:]),
            )
        )
    return outputs


def all_layers(model):
    """Every layer of the model, nested models flattened, in order."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found.extend(all_layers(layer))
        else:
            found.append(layer)
    return found


def has_weights(layer):
    return bool(layer.trainable_weights) and not is_activation_layer(layer)
