"""Logical and information functions. IF, IFS, SWITCH, IFERROR, IFNA and CHOOSE are lazy: only the
branch they choose is evaluated. AND, OR and XOR evaluate every argument, as Excel does (an error
in any argument is the result, even after a FALSE)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..runtime import charge
from ..values import NA, VALUE, ExcelError, Lift, Raise, compare, raise_error, to_bool, to_number
from ._support import elementwise, is_datelike
from .registry import CallSite, Evaluator, register, register_special

if TYPE_CHECKING:
    from ..context import FormulaContext

Values = Mapping[str, Any]

L = "logical"


def _zero(values: Values, ctx: FormulaContext) -> Any:
    return 0.0


def _false(values: Values, ctx: FormulaContext) -> Any:
    return False


def _branch(site: CallSite, index: int) -> Evaluator:
    """An IF branch; an omitted one (``IF(x,,1)``) is 0 as in Excel."""
    from ..nodes import Missing

    if isinstance(site.arg_nodes[index], Missing):
        return _zero
    return site.args[index]


def truth(value: Any) -> bool | ExcelError | list[Any]:
    """A condition's value: True/False, the error it carries, or an array of those."""
    if type(value) is bool:
        return value
    if type(value) is list:
        return [truth(item) for item in value]
    try:
        return to_bool(value)
    except Raise as exc:
        return exc.error


def _pick(choice: Any, when_true: Any, when_false: Any, index: int) -> Any:
    if type(choice) is ExcelError:
        return choice
    chosen = when_true if choice else when_false
    if type(chosen) is list:
        return chosen[index] if index < len(chosen) else NA
    return chosen


@register_special(
    "IF", 2, 3, L, "条件成立时返回第二个参数，否则返回第三个参数", "value if a condition is TRUE, else another",
    'IF({amount}>100, "大额", "普通")',
)
def compile_if(site: CallSite) -> Evaluator:
    condition = site.args[0]
    then = _branch(site, 1)
    otherwise = _branch(site, 2) if len(site.args) == 3 else _false

    def if_(values: Values, ctx: FormulaContext) -> Any:
        test = condition(values, ctx)
        if test is True:
            return then(values, ctx)
        if test is False:
            return otherwise(values, ctx)
        decided = truth(test)
        if type(decided) is bool:
            return then(values, ctx) if decided else otherwise(values, ctx)
        if type(decided) is list:
            # an array condition: both branches are needed, each evaluated once
            charge(len(decided))
            yes = then(values, ctx) if any(c is True for c in decided) else None
            no = otherwise(values, ctx) if any(c is False for c in decided) else None
            return [_pick(c, yes, no, i) for i, c in enumerate(decided)]
        return decided

    return if_


@register_special(
    "IFS", 2, 254, L, "依次检查条件，返回第一个成立条件对应的值", "value of the first condition that is TRUE",
    'IFS({score}>=90, "优", {score}>=60, "合格", TRUE, "不合格")',
)
def compile_ifs(site: CallSite) -> Evaluator:
    if len(site.args) % 2:
        raise site.fail(site.node, "IFS 的参数必须成对出现（条件, 值）", "IFS takes pairs of (condition, value)")
    pairs = [(site.args[i], site.args[i + 1]) for i in range(0, len(site.args), 2)]

    def ifs(values: Values, ctx: FormulaContext) -> Any:
        for condition, result in pairs:
            decided = truth(condition(values, ctx))
            if decided is True:
                return result(values, ctx)
            if type(decided) is ExcelError:
                return decided
            if type(decided) is list:
                return VALUE
        return NA

    return ifs


@register_special(
    "SWITCH", 3, 254, L, "将表达式与一组值比较，返回第一个匹配值对应的结果", "result for the first value that matches",
    'SWITCH({level}, 1, "低", 2, "中", 3, "高", "未知")',
)
def compile_switch(site: CallSite) -> Evaluator:
    subject = site.args[0]
    rest = site.args[1:]
    default = rest[-1] if len(rest) % 2 else None
    cases = [(rest[i], rest[i + 1]) for i in range(0, len(rest) - 1, 2)]

    def switch(values: Values, ctx: FormulaContext) -> Any:
        value = subject(values, ctx)
        if type(value) is ExcelError:
            return value
        if type(value) is list:
            return VALUE
        for candidate, result in cases:
            other = candidate(values, ctx)
            if type(other) is ExcelError:
                return other
            if type(other) is list:
                continue
            try:
                if compare(value, other) == 0:
                    return result(values, ctx)
            except Raise as exc:
                return exc.error
        return default(values, ctx) if default is not None else NA

    return switch


@register_special(
    "IFERROR", 2, 2, L, "值为错误时返回替代值，否则返回该值", "a fallback when a value is an error",
    'IFERROR({amount}/{qty}, 0)',
)
def compile_iferror(site: CallSite) -> Evaluator:
    value_of, fallback = site.args

    def iferror(values: Values, ctx: FormulaContext) -> Any:
        value = value_of(values, ctx)
        if type(value) is ExcelError:
            return fallback(values, ctx)
        if type(value) is list and any(type(item) is ExcelError for item in value):
            other = fallback(values, ctx)
            return [_pick(type(item) is ExcelError, other, item, i) for i, item in enumerate(value)]
        return value

    return iferror


@register_special(
    "IFNA", 2, 2, L, "值为 #N/A 时返回替代值", "a fallback when a value is #N/A",
    'IFNA(MATCH({code}, {items.code}, 0), 0)',
)
def compile_ifna(site: CallSite) -> Evaluator:
    value_of, fallback = site.args

    def ifna(values: Values, ctx: FormulaContext) -> Any:
        value = value_of(values, ctx)
        if value is NA:
            return fallback(values, ctx)
        if type(value) is list and any(item is NA for item in value):
            other = fallback(values, ctx)
            return [_pick(item is NA, other, item, i) for i, item in enumerate(value)]
        return value

    return ifna


def _logicals(args: tuple[Any, ...]) -> list[bool]:
    """AND/OR/XOR arguments: logicals and numbers count; text and blanks in ranges are skipped;
    text typed directly must be TRUE or FALSE; any error is the result."""
    found: list[bool] = []
    for arg in args:
        kind = type(arg)
        if kind is bool:
            found.append(arg)
        elif kind is list:
            for item in arg:
                item_kind = type(item)
                if item_kind is bool:
                    found.append(item)
                elif item_kind is float:
                    found.append(item != 0)
                elif item_kind is ExcelError:
                    raise raise_error(item)
                elif is_datelike(item):
                    found.append(True)
        elif arg is not None:
            found.append(to_bool(arg))
    if not found:
        raise Raise(VALUE)
    return found


def _logical_compiler(combine: Callable[[list[bool]], bool]) -> Callable[[CallSite], Evaluator]:
    def compile_logical(site: CallSite) -> Evaluator:
        args = site.args
        if len(args) == 2:
            first, second = args

            def logical2(values: Values, ctx: FormulaContext) -> Any:
                a = first(values, ctx)
                b = second(values, ctx)
                if type(a) is bool and type(b) is bool:
                    if combine is all:
                        return a and b
                    if combine is any:
                        return a or b
                    return combine([a, b])
                try:
                    return combine(_logicals((a, b)))
                except Raise as exc:
                    return exc.error

            return logical2

        def logical(values: Values, ctx: FormulaContext) -> Any:
            evaluated = tuple(arg(values, ctx) for arg in args)
            try:
                return combine(_logicals(evaluated))
            except Raise as exc:
                return exc.error

        return logical

    return compile_logical


register_special(
    "AND", 1, 255, L, "所有参数都为 TRUE 时返回 TRUE", "TRUE if every argument is TRUE",
    "AND({amount}>0, {qty}>0)", ref_as_range=True, array_args_from=0,
)(_logical_compiler(all))
register_special(
    "OR", 1, 255, L, "任一参数为 TRUE 时返回 TRUE", "TRUE if any argument is TRUE",
    'OR({channel}="phone", {channel}="wechat")', ref_as_range=True, array_args_from=0,
)(_logical_compiler(any))
register_special(
    "XOR", 1, 255, L, "为 TRUE 的参数个数为奇数时返回 TRUE", "TRUE if an odd number of arguments are TRUE",
    "XOR({a}>0, {b}>0)", ref_as_range=True, array_args_from=0,
)(_logical_compiler(lambda found: sum(found) % 2 == 1))


@register("NOT", 1, 1, L, "逻辑取反", "reverses a logical value", "NOT(ISBLANK({phone}))")
def not_(value: Any) -> Any:
    if type(value) is bool:
        return not value
    return not to_bool(value)


@register("TRUE", 0, 0, L, "逻辑值 TRUE", "the logical value TRUE", "TRUE()")
def true_() -> bool:
    return True


@register("FALSE", 0, 0, L, "逻辑值 FALSE", "the logical value FALSE", "FALSE()")
def false_() -> bool:
    return False


@register("NA", 0, 0, L, "返回错误值 #N/A", "the error value #N/A", "NA()")
def na() -> ExcelError:
    return NA


@register(
    "ISBLANK", 1, 1, L, "值为空时返回 TRUE", "TRUE if the value is blank", "ISBLANK({phone})",
    array_args=frozenset({0}),
)
@elementwise
def isblank(value: Any) -> bool:
    return value is None


@register(
    "ISNUMBER", 1, 1, L, "值为数字（含日期）时返回 TRUE", "TRUE if the value is a number (or date)",
    "ISNUMBER({amount})", array_args=frozenset({0}),
)
@elementwise
def isnumber(value: Any) -> bool:
    return type(value) is float or is_datelike(value)


@register(
    "ISTEXT", 1, 1, L, "值为文本时返回 TRUE", "TRUE if the value is text", "ISTEXT({order_no})",
    array_args=frozenset({0}),
)
@elementwise
def istext(value: Any) -> bool:
    return type(value) is str


@register(
    "ISNONTEXT", 1, 1, L, "值不是文本时返回 TRUE", "TRUE if the value is not text", "ISNONTEXT({order_no})",
    array_args=frozenset({0}),
)
@elementwise
def isnontext(value: Any) -> bool:
    return type(value) is not str


@register(
    "ISLOGICAL", 1, 1, L, "值为逻辑值时返回 TRUE", "TRUE if the value is TRUE or FALSE", "ISLOGICAL({agreed})",
    array_args=frozenset({0}),
)
@elementwise
def islogical(value: Any) -> bool:
    return type(value) is bool


@register(
    "ISERROR", 1, 1, L, "值为任意错误值时返回 TRUE", "TRUE if the value is any error", "ISERROR({amount}/{qty})",
    array_args=frozenset({0}),
)
@elementwise
def iserror(value: Any) -> bool:
    return type(value) is ExcelError


@register(
    "ISERR", 1, 1, L, "值为 #N/A 以外的错误值时返回 TRUE", "TRUE if the value is an error other than #N/A",
    "ISERR({amount}/{qty})", array_args=frozenset({0}),
)
@elementwise
def iserr(value: Any) -> bool:
    return type(value) is ExcelError and value is not NA


@register(
    "ISNA", 1, 1, L, "值为 #N/A 时返回 TRUE", "TRUE if the value is #N/A", 'ISNA(MATCH("A", {items.code}, 0))',
    array_args=frozenset({0}),
)
@elementwise
def isna(value: Any) -> bool:
    return value is NA


def _parity(value: Any) -> int:
    if type(value) is bool:
        raise Raise(VALUE)
    number = to_number(value)
    return int(abs(number)) % 2


@register("ISEVEN", 1, 1, L, "数字为偶数时返回 TRUE", "TRUE if the number is even", "ISEVEN({qty})")
def iseven(value: Any) -> bool:
    return _parity(value) == 0


@register("ISODD", 1, 1, L, "数字为奇数时返回 TRUE", "TRUE if the number is odd", "ISODD({qty})")
def isodd(value: Any) -> bool:
    return _parity(value) == 1


__all__ = ["Lift", "truth"]
