"""Helpers shared by the function families: argument scanning with Excel's range/direct rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from typing import Any

from ..runtime import charge
from ..values import ExcelError, Lift, raise_error, serial_of, to_number


def is_datelike(value: Any) -> bool:
    kind = type(value)
    return kind is date or kind is datetime or kind is time


def range_number(value: Any) -> float | None:
    """A cell of a range in an aggregate: numbers and dates count; text, logicals and blanks are
    skipped; errors raise."""
    kind = type(value)
    if kind is float:
        return value
    if kind is ExcelError:
        raise raise_error(value)
    if kind is date or kind is datetime or kind is time:
        return serial_of(value)
    return None


def direct_number(value: Any) -> float | None:
    """A value typed directly as an argument: coerced (numeric text, TRUE); blank is skipped."""
    if value is None:
        return None
    try:
        return to_number(value)
    except Lift:  # pragma: no cover - lists are handled by the caller
        return None


def numbers(args: tuple[Any, ...]) -> list[float]:
    """All numbers of aggregate arguments (ranges and direct values), in order."""
    out: list[float] = []
    for arg in args:
        if type(arg) is list:
            for item in arg:
                number = range_number(item)
                if number is not None:
                    out.append(number)
        else:
            number = direct_number(arg)
            if number is not None:
                out.append(number)
    return out


def numbers_with_values(args: tuple[Any, ...]) -> Iterator[tuple[float, Any]]:
    """Like :func:`numbers` but also yields the original value (MIN/MAX keep dates as dates)."""
    for arg in args:
        if type(arg) is list:
            for item in arg:
                number = range_number(item)
                if number is not None:
                    yield number, item
        else:
            number = direct_number(arg)
            if number is not None:
                yield number, (arg if is_datelike(arg) else number)


def flatten(args: tuple[Any, ...]) -> Iterator[Any]:
    for arg in args:
        if type(arg) is list:
            yield from arg
        else:
            yield arg


def elementwise(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """For functions that inspect a value without coercing it (ISBLANK ...): map over arrays."""

    def apply(value: Any) -> Any:
        if type(value) is list:
            charge(len(value))
            return [function(item) for item in value]
        return function(value)

    apply.__name__ = function.__name__
    apply.__doc__ = function.__doc__
    return apply


def as_array(value: Any) -> list[Any]:
    """An array argument: arrays as they are, a scalar as a one-element array; errors raise."""
    if type(value) is list:
        return value
    if type(value) is ExcelError:
        raise raise_error(value)
    return [value]


__all__ = [
    "as_array",
    "direct_number",
    "elementwise",
    "flatten",
    "is_datelike",
    "numbers",
    "numbers_with_values",
    "range_number",
]
