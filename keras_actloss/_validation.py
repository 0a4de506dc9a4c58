"""Argument checks shared by every public class.

Each check raises a `ValueError` that says what was expected and ends with
``Received: name=value``, the Keras convention.
"""

from __future__ import annotations

import math
import numbers


def _fail(name, value, expected):
    raise ValueError(f"Argument `{name}` must be {expected}. Received: {name}={value!r}")


def check_number(
    name, value, *, minimum=None, maximum=None, strict_minimum=False, strict_maximum=False
):
    """Returns `value` as a float after checking it is a finite real in range."""
    bounds = []
    if minimum is not None:
        bounds.append(f"{'>' if strict_minimum else '>='} {minimum}")
    if maximum is not None:
        bounds.append(f"{'<' if strict_maximum else '<='} {maximum}")
    expected = "a finite number" + (f" {' and '.join(bounds)}" if bounds else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(name, value, expected)
    value = float(value)
    if not math.isfinite(value):
        _fail(name, value, expected)
    if minimum is not None and (value <= minimum if strict_minimum else value < minimum):
        _fail(name, value, expected)
    if maximum is not None and (value >= maximum if strict_maximum else value > maximum):
        _fail(name, value, expected)
    return value


def check_integer(name, value, *, minimum=None):
    """Returns `value` as an int after checking it is an integer (not a bool) >= `minimum`."""
    expected = "an integer" + ("" if minimum is None else f" >= {minimum}")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        _fail(name, value, expected)
    if minimum is not None and value < minimum:
        _fail(name, value, expected)
    return int(value)


#: Keras 3's loss reductions (`keras.losses.Loss`); None and "none" reduce nothing.
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def check_reduction(value):
    """Keras's `standardize_reduction`, with our `Received: reduction=...` message."""
    if value is not None and not (isinstance(value, str) and value in REDUCTIONS):
        _fail("reduction", value, f"one of {', '.join(repr(c) for c in REDUCTIONS)}")
    return value


def check_choice(name, value, choices):
    if value not in choices:
        _fail(name, value, f"one of {', '.join(repr(c) for c in choices)}")
    return value


def check_bool(name, value):
    if not isinstance(value, bool):
        _fail(name, value, "a bool")
    return value


def check_axis(name, value):
    """An axis is an int or a non-empty tuple/list of distinct ints."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if (
        isinstance(value, (list, tuple))
        and value
        and all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in value)
        and len(set(value)) == len(value)
    ):
        return tuple(int(a) for a in value)
    _fail(name, value, "an int or a non-empty tuple of distinct ints")
