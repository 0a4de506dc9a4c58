"""Backend-neutral test tools: gradients, second derivatives and markers.

The suite runs on whichever backend `KERAS_BACKEND` names (TensorFlow,
JAX or PyTorch). Keras has no backend-neutral gradient function, so the
tests take derivatives through the one here, which uses each backend's own
autodiff: `tf.GradientTape`, `jax.grad`, `torch.autograd.grad`. A test of a
feature that exists only on TensorFlow says so with `tensorflow_only`.
"""

import functools
import warnings

import keras
import numpy as np
import pytest

BACKEND = keras.backend.backend()


def tensorflow_only(reason):
    """Marks a test that needs the TensorFlow backend; `reason` says why."""
    return pytest.mark.skipif(BACKEND != "tensorflow", reason=f"TensorFlow only: {reason}")


@functools.cache
def has_float64():
    """Whether the backend computes in float64 (JAX does only with `jax_enable_x64`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probe = keras.ops.convert_to_tensor(0.0, dtype="float64")
    return keras.backend.standardize_dtype(probe.dtype) == "float64"


def float_dtypes():
    """The float dtypes this backend computes in, for `pytest.mark.parametrize`."""
    return ["float16", "bfloat16", "float32"] + (["float64"] if has_float64() else [])


def to_numpy(x, dtype=None):
    """A backend tensor (or anything array-like) as a NumPy array, detached from autodiff."""
    if BACKEND == "torch" and hasattr(x, "detach"):
        x = x.detach()
        if x._is_zerotensor():  # autograd's stand-in for zeros, which NumPy cannot read
            x = x.new_zeros(x.shape)
    if hasattr(x, "dtype") and keras.backend.standardize_dtype(x.dtype) == "bfloat16":
        x = keras.ops.cast(x, "float32")  # NumPy has no bfloat16 of its own
    array = keras.ops.convert_to_numpy(x)
    return array if dtype is None else np.asarray(array, dtype=dtype)


def _tensor(x, dtype):
    if hasattr(x, "dtype") and not isinstance(x, np.ndarray):
        return x
    return keras.ops.convert_to_tensor(np.asarray(x), dtype=dtype)


def _differentiable(fn, args, dtype, create_graph):
    """(value, gradients) of `sum(fn(*args))` with respect to every arg, as backend tensors."""
    args = [_tensor(a, dtype) for a in args]
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            for a in args:
                tape.watch(a)
            total = keras.ops.sum(fn(*args))
        return total, tape.gradient(total, args, unconnected_gradients="zero")
    if BACKEND == "jax":
        import jax

        total, grads = jax.value_and_grad(
            lambda *a: keras.ops.sum(fn(*a)), argnums=tuple(range(len(args)))
        )(*args)
        return total, list(grads)
    import torch

    # A tensor already in a graph (the inner pass of `second_gradient`) stays in it.
    args = [a if a.requires_grad else a.detach().requires_grad_(True) for a in args]
    total = keras.ops.sum(fn(*args))
    if not total.requires_grad:
        # Depends on no argument: e.g. the gradient of a linear function, differentiated
        # again (PyTorch builds no graph for a constant, and refuses to differentiate it).
        return total, [torch.zeros_like(a) for a in args]
    grads = torch.autograd.grad(total, args, create_graph=create_graph, allow_unused=True)
    pairs = zip(args, grads, strict=True)
    return total, [torch.zeros_like(a) if g is None else g for a, g in pairs]


def gradients(fn, *args, dtype=None):
    """d sum(fn(*args)) / d arg for every arg, as NumPy arrays.

    `args` are NumPy arrays (converted in `dtype`, default their own) or
    backend tensors; an argument the result does not depend on gets zeros.
    """
    _, grads = _differentiable(fn, args, dtype, create_graph=False)
    return [to_numpy(g) for g in grads]


def gradient(fn, x, dtype=None):
    """d sum(fn(x)) / dx as a NumPy array."""
    return gradients(fn, x, dtype=dtype)[0]


def gradient_tensor(fn, x, dtype=None):
    """d sum(fn(x)) / dx as a backend tensor, whose dtype (bfloat16 too) the backend chose."""
    _, (grad,) = _differentiable(fn, [x], dtype, create_graph=False)
    return grad


def value_and_gradient(fn, x, dtype=None):
    """(sum(fn(x)), d sum(fn(x)) / dx) as NumPy values."""
    total, grads = _differentiable(fn, [x], dtype, create_graph=False)
    return to_numpy(total), to_numpy(grads[0])


def second_gradient(fn, x, direction=None, dtype=None):
    """The gradient of <d sum(fn(x))/dx, direction> with respect to x, by autodiff twice.

    For an elementwise `fn` and no `direction` (all ones) this is f''(x);
    for a loss it is the Hessian-vector product H v, which gradient
    penalties and Newton-type methods compute the same way.
    """
    x = _tensor(x, dtype)
    v = None if direction is None else _tensor(direction, x.dtype)

    def inner(u):
        _, (g,) = _differentiable(fn, [u], dtype, create_graph=True)
        return g if v is None else g * v

    return gradient(inner, x)


def connected_gradient(fn, x, dtype=None):
    """d sum(fn(x)) / dx as a NumPy array, or None where autodiff finds no path from x.

    TensorFlow's tape and PyTorch's autograd tell a result that does not
    depend on `x` in their graph from one whose derivative is zero; JAX
    does not, and gives zeros. `gradient` gives zeros in both cases.
    """
    x = _tensor(x, dtype)
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            total = keras.ops.sum(fn(x))
        grad = tape.gradient(total, x)
    elif BACKEND == "jax":
        import jax

        grad = jax.grad(lambda u: keras.ops.sum(fn(u)))(x)
    else:
        import torch

        x = x.detach().requires_grad_(True)
        total = keras.ops.sum(fn(x))
        if not total.requires_grad:
            return None
        (grad,) = torch.autograd.grad(total, [x], allow_unused=True)
    return None if grad is None else to_numpy(grad)
