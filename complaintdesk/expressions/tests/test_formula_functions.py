"""Excel behaviour of every formula function, table-driven: (formula, field values, expected result).

Expected values are what Excel gives (see docs/formulas.md for the few documented differences).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.expressions.formula import FUNCTIONS, ExcelError, FormulaContext, compile_formula
from complaintdesk.expressions.formula import compiler as formula_compiler

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Friday 15 March 2024, 10:30 in Shanghai
CONTEXT = FormulaContext(now=lambda: datetime(2024, 3, 15, 2, 30, tzinfo=ZoneInfo("UTC")), tz=SHANGHAI)

DIV0 = ExcelError("#DIV/0!")
VALUE = ExcelError("#VALUE!")
NA = ExcelError("#N/A")
NUM = ExcelError("#NUM!")
REF = ExcelError("#REF!")
NAME = ExcelError("#NAME?")

ITEMS = {
    "items": [
        {"type": "配件", "qty": 2, "price": 10.5, "name": "滤网", "status": "已发货"},
        {"type": "整机", "qty": 1, "price": 899, "name": "空气净化器", "status": "待发货"},
        {"type": "配件", "qty": 3, "price": 4, "name": "遥控器", "status": "已签收"},
        {"type": "服务", "qty": None, "price": "50", "name": "", "status": None},
    ]
}


@pytest.fixture(autouse=True)
def _strict_evaluation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(formula_compiler, "RAISE_INTERNAL_ERRORS", True)
    yield


def evaluate(text: str, values: dict[str, Any] | None = None) -> Any:
    return compile_formula(text).evaluate(values or {}, CONTEXT)


def assert_same(actual: Any, expected: Any) -> None:
    if isinstance(expected, ExcelError):
        assert actual is expected
    elif isinstance(expected, bool):
        assert type(actual) is bool and actual is expected
    elif isinstance(expected, float):
        assert isinstance(actual, int | float) and not isinstance(actual, bool)
        assert actual == pytest.approx(expected, rel=1e-12, abs=1e-12)
    elif isinstance(expected, int):
        assert type(actual) is int and actual == expected
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected)
        for item, wanted in zip(actual, expected, strict=True):
            assert_same(item, wanted)
    else:
        assert type(actual) is type(expected) and actual == expected


CASES: list[tuple[str, dict[str, Any], Any]] = [
    # --- logical -----------------------------------------------------------------------------
    ("IF(TRUE, 1, 2)", {}, 1),
    ("IF(FALSE, 1, 2)", {}, 2),
    ("IF(FALSE, 1)", {}, False),
    ("IF(FALSE, 1, )", {}, 0),
    ('IF(1, "y", "n")', {}, "y"),
    ('IF(0, "y", "n")', {}, "n"),
    ('IF("true", "y", "n")', {}, "y"),
    ('IF("abc", "y", "n")', {}, VALUE),
    ('IF({x}, "y", "n")', {}, "n"),
    ("IF(1/0, 1, 2)", {}, DIV0),
    ("IF(TRUE, 1, 1/0)", {}, 1),
    ("IF({items.qty}>1, 1, 0)", ITEMS, [1, 0, 1, 0]),
    ('IFS({s}>=90, "优", {s}>=60, "合格", TRUE, "不合格")', {"s": 95}, "优"),
    ('IFS({s}>=90, "优", {s}>=60, "合格", TRUE, "不合格")', {"s": 70}, "合格"),
    ('IFS({s}>=90, "优", {s}>=60, "合格", TRUE, "不合格")', {"s": 10}, "不合格"),
    ("IFS(FALSE, 1)", {}, NA),
    ("IFS(1/0, 1)", {}, DIV0),
    ("AND(TRUE, TRUE)", {}, True),
    ("AND(TRUE, FALSE)", {}, False),
    ("AND(FALSE, 1/0)", {}, DIV0),
    ("AND(1, 2)", {}, True),
    ('AND("TRUE", TRUE)', {}, True),
    ('AND("abc")', {}, VALUE),
    ("AND({t})", {"t": "abc"}, VALUE),
    ("AND({t}, TRUE)", {"t": "abc"}, True),
    ("AND({items.qty}>0)", ITEMS, False),
    ("OR(FALSE, FALSE)", {}, False),
    ("OR(FALSE, TRUE)", {}, True),
    ("OR(TRUE, 1/0)", {}, DIV0),
    ("OR({items.qty}>2)", ITEMS, True),
    ("XOR(TRUE, TRUE)", {}, False),
    ("XOR(TRUE, FALSE, TRUE, TRUE)", {}, True),
    ("NOT(TRUE)", {}, False),
    ("NOT(0)", {}, True),
    ('NOT("abc")', {}, VALUE),
    ("NOT({x})", {}, True),
    ('SWITCH(2, 1, "a", 2, "b", "z")', {}, "b"),
    ('SWITCH(9, 1, "a", "z")', {}, "z"),
    ('SWITCH(9, 1, "a")', {}, NA),
    ('SWITCH("B", "a", 1, "b", 2)', {}, 2),
    ('SWITCH(1/0, 1, "a")', {}, DIV0),
    ('IFERROR(1/0, "x")', {}, "x"),
    ('IFERROR(5, "x")', {}, 5),
    ("IFERROR(#N/A, 0)", {}, 0),
    ("IFERROR({items.price}/{items.qty}, 0)", ITEMS, [5.25, 899, 4 / 3, 0]),
    ("IFNA(#N/A, 1)", {}, 1),
    ("IFNA(1/0, 1)", {}, DIV0),
    ("IFNA(3, 1)", {}, 3),
    ("ISBLANK({x})", {}, True),
    ("ISBLANK({x})", {"x": ""}, True),
    ("ISBLANK({x})", {"x": 0}, False),
    ('ISBLANK("")', {}, False),
    ("ISBLANK({items.qty})", ITEMS, [False, False, False, True]),
    ("ISNUMBER(1)", {}, True),
    ('ISNUMBER("1")', {}, False),
    ("ISNUMBER(DATE(2024,1,1))", {}, True),
    ("ISNUMBER({x})", {}, False),
    ('ISTEXT("a")', {}, True),
    ("ISTEXT(1)", {}, False),
    ("ISNONTEXT(1)", {}, True),
    ("ISLOGICAL(TRUE)", {}, True),
    ("ISLOGICAL(1)", {}, False),
    ("ISERROR(1/0)", {}, True),
    ("ISERROR(#N/A)", {}, True),
    ("ISERROR(1)", {}, False),
    ("ISERR(#N/A)", {}, False),
    ("ISERR(1/0)", {}, True),
    ("ISNA(#N/A)", {}, True),
    ("ISNA(1/0)", {}, False),
    ("ISEVEN(4)", {}, True),
    ("ISEVEN(2.5)", {}, True),
    ("ISODD(3)", {}, True),
    ("ISODD(-3)", {}, True),
    ("TRUE()", {}, True),
    ("FALSE()", {}, False),
    ("NA()", {}, NA),
    # --- math and aggregates -----------------------------------------------------------------
    ("SUM(1, 2, 3)", {}, 6),
    ("SUM({items.qty})", ITEMS, 6),
    ("SUM({items.price})", ITEMS, 913.5),  # the text "50" in a range is skipped, as in Excel
    ('SUM("3", TRUE)', {}, 4),
    ('SUM("abc")', {}, VALUE),
    ("SUM(1, #N/A)", {}, NA),
    ("SUM({a}, {b})", {"a": "3", "b": 2}, 2),  # a field is a cell reference: its text is skipped
    ("SUM({items.qty}*{items.price})", ITEMS, 932),
    ("SUM({items.missing})", ITEMS, 0),
    ("AVERAGE(1, 2, 3, 4)", {}, 2.5),
    ("AVERAGE({a}, {b}, {c})", {"a": 1, "b": None, "c": 3}, 2),
    ("AVERAGE({items.qty})", ITEMS, 2),
    ("AVERAGE({items.missing})", ITEMS, DIV0),
    ("MIN(3, 1, 2)", {}, 1),
    ("MAX(3, 1, 2)", {}, 3),
    ("MAX({items.missing})", ITEMS, 0),
    ("MIN({a}, {b})", {"a": date(2024, 5, 1), "b": date(2024, 1, 2)}, date(2024, 1, 2)),
    ("MAX({items.qty}, 2.5)", ITEMS, 3),
    ('COUNT(1, "2", "a", TRUE)', {}, 3),
    ("COUNT({items.qty})", ITEMS, 3),
    ("COUNT({items.price})", ITEMS, 3),
    ("COUNTA({items.qty})", ITEMS, 3),
    ("COUNTA({items.name})", ITEMS, 3),  # an empty text cell is blank
    ("COUNTBLANK({items.status})", ITEMS, 1),
    ("PRODUCT(2, 3, 4)", {}, 24),
    ("PRODUCT({items.missing})", ITEMS, 0),
    ("ROUND(2.5, 0)", {}, 3),
    ("ROUND(-2.5, 0)", {}, -3),
    ("ROUND(2.675, 2)", {}, 2.68),
    ("ROUND(1.005, 2)", {}, 1.01),
    ("ROUND(-1.005, 2)", {}, -1.01),
    ("ROUND(1234.5678, -2)", {}, 1200),
    ("ROUND(0.285, 2)", {}, 0.29),
    ("ROUND(1.45, 1)", {}, 1.5),
    ('ROUND("2.5", 0)', {}, 3),
    ("ROUND({x}, 2)", {}, 0),
    ("ROUNDUP(3.2, 0)", {}, 4),
    ("ROUNDUP(-3.2, 0)", {}, -4),
    ("ROUNDUP(3.14159, 3)", {}, 3.142),
    ("ROUNDUP(0.1+0.2, 1)", {}, 0.3),
    ("ROUNDDOWN(3.9, 0)", {}, 3),
    ("ROUNDDOWN(-3.9, 0)", {}, -3),
    ("ROUNDDOWN(31415.92654, -2)", {}, 31400),
    ("ROUNDDOWN(0.3-0.1, 1)", {}, 0.2),
    ("TRUNC(-8.9)", {}, -8),
    ("TRUNC(8.987, 2)", {}, 8.98),
    ("INT(8.9)", {}, 8),
    ("INT(-8.9)", {}, -9),
    ("MOD(3, 2)", {}, 1),
    ("MOD(-3, 2)", {}, 1),
    ("MOD(3, -2)", {}, -1),
    ("MOD(-3, -2)", {}, -1),
    ("MOD(3, 0)", {}, DIV0),
    ("MOD(7.5, 2)", {}, 1.5),
    ("QUOTIENT(5, 2)", {}, 2),
    ("QUOTIENT(-5, 2)", {}, -2),
    ("ABS(-2)", {}, 2),
    ("SIGN(-3)", {}, -1),
    ("SIGN(0)", {}, 0),
    ("POWER(5, 2)", {}, 25),
    ("POWER(-8, 1/3)", {}, -2),
    ("POWER(-4, 0.5)", {}, NUM),
    ("POWER(0, 0)", {}, NUM),
    ("POWER(0, -1)", {}, DIV0),
    ("POWER(10, 400)", {}, NUM),
    ("SQRT(16)", {}, 4),
    ("SQRT(-1)", {}, NUM),
    ("CEILING(2.5, 1)", {}, 3),
    ("CEILING(-2.5, 2)", {}, -2),
    ("CEILING(-2.5, -2)", {}, -4),
    ("CEILING(2.5, -2)", {}, NUM),
    ("CEILING(0.1*3, 0.1)", {}, 0.3),
    ("CEILING(4.2)", {}, 5),
    ("FLOOR(3.7, 2)", {}, 2),
    ("FLOOR(-2.5, -2)", {}, -2),
    ("FLOOR(-2.5, 2)", {}, -4),
    ("FLOOR(2.5, -2)", {}, NUM),
    ("FLOOR(1, 0)", {}, DIV0),
    ("MROUND(10, 3)", {}, 9),
    ("MROUND(-10, 3)", {}, NUM),
    ("MEDIAN(1, 2, 3, 4)", {}, 2.5),
    ("MEDIAN(3, 1, 2)", {}, 2),
    ("MEDIAN({items.qty})", ITEMS, 2),
    ("LARGE({1,5,3}, 2)", {}, 3),
    ("LARGE({items.price}, 1)", ITEMS, 899),
    ("SMALL({1,5,3}, 1)", {}, 1),
    ("LARGE({1,2}, 3)", {}, NUM),
    ("SMALL({1,2}, 0)", {}, NUM),
    ("SUMPRODUCT({1,2,3}, {4,5,6})", {}, 32),
    ("SUMPRODUCT({items.qty}, {items.price})", ITEMS, 932),
    ("SUMPRODUCT({1,2}, {1,2,3})", {}, VALUE),
    ("STDEV(2, 4, 4, 4, 5, 5, 7, 9)", {}, 2.1380899352994),
    ("STDEV(1)", {}, DIV0),
    ("EXP(0)", {}, 1),
    ("LN(1)", {}, 0),
    ("LN(0)", {}, NUM),
    ("LOG(8, 2)", {}, 3),
    ("LOG(100)", {}, 2),
    ("LOG10(1000)", {}, 3),
    ("PI()", {}, 3.14159265358979),
    ('SUMIF({items.type}, "配件", {items.price})', ITEMS, 14.5),
    ('SUMIF({1,5,10}, ">4")', {}, 15),
    ('SUMIF({1,5,10}, "<>5")', {}, 11),
    ("SUMIF({1,5,10}, 5)", {}, 5),
    ('SUMIF({items.name}, "遥*", {items.qty})', ITEMS, 3),
    ('AVERAGEIF({1,5,10}, ">4")', {}, 7.5),
    ('AVERAGEIF({1,5,10}, ">40")', {}, DIV0),
    ('AVERAGEIF({items.type}, "配件", {items.qty})', ITEMS, 2.5),
    ('COUNTIF({"apple","banana","Avocado"}, "a*")', {}, 2),
    ('COUNTIF({"apple","banana","Avocado"}, "?anana")', {}, 1),
    ('COUNTIF({"a?c","abc"}, "a~?c")', {}, 1),
    ('COUNTIF({1,2,3,4}, ">=3")', {}, 2),
    ('COUNTIF({"a","b","a"}, "A")', {}, 2),
    ('COUNTIF({"a","b","a"}, "<>a")', {}, 1),
    ('COUNTIF({items.status}, "已*")', ITEMS, 2),
    ('COUNTIF({items.status}, "")', ITEMS, 1),
    ('COUNTIF({items.status}, "<>")', ITEMS, 3),
    ('COUNTIF({items.qty}, "<3")', ITEMS, 2),
    ("COUNTIF({TRUE,FALSE,TRUE}, TRUE)", {}, 2),
    ('COUNTIF({items.type}, #N/A)', ITEMS, NA),
    ('SUMIFS({items.price}, {items.type}, "配件", {items.qty}, ">2")', ITEMS, 4),
    ('COUNTIFS({items.type}, "配件", {items.qty}, ">1")', ITEMS, 2),
    ('AVERAGEIFS({items.price}, {items.type}, "配件")', ITEMS, 7.25),
    ('MAXIFS({items.price}, {items.type}, "配件")', ITEMS, 10.5),
    ('MINIFS({items.price}, {items.type}, "配件")', ITEMS, 4),
    ('MINIFS({items.price}, {items.type}, "无")', ITEMS, 0),
    # --- text --------------------------------------------------------------------------------
    ('CONCAT("a", 1, TRUE)', {}, "a1TRUE"),
    ('CONCAT(LEFT({name}, 1), "**", RIGHT({phone}, 4))', {"name": "张三", "phone": "13812345678"}, "张**5678"),
    ("CONCAT({items.type})", ITEMS, "配件整机配件服务"),
    ('CONCAT("a", 1/0)', {}, DIV0),
    ('CONCATENATE("a", "b", 3)', {}, "ab3"),
    ('TEXTJOIN(",", TRUE, "a", "", "b")', {}, "a,b"),
    ('TEXTJOIN(",", FALSE, "a", "", "b")', {}, "a,,b"),
    ('TEXTJOIN("、", TRUE, {items.name})', ITEMS, "滤网、空气净化器、遥控器"),
    ('LEFT("abc", 2)', {}, "ab"),
    ('LEFT("abc")', {}, "a"),
    ('LEFT("abc", 10)', {}, "abc"),
    ('LEFT("abc", -1)', {}, VALUE),
    ("LEFT(12345, 2)", {}, "12"),
    ("LEFT({x}, 2)", {}, ""),
    ('RIGHT("abc", 2)', {}, "bc"),
    ('RIGHT("abc", 0)', {}, ""),
    ('MID("abcdef", 2, 3)', {}, "bcd"),
    ('MID("abc", 0, 1)', {}, VALUE),
    ('MID("abc", 10, 2)', {}, ""),
    ('MID({id}, 7, 8)', {"id": "110101199003071234"}, "19900307"),
    ('LEN("中文abc")', {}, 5),
    ("LEN(123)", {}, 3),
    ("LEN({x})", {}, 0),
    ('FIND("B", "abcB")', {}, 4),
    ('FIND("b", "ABC")', {}, VALUE),
    ('FIND("a", "banana", 3)', {}, 4),
    ('FIND("*", "a*b")', {}, 2),
    ('SEARCH("b", "ABC")', {}, 2),
    ('SEARCH("a?c", "xxabc")', {}, 3),
    ('SEARCH("*c", "abc")', {}, 1),
    ('SEARCH("~*", "a*b")', {}, 2),
    ('SEARCH("z", "abc")', {}, VALUE),
    ('SUBSTITUTE("a-b-c", "-", "")', {}, "abc"),
    ('SUBSTITUTE("a-b-c", "-", "+", 2)', {}, "a-b+c"),
    ('SUBSTITUTE("abc", "", "x")', {}, "abc"),
    ('REPLACE("13812345678", 4, 4, "****")', {}, "138****5678"),
    ('UPPER("abc")', {}, "ABC"),
    ('LOWER("ABC")', {}, "abc"),
    ('PROPER("hello world")', {}, "Hello World"),
    ('PROPER("it\'s 2-way")', {}, "It'S 2-Way"),
    ('TRIM("  a   b  ")', {}, "a b"),
    ('CLEAN("a" & UNICHAR(10) & "b")', {}, "ab"),
    ('TEXT(1234.567, "#,##0.00")', {}, "1,234.57"),
    ('TEXT(1234.5, "#,##0")', {}, "1,235"),
    ('TEXT(-1234.5, "#,##0.00")', {}, "-1,234.50"),
    ('TEXT(1234567, "#,##0")', {}, "1,234,567"),
    ('TEXT(0.256, "0%")', {}, "26%"),
    ('TEXT(0.256, "0.0%")', {}, "25.6%"),
    ('TEXT(5, "000")', {}, "005"),
    ('TEXT(0.5, "0.00")', {}, "0.50"),
    ('TEXT(0.5, "#.##")', {}, ".5"),
    ('TEXT(3.5, "#")', {}, "4"),
    ('TEXT(1234567, "000-0000")', {}, "123-4567"),
    ('TEXT(1234567.891, "0.00E+00")', {}, "1.23E+06"),
    ('TEXT(-5, "0;(0)")', {}, "(5)"),
    ('TEXT(0, "0.00;-0.00;""零""")', {}, "零"),
    ('TEXT(1234.5, "¥#,##0.00")', {}, "¥1,234.50"),
    ('TEXT(12, "0元")', {}, "12元"),
    ('TEXT(1234000, "#,##0,")', {}, "1,234"),
    ('TEXT(DATE(2024,3,5), "yyyy-mm-dd")', {}, "2024-03-05"),
    ('TEXT(DATE(2024,3,5), "yyyy年m月d日")', {}, "2024年3月5日"),
    ('TEXT(DATE(2024,3,5), "yy/m/d")', {}, "24/3/5"),
    ('TEXT(DATE(2024,3,4), "aaaa")', {}, "星期一"),
    ('TEXT(DATE(2024,3,4), "dddd, mmmm d")', {}, "Monday, March 4"),
    ('TEXT(TIME(14,5,0), "hh:mm")', {}, "14:05"),
    ('TEXT(TIME(14,5,9), "hh:mm:ss")', {}, "14:05:09"),
    ('TEXT(TIME(14,5,0), "h:mm AM/PM")', {}, "2:05 PM"),
    ('TEXT(1.5, "[h]:mm")', {}, "36:00"),
    ('TEXT({d}, "yyyy-mm-dd hh:mm")', {"d": datetime(2024, 3, 5, 9, 7)}, "2024-03-05 09:07"),
    ('TEXT(45356, "yyyy/m/d")', {}, "2024/3/5"),
    ('TEXT("abc", "0.00")', {}, "abc"),
    ('TEXT("3.5", "0.00")', {}, "3.50"),
    ('TEXT(1/3, "General")', {}, "0.333333333333333"),
    ('VALUE("1,234.5")', {}, 1234.5),
    ('VALUE("50%")', {}, 0.5),
    ('VALUE("  12 ")', {}, 12),
    ('VALUE("(5)")', {}, -5),
    ('VALUE("abc")', {}, VALUE),
    ('VALUE("2024-03-01")', {}, 45352),
    ('REPT("ab", 3)', {}, "ababab"),
    ('REPT("x", 40000)', {}, VALUE),
    ('REPT("x", -1)', {}, VALUE),
    ('REPT("★", {rating})', {"rating": 3}, "★★★"),
    ('EXACT("a", "A")', {}, False),
    ('EXACT("a", "a")', {}, True),
    ('T("a")', {}, "a"),
    ("T(1)", {}, ""),
    ("N(TRUE)", {}, 1),
    ('N("a")', {}, 0),
    ("N(DATE(2024,1,1))", {}, 45292),
    ("UNICHAR(9733)", {}, "★"),
    ("UNICHAR(0)", {}, VALUE),
    ('UNICODE("中")', {}, 20013),
    ('TEXTBEFORE("a@b.com", "@")', {}, "a"),
    ('TEXTAFTER("a@b.com", "@")', {}, "b.com"),
    ('TEXTAFTER("a.b.c", ".", -1)', {}, "c"),
    ('TEXTBEFORE("a.b.c", ".", 2)', {}, "a.b"),
    ('TEXTBEFORE("abc", "x")', {}, NA),
    ('TEXTAFTER("abc", "x", 1, 0, "-")', {}, "-"),
    # --- date and time -----------------------------------------------------------------------
    ("TODAY()", {}, date(2024, 3, 15)),
    ("NOW()", {}, datetime(2024, 3, 15, 10, 30, tzinfo=SHANGHAI)),
    ("DATE(2024, 2, 29)", {}, date(2024, 2, 29)),
    ("DATE(2024, 13, 1)", {}, date(2025, 1, 1)),
    ("DATE(2024, 1, 0)", {}, date(2023, 12, 31)),
    ("DATE(2024, 0, 1)", {}, date(2023, 12, 1)),
    ("DATE(24, 1, 1)", {}, date(1924, 1, 1)),
    ("DATE(10000, 1, 1)", {}, NUM),
    ("DATE(-1, 1, 1)", {}, NUM),
    ("TIME(9, 30, 0)", {}, time(9, 30)),
    ("TIME(25, 0, 0)", {}, time(1, 0)),
    ("TIME(0, 90, 0)", {}, time(1, 30)),
    ("TIME(-1, 0, 0)", {}, NUM),
    ('YEAR("2024-03-05")', {}, 2024),
    ("YEAR({d})", {"d": datetime(2024, 12, 31, 20, 0, tzinfo=ZoneInfo("UTC"))}, 2025),  # local time
    ("MONTH(DATE(2024, 3, 5))", {}, 3),
    ("DAY(45356)", {}, 5),
    ('DAY("2024年3月5日")', {}, 5),
    ('YEAR("abc")', {}, VALUE),
    ("YEAR(-1)", {}, NUM),
    ("HOUR(TIME(14, 5, 0))", {}, 14),
    ("HOUR(0.75)", {}, 18),
    ('HOUR("14:30")', {}, 14),
    ("MINUTE(TIME(14, 5, 0))", {}, 5),
    ("MINUTE({t})", {"t": datetime(2024, 3, 5, 9, 41)}, 41),
    ("SECOND(TIME(1, 2, 3))", {}, 3),
    ("WEEKDAY(DATE(2024, 3, 3))", {}, 1),
    ("WEEKDAY(DATE(2024, 3, 3), 1)", {}, 1),
    ("WEEKDAY(DATE(2024, 3, 3), 2)", {}, 7),
    ("WEEKDAY(DATE(2024, 3, 3), 3)", {}, 6),
    ("WEEKDAY(DATE(2024, 3, 4), 1)", {}, 2),
    ("WEEKDAY(DATE(2024, 3, 4), 2)", {}, 1),
    ("WEEKDAY(DATE(2024, 3, 4), 3)", {}, 0),
    ("WEEKDAY(DATE(2024, 3, 4), 16)", {}, 3),
    ("WEEKDAY(DATE(2024, 3, 4), 4)", {}, NUM),
    ("WEEKNUM(DATE(2024, 1, 1))", {}, 1),
    ("WEEKNUM(DATE(2024, 3, 15))", {}, 11),
    ("WEEKNUM(DATE(2023, 1, 1), 1)", {}, 1),
    ("WEEKNUM(DATE(2023, 1, 7), 1)", {}, 1),
    ("WEEKNUM(DATE(2023, 1, 8), 1)", {}, 2),
    ("WEEKNUM(DATE(2023, 1, 1), 2)", {}, 1),
    ("WEEKNUM(DATE(2023, 1, 2), 2)", {}, 2),
    ("WEEKNUM(DATE(2021, 1, 1), 21)", {}, 53),
    ("ISOWEEKNUM(DATE(2024, 1, 1))", {}, 1),
    ("EDATE(DATE(2024, 1, 31), 1)", {}, date(2024, 2, 29)),
    ("EDATE(DATE(2024, 3, 31), -1)", {}, date(2024, 2, 29)),
    ("EDATE(DATE(2024, 1, 15), 12)", {}, date(2025, 1, 15)),
    ("EOMONTH(DATE(2024, 1, 15), 0)", {}, date(2024, 1, 31)),
    ("EOMONTH(DATE(2024, 1, 15), 1)", {}, date(2024, 2, 29)),
    ("EOMONTH(DATE(2024, 1, 15), -2)", {}, date(2023, 11, 30)),
    ('EOMONTH("2023-02-10", 0)', {}, date(2023, 2, 28)),
    ('DATEDIF(DATE(2020, 2, 29), DATE(2024, 2, 28), "Y")', {}, 3),
    ('DATEDIF(DATE(2020, 2, 29), DATE(2024, 2, 29), "Y")', {}, 4),
    ('DATEDIF(DATE(2020, 2, 29), DATE(2024, 2, 28), "M")', {}, 47),
    ('DATEDIF(DATE(2020, 2, 29), DATE(2024, 2, 28), "D")', {}, 1460),
    ('DATEDIF(DATE(2024, 1, 15), DATE(2024, 3, 10), "MD")', {}, 24),
    ('DATEDIF(DATE(2023, 11, 15), DATE(2024, 3, 10), "YM")', {}, 3),
    ('DATEDIF(DATE(2023, 11, 15), DATE(2024, 3, 10), "YD")', {}, 116),
    ('DATEDIF(DATE(2024, 3, 10), DATE(2024, 1, 15), "D")', {}, NUM),
    ('DATEDIF(DATE(2024, 1, 1), DATE(2024, 3, 1), "X")', {}, NUM),
    ('DATEDIF({purchase_date}, TODAY(), "d")', {"purchase_date": date(2024, 3, 1)}, 14),
    ('IFERROR(DATEDIF({purchase_date}, TODAY(), "d"), "")', {"purchase_date": date(2024, 4, 1)}, ""),
    ("DAYS(DATE(2024, 3, 1), DATE(2024, 2, 1))", {}, 29),
    ('DAYS("2024-03-01", "2024-02-01")', {}, 29),
    ("NETWORKDAYS(DATE(2024, 3, 1), DATE(2024, 3, 31))", {}, 21),
    ("NETWORKDAYS(DATE(2024, 3, 31), DATE(2024, 3, 1))", {}, -21),
    ("NETWORKDAYS(DATE(2024, 3, 1), DATE(2024, 3, 31), DATE(2024, 3, 8))", {}, 20),
    ("NETWORKDAYS(DATE(2024, 3, 1), DATE(2024, 3, 31), {h})", {"h": [date(2024, 3, 8), date(2024, 3, 9)]}, 20),
    ("NETWORKDAYS(DATE(2024, 3, 2), DATE(2024, 3, 3))", {}, 0),
    ("WORKDAY(DATE(2024, 3, 1), 5)", {}, date(2024, 3, 8)),
    ("WORKDAY(DATE(2024, 3, 8), -5)", {}, date(2024, 3, 1)),
    ("WORKDAY(DATE(2024, 3, 1), 5, DATE(2024, 3, 4))", {}, date(2024, 3, 11)),
    ("WORKDAY(DATE(2024, 3, 2), 0)", {}, date(2024, 3, 2)),
    ('DATEVALUE("2024/3/5")', {}, date(2024, 3, 5)),
    ('DATEVALUE("abc")', {}, VALUE),
    ('TIMEVALUE("2:30 PM")', {}, time(14, 30)),
    ('TIMEVALUE("下午2:30")', {}, time(14, 30)),
    # --- lookup ------------------------------------------------------------------------------
    ('CHOOSE(2, "a", "b", "c")', {}, "b"),
    ('CHOOSE(2.9, "a", "b", "c")', {}, "b"),
    ('CHOOSE(4, "a")', {}, VALUE),
    ('CHOOSE(1, "ok", 1/0)', {}, "ok"),
    ('CHOOSE({level}, "低", "中", "高")', {"level": 3}, "高"),
    ("INDEX({10,20,30}, 2)", {}, 20),
    ("INDEX({10,20,30}, 4)", {}, REF),
    ("INDEX({10,20,30}, 2, 2)", {}, REF),
    ("INDEX({items.name}, 2)", ITEMS, "空气净化器"),
    ("INDEX({items.name}, MATCH(899, {items.price}, 0))", ITEMS, "空气净化器"),
    ('MATCH("b", {"a","b","c"}, 0)', {}, 2),
    ('MATCH("B*", {"a","bx"}, 0)', {}, 2),
    ("MATCH(25, {10,20,30})", {}, 2),
    ("MATCH(30, {10,20,30}, 1)", {}, 3),
    ("MATCH(25, {30,20,10}, -1)", {}, 1),
    ("MATCH(5, {10,20,30})", {}, NA),
    ('MATCH("z", {"a"}, 0)', {}, NA),
    ('MATCH({c}, {items.type}, 0)', {**ITEMS, "c": "整机"}, 2),
    ('XLOOKUP("b", {"a","b"}, {1,2})', {}, 2),
    ('XLOOKUP("B", {"a","b"}, {1,2})', {}, 2),
    ('XLOOKUP("z", {"a"}, {1}, "none")', {}, "none"),
    ('XLOOKUP("z", {"a"}, {1})', {}, NA),
    ("XLOOKUP(25, {10,20,30}, {1,2,3}, , -1)", {}, 2),
    ("XLOOKUP(25, {10,20,30}, {1,2,3}, , 1)", {}, 3),
    ('XLOOKUP("遥*", {items.name}, {items.price}, 0, 2)', ITEMS, 4),
    ("ROWS({items.qty})", ITEMS, 4),
    # --- scalar functions over arrays (Excel's array lifting) --------------------------------
    ("LEFT({items.type}, 1)", ITEMS, ["配", "整", "配", "服"]),
    ('TEXT({items.qty}, "00")', ITEMS, ["02", "01", "03", "00"]),
    ("MATCH({items.type}, {items.type}, 0)", ITEMS, [1, 2, 1, 4]),
    ("COUNTIF({items.type}, {items.type})", ITEMS, [2, 1, 2, 1]),
    ("XLOOKUP({items.name}, {items.name}, {items.qty}, -1)", ITEMS, [2, 1, 3, -1]),
    ("T({items.type})", ITEMS, ["配件", "整机", "配件", "服务"]),
    ("N({items.qty})", ITEMS, [2, 1, 3, 0]),
    ("DATE(2024, {1,2}, 1)", {}, [date(2024, 1, 1), date(2024, 2, 1)]),
    ("CHOOSE({1,2}, {10,20}, 7)", {}, [10, 7]),
    ("INDEX({items.name}, {1,3})", ITEMS, ["滤网", "遥控器"]),
    ("ROWS({1,2,3})", {}, 3),
]


@pytest.mark.parametrize(("formula", "values", "expected"), CASES, ids=[case[0] for case in CASES])
def test_excel_behaviour(formula: str, values: dict[str, Any], expected: Any) -> None:
    assert_same(evaluate(formula, values), expected)


def test_every_function_is_exercised_by_the_table() -> None:
    used: set[str] = set()
    for formula, _, _ in CASES:
        used |= compile_formula(formula).functions
    assert set(FUNCTIONS) - used == set()


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_documented_example_evaluates(name: str) -> None:
    spec = FUNCTIONS[name]
    compiled = compile_formula(spec.example, strict=True)
    assert name in compiled.functions
    values = {
        **ITEMS,
        **{key: 3 for key in compiled.references if "." not in key},
        "purchase_date": date(2024, 1, 10),
        "created_at": datetime(2024, 3, 1, 9, 0),
        "closed_at": datetime(2024, 3, 5, 17, 0),
        "name": "张三",
        "phone": "13812345678",
        "email": "a@example.com",
    }
    result = compiled.evaluate(values, CONTEXT)
    assert result is not None


def test_custom_workday_calendar_is_used_by_networkdays_and_workday() -> None:
    make_up_saturday = date(2024, 3, 2)
    holiday = date(2024, 3, 4)

    def is_workday(day: date) -> bool:
        if day == make_up_saturday:
            return True
        if day == holiday:
            return False
        return day.weekday() < 5

    context = FormulaContext(now=CONTEXT.now, tz=SHANGHAI, is_workday=is_workday)
    count = compile_formula("NETWORKDAYS(DATE(2024,3,1), DATE(2024,3,8))").evaluate({}, context)
    assert count == 6  # Fri 1, Sat 2 (make-up), Tue 5 .. Fri 8; Mon 4 is a holiday
    after = compile_formula("WORKDAY(DATE(2024,3,1), 2)").evaluate({}, context)
    assert after == date(2024, 3, 5)


def test_today_follows_the_frozen_project_clock() -> None:
    from complaintdesk.core import clock

    with clock.frozen(datetime(2024, 12, 31, 17, 0, tzinfo=ZoneInfo("UTC"))):
        # 01:00 on 1 January in Shanghai
        assert compile_formula("TODAY()").evaluate({}) == date(2025, 1, 1)
        assert compile_formula("YEAR(TODAY())").evaluate({}) == 2025
    with clock.frozen(datetime(2024, 6, 1, 3, 0, tzinfo=ZoneInfo("UTC"))):
        assert compile_formula("TODAY()").evaluate({}) == date(2024, 6, 1)
