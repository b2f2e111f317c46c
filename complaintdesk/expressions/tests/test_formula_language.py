"""The formula language itself: syntax, precedence, types and coercion, blanks, errors, compile-time
checks with positions, safety limits, laziness, and the compiled formula's metadata."""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.expressions import formula as formula_api
from complaintdesk.expressions.formula import (
    MAX_DEPTH,
    MAX_LENGTH,
    ExcelError,
    FormulaContext,
    FormulaSyntaxError,
    compile_formula,
    evaluate_formula,
)
from complaintdesk.expressions.formula import compiler as formula_compiler

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONTEXT = FormulaContext(now=lambda: datetime(2024, 3, 15, 10, 30, tzinfo=SHANGHAI), tz=SHANGHAI)
DIV0, VALUE, NA, NUM, NAME = (ExcelError(code) for code in ("#DIV/0!", "#VALUE!", "#N/A", "#NUM!", "#NAME?"))


@pytest.fixture(autouse=True)
def _strict_evaluation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(formula_compiler, "RAISE_INTERNAL_ERRORS", True)
    yield


def ev(text: str, values: Mapping[str, Any] | None = None, context: FormulaContext = CONTEXT) -> Any:
    return compile_formula(text).evaluate(values or {}, context)


def syntax_error(text: str) -> FormulaSyntaxError:
    with pytest.raises(FormulaSyntaxError) as info:
        compile_formula(text)
    return info.value


# --- precedence and operators ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1+2*3", 7),
        ("(1+2)*3", 9),
        ("-2^2", 4),  # unary minus binds tighter than ^ in Excel
        ("-(2^2)", -4),
        ("0-2^2", -4),
        ("2^3^2", 64),  # ^ is left-associative in Excel
        ("2*3^2", 18),
        ("2^-1", 0.5),
        ("10-2-3", 5),
        ("8/2/2", 2),
        ("1+2&3", "33"),
        ('"a"&1+1', "a2"),
        ("1+1=2", True),
        ('1&1="11"', True),
        ("5%", 0.05),
        ("50%*2", 1),
        ("-5%", -0.05),
        ("200%%", 0.02),
        ("--TRUE", 1),
        ("---1", -1),
        ('+"abc"', "abc"),  # unary plus does nothing in Excel
        ("1<2", True),
        ("3>2>1", True),  # (3>2)>1 is TRUE>1, and logicals sort after numbers
        ("2<>2", False),
        ("2>=2", True),
        ("2<=1", False),
        ("=1+1", 2),  # a leading "=" as typed in Excel is accepted
        ("  1 +\n 1 ", 2),
        ("1e3+.5", 1000.5),
        ('"say ""hi"""', 'say "hi"'),
    ],
)
def test_operators_and_precedence(text: str, expected: Any) -> None:
    result = ev(text)
    assert result == expected
    assert type(result) is type(expected) or (isinstance(expected, float) and isinstance(result, int))


def test_long_operator_chains_and_unary_runs_are_not_deep() -> None:
    assert ev("+".join(["1"] * 3000)) == 3000
    assert ev("-" * 4001 + "1") == -1
    assert ev("&".join(['"a"'] * 500)) == "a" * 500


# --- types, coercion, blanks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ('"3"+1', {}, 4),
        ("TRUE+1", {}, 2),
        ('"abc"+1', {}, VALUE),
        ('"1,000"+1', {}, 1001),
        ('"50%"*2', {}, 1),
        ('"2024-03-01"+0', {}, 45352),
        ("{x}+1", {}, 1),
        ("{x}*5", {"x": None}, 0),
        ('{x}&"x"', {}, "x"),
        ("{x}", {}, None),
        ("{x}", {"x": ""}, None),
        ('"a"="A"', {}, True),
        ('"a"<"B"', {}, True),
        ('1<"a"', {}, True),
        ('"z"<TRUE', {}, True),
        ("{x}=0", {}, True),
        ('{x}=""', {}, True),
        ("{x}=FALSE", {}, True),
        ("1=TRUE", {}, False),
        ("0.1+0.2=0.3", {}, True),
        ("0.1+0.2", {}, 0.3),
        ("1/3", {}, 0.333333333333333),
        ("1/4&\"\"", {}, "0.25"),
        ('1E+21&""', {}, "1E+21"),
        ('123456789012345678&""', {}, "123456789012346000"),
        ('TRUE&""', {}, "TRUE"),
        ('DATE(2024,3,5)&""', {}, "2024-03-05"),
        ("{a}+{b}", {"a": Decimal("0.10"), "b": 2}, 2.1),
        ("{a}*2", {"a": 10**400}, NUM),
        ("{a}", {"a": float("nan")}, NUM),
        ("{a}", {"a": {"lat": 1}}, VALUE),
        ("{a}+1", {"a": object()}, VALUE),
        ("{a}", {"a": True}, True),
        ("{a}", {"a": 5}, 5),
        ("{a}", {"a": 2.5}, 2.5),
        ("#N/A=1", {}, NA),
        ("1/0+#N/A", {}, DIV0),
        ("{e}+1", {"e": NA}, NA),
        ("10^400", {}, NUM),
        ("1E308*10", {}, NUM),
        ("(-8)^(1/3)", {}, -2),
        ("(-4)^0.5", {}, NUM),
    ],
)
def test_coercion_blanks_and_errors(text: str, values: dict[str, Any], expected: Any) -> None:
    result = ev(text, values)
    if isinstance(expected, ExcelError):
        assert result is expected
    else:
        assert result == expected
        assert type(result) is type(expected) or (type(expected) is float and type(result) is int)


def test_date_arithmetic_like_excel() -> None:
    values = {"d": date(2024, 1, 31), "dt": datetime(2024, 1, 31, 8, 0), "t": time(9, 30)}
    assert ev("{d}+1", values) == date(2024, 2, 1)
    assert ev("1+{d}", values) == date(2024, 2, 1)
    assert ev("{d}-31", values) == date(2023, 12, 31)
    assert ev("{d}-DATE(2024,1,1)", values) == 30
    assert ev("{d}+0.5", values) == datetime(2024, 1, 31, 12, 0, tzinfo=SHANGHAI)
    assert ev("{d}+{t}", values) == datetime(2024, 1, 31, 9, 30, tzinfo=SHANGHAI)
    assert ev("{dt}+1", values) == datetime(2024, 2, 1, 8, 0, tzinfo=SHANGHAI)
    assert ev("({dt}-{d})*24", values) == 8
    assert ev("({t}-TIME(8,0,0))*24", values) == 1.5
    assert ev("{t}+TIME(1,0,0)", values) == time(10, 30)
    assert ev("{d}>DATE(2024,1,1)", values) is True
    assert ev("{d}=DATE(2024,1,31)", values) is True
    assert ev("{d}*1", values) == 45322
    assert ev("DATE(1900,1,1)-3", {}) is NUM


def test_aware_datetimes_are_read_in_the_organisation_time_zone() -> None:
    utc_evening = datetime(2024, 3, 14, 20, 0, tzinfo=ZoneInfo("UTC"))  # 04:00 next day in Shanghai
    assert ev("HOUR({t})", {"t": utc_evening}) == 4
    assert ev("DAY({t})", {"t": utc_evening}) == 15
    result = ev("{t}", {"t": utc_evening})
    assert result == utc_evening and result.tzinfo == SHANGHAI


def test_arrays_from_sub_tables_are_element_wise() -> None:
    values = {"items": [{"qty": 2, "price": 10}, {"qty": 3, "price": 0.5}, {"qty": None, "price": 7}]}
    assert ev("{items.qty}*{items.price}", values) == [20, 1.5, 0]
    assert ev("SUM({items.qty}*{items.price})", values) == 21.5
    assert ev("{items.qty}>2", values) == [False, True, False]
    assert ev('{items.qty}&"件"', values) == ["2件", "3件", "件"]
    assert ev("{1,2}+{10,20,30}") == [11, 22, NA]
    assert ev("-{1,2}") == [-1, -2]
    assert ev("{1,2}%") == [0.01, 0.02]
    assert ev("ROUND({1.25,2.35}, 1)") == [1.3, 2.4]
    assert ev("LEN({items.qty})", values) == [1, 1, 0]
    assert ev("{items.qty}", {"items.qty": [1, 2]}) == [1, 2]  # flat keys work too
    assert ev("{items.qty}", {}) == []
    assert ev("{items.qty}", {"items": "not rows"}) is VALUE
    assert ev("{tags}", {"tags": ["a", "", ["b", "c"]]}) == ["a", None, "b", "c"]
    assert ev('TEXTJOIN(",", TRUE, {tags})', {"tags": ["a", "", "b"]}) == "a,b"


# --- laziness --------------------------------------------------------------------------------


class RecordingValues(dict[str, Any]):
    """Field values that remember which keys a formula read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        self.read.append(key)
        return super().get(key, default)


@pytest.mark.parametrize(
    ("text", "read", "not_read"),
    [
        ("IF(TRUE, {a}, {b})", "a", "b"),
        ("IF(FALSE, {a}, {b})", "b", "a"),
        ("IFS(FALSE, {a}, TRUE, {b}, TRUE, {c})", "b", "c"),
        ("SWITCH(2, 1, {a}, 2, {b}, {c})", "b", "c"),
        ("IFERROR(1, {a})", "", "a"),
        ("IFERROR(1/0, {a})", "a", ""),
        ("IFNA(1, {a})", "", "a"),
        ("CHOOSE(2, {a}, {b}, {c})", "b", "c"),
    ],
)
def test_lazy_functions_evaluate_only_the_chosen_branch(text: str, read: str, not_read: str) -> None:
    values = RecordingValues(a=1, b=2, c=3)
    compile_formula(text).evaluate(values, CONTEXT)
    if read:
        assert read in values.read
    if not_read:
        assert not_read not in values.read


def test_and_or_evaluate_every_argument_as_excel_does() -> None:
    values = RecordingValues(a=1, b=2)
    assert compile_formula("AND(FALSE, {a}>0, {b}>0)").evaluate(values, CONTEXT) is False
    assert values.read == ["a", "b"]
    assert ev("AND(FALSE, 1/0)") is DIV0
    assert ev("OR(TRUE, #N/A)") is NA


# --- compile-time errors with positions ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "code"),
    [
        ("1+", 2, "syntax"),
        ("IF(1, 2", 7, "syntax"),
        ("1 + * 2", 4, "syntax"),
        ('"abc', 0, "syntax"),
        ("SUM(1, 2))", 9, "syntax"),
        ("{amount", 0, "syntax"),
        ("{} + 1", 0, "syntax"),
        ("a+1", 0, "unknown_name"),
        ("1 + amount", 4, "unknown_name"),
        ("IF(1)", 0, "arity"),
        ("1 + ROUND()", 4, "arity"),
        ("LEFT(1, 2, 3)", 0, "arity"),
        ("IFS(TRUE, 1, FALSE)", 0, "arity"),
        ("", 0, "syntax"),
        ("   ", 0, "syntax"),
        ("1 2", 2, "syntax"),
        ("A1:B2", 2, "syntax"),
        ("a.b", 0, "unknown_name"),
        ("[1]", 0, "syntax"),
        ("1 +\n\n  ?", 7, "syntax"),
    ],
)
def test_compile_errors_carry_a_position(text: str, position: int, code: str) -> None:
    error = syntax_error(text)
    assert error.position == position
    assert error.code == code
    assert error.message_zh and error.message_en
    assert error.message == f"{error.message_zh} / {error.message_en}"


def test_error_line_and_column_are_one_based() -> None:
    error = syntax_error("1 +\n\n  ?")
    assert (error.line, error.column) == (3, 3)
    assert "line 3, column 3" in str(error)
    first = syntax_error("1 + * 2")
    assert (first.line, first.column) == (1, 5)


def test_full_width_punctuation_gets_a_hint() -> None:
    error = syntax_error("IF({a}>1，2, 3)")
    assert error.position == 8
    assert "','" in error.message_en and "半角" in error.message_zh
    assert syntax_error("LEFT(“abc”, 1)").position == 5


def test_error_messages_name_the_problem() -> None:
    assert "amount" in syntax_error("{amount}+amount").message_en
    assert "ROUND" in syntax_error("ROUND()").message_zh
    assert "')'" in syntax_error("IF(1, 2").message_en


def test_unknown_functions_are_name_errors_or_strict_compile_errors() -> None:
    compiled = compile_formula("1 + FOO({a})")
    assert compiled.unknown_functions == frozenset({"FOO"})
    assert compiled.evaluate({"a": 1}, CONTEXT) is NAME
    with pytest.raises(FormulaSyntaxError) as info:
        compile_formula("1 + FOO({a})", strict=True)
    assert info.value.code == "unknown_function"
    assert info.value.position == 4
    assert compile_formula("SUM({a})", strict=True).unknown_functions == frozenset()


def test_function_names_are_case_insensitive() -> None:
    assert ev("sum(1, 2)") == 3
    assert ev("If(true, 1, 2)") == 1
    assert compile_formula("round({x}, 2)").functions == frozenset({"ROUND"})


# --- safety ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{a}.__class__",
        "__import__('os')",
        "().__class__",
        "lambda: 1",
        "lambda x: x",
        "[x for x in ()]",
        "{a}.b.c",
        "getattr({a}, 'x')",
        "SUM(1).real",
        "open('/etc/passwd')",
        "1; import os",
        "{a}[0]",
        "x := 1",
        "f'{1}'",
        "a.__globals__",
    ],
)
def test_python_syntax_is_refused(text: str) -> None:
    syntax_error(text)


def test_python_builtins_are_just_unknown_functions() -> None:
    compiled = compile_formula('__import__("os")')
    assert compiled.unknown_functions == frozenset({"__IMPORT__"})
    assert compiled.evaluate({}, CONTEXT) is NAME
    assert ev('EVAL("1+1")') is NAME
    with pytest.raises(FormulaSyntaxError):
        compile_formula('__import__("os")', strict=True)


def test_nesting_depth_is_bounded() -> None:
    # redundant parentheses nest nothing
    assert ev("(" * 500 + "1" + ")" * 500) == 1
    assert ev("ABS(" * (MAX_DEPTH - 2) + "-1" + ")" * (MAX_DEPTH - 2)) == 1
    assert syntax_error("ABS(" * (MAX_DEPTH - 1) + "-1" + ")" * (MAX_DEPTH - 1)).code == "too_deep"
    error = syntax_error("-(" * 100 + "1" + ")" * 100)
    assert error.code == "too_deep"
    error = syntax_error("ABS(" * 100 + "1" + ")" * 100)
    assert error.code == "too_deep"
    assert 0 <= error.position < 400


def test_text_length_is_bounded() -> None:
    ok = "1" + "+1" * ((MAX_LENGTH - 1) // 2)
    assert len(ok) <= MAX_LENGTH
    assert ev(ok) == (MAX_LENGTH - 1) // 2 + 1
    error = syntax_error("1" * (MAX_LENGTH + 1))
    assert error.code == "too_long"
    assert error.position == MAX_LENGTH


def test_string_results_are_bounded() -> None:
    assert ev('REPT("x", 32767)') == "x" * 32767
    assert ev('REPT("x", 32768)') is VALUE
    assert ev('REPT("x", 1E+300)') is VALUE
    assert ev('REPT("x", 32767)&"y"') is VALUE
    assert ev('SUBSTITUTE(REPT("a", 30000), "a", "bb")') is VALUE
    assert ev('CONCAT(REPT("a", 20000), REPT("b", 20000))') is VALUE
    assert ev('TEXTJOIN(",", TRUE, REPT("a", 20000), REPT("b", 20000))') is VALUE
    assert ev('UPPER(REPT("ß", 20000))') is VALUE


def test_pathological_text_is_handled_without_backtracking() -> None:
    # These would take hours with naive regular expressions (catastrophic backtracking).
    assert ev('VALUE("(" & REPT(" ", 30000) & "x")') is VALUE
    assert ev('VALUE(REPT("1", 30000) & "x")') is VALUE
    assert ev('(REPT(" ", 20000) & "1") + 1') == 2  # surrounding spaces are allowed, as in Excel
    assert ev('SEARCH("*a*a*a*a*b", REPT("a", 30000))') is VALUE
    assert ev('COUNTIF(REPT("a", 30000), "*a*a*a*a*a*b")') == 0
    assert ev('MATCH("a*a*a*a*c", {t}, 0)', {"t": ["a" * 30000 + "c"]}) == 1
    assert ev('SEARCH("a*c", "xxabcde")') == 3
    assert ev('COUNTIF({"abc","abcc","ac","a","ABC"}, "a*c")') == 4


def test_arrays_are_bounded() -> None:
    rows = [{"q": 1}] * 10_001
    assert ev("SUM({items.q})", {"items": rows}) is VALUE
    assert ev("SUM({items.q})", {"items": rows[:10_000]}) == 10_000
    assert ev("SUM({tags})", {"tags": list(range(10_001))}) is VALUE
    assert ev("{tags}", {"tags": list(range(10_001))}) is VALUE


def test_total_array_work_per_evaluation_is_bounded() -> None:
    values = {"items": [{"q": 1}] * 1000}
    small_budget = FormulaContext(now=CONTEXT.now, tz=SHANGHAI, max_array_work=5_000)
    assert ev("SUM({items.q}*2)", values, small_budget) == 2000
    assert ev("SUM({items.q}*2*2*2*2*2*2*2*2*2*2)", values, small_budget) is VALUE
    # the budget is refilled for every evaluation
    assert ev("SUM({items.q}*2)", values, small_budget) == 2000
    long_text = {"items": [{"t": "x" * 30_000}] * 1000}
    assert ev('{items.t}&"y"', long_text) is VALUE


def test_day_walks_are_bounded() -> None:
    assert ev("WORKDAY(DATE(2024,1,1), 1E+9)") is NUM
    calendar = FormulaContext(now=CONTEXT.now, tz=SHANGHAI, is_workday=lambda day: day.weekday() != 6)
    assert ev("NETWORKDAYS(DATE(1900,1,1), DATE(9999,1,1))", {}, calendar) is NUM
    # the Monday-Friday calendar is counted arithmetically, so any range is fine
    assert ev("NETWORKDAYS(DATE(2024,1,1), DATE(2024,12,31))") == 262
    assert ev("NETWORKDAYS(DATE(1900,1,1), DATE(9999,1,1))") > 2_000_000
    never = FormulaContext(now=CONTEXT.now, tz=SHANGHAI, is_workday=lambda day: False)
    assert ev("WORKDAY(DATE(2024,1,1), 3)", {}, never) is NUM


# --- compiled formula, cache, API ------------------------------------------------------------


def test_references_and_functions() -> None:
    compiled = compile_formula("IF({amount}>100, ROUND({amount}*0.1, 2), SUM({items.qty}, {extra}))")
    assert compiled.references == frozenset({"amount", "items.qty", "extra"})
    assert compiled.functions == frozenset({"IF", "ROUND", "SUM"})
    assert compiled.unknown_functions == frozenset()
    assert compiled.volatile is False
    assert compile_formula("TODAY()+1").volatile is True
    assert compile_formula("{ 金额 }*2").references == frozenset({"金额"})
    assert ev("{ 金额 }*2", {"金额": 3}) == 6


def test_compilation_is_cached_by_text() -> None:
    assert compile_formula("1+{cache_probe}") is compile_formula("1+{cache_probe}")
    assert compile_formula("1+{cache_probe}") is not compile_formula("1 + {cache_probe}")


def test_compiled_formula_is_immutable_and_evaluation_never_raises() -> None:
    compiled = compile_formula("{a}/{b}")
    with pytest.raises(AttributeError):
        compiled.text = "x"
    assert compiled.evaluate({"a": 1, "b": 0}) is DIV0
    assert compiled.evaluate(None, CONTEXT) is DIV0
    assert compiled.evaluate({}, CONTEXT) is DIV0


def test_evaluate_formula_shortcut() -> None:
    assert evaluate_formula("{a}*2", {"a": 21}) == 42
    with pytest.raises(FormulaSyntaxError):
        evaluate_formula("1+", {})


def test_excel_errors_are_interned_values() -> None:
    assert ExcelError("#n/a") is NA
    assert str(DIV0) == "#DIV/0!"
    assert repr(NUM) == "ExcelError('#NUM!')"
    assert pickle.loads(pickle.dumps(VALUE)) is VALUE
    assert formula_api.ERROR_CODES == ("#DIV/0!", "#VALUE!", "#NAME?", "#N/A", "#NUM!", "#REF!", "#NULL!")
    assert ev("#NULL!") is ExcelError("#NULL!")
    assert ev("ISERROR(#REF!)") is True
    with pytest.raises(ValueError):
        ExcelError("#OOPS")
    with pytest.raises(AttributeError):
        NA.code = "x"
    assert NA.description_zh and NA.description_en


def test_internal_errors_become_value_errors_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formula_compiler, "RAISE_INTERNAL_ERRORS", False)

    class Exploding(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            raise RuntimeError("boom")

    assert compile_formula("{a}+1").evaluate(Exploding(), CONTEXT) is VALUE


def test_default_context_uses_the_project_clock_and_time_zone() -> None:
    from complaintdesk.core import clock

    with clock.frozen(datetime(2024, 3, 15, 2, 30, tzinfo=ZoneInfo("UTC"))):
        now = compile_formula("NOW()").evaluate({})
        assert now == datetime(2024, 3, 15, 10, 30, tzinfo=SHANGHAI)
        assert compile_formula("TODAY()").evaluate({}) == date(2024, 3, 15)
        clock.advance(__import__("datetime").timedelta(hours=14))
        assert compile_formula("TODAY()").evaluate({}) == date(2024, 3, 16)
