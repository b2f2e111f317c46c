"""Math, aggregate and conditional-aggregate functions.

Aggregates follow Excel's two rules: in a range (an array, or a bare ``{field}`` reference) only
numbers and dates count — text, logicals and blanks are skipped; a value typed directly as an
argument is coerced ("3" and TRUE count, "abc" is #VALUE!). Errors propagate either way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..operators import power as _power
from ..runtime import charge, lift
from ..values import (
    NUM,
    RAISE_DIV0,
    RAISE_NUM,
    RAISE_VALUE,
    ExcelError,
    Lift,
    Raise,
    checked,
    raise_error,
    round_directed,
    round_half_away,
    to_number,
)
from ._support import as_array, is_datelike, numbers, numbers_with_values, range_number
from .criteria import criterion
from .registry import CallSite, Evaluator, register, register_special

if TYPE_CHECKING:
    from ..context import FormulaContext

M = "math"
AGG = {"ref_as_range": True, "array_args_from": 0}


def _num(value: Any) -> float:
    return value if type(value) is float else to_number(value)


# --- aggregates ------------------------------------------------------------------------------


@register("SUM", 1, 255, M, "求和", "adds numbers", "SUM({items.amount})", **AGG)
def sum_(*args: Any) -> float:
    total = 0.0
    for arg in args:
        kind = type(arg)
        if kind is float:
            total += arg
        elif kind is list:
            for item in arg:
                if type(item) is float:
                    total += item
                else:
                    number = range_number(item)
                    if number is not None:
                        total += number
        elif arg is not None:
            total += to_number(arg)
    return checked(total)


@register("AVERAGE", 1, 255, M, "算术平均值", "arithmetic mean", "AVERAGE({items.score})", **AGG)
def average(*args: Any) -> float:
    found = numbers(args)
    if not found:
        raise RAISE_DIV0
    return checked(math.fsum(found) / len(found))


def _extreme(args: tuple[Any, ...], pick_max: bool) -> Any:
    best: tuple[float, Any] | None = None
    for number, original in numbers_with_values(args):
        if best is None or (number > best[0] if pick_max else number < best[0]):
            best = (number, original)
    if best is None:
        return 0.0
    return best[1] if is_datelike(best[1]) else best[0]


@register("MIN", 1, 255, M, "最小值（日期保持为日期）", "smallest number (dates stay dates)",
          "MIN({items.price})", **AGG)
def min_(*args: Any) -> Any:
    if len(args) == 2 and type(args[0]) is float and type(args[1]) is float:
        return args[0] if args[0] <= args[1] else args[1]
    return _extreme(args, pick_max=False)


@register("MAX", 1, 255, M, "最大值（日期保持为日期）", "largest number (dates stay dates)",
          "MAX({items.price})", **AGG)
def max_(*args: Any) -> Any:
    if len(args) == 2 and type(args[0]) is float and type(args[1]) is float:
        return args[0] if args[0] >= args[1] else args[1]
    return _extreme(args, pick_max=True)


@register("COUNT", 1, 255, M, "数字（含日期）的个数", "how many numbers (or dates)", "COUNT({items.qty})", **AGG)
def count(*args: Any) -> float:
    total = 0
    for arg in args:
        if type(arg) is list:
            total += sum(1 for item in arg if type(item) is float or is_datelike(item))
        elif type(arg) is float or is_datelike(arg) or type(arg) is bool:
            total += 1
        elif type(arg) is str:
            try:
                to_number(arg)
            except Exception:
                continue
            total += 1
    return float(total)


@register("COUNTA", 1, 255, M, "非空值的个数", "how many values are not blank", "COUNTA({items.name})", **AGG)
def counta(*args: Any) -> float:
    total = 0
    for arg in args:
        if type(arg) is list:
            total += sum(1 for item in arg if item is not None)
        elif arg is not None:
            total += 1
    return float(total)


@register(
    "COUNTBLANK", 1, 1, M, "空值（含空文本）的个数", "how many values are blank (or empty text)",
    "COUNTBLANK({items.remark})", **AGG,
)
def countblank(values: Any) -> float:
    return float(sum(1 for item in as_array(values) if item is None or item == ""))


@register("PRODUCT", 1, 255, M, "乘积", "multiplies numbers", "PRODUCT({qty}, {price})", **AGG)
def product(*args: Any) -> float:
    found = numbers(args)
    if not found:
        return 0.0
    result = 1.0
    for number in found:
        result = checked(result * number)
    return result


@register("MEDIAN", 1, 255, M, "中位数", "median", "MEDIAN({items.days})", **AGG)
def median(*args: Any) -> float:
    found = sorted(numbers(args))
    if not found:
        raise RAISE_NUM
    middle = len(found) // 2
    if len(found) % 2:
        return found[middle]
    return (found[middle - 1] + found[middle]) / 2


def _kth(values: Any, k: Any, largest: bool) -> Any:
    found = [(number, original) for number, original in numbers_with_values((as_array(values),))]
    position = math.ceil(_num(k))
    if not 1 <= position <= len(found):
        raise RAISE_NUM
    found.sort(key=lambda pair: pair[0], reverse=largest)
    number, original = found[position - 1]
    return original if is_datelike(original) else number


@register("LARGE", 2, 2, M, "第 k 大的值", "k-th largest value", "LARGE({items.amount}, 2)",
          ref_as_range=True, array_args=frozenset({0}))
def large(values: Any, k: Any) -> Any:
    return _kth(values, k, largest=True)


@register("SMALL", 2, 2, M, "第 k 小的值", "k-th smallest value", "SMALL({items.amount}, 1)",
          ref_as_range=True, array_args=frozenset({0}))
def small(values: Any, k: Any) -> Any:
    return _kth(values, k, largest=False)


@register(
    "SUMPRODUCT", 1, 255, M, "对应元素相乘后求和", "sum of element-wise products",
    "SUMPRODUCT({items.qty}, {items.price})", **AGG,
)
def sumproduct(*arrays: Any) -> float:
    columns = [as_array(array) for array in arrays]
    size = len(columns[0])
    if any(len(column) != size for column in columns):
        raise RAISE_VALUE
    charge(size * len(columns))
    total = 0.0
    for row in zip(*columns, strict=True):
        result = 1.0
        for item in row:
            if type(item) is ExcelError:
                raise raise_error(item)
            result *= item if type(item) is float else 0.0
        total += result
    return checked(total)


@register("STDEV", 1, 255, M, "样本标准差", "sample standard deviation", "STDEV({items.score})", **AGG)
def stdev(*args: Any) -> float:
    found = numbers(args)
    if len(found) < 2:
        raise RAISE_DIV0
    mean = math.fsum(found) / len(found)
    return math.sqrt(math.fsum((x - mean) ** 2 for x in found) / (len(found) - 1))


# --- conditional aggregates ------------------------------------------------------------------


def _matching(criteria_range: Any, criteria: Any) -> list[bool]:
    test = criterion(criteria)
    return [test(item) for item in as_array(criteria_range)]


def _pairs(args: tuple[Any, ...], size: int) -> list[bool]:
    keep = [True] * size
    for i in range(0, len(args), 2):
        cells = as_array(args[i])
        if len(cells) != size:
            raise RAISE_VALUE
        test = criterion(args[i + 1])
        keep = [k and test(cell) for k, cell in zip(keep, cells, strict=True)]
    return keep


def _selected_numbers(values: Any, keep: list[bool]) -> list[float]:
    found: list[float] = []
    cells = as_array(values)
    for index, flag in enumerate(keep):
        if flag and index < len(cells):
            number = range_number(cells[index])
            if number is not None:
                found.append(number)
    return found


IF_OPTIONS = {"ref_as_range": True, "array_args": frozenset({0, 2})}
IFS_OPTIONS = {"ref_as_range": True, "array_args_from": 0}


@register(
    "SUMIF", 2, 3, M, "对满足条件的值求和", "adds the values that meet a criterion",
    'SUMIF({items.type}, "配件", {items.amount})', **IF_OPTIONS,
)
def sumif(criteria_range: Any, criteria: Any, sum_range: Any = None) -> float:
    keep = _matching(criteria_range, criteria)
    target = criteria_range if sum_range is None else sum_range
    return checked(math.fsum(_selected_numbers(target, keep)))


@register(
    "AVERAGEIF", 2, 3, M, "满足条件的值的平均值", "mean of the values that meet a criterion",
    'AVERAGEIF({items.score}, ">0")', **IF_OPTIONS,
)
def averageif(criteria_range: Any, criteria: Any, average_range: Any = None) -> float:
    keep = _matching(criteria_range, criteria)
    found = _selected_numbers(criteria_range if average_range is None else average_range, keep)
    if not found:
        raise RAISE_DIV0
    return checked(math.fsum(found) / len(found))


@register(
    "COUNTIF", 2, 2, M, "满足条件的值的个数", "how many values meet a criterion", 'COUNTIF({items.status}, "已*")',
    ref_as_range=True, array_args=frozenset({0}),
)
def countif(criteria_range: Any, criteria: Any) -> float:
    return float(sum(_matching(criteria_range, criteria)))


@register(
    "SUMIFS", 3, 255, M, "对满足多个条件的值求和", "adds the values that meet every criterion",
    'SUMIFS({items.amount}, {items.type}, "配件", {items.qty}, ">1")', **IFS_OPTIONS,
)
def sumifs(sum_range: Any, *pairs: Any) -> float:
    if len(pairs) % 2:
        raise RAISE_VALUE
    cells = as_array(sum_range)
    return checked(math.fsum(_selected_numbers(cells, _pairs(pairs, len(cells)))))


@register(
    "COUNTIFS", 2, 254, M, "满足多个条件的个数", "how many rows meet every criterion",
    'COUNTIFS({items.type}, "配件", {items.qty}, ">1")', **IFS_OPTIONS,
)
def countifs(*pairs: Any) -> float:
    if len(pairs) % 2:
        raise RAISE_VALUE
    size = len(as_array(pairs[0]))
    return float(sum(_pairs(pairs, size)))


@register(
    "AVERAGEIFS", 3, 255, M, "满足多个条件的值的平均值", "mean of the values that meet every criterion",
    'AVERAGEIFS({items.score}, {items.type}, "配件")', **IFS_OPTIONS,
)
def averageifs(average_range: Any, *pairs: Any) -> float:
    if len(pairs) % 2:
        raise RAISE_VALUE
    cells = as_array(average_range)
    found = _selected_numbers(cells, _pairs(pairs, len(cells)))
    if not found:
        raise RAISE_DIV0
    return checked(math.fsum(found) / len(found))


@register(
    "MAXIFS", 3, 255, M, "满足多个条件的最大值", "largest value meeting every criterion",
    'MAXIFS({items.amount}, {items.type}, "配件")', **IFS_OPTIONS,
)
def maxifs(max_range: Any, *pairs: Any) -> float:
    if len(pairs) % 2:
        raise RAISE_VALUE
    cells = as_array(max_range)
    found = _selected_numbers(cells, _pairs(pairs, len(cells)))
    return max(found) if found else 0.0


@register(
    "MINIFS", 3, 255, M, "满足多个条件的最小值", "smallest value meeting every criterion",
    'MINIFS({items.amount}, {items.type}, "配件")', **IFS_OPTIONS,
)
def minifs(min_range: Any, *pairs: Any) -> float:
    if len(pairs) % 2:
        raise RAISE_VALUE
    cells = as_array(min_range)
    found = _selected_numbers(cells, _pairs(pairs, len(cells)))
    return min(found) if found else 0.0


# --- rounding --------------------------------------------------------------------------------


def _digits(value: Any) -> int:
    digits = _num(value)
    if not -1e6 < digits < 1e6:
        return 400 if digits > 0 else -400
    return int(digits)


def round_(number: Any, digits: Any = 0.0) -> float:
    if type(number) is not float:
        number = to_number(number)
    if type(digits) is float and -1e6 < digits < 1e6:
        return round_half_away(number, int(digits))
    return round_half_away(number, _digits(digits))


def _round_any(number: Any, digits: Any) -> Any:
    try:
        return round_(number, digits)
    except Raise as exc:
        return exc.error
    except OverflowError:
        return NUM
    except Lift:
        return lift(round_, [number, digits], lambda index: False)


@register_special(
    "ROUND", 1, 2, M, "四舍五入（远离零方向）到指定位数", "rounds half away from zero to n digits",
    "ROUND({amount}*0.1, 2)",
)
def compile_round(site: CallSite) -> Evaluator:
    number_of = site.args[0]
    digits_constant, digits = site.constants[1] if len(site.args) == 2 else (True, 0.0)
    if digits_constant and type(digits) is float and digits in _SMALL_DIGITS:
        # ROUND(x, 2): the money case, with the rounding inlined (see values.round_half_away)
        places = int(digits)
        scale = 10.0**places

        def round_constant(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            x = number_of(values, ctx)
            if type(x) is float:
                magnitude = x * scale if x >= 0 else -x * scale
                if magnitude < 1e8:
                    whole = float(int(magnitude))
                    off_half = magnitude - whole - 0.5
                    if off_half > 1e-6:
                        whole += 1.0
                    elif off_half >= -1e-6:
                        return round_half_away(x, places)
                    return whole / scale if x >= 0 else -whole / scale
            return _round_any(x, digits)

        return round_constant
    digits_of = site.args[1] if len(site.args) == 2 else None

    def round_general(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
        x = number_of(values, ctx)
        return _round_any(x, 0.0 if digits_of is None else digits_of(values, ctx))

    return round_general


_SMALL_DIGITS = frozenset(float(i) for i in range(16))


@register("ROUNDUP", 1, 2, M, "远离零方向舍入", "rounds away from zero", "ROUNDUP({hours}, 0)")
def roundup(number: Any, digits: Any = 0.0) -> float:
    return round_directed(_num(number), _digits(digits), up=True)


@register("ROUNDDOWN", 1, 2, M, "向零方向舍入", "rounds toward zero", "ROUNDDOWN({amount}, 1)")
def rounddown(number: Any, digits: Any = 0.0) -> float:
    return round_directed(_num(number), _digits(digits), up=False)


@register("TRUNC", 1, 2, M, "截尾取整（向零方向）", "truncates toward zero", "TRUNC({amount}, 1)")
def trunc(number: Any, digits: Any = 0.0) -> float:
    return round_directed(_num(number), _digits(digits), up=False)


@register("INT", 1, 1, M, "向下取整为整数", "rounds down to an integer", "INT({hours}/8)")
def int_(number: Any) -> float:
    return float(math.floor(_num(number)))


def _snap(quotient: float) -> float:
    nearest = round(quotient)
    if abs(quotient - nearest) <= 1e-12 * max(1.0, abs(quotient)):
        return float(nearest)
    return quotient


@register("CEILING", 1, 2, M, "向上舍入为基数的倍数", "rounds up to a multiple of significance", "CEILING({amount}, 5)")
def ceiling(number: Any, significance: Any = 1.0) -> float:
    x, step = _num(number), _num(significance)
    if x == 0 or step == 0:
        return 0.0
    if x > 0 and step < 0:
        raise RAISE_NUM
    return checked(math.ceil(_snap(x / step)) * step)


@register("FLOOR", 1, 2, M, "向下舍入为基数的倍数", "rounds down to a multiple of significance", "FLOOR({amount}, 5)")
def floor(number: Any, significance: Any = 1.0) -> float:
    x, step = _num(number), _num(significance)
    if step == 0:
        if x == 0:
            return 0.0
        raise RAISE_DIV0
    if x > 0 and step < 0:
        raise RAISE_NUM
    return checked(math.floor(_snap(x / step)) * step)


@register("MROUND", 2, 2, M, "舍入为最接近的倍数", "rounds to the nearest multiple", "MROUND({minutes}, 15)")
def mround(number: Any, multiple: Any) -> float:
    x, step = _num(number), _num(multiple)
    if step == 0:
        return 0.0
    if (x > 0 > step) or (x < 0 < step):
        raise RAISE_NUM
    return checked(round_half_away(x / step, 0) * step)


@register("MOD", 2, 2, M, "余数（符号与除数相同）", "remainder (sign of the divisor)", "MOD({qty}, 12)")
def mod(number: Any, divisor: Any) -> float:
    x, d = _num(number), _num(divisor)
    if d == 0:
        raise RAISE_DIV0
    result = x - d * math.floor(_snap(x / d))
    return 0.0 if abs(result) < 1e-15 * max(1.0, abs(x)) else result


@register("QUOTIENT", 2, 2, M, "整除的整数部分", "integer part of a division", "QUOTIENT({minutes}, 60)")
def quotient(numerator: Any, denominator: Any) -> float:
    x, d = _num(numerator), _num(denominator)
    if d == 0:
        raise RAISE_DIV0
    return float(math.trunc(_snap(x / d)))


@register("ABS", 1, 1, M, "绝对值", "absolute value", "ABS({difference})")
def abs_(number: Any) -> float:
    return abs(_num(number))


@register("SIGN", 1, 1, M, "符号：1、0 或 -1", "sign: 1, 0 or -1", "SIGN({balance})")
def sign(number: Any) -> float:
    x = _num(number)
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


@register("POWER", 2, 2, M, "乘幂", "a number raised to a power", "POWER({rate}, 2)")
def power(number: Any, exponent: Any) -> Any:
    return _power(_num(number), _num(exponent))


@register("SQRT", 1, 1, M, "平方根", "square root", "SQRT({area})")
def sqrt(number: Any) -> float:
    x = _num(number)
    if x < 0:
        raise RAISE_NUM
    return math.sqrt(x)


@register("EXP", 1, 1, M, "e 的乘幂", "e raised to a power", "EXP(1)")
def exp(number: Any) -> float:
    try:
        return checked(math.exp(_num(number)))
    except OverflowError:
        raise RAISE_NUM from None


def _log(x: float, base: float) -> float:
    if x <= 0 or base <= 0:
        raise RAISE_NUM
    if base == 1:
        raise RAISE_DIV0
    return math.log(x) / math.log(base)


@register("LN", 1, 1, M, "自然对数", "natural logarithm", "LN({value})")
def ln(number: Any) -> float:
    return _log(_num(number), math.e)


@register("LOG", 1, 2, M, "指定底数的对数（默认 10）", "logarithm to a base (default 10)", "LOG({value}, 2)")
def log(number: Any, base: Any = 10.0) -> float:
    x, b = _num(number), _num(base)
    if b == 10:
        if x <= 0:
            raise RAISE_NUM
        return math.log10(x)
    return _log(x, b)


@register("LOG10", 1, 1, M, "以 10 为底的对数", "base-10 logarithm", "LOG10({value})")
def log10(number: Any) -> float:
    x = _num(number)
    if x <= 0:
        raise RAISE_NUM
    return math.log10(x)


@register("PI", 0, 0, M, "圆周率", "the number pi", "PI()")
def pi() -> float:
    return math.pi

