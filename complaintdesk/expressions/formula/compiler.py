"""Syntax tree -> a tree of Python closures, and the public entry points.

Each node becomes one closure ``(values, context) -> value`` built from our own node types only:
field keys and literals are captured as Python values, function names are looked up in our registry,
and no text of the formula is ever handed to ``eval``/``exec``. Constant sub-expressions are folded
at compile time, and common shapes (a field compared with a number, a function with constant
arguments) get closures with inlined fast paths, because a typical form formula must evaluate in a
few microseconds.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

from . import nodes as n
from .context import DEFAULT_CONTEXT, FormulaContext
from .errors import FormulaSyntaxError
from .functions import FUNCTIONS, CallSite, Evaluator, FunctionSpec
from .operators import BINARY, negate, percent, to_number_value
from .parser import parse, walk
from .runtime import charge, lift, meter, refill
from .values import (
    DIV0,
    EQ_EPSILON,
    FLOAT_MAX,
    NAME,
    NUM,
    VALUE,
    ExcelError,
    Lift,
    Raise,
    normalise_input,
    normalise_result_number,
)

__all__ = ["CompiledFormula", "compile_formula", "evaluate_formula"]

logger = logging.getLogger(__name__)

CACHE_SIZE: Final = 4096
_EMPTY: Final[Mapping[str, Any]] = {}

# Tests switch this on so that a bug in an implementation fails loudly instead of becoming #VALUE!.
RAISE_INTERNAL_ERRORS = False


class CompiledFormula:
    """A parsed, checked and compiled formula. Immutable and safe to share between threads.

    ``references``: field keys it reads (sub-table columns as ``"items.qty"``); ``functions``: names
    of the functions it calls; ``unknown_functions``: names that are not supported (they evaluate to
    ``#NAME?``); ``volatile``: whether it reads the clock (TODAY/NOW).
    """

    __slots__ = ("_evaluator", "_exact", "functions", "references", "text", "unknown_functions", "volatile")

    _evaluator: Evaluator
    _exact: bool
    text: str
    references: frozenset[str]
    functions: frozenset[str]
    unknown_functions: frozenset[str]
    volatile: bool

    def __init__(
        self,
        text: str,
        evaluator: Evaluator,
        references: frozenset[str],
        functions: frozenset[str],
        unknown_functions: frozenset[str],
        volatile: bool,
        exact: bool = False,
    ) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "_evaluator", evaluator)
        object.__setattr__(self, "references", references)
        object.__setattr__(self, "functions", functions)
        object.__setattr__(self, "unknown_functions", unknown_functions)
        object.__setattr__(self, "volatile", volatile)
        object.__setattr__(self, "_exact", exact)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("CompiledFormula is immutable")

    def __repr__(self) -> str:
        return f"CompiledFormula({self.text!r})"

    def evaluate(self, values: Mapping[str, Any] | None = None, context: FormulaContext | None = None) -> Any:
        """The formula's value for these field values: a number (``int`` when integral, else
        ``float``), ``str``, ``bool``, ``date``, ``datetime`` (aware, organisation time zone),
        ``time``, ``None`` (blank), a ``list`` (array), or an :class:`ExcelError`. Never raises."""
        ctx = DEFAULT_CONTEXT if context is None else context
        meter.left = ctx.max_array_work
        try:
            result = self._evaluator(_EMPTY if values is None else values, ctx)
        except Raise as exc:
            result = exc.error
        except Lift:
            result = VALUE
        except RecursionError:
            result = VALUE
        except Exception:
            if RAISE_INTERNAL_ERRORS:
                raise
            logger.exception("formula evaluation failed: %r", self.text)
            result = VALUE
        kind = type(result)
        if kind is float:
            if result.is_integer() and -9007199254740992.0 <= result <= 9007199254740992.0:
                return int(result)
            # 15 significant digits, as Excel displays: 0.1+0.2 gives 0.3. Skipped when the
            # formula's value cannot carry arithmetic noise (it comes from ROUND, a field, a literal).
            return result if self._exact else normalise_result_number(result)
        if kind is str or kind is bool or result is None or kind is ExcelError or kind is date:
            return result
        return _finish(result, ctx)


def _finish(result: Any, ctx: FormulaContext) -> Any:
    kind = type(result)
    if kind is float:
        return normalise_result_number(result)
    if kind is datetime:
        return result.replace(tzinfo=ctx.tz)
    if kind is list:
        return [_finish(item, ctx) for item in result]
    return result


# --- field references ------------------------------------------------------------------------


def _normalise_scalar(value: Any, ctx: FormulaContext) -> Any:
    result = normalise_input(value, ctx)
    if type(result) is list or isinstance(result, tuple):
        return VALUE
    return result


def _normalise_array(items: Any, ctx: FormulaContext) -> Any:
    if len(items) > ctx.max_array_length:
        return VALUE
    charge(len(items))
    out: list[Any] = []
    for item in items:
        if isinstance(item, list | tuple):
            # a multi-select value inside an array: flatten, as Excel would spill it
            if len(out) + len(item) > ctx.max_array_length:
                return VALUE
            charge(len(item))
            out.extend(_normalise_scalar(sub, ctx) for sub in item)
        else:
            out.append(_normalise_scalar(item, ctx))
    return out


def _normalise_field(value: Any, ctx: FormulaContext) -> Any:
    if isinstance(value, list | tuple):
        return _normalise_array(value, ctx)
    return normalise_input(value, ctx)


def _field_evaluator(key: str) -> Evaluator:
    def field(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
        value: Any = values.get(key)
        kind = type(value)
        if kind is float:
            return value if -FLOAT_MAX <= value <= FLOAT_MAX else NUM
        if kind is str:
            return value or None
        if kind is int:
            try:
                return float(value)
            except OverflowError:
                return NUM
        if value is None or kind is bool:
            return value
        return _normalise_field(value, ctx)

    return field


def _column_evaluator(key: str, column: str) -> Evaluator:
    flat_key = f"{key}.{column}"

    def column_values(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
        rows = values.get(key)
        if rows is None:
            flat = values.get(flat_key)
            if flat is None:
                return []
            if isinstance(flat, list | tuple):
                return _normalise_array(flat, ctx)
            return [_normalise_scalar(flat, ctx)]
        if not isinstance(rows, list | tuple):
            return VALUE
        if len(rows) > ctx.max_array_length:
            return VALUE
        charge(len(rows))
        out: list[Any] = []
        for row in rows:
            if isinstance(row, Mapping):
                out.append(_normalise_scalar(row.get(column), ctx))
            else:
                out.append(VALUE)
        return out

    return column_values


def _as_range(evaluator: Evaluator) -> Evaluator:
    def as_range(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
        value = evaluator(values, ctx)
        return value if type(value) is list else [value]

    return as_range


# --- the compiler ----------------------------------------------------------------------------

_FOLD_CONTEXT: Final = FormulaContext(now=lambda: datetime(2000, 1, 1))


class _Compiler:
    def __init__(self, text: str) -> None:
        self.text = text
        self._constants: dict[int, Any] = {}
        self._keep: list[Evaluator] = []  # constants' closures stay alive so their ids stay unique

    def fail(self, node: n.Node, zh: str, en: str, code: str = "arity") -> FormulaSyntaxError:
        return FormulaSyntaxError(zh, en, text=self.text, position=node.pos, code=code)

    def constant(self, value: Any) -> Evaluator:
        def constant(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            return value

        self._constants[id(constant)] = value
        self._keep.append(constant)
        return constant

    def constant_of(self, evaluator: Evaluator) -> tuple[bool, Any]:
        key = id(evaluator)
        if key in self._constants:
            return True, self._constants[key]
        return False, None

    def fold(self, evaluator: Evaluator) -> Evaluator:
        """Evaluate a closure whose inputs are all constants once, now."""
        refill(1_000_000)
        try:
            value = evaluator(_EMPTY, _FOLD_CONTEXT)
        except Raise as exc:
            value = exc.error
        except Lift:
            value = VALUE
        return self.constant(value)

    def compile(self, node: n.Node) -> Evaluator:
        if isinstance(node, n.Number | n.Text | n.Boolean | n.ErrorLiteral):
            return self.constant(node.value)
        if isinstance(node, n.Missing):
            return self.constant(None)
        if isinstance(node, n.ArrayLiteral):
            return self.constant(list(node.items))
        if isinstance(node, n.Field):
            return _field_evaluator(node.key) if node.column is None else _column_evaluator(node.key, node.column)
        if isinstance(node, n.Negate):
            return self._negate(node)
        if isinstance(node, n.Percent):
            return self._percent(node)
        if isinstance(node, n.Chain):
            return self._chain(node)
        if isinstance(node, n.Call):
            return self._call(node)
        raise TypeError(f"unknown node {type(node).__name__}")  # pragma: no cover

    # unary ----------------------------------------------------------------------------------

    def _negate(self, node: n.Negate) -> Evaluator:
        operand = self.compile(node.operand)
        if node.count % 2 == 0:

            def as_number(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
                return to_number_value(operand(values, ctx))

            result = as_number
        else:

            def negated(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
                value = operand(values, ctx)
                if type(value) is float:
                    return -value
                return negate(value)

            result = negated
        return self.fold(result) if self.constant_of(operand)[0] else result

    def _percent(self, node: n.Percent) -> Evaluator:
        operand = self.compile(node.operand)
        divisor = 100.0**node.count

        def percentage(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            return percent(operand(values, ctx), divisor)

        return self.fold(percentage) if self.constant_of(operand)[0] else percentage

    # binary ---------------------------------------------------------------------------------

    def _chain(self, node: n.Chain) -> Evaluator:
        first = self.compile(node.first)
        rest = [(op, self.compile(operand)) for op, operand in node.rest]
        all_constant = self.constant_of(first)[0] and all(self.constant_of(ev)[0] for _, ev in rest)
        if len(rest) == 1:
            op, second = rest[0]
            is_const, constant = self.constant_of(second)
            fused = None
            if isinstance(node.first, n.Field) and node.first.column is None and is_const and type(constant) is float:
                fused = _field_number_constant(op, node.first.key, constant)
            evaluator = fused or self._binary(op, first, second)
        else:
            steps = [(BINARY[op], ev) for op, ev in rest]

            def chain(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
                acc = first(values, ctx)
                for operator, operand in steps:
                    acc = operator(acc, operand(values, ctx))
                return acc

            evaluator = chain
        return self.fold(evaluator) if all_constant else evaluator

    def _binary(self, op: str, left: Evaluator, right: Evaluator) -> Evaluator:
        operator = BINARY[op]
        is_const, constant = self.constant_of(right)
        if is_const and type(constant) is float:
            special = _binary_number_constant(op, left, constant)
            if special is not None:
                return special
        if is_const:

            def with_constant(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
                return operator(left(values, ctx), constant)

            return with_constant
        special = _binary_fast(op, left, right)
        if special is not None:
            return special

        def binary(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            return operator(left(values, ctx), right(values, ctx))

        return binary

    # calls ----------------------------------------------------------------------------------

    def _call(self, node: n.Call) -> Evaluator:
        spec = FUNCTIONS.get(node.name)
        if spec is None:
            return self.constant(NAME)
        count = len(node.args)
        if count < spec.min_args or count > spec.max_args:
            raise self._arity_error(node, spec)
        args = [self.compile(arg) for arg in node.args]
        if spec.ref_as_range:
            args = [
                _as_range(ev) if isinstance(arg, n.Field) and arg.column is None and spec.accepts_array(i) else ev
                for i, (arg, ev) in enumerate(zip(node.args, args, strict=True))
            ]
        constants = [self.constant_of(ev) for ev in args]
        if spec.compiler is not None:
            site = CallSite(node=node, args=args, arg_nodes=node.args, constants=constants, fail=self.fail)
            evaluator = spec.compiler(site)
        else:
            evaluator = _eager_call(spec, args, constants)
        if not spec.volatile and not spec.needs_context and all(is_const for is_const, _ in constants):
            return self.fold(evaluator)
        return evaluator

    def _arity_error(self, node: n.Call, spec: FunctionSpec) -> FormulaSyntaxError:
        if spec.min_args == spec.max_args:
            zh_range, en_range = f"{spec.min_args} 个", f"{spec.min_args}"
        elif spec.max_args >= 255:
            zh_range, en_range = f"至少 {spec.min_args} 个", f"at least {spec.min_args}"
        else:
            zh_range, en_range = f"{spec.min_args} 到 {spec.max_args} 个", f"{spec.min_args} to {spec.max_args}"
        return self.fail(
            node,
            f"函数 {spec.name} 需要 {zh_range}参数，实际为 {len(node.args)} 个",
            f"{spec.name} takes {en_range} arguments, got {len(node.args)}",
        )


# --- specialised closures --------------------------------------------------------------------


def _binary_number_constant(op: str, left: Evaluator, k: float) -> Evaluator | None:
    """``<expr> op <number>``: the shape of most conditions (``{amount}>100``) and scalings."""
    operator = BINARY[op]
    tolerance = EQ_EPSILON * abs(k)
    if op == ">":

        def gt(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a = left(values, ctx)
            if type(a) is float:
                return a > k and a - k > EQ_EPSILON * abs(a) + tolerance
            return operator(a, k)

        return gt
    if op == ">=":

        def ge(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a = left(values, ctx)
            if type(a) is float:
                return a >= k or k - a <= EQ_EPSILON * abs(a) + tolerance
            return operator(a, k)

        return ge
    if op == "<":

        def lt(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a = left(values, ctx)
            if type(a) is float:
                return a < k and k - a > EQ_EPSILON * abs(a) + tolerance
            return operator(a, k)

        return lt
    if op == "<=":

        def le(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a = left(values, ctx)
            if type(a) is float:
                return a <= k or a - k <= EQ_EPSILON * abs(a) + tolerance
            return operator(a, k)

        return le
    if op == "=":

        def eq(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a = left(values, ctx)
            if type(a) is float:
                return a == k or abs(a - k) <= EQ_EPSILON * abs(a) + tolerance
            return operator(a, k)

        return eq
    if op == "<>":

        def ne(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a = left(values, ctx)
            if type(a) is float:
                return a != k and abs(a - k) > EQ_EPSILON * abs(a) + tolerance
            return operator(a, k)

        return ne
    if op == "*":

        def mul(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a = left(values, ctx)
            if type(a) is float:
                result = a * k
                return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM
            return operator(a, k)

        return mul
    if op == "+" or op == "-":
        signed = k if op == "+" else -k

        def add(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a = left(values, ctx)
            if type(a) is float:
                result = a + signed
                return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM
            return operator(a, k)

        return add
    return None


def _read_field(value: Any, ctx: FormulaContext) -> Any:
    """A field value of a type the fused closures do not handle inline."""
    kind = type(value)
    if kind is int:
        try:
            return float(value)
        except OverflowError:
            return NUM
    if kind is str:
        return value or None
    if value is None or kind is bool:
        return value
    return _normalise_field(value, ctx)


_INT_FAST: Final = 2**53


def _field_number_constant(op: str, key: str, k: float) -> Evaluator | None:
    """``{field} op <number>`` in one closure (the most common condition shape, e.g. ``{amount}>100``).

    Python ints within 2**53 and floats compare exactly as their float values, so both take the
    fast path; everything else goes through the general operator after normalising the value.
    """
    operator = BINARY[op]
    tolerance = EQ_EPSILON * abs(k)

    if op == ">":

        def gt(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a: Any = values.get(key)
            kind = type(a)
            if kind is float or (kind is int and -_INT_FAST < a < _INT_FAST):
                return a > k and a - k > EQ_EPSILON * abs(a) + tolerance
            return operator(_read_field(a, ctx), k)

        return gt
    if op == ">=":

        def ge(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a: Any = values.get(key)
            kind = type(a)
            if kind is float or (kind is int and -_INT_FAST < a < _INT_FAST):
                return a >= k or k - a <= EQ_EPSILON * abs(a) + tolerance
            return operator(_read_field(a, ctx), k)

        return ge
    if op == "<":

        def lt(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a: Any = values.get(key)
            kind = type(a)
            if kind is float or (kind is int and -_INT_FAST < a < _INT_FAST):
                return a < k and k - a > EQ_EPSILON * abs(a) + tolerance
            return operator(_read_field(a, ctx), k)

        return lt
    if op == "<=":

        def le(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a: Any = values.get(key)
            kind = type(a)
            if kind is float or (kind is int and -_INT_FAST < a < _INT_FAST):
                return a <= k or a - k <= EQ_EPSILON * abs(a) + tolerance
            return operator(_read_field(a, ctx), k)

        return le
    if op == "=":

        def eq(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a: Any = values.get(key)
            kind = type(a)
            if kind is float or (kind is int and -_INT_FAST < a < _INT_FAST):
                return a == k or abs(a - k) <= EQ_EPSILON * abs(a) + tolerance
            return operator(_read_field(a, ctx), k)

        return eq
    if op == "<>":

        def ne(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a: Any = values.get(key)
            kind = type(a)
            if kind is float or (kind is int and -_INT_FAST < a < _INT_FAST):
                return a != k and abs(a - k) > EQ_EPSILON * abs(a) + tolerance
            return operator(_read_field(a, ctx), k)

        return ne
    if op == "*":

        def mul(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a: Any = values.get(key)
            kind = type(a)
            if kind is float or (kind is int and -_INT_FAST < a < _INT_FAST):
                result = a * k
                return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM
            return operator(_read_field(a, ctx), k)

        return mul
    return None


def _binary_fast(op: str, left: Evaluator, right: Evaluator) -> Evaluator | None:
    operator = BINARY[op]
    if op == "/":

        def div(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a = left(values, ctx)
            b = right(values, ctx)
            if type(a) is float and type(b) is float and b != 0:
                result = a / b
                return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM
            return operator(a, b)

        return div
    if op == "*":

        def mul(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a = left(values, ctx)
            b = right(values, ctx)
            if type(a) is float and type(b) is float:
                result = a * b
                return result if -FLOAT_MAX <= result <= FLOAT_MAX else NUM
            return operator(a, b)

        return mul
    if op == "&":

        def concat(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            a = left(values, ctx)
            b = right(values, ctx)
            if type(a) is str and type(b) is str and len(a) + len(b) <= 32_767:
                return a + b
            return operator(a, b)

        return concat
    return None


def _eager_call(spec: FunctionSpec, args: list[Evaluator], constants: list[tuple[bool, Any]]) -> Evaluator:
    impl = spec.impl
    assert impl is not None
    accepts_array = spec.accepts_array

    if spec.needs_context:

        def call_with_context(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            evaluated = [arg(values, ctx) for arg in args]
            try:
                return impl(ctx, *evaluated)
            except Raise as exc:
                return exc.error
            except OverflowError:
                return NUM
            except ZeroDivisionError:
                return DIV0
            except Lift:
                return lift(functools.partial(impl, ctx), evaluated, accepts_array)

        return call_with_context

    count = len(args)
    if count == 0:

        def call0(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            try:
                return impl()
            except Raise as exc:
                return exc.error
            except OverflowError:
                return NUM
            except ZeroDivisionError:
                return DIV0

        return call0
    if count == 1:
        (a0,) = args

        def call1(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            x = a0(values, ctx)
            try:
                return impl(x)
            except Raise as exc:
                return exc.error
            except OverflowError:
                return NUM
            except ZeroDivisionError:
                return DIV0
            except Lift:
                return lift(impl, [x], accepts_array)

        return call1
    if count == 2:
        a0, a1 = args
        if constants[1][0]:
            k1 = constants[1][1]

            def call2k(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
                x = a0(values, ctx)
                try:
                    return impl(x, k1)
                except Raise as exc:
                    return exc.error
                except OverflowError:
                    return NUM
                except ZeroDivisionError:
                    return DIV0
                except Lift:
                    return lift(impl, [x, k1], accepts_array)

            return call2k

        def call2(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            x = a0(values, ctx)
            y = a1(values, ctx)
            try:
                return impl(x, y)
            except Raise as exc:
                return exc.error
            except OverflowError:
                return NUM
            except ZeroDivisionError:
                return DIV0
            except Lift:
                return lift(impl, [x, y], accepts_array)

        return call2
    if count == 3:
        a0, a1, a2 = args
        if constants[2][0]:
            k2 = constants[2][1]

            def call3k(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
                x = a0(values, ctx)
                y = a1(values, ctx)
                try:
                    return impl(x, y, k2)
                except Raise as exc:
                    return exc.error
                except OverflowError:
                    return NUM
                except ZeroDivisionError:
                    return DIV0
                except Lift:
                    return lift(impl, [x, y, k2], accepts_array)

            return call3k

        def call3(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
            x = a0(values, ctx)
            y = a1(values, ctx)
            z = a2(values, ctx)
            try:
                return impl(x, y, z)
            except Raise as exc:
                return exc.error
            except OverflowError:
                return NUM
            except ZeroDivisionError:
                return DIV0
            except Lift:
                return lift(impl, [x, y, z], accepts_array)

        return call3

    def call_n(values: Mapping[str, Any], ctx: FormulaContext) -> Any:
        evaluated = [arg(values, ctx) for arg in args]
        try:
            return impl(*evaluated)
        except Raise as exc:
            return exc.error
        except OverflowError:
            return NUM
        except ZeroDivisionError:
            return DIV0
        except Lift:
            return lift(impl, evaluated, accepts_array)

    return call_n


# --- exactness of results ------------------------------------------------------------------

# Functions whose numeric result is computed (and may carry float noise such as 0.30000000000000004).
_NOISY_FUNCTIONS: Final = frozenset(
    {
        "SUM", "AVERAGE", "PRODUCT", "SUMPRODUCT", "SUMIF", "SUMIFS", "AVERAGEIF", "AVERAGEIFS", "MEDIAN",
        "STDEV", "MOD", "POWER", "SQRT", "EXP", "LN", "LOG", "LOG10", "CEILING", "FLOOR", "MROUND", "PI",
    }
)  # fmt: skip
# Functions returning one of their arguments: exact when those are.
_SELECTING_FUNCTIONS: Final = frozenset(
    {"IF", "IFS", "SWITCH", "IFERROR", "IFNA", "CHOOSE", "INDEX", "MIN", "MAX", "LARGE", "SMALL", "XLOOKUP",
     "MINIFS", "MAXIFS", "N", "VALUE"}
)  # fmt: skip


def _exact(node: n.Node) -> bool:
    """Whether a numeric result of ``node`` is free of arithmetic float noise (no 15-digit rounding needed)."""
    if isinstance(node, n.Chain):
        return node.level in ("compare", "concat")
    if isinstance(node, n.Negate):
        return _exact(node.operand)
    if isinstance(node, n.Percent):
        return False
    if isinstance(node, n.Call):
        if node.name in _NOISY_FUNCTIONS:
            return False
        if node.name in _SELECTING_FUNCTIONS:
            return all(_exact(arg) for arg in node.args)
        return True
    return True


# --- entry points ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compile_cached(text: str) -> CompiledFormula:
    tree = parse(text)
    references: set[str] = set()
    functions: set[str] = set()
    unknown: set[str] = set()
    volatile = False
    for node in walk(tree):
        if isinstance(node, n.Field):
            references.add(node.reference)
        elif isinstance(node, n.Call):
            spec = FUNCTIONS.get(node.name)
            if spec is None:
                unknown.add(node.name)
            else:
                functions.add(node.name)
                volatile = volatile or spec.volatile
    evaluator = _Compiler(text).compile(tree)
    return CompiledFormula(
        text, evaluator, frozenset(references), frozenset(functions), frozenset(unknown), volatile, _exact(tree)
    )


def compile_formula(text: str, *, strict: bool = False) -> CompiledFormula:
    """Parse, check and compile formula text (cached by text). Raises :class:`FormulaSyntaxError`.

    With ``strict=True`` an unknown function is a compile error (publish-time validation) instead
    of evaluating to ``#NAME?``.
    """
    compiled = _compile_cached(text)
    if strict and compiled.unknown_functions:
        tree = parse(text)
        for node in walk(tree):
            if isinstance(node, n.Call) and node.name in compiled.unknown_functions:
                raise FormulaSyntaxError(
                    f"未知函数 {node.name}",
                    f"unknown function {node.name}",
                    text=text,
                    position=node.pos,
                    code="unknown_function",
                )
    return compiled


def evaluate_formula(
    text: str, values: Mapping[str, Any] | None = None, context: FormulaContext | None = None
) -> Any:
    """Compile (cached) and evaluate in one call. Raises :class:`FormulaSyntaxError` for bad text."""
    return compile_formula(text).evaluate(values, context)

