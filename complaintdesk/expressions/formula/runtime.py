"""Evaluation-time limits and array helpers shared by operators and functions.

Nothing in the language loops except over arrays, and arrays are bounded; what remains is the total
array work of one evaluation (a long formula of array operations over 10,000-row columns). Each
array operation charges its size to a per-thread meter that :meth:`CompiledFormula.evaluate` refills;
running out is ``#VALUE!``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .values import NA, RAISE_VALUE, VALUE, ExcelError, Lift, Raise

meter = threading.local()


def refill(budget: int) -> None:
    meter.left = budget


def charge(amount: int) -> None:
    """Spend ``amount`` units of array work; raises :class:`Raise` (#VALUE!) when the budget is gone."""
    left = getattr(meter, "left", 0) - amount
    meter.left = left
    if left < 0:
        raise RAISE_VALUE


def charge_value(result: Any) -> None:
    """Charge for a produced array element: text costs its length (so arrays of long text stay bounded)."""
    if type(result) is str:
        charge(1 + len(result) // 8)
    else:
        charge(1)


Binary = Callable[[Any, Any], Any]


def broadcast(op: Binary, a: Any, b: Any) -> Any:
    """Apply a scalar operator element-wise as Excel's dynamic arrays do.

    Arrays of different lengths give ``#N/A`` past the shorter one; a one-element array stretches.
    ``op`` returns a value or error and never raises.
    """
    try:
        if type(a) is list:
            if type(b) is list:
                la, lb = len(a), len(b)
                if la == 1 and lb != 1:
                    a, la = a * lb, lb
                elif lb == 1 and la != 1:
                    b, lb = b * la, la
                size = max(la, lb)
                out = []
                for i in range(size):
                    result = op(a[i], b[i]) if i < la and i < lb else NA
                    charge_value(result)
                    out.append(result)
                return out
            out = []
            for x in a:
                result = op(x, b)
                charge_value(result)
                out.append(result)
            return out
        out = []
        for y in b:
            result = op(a, y)
            charge_value(result)
            out.append(result)
        return out
    except Raise as exc:
        return exc.error


def lift(function: Callable[..., Any], args: list[Any], accepts_array: Callable[[int], bool]) -> Any:
    """Call a scalar function once per element of its array arguments (Excel's array lifting)."""
    positions = [i for i, arg in enumerate(args) if type(arg) is list and not accepts_array(i)]
    if not positions:
        return VALUE
    size = max(len(args[i]) for i in positions)
    try:
        out: list[Any] = []
        for index in range(size):
            call_args = list(args)
            for i in positions:
                array = args[i]
                if len(array) == 1:
                    call_args[i] = array[0]
                else:
                    call_args[i] = array[index] if index < len(array) else NA
            try:
                result = function(*call_args)
            except Raise as exc:
                result = exc.error
            except Lift:
                result = VALUE
            if type(result) is list:
                result = VALUE  # arrays are one-dimensional
            charge_value(result)
            out.append(result)
        return out
    except Raise as exc:
        return exc.error


def first_error(values: list[Any]) -> ExcelError | None:
    for value in values:
        if type(value) is ExcelError:
            return value
    return None
