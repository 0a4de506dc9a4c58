"""Package-wide settings: how the activations and losses trade accuracy for speed.

By default (`"exact"`) every activation is within 1e-6 relative of float64,
value and gradient, and so is every loss: formulations that keep float32's
precision in the tails and where the result is small. Each costs a few more
elementwise kernels than Keras's built-in, which on TensorFlow's CPU
without XLA is one more pass over memory each (the README's Performance
section has the measured cost at each size).

`"fast"` computes the functions whose exact form costs more than Keras's
with Keras's own kernels instead: Keras's speed, and Keras's accuracy
(for example, a gradient of 0 where tanh(x) rounds to 1, or a relative
error of 1e-3 in the cross-entropy of a confident row). Everything else is
unchanged: the layers, their configs, the logits a `Sigmoid` or `Softmax`
output carries to its cross-entropy, and the clipping of bare
probabilities.

The setting is read when a function is traced: a compiled train step
keeps the numerics it was traced with. Set it before `fit` (or before
`compile` with `jit_compile`), or use `numerics_scope` around the code
that builds and traces the model::

    keras_actloss.config.set_numerics("fast")
    model.fit(x, y)
"""

from __future__ import annotations

import contextlib
import threading

#: The values `set_numerics` takes.
NUMERICS = ("exact", "fast")

# The process-wide setting, and a thread's own inside `numerics_scope`.
_global = {"numerics": "exact"}
_state = threading.local()


def numerics():
    """The numerics in effect in this thread: `"exact"` (the default) or `"fast"`."""
    return getattr(_state, "numerics", _global["numerics"])


def _checked(value):
    if value not in NUMERICS:
        raise ValueError(
            f"Expected numerics to be one of {NUMERICS}: 'exact' (within 1e-6 of float64) or "
            f"'fast' (Keras's own kernels). Received: numerics={value!r}"
        )
    return value


def set_numerics(value):
    """Sets the numerics of every activation and loss, for every thread: "exact" or "fast".

    Raises:
        ValueError: for any other value.
    """
    _global["numerics"] = _checked(value)


def is_fast():
    """Whether the functions compute with Keras's own kernels (`set_numerics("fast")`)."""
    return numerics() == "fast"


@contextlib.contextmanager
def numerics_scope(value):
    """Within the block (in this thread), the numerics are `value`; restored on exit.

    Raises:
        ValueError: for a value other than "exact" or "fast".
    """
    value = _checked(value)
    previous = getattr(_state, "numerics", None)
    _state.numerics = value
    try:
        yield value
    finally:
        if previous is None:
            del _state.numerics
        else:
            _state.numerics = previous
