"""Argument checks shared by every public class.

Each check raises a `ValueError` that says what was expected and ends with
``Received: name=value``, the Keras convention.
"""

from __future__ import annotations

import functools
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


def check_integer(name, value, *, minimum=None, allow_none=False):
    """Returns `value` as an int after checking it is an integer (not a bool) >= `minimum`."""
    expected = "an integer" + ("" if minimum is None else f" >= {minimum}")
    if allow_none:
        if value is None:
            return None
        expected += " or None"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        _fail(name, value, expected)
    if minimum is not None and value < minimum:
        _fail(name, value, expected)
    return int(value)


#: Keras 3's loss reductions (`keras.losses.Loss`); None and "none" reduce nothing.
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def check_reduction(value):
    """Keras's `standardize_reduction`, with Keras's own message (code written for Keras's
    losses may match on it)."""
    if value is not None and not (isinstance(value, str) and value in REDUCTIONS):
        allowed = "{" + ", ".join(repr(c) for c in REDUCTIONS) + "}"
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {allowed}. "
            f"Received: reduction={value}"
        )
    return value


def check_threshold(name, value):
    """A decision threshold on a probability lies strictly between 0 and 1."""
    return check_number(
        name, value, minimum=0.0, maximum=1.0, strict_minimum=True, strict_maximum=True
    )


def check_crossentropy_arguments(from_logits, label_smoothing, axis):
    """Validates the arguments the cross-entropies share; returns them cleaned."""
    return (
        check_bool("from_logits", from_logits),
        check_number("label_smoothing", label_smoothing, minimum=0.0, maximum=1.0),
        check_integer("axis", axis),
    )


def check_choice(name, value, choices):
    if value not in choices:
        _fail(name, value, f"one of {', '.join(repr(c) for c in choices)}")
    return value


def check_bool(name, value):
    if not isinstance(value, bool):
        _fail(name, value, "a bool")
    return value


def check_axis(name, value, *, allow_empty=False, minimum=None):
    """An axis is an int or a tuple/list of distinct ints (non-empty unless `allow_empty`)."""
    expected = f"an int or a{'' if allow_empty else ' non-empty'} tuple of distinct ints" + (
        "" if minimum is None else f" >= {minimum}"
    )

    def is_axis(a):
        return (
            isinstance(a, numbers.Integral)
            and not isinstance(a, bool)
            and (minimum is None or a >= minimum)
        )

    if is_axis(value):
        return int(value)
    if (
        isinstance(value, (list, tuple))
        and (value or allow_empty)
        and all(is_axis(a) for a in value)
        and len(set(value)) == len(value)
    ):
        return tuple(int(a) for a in value)
    _fail(name, value, expected)


class Argument:
    """A constructor argument that is checked again whenever it is set.

    ``negative_slope = Argument(check_number, minimum=0)`` on a class makes
    ``layer.negative_slope = -5`` raise the same `ValueError` as the
    constructor would. With `read_only=True` the value is fixed once set
    (for arguments that decide the weights a layer creates).
    """

    def __init__(self, check, *args, read_only=False, **kwargs):
        self._check = functools.partial(check, *args, **kwargs) if args or kwargs else check
        self._read_only = read_only

    def __set_name__(self, owner, name):
        self.name = name
        self._slot = f"_argument_{name}"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        try:
            return instance.__dict__[self._slot]
        except KeyError:  # not set yet: what `getattr(..., default)` callers expect
            raise AttributeError(self.name) from None

    def __set__(self, instance, value):
        if self._read_only and self._slot in instance.__dict__:
            raise AttributeError(
                f"`{self.name}` of {type(instance).__name__} is fixed when it is created; "
                f"create a new {type(instance).__name__}({self.name}=...) instead. "
                f"Received: {self.name}={value!r}"
            )
        instance.__dict__[self._slot] = self._check(self.name, value)


def argument_values(obj):
    """{name: value} of every `Argument` of `obj`'s class, base classes first, in order.

    The arguments a class declares are its function's keyword arguments and
    its config, so neither needs writing out again.
    """
    values = {}
    for cls in reversed(type(obj).__mro__):
        for name, attribute in vars(cls).items():
            if isinstance(attribute, Argument):
                values[name] = getattr(obj, name)
    return values
