"""Tensor helpers shared by the activation and loss functions (keras.ops only)."""

from __future__ import annotations

import dataclasses
import weakref

import keras
import ml_dtypes
from keras import ops

from keras_actloss import _keras_internals as internals


def as_float(x):
    """`x` as a tensor of a float type: its own if it has one, else `floatx()`."""
    x = ops.convert_to_tensor(x)
    if not keras.backend.is_float_dtype(x.dtype):
        x = ops.cast(x, keras.backend.floatx())
    return x


def finfo(dtype):
    """Machine limits of a float dtype given in any form Keras accepts (bfloat16 too)."""
    return ml_dtypes.finfo(keras.backend.standardize_dtype(dtype))


def concrete_bool(x):
    """`bool(x)` for a concrete tensor; None inside a trace (tf.function, jax.jit).

    Traced values have no value yet: there a check must be expressed in the
    result (NaN), not as a Python branch or exception.
    """
    try:
        return bool(x)
    except TypeError:  # TensorFlow's OperatorNotAllowedInGraphError, JAX's concretization error
        return None


def propagate_nan(result, *inputs):
    """`result` where every input is a number, NaN where any input is NaN.

    For helpers that guard a value with a comparison (`x > 0`, `x >= t`):
    a comparison with NaN is False, which would silently turn NaN into a
    number.
    """
    for x in inputs:
        result = ops.where(ops.isnan(x), ops.cast(float("nan"), result.dtype), result)
    return result


def recompute_in_backward():
    """Whether a custom gradient's backward pass, now running, must recompute from its inputs.

    PyTorch runs a custom gradient's forward pass with autograd off: a
    backward pass built from the forward pass's tensors could not be
    differentiated again (second derivatives would miss their dependence
    on x). So where PyTorch records the backward pass (`create_graph=True`,
    a gradient penalty or Hessian-vector product), it recomputes what it
    needs from x; a plain backward pass, and TensorFlow and JAX (which
    record the forward pass), reuse the forward pass's results.
    """
    if keras.backend.backend() != "torch":
        return False
    import torch  # the PyTorch backend is running, so it is installed

    return torch.is_grad_enabled()


def upstream_gradient(args, upstream):
    """The upstream gradient a `keras.ops.custom_gradient` backward function receives.

    TensorFlow and JAX pass it positionally, PyTorch as the `upstream` keyword.
    """
    return args[0] if upstream is None else upstream


@dataclasses.dataclass(frozen=True)
class LogitsRecord:
    """The logits that produced an activation's output, and how.

    `axis` is the normalised axis of a softmax (non-negative), None for a
    sigmoid. Only the output that the activation returned carries it: any
    later op makes a new tensor without it.
    """

    logits: object
    activation: str
    axis: int | None = None

    def produced(self, activation, axis, rank):
        """Whether these logits produced an output by `activation` over `axis`."""
        if activation != self.activation:
            return False
        return activation == "sigmoid" or self.axis == axis % rank


_RECORD = "_keras_actloss_logits"

# JAX's tracers (inside `jit`, `grad`, and so in `fit` and `evaluate`) take no
# attributes, so their records live here, keyed by the output's identity.
# The activation and the loss run in the same Python trace, one after the
# other, so the tracer is still alive when the loss asks; each entry holds
# the output only weakly and leaves with it, so no tracer outlives its trace.
_RECORDS_OF_UNATTRIBUTABLE = {}


def _keep_aside(output, record):
    key = id(output)

    def forget(reference):
        # Only this output's entry: its id may already serve a newer one.
        if _RECORDS_OF_UNATTRIBUTABLE.get(key, (None,))[0] is reference:
            del _RECORDS_OF_UNATTRIBUTABLE[key]

    try:
        reference = weakref.ref(output, forget)
    except TypeError:  # not a tensor of any backend: nothing to remember it by
        return
    _RECORDS_OF_UNATTRIBUTABLE[key] = (reference, record)


def remember_logits(output, logits, activation, axis=None):
    """Attaches the logits that produced `output` (see `LogitsRecord`).

    Keras's own cross-entropies read `_keras_logits` and assume a softmax
    over the last axis, so those are attached only when that holds.
    """
    rank = len(output.shape)
    axis = None if axis is None else axis % rank
    record = LogitsRecord(logits, activation, axis)
    try:
        setattr(output, _RECORD, record)
    except AttributeError:  # a JAX tracer
        _keep_aside(output, record)
        return output
    if activation == "sigmoid" or axis == rank - 1:
        internals.set_keras_logits(output, logits)
    return output


def logits_record(tensor):
    """The `LogitsRecord` attached by `remember_logits`, or None."""
    record = getattr(tensor, _RECORD, None)
    if record is None:
        reference, record = _RECORDS_OF_UNATTRIBUTABLE.get(id(tensor), (None, None))
        if reference is None or reference() is not tensor:
            return None
    return record
