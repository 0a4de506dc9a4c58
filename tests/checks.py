"""Checks shared by the test modules: one tolerance rule, one config rule, catalog coverage."""

import inspect

import keras
import numpy as np
import pytest

from keras_actloss import catalog


def assert_close(actual, expected, rtol, atol, x=None):
    """Every element within `rtol` relative or `atol` absolute of the float64 `expected`.

    The failure names how many elements are off and the worst few, at the
    inputs `x` when given. NaN must match NaN.
    """
    actual = np.asarray(keras.ops.convert_to_numpy(actual), dtype="float64")
    expected = np.broadcast_to(np.asarray(expected, dtype="float64"), actual.shape)
    error = np.abs(actual - expected)
    good = (error <= rtol * np.abs(expected)) | (error <= atol)
    good |= np.isnan(actual) & np.isnan(expected)
    good |= np.isinf(expected) & (actual == expected)
    bad = ~good
    if bad.any():
        where = "" if x is None else f" at x={np.asarray(x, 'float64')[bad][:5]}"
        raise AssertionError(
            f"{bad.sum()} of {bad.size} elements off (rtol={rtol}, atol={atol}){where}: "
            f"got {actual[bad][:5]}, expected {expected[bad][:5]}"
        )


def constructor_arguments(cls):
    """The names of the constructor's own arguments (not `self`, `*args`, `**kwargs`)."""
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return [p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def assert_config_holds_every_argument(obj, given):
    """`get_config()` has every constructor argument, with the value given for each in `given`.

    Keras objects among the arguments (initializers, regularizers) are
    compared by their serialized form.
    """
    config = obj.get_config()
    missing = set(constructor_arguments(type(obj))) - set(config)
    assert not missing, f"{type(obj).__name__}.get_config() lacks {sorted(missing)}"
    for name, value in given.items():
        if hasattr(value, "get_config"):
            value = keras.saving.serialize_keras_object(value)
            assert config[name]["config"] == value["config"], name
        else:
            expected = list(value) if isinstance(value, tuple) else value
            actual = list(config[name]) if isinstance(config[name], tuple) else config[name]
            assert actual == expected, f"{name}: {actual!r} != {expected!r}"


def catalog_names(kind):
    """Every canonical name of one kind, for `pytest.mark.parametrize`."""
    return [entry.info.name for entry in catalog.entries(kind)]


def require(table, name, what, where):
    """`table[name]`; fails naming the function when a catalog entry has none."""
    if name not in table:
        pytest.fail(f"The {what} {name!r} has no entry in {where}: every catalog entry needs one.")
    return table[name]
