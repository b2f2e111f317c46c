"""Lookup over one-dimensional arrays (sub-table columns, multi-select values, ``{1,2,3}``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..runtime import charge_value
from ..values import (
    LIFT,
    NA,
    RAISE_NA,
    RAISE_REF,
    RAISE_VALUE,
    VALUE,
    ExcelError,
    Raise,
    compare,
    raise_error,
    to_number,
)
from ._support import as_array
from .criteria import wildcard_pattern
from .registry import CallSite, Evaluator, register, register_special

if TYPE_CHECKING:
    from ..context import FormulaContext

K = "lookup"
Values = Mapping[str, Any]


@register_special(
    "CHOOSE", 2, 255, K, "按序号从参数中选择一个值", "picks the n-th of its value arguments",
    'CHOOSE({level}, "低", "中", "高")',
)
def compile_choose(site: CallSite) -> Evaluator:
    index_of = site.args[0]
    options = site.args[1:]

    def choose_one(index: Any, values: Values, ctx: FormulaContext) -> Any:
        if type(index) is ExcelError:
            return index
        try:
            number = index if type(index) is float else to_number(index)
        except Raise as exc:
            return exc.error
        position = int(number)
        if not 1 <= position <= len(options):
            return VALUE
        return options[position - 1](values, ctx)

    def choose(values: Values, ctx: FormulaContext) -> Any:
        index = index_of(values, ctx)
        if type(index) is list:
            out = []
            for position, item in enumerate(index):
                chosen = choose_one(item, values, ctx)
                if type(chosen) is list:  # an array option contributes its element at this position
                    chosen = chosen[position] if position < len(chosen) else NA
                charge_value(chosen)
                out.append(chosen)
            return out
        return choose_one(index, values, ctx)

    return choose


def _position(value: Any) -> int:
    number = value if type(value) is float else to_number(value)
    if number < 0:
        raise RAISE_VALUE
    return int(min(number, 1e9))


@register(
    "INDEX", 2, 3, K, "数组中第 n 个值", "the n-th value of an array", "INDEX({items.name}, 1)",
    ref_as_range=True, array_args=frozenset({0}),
)
def index(array: Any, row: Any, column: Any = None) -> Any:
    items = as_array(array)
    position = _position(row)
    if column is not None:
        col = _position(column)
        if len(items) == 1 and position <= 1 and col >= 1:
            # a single value addressed as row 1, column n: only column 1 exists
            position, col = col, 1
        if col > 1:
            raise RAISE_REF
    if position == 0:
        return items
    if position > len(items):
        raise RAISE_REF
    return items[position - 1]


def _same(a: Any, b: Any) -> bool:
    try:
        return compare(a, b) == 0 and (type(a) is bool) == (type(b) is bool)
    except Raise:
        return False


def match_position(lookup: Any, items: list[Any], mode: int) -> int:
    """1-based position as MATCH finds it; raises #N/A when absent."""
    if type(lookup) is ExcelError:
        raise raise_error(lookup)
    if mode == 0:
        pattern = wildcard_pattern(lookup) if type(lookup) is str else None
        for position, item in enumerate(items, start=1):
            if pattern is not None:
                if type(item) is str and pattern.fullmatch(item):
                    return position
            elif item is not None and _same(lookup, item):
                return position
        raise RAISE_NA
    # Approximate match as on sorted data: the last item <= lookup (mode 1) or >= lookup (mode -1),
    # of the same kind (numbers with numbers, text with text).
    found = 0
    for position, item in enumerate(items, start=1):
        if item is None or type(item) is ExcelError or _kind(item) != _kind(lookup):
            continue
        order = compare(item, lookup)
        if (mode > 0 and order <= 0) or (mode < 0 and order >= 0):
            found = position
            if order == 0:
                if mode > 0:
                    continue
                return position
        elif found:
            break
    if not found:
        raise RAISE_NA
    return found


def _kind(value: Any) -> int:
    kind = type(value)
    if kind is str:
        return 1
    if kind is bool:
        return 2
    return 0


@register(
    "MATCH", 2, 3, K, "值在数组中的位置（0 精确匹配，支持通配符）", "position of a value in an array (0 = exact match)",
    'MATCH("B", {"A","B","C"}, 0)', ref_as_range=True, array_args=frozenset({1}),
)
def match(lookup: Any, array: Any, match_type: Any = 1.0) -> float:
    if type(lookup) is list:
        raise LIFT
    mode = int(to_number(match_type))
    mode = 1 if mode > 0 else (-1 if mode < 0 else 0)
    if lookup is None:
        raise RAISE_NA
    return float(match_position(lookup, as_array(array), mode))


@register(
    "XLOOKUP", 3, 5, K, "在一个数组中查找，返回另一个数组中对应位置的值",
    "looks up a value in one array and returns the matching item of another",
    'XLOOKUP({sku}, {items.sku}, {items.price}, 0)', ref_as_range=True, array_args=frozenset({1, 2}),
)
def xlookup(lookup: Any, lookup_array: Any, return_array: Any, if_not_found: Any = NA, match_mode: Any = 0.0) -> Any:
    if type(lookup) is list:
        raise LIFT
    keys, results = as_array(lookup_array), as_array(return_array)
    if len(keys) != len(results):
        raise RAISE_VALUE
    mode = int(to_number(match_mode))
    try:
        if mode == 0 or mode == 2:
            position = match_position(lookup, keys, 0) if mode == 2 or type(lookup) is not str else _exact(lookup, keys)
        elif mode in (-1, 1):
            position = _nearest(lookup, keys, mode)
        else:
            raise RAISE_VALUE
    except Raise as exc:
        if exc.error is NA:
            return if_not_found
        raise
    return results[position - 1]


def _exact(lookup: str, keys: list[Any]) -> int:
    lowered = lookup.lower()
    for position, item in enumerate(keys, start=1):
        if type(item) is str and item.lower() == lowered:
            return position
    raise RAISE_NA


def _nearest(lookup: Any, keys: list[Any], mode: int) -> int:
    """XLOOKUP match modes -1/1: exact, else the next smaller (-1) or larger (1) item, unsorted."""
    best: tuple[int, Any] | None = None
    for position, item in enumerate(keys, start=1):
        if item is None or type(item) is ExcelError or _kind(item) != _kind(lookup):
            continue
        order = compare(item, lookup)
        if order == 0:
            return position
        closer = best is None or (compare(item, best[1]) > 0 if mode < 0 else compare(item, best[1]) < 0)
        if ((mode < 0 and order < 0) or (mode > 0 and order > 0)) and closer:
            best = (position, item)
    if best is None:
        raise RAISE_NA
    return best[0]


@register(
    "ROWS", 1, 1, K, "数组的行数（如子表行数）", "number of rows of an array (e.g. sub-table rows)",
    "ROWS({items.qty})", ref_as_range=True, array_args=frozenset({0}),
)
def rows(array: Any) -> float:
    if type(array) is ExcelError:
        raise raise_error(array)
    return float(len(array) if type(array) is list else 1)
