"""Training-health monitors: dead ReLUs, vanishing and exploding gradients, saturation.

"Activation Functions and Loss Functions: The Engines of Neural Network
Learning" (MHTECHIN, 2026) describes how activations fail in training: a
ReLU whose inputs stay negative outputs zero and its "gradient becomes zero
forever"; sigmoid and tanh saturate at their flat ends, where gradients
"shrink exponentially as they backpropagate". These callbacks watch for
each on a probe batch, because Keras callbacks never see the training
batches, and report what they find as `Finding`s (the type of the pairing
checks) through `HealthWarning` warnings, the ``keras_actloss`` logger and
the epoch `logs`, so that `History`, `CSVLogger` and `TensorBoard` record
the figures with no extra code (place the monitors before those callbacks
in the `callbacks` list).

The default thresholds come from published diagnosis tools for Keras 2:
AUTOTRAINER (Zhang et al., ICSE 2021), DeepDiagnosis (Wardat et al., ICSE
2022) and TheDeepChecker (Ben Braiek and Khomh, 2022); each argument says
which one it takes.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_actloss import _validation as check
from keras_actloss import findings
from keras_actloss.findings import Finding, HealthWarning


def _checked_probe(probe):
    if not isinstance(probe, (tuple, list)) or len(probe) != 2:
        raise TypeError(
            "Expected probe as an (x, y) pair of arrays: a batch the monitor evaluates itself. "
            f"Received: probe of type {type(probe).__name__}"
        )
    x, y = probe
    if len(x) == 0:
        raise ValueError(f"Expected a probe batch of at least one sample. Received: {len(x)}")
    return x, y


def _function_name(fn):
    return getattr(fn, "__name__", type(fn).__name__).lower()


class _Monitor(keras.callbacks.Callback):
    """Runs `measure()` every `every` epochs; logs its figures and emits its findings."""

    def __init__(self, probe, every=1, stop_after=None):
        super().__init__()
        self.probe = _checked_probe(probe)
        self.every = check.check_integer("every", every, minimum=1)
        self.stop_after = check.check_integer("stop_after", stop_after, minimum=1, allow_none=True)
        self.findings = []
        self.history = {}
        self._streak = 0

    def measure(self):
        """Returns ({log key: value}, [Finding, ...]) for the model now."""
        raise NotImplementedError

    def on_epoch_end(self, epoch, logs=None):
        if epoch % self.every:
            # NaN between checks, so that every epoch holds the same keys (`CSVLogger`
            # fixes its columns at the first epoch) and `History` lines up with epochs.
            if logs is not None:
                logs.update(dict.fromkeys(self.history, float("nan")))
            return
        values, found = self.measure()
        if logs is not None:
            logs.update(values)
        for key, value in values.items():
            self.history.setdefault(key, []).append(value)  # the checked epochs only
        self.findings = found
        findings.emit(found, category=HealthWarning)
        self._streak = self._streak + 1 if found else 0
        if self.stop_after and self._streak >= self.stop_after:
            self.model.stop_training = True
            findings.logger.warning(
                "%s stopped training: the problem persisted for %d checks.",
                type(self).__name__,
                self._streak,
            )


class _ActivationMonitor(_Monitor):
    """A monitor that reads some layers' inputs or outputs on the probe's `x`."""

    def _watched(self):
        """[(layer, symbolic tensor to read)], for the layers this monitor watches."""
        raise NotImplementedError

    def _read(self):
        watched = self._watched()
        if not watched:
            return []
        reader = getattr(self, "_reader", None)
        if reader is None or reader[0] is not self.model:
            inputs = self.model.inputs
            outputs = [tensor for _, tensor in watched]
            model = keras.Model(inputs[0] if len(inputs) == 1 else inputs, outputs)
            self._reader = self.model, model
        # `predict_on_batch` runs a compiled function, built once; `predict` costs ~50 ms of
        # set-up per call and an eager call ~5 ms, against a fit epoch of ~100 ms.
        values = self._reader[1].predict_on_batch(self.probe[0])
        values = values if isinstance(values, (list, tuple)) else [values]
        return [
            (layer, np.asarray(v, dtype="float64").reshape(-1, v.shape[-1]))
            for (layer, _), v in zip(watched, values, strict=True)
        ]


def _is(layer, names):
    """Whether the layer is, or ends in, one of these activations (catalog names)."""
    from keras_actloss import catalog

    names = {name.replace("_", "") for name in names}
    entry = catalog.entry_of(layer)
    if entry is not None:
        return entry.info.name.replace("_", "") in names
    if type(layer).__name__.lower() in names:  # Keras's ReLU, LeakyReLU, PReLU, ELU layers
        return True
    activation = getattr(layer, "activation", None)  # Dense(activation=...), Activation(...)
    return activation is not None and _function_name(activation).replace("_", "") in names


def _separate(layer):
    """An activation layer of its own (its input is the pre-activation), not a Dense or Conv."""
    return not hasattr(layer, "kernel")


class DeadReLUMonitor(_ActivationMonitor):
    """Finds ReLU layers whose units output zero for every sample of a probe batch.

    A unit is dead when it outputs 0 for every sample of the probe; a layer
    is flagged when the fraction of its dead units reaches `threshold`. It
    watches this package's `ReLU`, Keras's `ReLU` layer and
    `Activation("relu")`, and `Dense(..., activation="relu")`. Leaky ReLU,
    PReLU and ELU units pass a gradient for negative inputs (a PReLU unless
    it learns a zero slope), so they do not die this way: for them it logs
    the fraction of units negative for every sample, without a warning.

    Logs ``dead_fraction/LAYER`` (and ``negative_fraction/LAYER``).

    Args:
        probe: an `(x, y)` batch (only `x` is used).
        threshold: the fraction of dead units that flags a layer. Default
            0.5: TheDeepChecker and SageMaker Debugger flag a layer above
            50 % dead units.
        every: check at the first epoch and every this many epochs after it
            (the epochs between log NaN, so that every epoch has the same keys).
        stop_after: stop training when findings persist for this many
            consecutive checks (None: never).
    """

    def __init__(self, probe, threshold=0.5, every=1, stop_after=None):
        super().__init__(probe, every, stop_after)
        self.threshold = check.check_number("threshold", threshold, minimum=0, maximum=1)

    def _watched(self):
        return [
            (layer, layer.output)
            for layer in self.model.layers
            if _is(layer, ("relu", "leaky_relu", "prelu", "elu"))
        ]

    def measure(self):
        values, found = {}, []
        for layer, out in self._read():
            never_positive = float(np.mean(np.all(out <= 0, axis=0)))
            if _is(layer, ("relu",)):
                values[f"dead_fraction/{layer.name}"] = never_positive
                if never_positive >= self.threshold:
                    found.append(
                        Finding(
                            "dead-relu",
                            "warning",
                            f"{never_positive:.0%} of the ReLU units of layer '{layer.name}' "
                            "output 0 for every probe sample: their gradient is zero, so they "
                            "no longer learn.",
                            "use LeakyReLU, PReLU or ELU, or a smaller learning rate (and He "
                            "initialisation).",
                            layer=layer.name,
                        )
                    )
            else:
                values[f"negative_fraction/{layer.name}"] = never_positive
        return values, found


class SaturationMonitor(_ActivationMonitor):
    """Finds sigmoid and tanh layers whose pre-activations sit in their flat regions.

    For each sigmoid or tanh (this package's layers, Keras's
    `Activation("sigmoid"/"tanh")`, or a `Dense` with that activation; not a
    convolution's built-in activation), it
    takes the fraction of pre-activation values (over the probe's samples
    and the layer's units) with ``|z| >= z_limit``, where the derivative is
    below 0.007 (sigmoid) or 0.0002 (tanh). The output layer of a classifier
    is left out: confident outputs are its purpose.

    Logs ``saturated_fraction/LAYER``.

    Args:
        probe: an `(x, y)` batch (only `x` is used).
        z_limit: where the flat region starts. Default 5, from DeepDiagnosis.
        threshold: the saturated fraction that flags a layer. Default 0.5,
            from DeepDiagnosis (more than 50 %).
        every, stop_after: as for `DeadReLUMonitor`.
    """

    def __init__(self, probe, z_limit=5.0, threshold=0.5, every=1, stop_after=None):
        super().__init__(probe, every, stop_after)
        self.z_limit = check.check_number("z_limit", z_limit, minimum=0, strict_minimum=True)
        self.threshold = check.check_number("threshold", threshold, minimum=0, maximum=1)

    def _watched(self):
        # A Dense's input: its pre-activation is computed from it in `measure`. A convolution's
        # built-in activation is not read (give it an activation layer of its own).
        return [
            (layer, layer.input)
            for layer in self.model.layers[:-1]
            if _is(layer, ("sigmoid", "tanh"))
            and (_separate(layer) or isinstance(layer, keras.layers.Dense))
        ]

    def measure(self):
        values, found = {}, []
        for layer, read in self._read():
            if _separate(layer):
                z = read
            else:
                kernel, bias = _weights(layer)
                z = read @ kernel + bias
            saturated = float(np.mean(np.abs(z) >= self.z_limit))
            values[f"saturated_fraction/{layer.name}"] = saturated
            if saturated > self.threshold:
                found.append(
                    Finding(
                        "saturation",
                        "warning",
                        f"{saturated:.0%} of the pre-activations of layer '{layer.name}' lie "
                        f"beyond |z| >= {self.z_limit:g}, where a sigmoid or tanh is flat: the "
                        "gradients through it vanish.",
                        "use ReLU-family activations, normalise the inputs (or add "
                        "BatchNormalization), or start from smaller weights (Glorot).",
                        layer=layer.name,
                    )
                )
        return values, found


def _weights(layer):
    kernel = np.asarray(keras.ops.convert_to_numpy(layer.kernel), dtype="float64")
    bias = getattr(layer, "bias", None)
    bias = 0.0 if bias is None else np.asarray(keras.ops.convert_to_numpy(bias), dtype="float64")
    return kernel, bias


class GradientHealthMonitor(_Monitor):
    """Finds vanishing, exploding and non-finite gradients, layer by layer.

    On the probe batch it takes the gradient of the compiled loss with
    respect to every trainable weight, and the norm per layer. Vanishing:
    the first trainable layer's norm is below `vanishing_norm` and below
    `vanishing_ratio` times the last layer's (AUTOTRAINER's rule). Exploding:
    the first layer's norm exceeds `exploding_ratio` times the last layer's
    (AUTOTRAINER), or, if `exploding_norm` is set, any layer's norm exceeds
    it. A NaN or infinite gradient is an error.

    Logs ``grad_norm/LAYER``. Works on TensorFlow, JAX and PyTorch, each
    with its own autodiff (`tf.GradientTape`, `jax.grad`,
    `torch.autograd.grad`), and gives the same norms on all three.

    Args:
        probe: an `(x, y)` batch.
        vanishing_ratio: default 1e-3 (AUTOTRAINER).
        vanishing_norm: default 1e-4 (AUTOTRAINER).
        exploding_ratio: default 70 (AUTOTRAINER).
        exploding_norm: an absolute bound on any layer's norm, for a model
            whose first layer's gradient is not the one that explodes; default
            None (no bound: the published rules have none).
        every, stop_after: as for `DeadReLUMonitor`.
    """

    def __init__(
        self,
        probe,
        vanishing_ratio=1e-3,
        vanishing_norm=1e-4,
        exploding_ratio=70.0,
        exploding_norm=None,
        every=1,
        stop_after=None,
    ):
        backend = keras.backend.backend()
        if backend not in _NORM_FUNCTIONS:
            raise ValueError(
                "GradientHealthMonitor needs a backend that computes gradients: "
                f"{', '.join(_NORM_FUNCTIONS)}. Received: KERAS_BACKEND={backend}"
            )
        super().__init__(probe, every, stop_after)
        positive = {"minimum": 0, "strict_minimum": True}
        self.vanishing_ratio = check.check_number("vanishing_ratio", vanishing_ratio, **positive)
        self.vanishing_norm = check.check_number("vanishing_norm", vanishing_norm, **positive)
        self.exploding_ratio = check.check_number("exploding_ratio", exploding_ratio, **positive)
        self.exploding_norm = (
            None
            if exploding_norm is None
            else check.check_number("exploding_norm", exploding_norm, **positive)
        )

    def _norms(self):
        layers = [layer for layer in self.model.layers if layer.trainable_weights]
        cached = getattr(self, "_compiled", None)
        if cached is None or cached[0] is not self.model:
            make = _NORM_FUNCTIONS[keras.backend.backend()]
            self._compiled = self.model, make(self.model, layers)
        norms = keras.ops.convert_to_numpy(self._compiled[1](*self.probe))
        return list(zip(layers, (float(n) for n in norms), strict=True))

    def measure(self):
        norms = self._norms()
        values = {f"grad_norm/{layer.name}": norm for layer, norm in norms}
        if not norms:
            return values, []
        broken = [layer.name for layer, norm in norms if not np.isfinite(norm)]
        if broken:
            return values, [
                Finding(
                    "non-finite-gradient",
                    "error",
                    f"The gradient of layer '{name}' is NaN or infinite: the next update "
                    "turns its weights into NaN.",
                    "lower the learning rate, clip gradients (e.g. Adam(clipnorm=1.0)), and "
                    "normalise the inputs.",
                    layer=name,
                )
                for name in broken
            ]
        (first, head), (last, tail) = norms[0], norms[-1]
        ratio = head / tail if tail > 0 else np.inf
        found = []
        if head < self.vanishing_norm and ratio < self.vanishing_ratio:
            found.append(
                Finding(
                    "vanishing-gradient",
                    "warning",
                    f"The gradient reaching layer '{first.name}' has norm {head:.2g}, "
                    f"{ratio:.2g} times that of the last layer '{last.name}': gradients "
                    "shrink as they backpropagate, and the first layers barely learn.",
                    "use ReLU-family hidden activations instead of sigmoid or tanh, add "
                    "BatchNormalization, or use fewer layers.",
                    layer=first.name,
                )
            )
        largest, biggest = max(norms, key=lambda pair: pair[1])
        beyond_bound = self.exploding_norm is not None and biggest > self.exploding_norm
        if len(norms) > 1 and ratio > self.exploding_ratio or beyond_bound:
            where = first if ratio > self.exploding_ratio else largest
            found.append(
                Finding(
                    "exploding-gradient",
                    "warning",
                    f"The gradient of layer '{where.name}' has norm "
                    f"{dict(norms)[where]:.3g} ({ratio:.3g} times the last layer's): updates "
                    "this large make training diverge.",
                    "use a smaller learning rate or gradient clipping (e.g. "
                    "Adam(clipnorm=1.0)), and normalise the inputs.",
                    layer=where.name,
                )
            )
        return values, found


# --- the probe's gradient norm per layer, one function per backend ----------------------------
#
# Each `_<backend>_norms(model, layers)` returns a function of the probe's (x, y) that gives the
# norm of d(compiled loss)/d(weights) for each of `layers`, built once per model.


def _probe_loss(model, x, y):
    """The compiled loss, and the model's own losses, on the probe, in inference mode."""
    return model.compute_loss(x=x, y=y, y_pred=model(x, training=False))


def _by_layer(layers, values):
    """Splits one value per trainable weight of `layers`, in order, into a list per layer."""
    values = iter(values)
    return [[next(values) for _ in layer.trainable_weights] for layer in layers]


def _tensorflow_norms(model, layers):
    import tensorflow as tf

    @tf.function
    def norms(x, y):
        weights = [w.value for layer in layers for w in layer.trainable_weights]
        with tf.GradientTape() as tape:
            loss = _probe_loss(model, x, y)
        per_layer = []
        for parts in _by_layer(layers, tape.gradient(loss, weights)):
            # In float64: the square of a vanishing float32 gradient (< 1e-19) underflows.
            squares = [
                tf.reduce_sum(tf.square(tf.cast(g, "float64"))) for g in parts if g is not None
            ]
            per_layer.append(tf.sqrt(tf.add_n(squares)) if squares else tf.constant(0.0, "float64"))
        return tf.stack(per_layer)

    return norms


def _jax_norms(model, layers):
    import jax
    import jax.numpy as jnp

    trainable, non_trainable = model.trainable_variables, model.non_trainable_variables

    def loss(trainable_values, non_trainable_values, x, y):
        # A pure function of the weights' values: in the scope, the model reads them from
        # `mapping`, and any update (a multi-output model's loss trackers) is discarded.
        mapping = [
            *zip(trainable, trainable_values, strict=True),
            *zip(non_trainable, non_trainable_values, strict=True),
        ]
        with keras.StatelessScope(state_mapping=mapping, collect_losses=True):
            return _probe_loss(model, x, y)

    def layer_norms(trainable_values, non_trainable_values, x, y):
        gradients = jax.grad(loss)(trainable_values, non_trainable_values, x, y)
        of = {id(v): g for v, g in zip(trainable, gradients, strict=True)}
        per_layer = []
        for layer in layers:
            parts = [of[id(w)] for w in layer.trainable_weights]
            # Without `jax_enable_x64` there is no float64: dividing by the largest entry before
            # squaring keeps the squares of a vanishing gradient from underflowing.
            largest = jnp.max(jnp.stack([jnp.max(jnp.abs(g)) for g in parts]))
            scaled = sum(jnp.sum(jnp.square(g / largest)) for g in parts)
            norm = jnp.where(largest > 0, largest * jnp.sqrt(scaled), 0.0)
            per_layer.append(jnp.where(jnp.isfinite(largest), norm, largest))  # NaN, Inf as is
        return jnp.stack(per_layer)

    compiled = jax.jit(layer_norms)
    built = False

    def norms(x, y):
        nonlocal built
        values = [v.value for v in trainable], [v.value for v in non_trainable]
        if not built:
            # Once outside `jax.jit`: the compiled loss creates variables on its first call (a
            # multi-output model's loss trackers), which cannot be created while tracing.
            loss(*values, x, y)
            built = True
        return compiled(*values, x, y)

    return norms


def _torch_norms(model, layers):
    import torch

    def norms(x, y):
        weights = [w.value for layer in layers for w in layer.trainable_weights]
        x, y = keras.tree.map_structure(keras.ops.convert_to_tensor, (x, y))
        with torch.enable_grad():
            loss = _probe_loss(model, x, y)
            gradients = torch.autograd.grad(loss, weights, allow_unused=True)
        per_layer = []
        for parts in _by_layer(layers, gradients):
            # In float64: the square of a vanishing float32 gradient (< 1e-19) underflows.
            squares = [torch.sum(torch.square(g.double())) for g in parts if g is not None]
            per_layer.append(
                torch.sqrt(sum(squares)) if squares else torch.zeros((), dtype=torch.float64)
            )
        return torch.stack(per_layer)

    return norms


_NORM_FUNCTIONS = {"tensorflow": _tensorflow_norms, "jax": _jax_norms, "torch": _torch_norms}
