"""Property tests: no input crashes the parser, and no well-formed formula crashes the evaluator.

Any text compiles or raises FormulaSyntaxError with a position inside the text; any generated
formula over any field values evaluates to a value of the documented types or an Excel error.
Internal errors are re-raised here (they would be logged and shown as #VALUE! in production).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from complaintdesk.expressions.formula import (
    ERROR_CODES,
    FUNCTIONS,
    CompiledFormula,
    ExcelError,
    FormulaContext,
    FormulaSyntaxError,
    compile_formula,
)
from complaintdesk.expressions.formula import compiler as formula_compiler

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONTEXT = FormulaContext(now=lambda: datetime(2024, 3, 15, 10, 30, tzinfo=SHANGHAI), tz=SHANGHAI)
RESULT_TYPES = (int, float, str, bool, type(None), date, datetime, time, ExcelError)
FIELDS = ["a", "b", "c", "d", "items.q", "items.t"]

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@pytest.fixture(autouse=True)
def _strict_evaluation() -> Iterator[None]:
    # not monkeypatch: hypothesis runs many examples inside one function-scoped fixture
    previous = formula_compiler.RAISE_INTERNAL_ERRORS
    formula_compiler.RAISE_INTERNAL_ERRORS = True
    yield
    formula_compiler.RAISE_INTERNAL_ERRORS = previous


def check_result(result: Any) -> None:
    if isinstance(result, list):
        for item in result:
            assert not isinstance(item, list)
            check_result(item)
        return
    assert isinstance(result, RESULT_TYPES), type(result)
    if isinstance(result, float):
        assert math.isfinite(result)
    if isinstance(result, str):
        assert len(result) <= 32_767


def compile_or_error(text: str) -> CompiledFormula | None:
    try:
        return compile_formula(text)
    except FormulaSyntaxError as error:
        assert 0 <= error.position <= len(text)
        assert error.line >= 1 and error.column >= 1
        assert error.message_zh and error.message_en
        return None


# --- arbitrary text --------------------------------------------------------------------------

FORMULA_ALPHABET = st.sampled_from(
    [
        *"0123456789.,;:()[]{}\"'+-*/^&%=<>!?#$@_~ \n\tabcxyzEe金额，（",
        *["IF(", "SUM(", "{a}", "{items.q}", "TRUE", "#N/A", "REPT(", "DATE(", '""', "TEXT(", "--", "^-"],
    ]
)


@PROPERTY_SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_the_parser(text: str) -> None:
    compile_or_error(text)


@PROPERTY_SETTINGS
@given(st.lists(FORMULA_ALPHABET, max_size=60).map("".join))
def test_formula_like_text_compiles_or_reports_a_position(text: str) -> None:
    compiled = compile_or_error(text)
    if compiled is not None:
        check_result(compiled.evaluate({"a": 1, "items": [{"q": 2}]}, CONTEXT))


# --- generated well-formed formulas ----------------------------------------------------------


def number_literal(value: float) -> str:
    return repr(abs(value))


def text_literal(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


SCALAR_LITERALS = st.one_of(
    st.floats(min_value=0, max_value=1e308, allow_nan=False, allow_infinity=False).map(number_literal),
    st.integers(min_value=0, max_value=10**6).map(str),
    st.sampled_from(["0", "1", "2", "0.5", "100", "1E+300", "1E-300", "45352"]),
    st.text(max_size=8).map(text_literal),
    st.sampled_from(['"2024-03-01"', '"12:30"', '"50%"', '"1,234"', '"a*"', '">5"', '"<>x"', '"d"', '"ym"',
                     '"yyyy-mm-dd"', '"#,##0.00"', '"0%"', '"hh:mm"', '""']),
    st.sampled_from(["TRUE", "FALSE"]),
    st.sampled_from(list(ERROR_CODES)),
)
ARRAY_LITERALS = st.lists(
    st.one_of(
        st.integers(-5, 5).map(str), st.text(max_size=3).map(text_literal), st.sampled_from(["TRUE", "#N/A"])
    ),
    min_size=1,
    max_size=4,
).map(lambda items: "{" + ",".join(items) + "}")
LEAVES = st.one_of(SCALAR_LITERALS, ARRAY_LITERALS, st.sampled_from([f"{{{key}}}" for key in FIELDS]))
OPERATORS = ["+", "-", "*", "/", "^", "&", "=", "<>", "<", "<=", ">", ">="]
NAMES = sorted(FUNCTIONS)


def arity(name: str) -> st.SearchStrategy[int]:
    spec = FUNCTIONS[name]
    upper = min(spec.max_args, spec.min_args + 3)
    counts = st.integers(spec.min_args, upper)
    if name == "IFS":
        return counts.map(lambda count: max(2, count - count % 2))
    return counts


def calls(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(NAMES).flatmap(
        lambda name: arity(name).flatmap(
            lambda count: st.lists(
                st.one_of(children, st.just("")) if count > 1 else children, min_size=count, max_size=count
            ).map(lambda args: f"{name}({', '.join(args)})")
        )
    )


FORMULAS = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.tuples(children, st.sampled_from(OPERATORS), children).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"({c})%"),
        calls(children),
    ),
    max_leaves=20,
)

SCALAR_VALUES = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.integers(-100, 100),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**12, max_value=10**12),
    st.text(max_size=20),
    st.sampled_from(["", "3", "1,5", "2024-02-29", "abc", "TRUE", "50%", "12:30", "a*"]),
    st.booleans(),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9998, 12, 30)),
    st.datetimes(
        min_value=datetime(1900, 1, 2), max_value=datetime(9998, 12, 30), timezones=st.just(ZoneInfo("UTC"))
    ),
    st.times(),
    st.sampled_from([ExcelError(code) for code in ERROR_CODES]),
    st.just({"nested": "mapping"}),
    st.just(timedelta(days=1)),
)
VALUES = st.fixed_dictionaries(
    {
        "a": SCALAR_VALUES,
        "b": SCALAR_VALUES,
        "c": st.one_of(SCALAR_VALUES, st.lists(SCALAR_VALUES, max_size=5)),
        "d": st.one_of(SCALAR_VALUES, st.lists(st.lists(SCALAR_VALUES, max_size=2), max_size=3)),
        "items": st.one_of(
            st.lists(st.fixed_dictionaries({"q": SCALAR_VALUES, "t": SCALAR_VALUES}), max_size=6),
            st.none(),
            SCALAR_VALUES,
        ),
    }
)


@PROPERTY_SETTINGS
@given(FORMULAS, VALUES)
def test_generated_formulas_evaluate_to_a_value_or_an_excel_error(text: str, values: dict[str, Any]) -> None:
    try:
        compiled = compile_formula(text)
    except FormulaSyntaxError as error:
        assume(error.code == "too_deep")  # generated nesting can exceed the limit; nothing else may fail
        return
    first = compiled.evaluate(values, CONTEXT)
    check_result(first)
    second = compiled.evaluate(values, CONTEXT)
    assert repr(second) == repr(first)  # evaluation is deterministic and leaves no state behind


@PROPERTY_SETTINGS
@given(st.sampled_from(NAMES), st.lists(SCALAR_VALUES, min_size=0, max_size=4), st.data())
def test_every_function_tolerates_any_arguments(name: str, arguments: list[Any], data: st.DataObject) -> None:
    spec = FUNCTIONS[name]
    count = data.draw(st.integers(spec.min_args, min(spec.max_args, spec.min_args + 3)))
    if name == "IFS":
        count = max(2, count - count % 2)
    keys = [f"v{i}" for i in range(count)]
    values = {key: arguments[i] if i < len(arguments) else None for i, key in enumerate(keys)}
    text = f"{name}({', '.join('{' + key + '}' for key in keys)})"
    check_result(compile_formula(text).evaluate(values, CONTEXT))
