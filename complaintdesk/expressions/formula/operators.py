"""The operators, as value -> value functions that never raise (errors are returned as values).

Each starts with a fast path for the common case (two floats, two strings) and falls back to the
general path: error propagation (left operand first), arrays (element-wise), coercion, and date
arithmetic (date + days = date, date - date = days, date + time = datetime).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from .runtime import broadcast
from .values import (
    DIV0,
    EQ_EPSILON,
    FLOAT_MAX,
    MAX_TEXT_LENGTH,
    NUM,
    VALUE,
    ExcelError,
    Lift,
    Raise,
    compare,
    serial_of,
    time_from_fraction,
    to_number,
    to_text,
)

_EPOCH: Final = date(1899, 12, 30)
_EPOCH_DT: Final = datetime(1899, 12, 30)


def _is_date(value: Any) -> bool:
    kind = type(value)
    return kind is date or kind is datetime or kind is time


def add_days(moment: date | datetime | time, days: float) -> Any:
    """A date moved by a number of days (fractions give a datetime); #NUM! outside Excel's range."""
    if isinstance(moment, time):
        total = serial_of(moment) + days
        return time_from_fraction(total) if 0 <= total < 1 else total
    if not -3e6 < days < 3e6:
        return NUM
    try:
        if isinstance(moment, datetime):
            moved: datetime = moment + timedelta(days=days)
            return moved if moved >= _EPOCH_DT else NUM
        if days.is_integer():
            shifted = moment + timedelta(days=int(days))
            return shifted if shifted >= _EPOCH else NUM
        moved = datetime(moment.year, moment.month, moment.day) + timedelta(days=days)
        return moved if moved >= _EPOCH_DT else NUM
    except OverflowError:
        return NUM


def _arith_general(op: str, a: Any, b: Any) -> Any:
    kind_a, kind_b = type(a), type(b)
    if kind_a is ExcelError:
        return a
    if kind_b is ExcelError:
        return b
    if kind_a is list or kind_b is list:
        return broadcast(_SCALAR[op], a, b)
    try:
        if op == "+" or op == "-":
            date_a, date_b = _is_date(a), _is_date(b)
            if date_a or date_b:
                return _date_arith(op, a, b, date_a, date_b)
        x = to_number(a)
        y = to_number(b)
    except Raise as exc:
        return exc.error
    except Lift:
        return VALUE
    return _number_op(op, x, y)


def _date_arith(op: str, a: Any, b: Any, date_a: bool, date_b: bool) -> Any:
    if op == "+":
        if date_a and not date_b:
            return add_days(a, to_number(b))
        if date_b and not date_a:
            return add_days(b, to_number(a))
        if type(b) is time and type(a) is not time:
            return add_days(a, serial_of(b))
        if type(a) is time and type(b) is not time:
            return add_days(b, serial_of(a))
        if type(a) is time and type(b) is time:
            return add_days(a, serial_of(b))
        return _number_op("+", serial_of(a), serial_of(b))
    # subtraction
    if date_a and not date_b:
        return add_days(a, -to_number(b))
    if date_a and date_b:
        if type(b) is time and type(a) is not time:
            return add_days(a, -serial_of(b))
        if type(a) is not time and type(b) is not time:
            # exact difference: serial numbers of datetimes carry ~1e-11 of float noise
            delta = _as_datetime(a) - _as_datetime(b)
            return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400.0
        return _number_op("-", serial_of(a), serial_of(b))
    return _number_op("-", to_number(a), serial_of(b))


def _as_datetime(value: date) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


def _number_op(op: str, x: float, y: float) -> Any:
    if op == "+":
        result = x + y
    elif op == "-":
        result = x - y
    elif op == "*":
        result = x * y
    elif op == "/":
        if y == 0:
            return DIV0
        result = x / y
    else:
        return power(x, y)
    return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM


def power(x: float, y: float) -> Any:
    """Excel's ^: 0^0 and roots of negative numbers are #NUM!, 0^-1 is #DIV/0!."""
    if x == 0:
        if y == 0:
            return NUM
        if y < 0:
            return DIV0
        return 0.0
    if x < 0 and not y.is_integer():
        # Excel allows odd roots of negatives when 1/y is an odd integer, e.g. (-8)^(1/3) = -2.
        inverse = 1 / y
        if abs(inverse - round(inverse)) < 1e-12 and round(inverse) % 2 == 1:
            result = -((-x) ** y)
            return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM
        return NUM
    try:
        result = x**y
    except (OverflowError, ZeroDivisionError):
        return NUM
    if type(result) is not float:  # pragma: no cover - complex results are excluded above
        return NUM
    return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM


def op_add(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        result = a + b
        return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM
    return _arith_general("+", a, b)


def op_sub(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        result = a - b
        return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM
    return _arith_general("-", a, b)


def op_mul(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        result = a * b
        return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM
    return _arith_general("*", a, b)


def op_div(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        if b == 0:
            return DIV0
        result = a / b
        return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM
    return _arith_general("/", a, b)


def op_pow(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        return power(a, b)
    return _arith_general("^", a, b)


def op_concat(a: Any, b: Any) -> Any:
    if type(a) is str and type(b) is str:
        if len(a) + len(b) > MAX_TEXT_LENGTH:
            return VALUE
        return a + b
    if type(a) is ExcelError:
        return a
    if type(b) is ExcelError:
        return b
    if type(a) is list or type(b) is list:
        return broadcast(op_concat, a, b)
    try:
        return op_concat(to_text(a), to_text(b))
    except Raise as exc:
        return exc.error
    except Lift:
        return VALUE


def negate(value: Any) -> Any:
    if type(value) is float:
        return -value
    if type(value) is list:
        return broadcast(lambda x, _: negate(x), value, None)
    try:
        return -to_number(value)
    except Raise as exc:
        return exc.error
    except Lift:
        return VALUE


def to_number_value(value: Any) -> Any:
    """``--x``: the value as a number (errors stay errors)."""
    if type(value) is float:
        return value
    if type(value) is list:
        return broadcast(lambda x, _: to_number_value(x), value, None)
    try:
        return to_number(value)
    except Raise as exc:
        return exc.error
    except Lift:
        return VALUE


def percent(value: Any, divisor: float) -> Any:
    if type(value) is float:
        return value / divisor
    if type(value) is list:
        return broadcast(lambda x, _: percent(x, divisor), value, None)
    try:
        return to_number(value) / divisor
    except Raise as exc:
        return exc.error
    except Lift:
        return VALUE


# --- comparison ------------------------------------------------------------------------------


def _compare_general(test: Callable[[int], bool], a: Any, b: Any) -> Any:
    if type(a) is list or type(b) is list:
        if type(a) is ExcelError:
            return a
        if type(b) is ExcelError:
            return b
        return broadcast(lambda x, y: _compare_general(test, x, y), a, b)
    try:
        return test(compare(a, b))
    except Raise as exc:
        return exc.error


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= EQ_EPSILON * (abs(a) + abs(b))


def op_eq(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        return a == b or _near(a, b)
    if type(a) is str and type(b) is str:
        return a == b or a.lower() == b.lower()
    return _compare_general(_is_eq, a, b)


def op_ne(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        return not (a == b or _near(a, b))
    if type(a) is str and type(b) is str:
        return a != b and a.lower() != b.lower()
    return _compare_general(_is_ne, a, b)


def op_lt(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        return a < b and not _near(a, b)
    return _compare_general(_is_lt, a, b)


def op_le(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        return a <= b or _near(a, b)
    return _compare_general(_is_le, a, b)


def op_gt(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        return a > b and not _near(a, b)
    return _compare_general(_is_gt, a, b)


def op_ge(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        return a >= b or _near(a, b)
    return _compare_general(_is_ge, a, b)


def _is_eq(c: int) -> bool:
    return c == 0


def _is_ne(c: int) -> bool:
    return c != 0


def _is_lt(c: int) -> bool:
    return c < 0


def _is_le(c: int) -> bool:
    return c <= 0


def _is_gt(c: int) -> bool:
    return c > 0


def _is_ge(c: int) -> bool:
    return c >= 0


def _scalar(op: str) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        return _arith_general(op, a, b)

    return apply


_SCALAR: Final = {op: _scalar(op) for op in "+-*/^"}

BINARY: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "+": op_add,
    "-": op_sub,
    "*": op_mul,
    "/": op_div,
    "^": op_pow,
    "&": op_concat,
    "=": op_eq,
    "<>": op_ne,
    "<": op_lt,
    "<=": op_le,
    ">": op_gt,
    ">=": op_ge,
}

__all__ = [
    "BINARY",
    "add_days",
    "negate",
    "op_add",
    "op_concat",
    "op_div",
    "op_eq",
    "op_ge",
    "op_gt",
    "op_le",
    "op_lt",
    "op_mul",
    "op_ne",
    "op_pow",
    "op_sub",
    "percent",
    "power",
    "to_number_value",
]
