"""Criteria of SUMIF/COUNTIF/AVERAGEIF and friends: ``5``, ``">5"``, ``"<>x"``, ``"a*"``, ``""``.

As in Excel: an operator prefix (= <> < <= > >=) then an operand; a numeric operand compares with
numbers (and dates), a text operand matches text case-insensitively with ``*``/``?`` wildcards
(``~`` escapes them); ``""`` or ``"="`` matches blanks, ``"<>"`` matches anything not blank.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from ..values import ERROR_CODES, ExcelError, num_cmp, parse_number_text, raise_error, serial_of

Matcher = Callable[[Any], bool]

_OPERATORS = ("<>", "<=", ">=", "<", ">", "=")


def _numeric(value: Any) -> float | None:
    kind = type(value)
    if kind is float:
        return value
    if kind is date or kind is datetime or kind is time:
        return serial_of(value)
    return None


def wildcard_pattern(text: str) -> re.Pattern[str] | None:
    """A compiled pattern for Excel wildcards in ``text``; ``None`` when there are none."""
    if "*" not in text and "?" not in text:
        return None
    parts: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "~":
            escaped = True
        elif char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    if escaped:
        parts.append("~")
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _unescape(text: str) -> str:
    return re.sub(r"~([*?~])", r"\1", text)


def _text_equals(operand: str) -> Matcher:
    pattern = wildcard_pattern(operand)
    if pattern is not None:
        return lambda value: type(value) is str and pattern.fullmatch(value) is not None
    lowered = _unescape(operand).lower()
    return lambda value: type(value) is str and value.lower() == lowered


@functools.lru_cache(maxsize=512)
def _text_criterion(text: str) -> Matcher:
    operator = next((op for op in _OPERATORS if text.startswith(op)), "")
    operand = text[len(operator) :]
    if operand == "":
        if operator == "<>":
            return lambda value: value is not None and value != ""
        if operator in ("", "="):
            return lambda value: value is None or value == ""
        return lambda value: False
    if operand.upper() in ERROR_CODES:
        error = ExcelError(operand.upper())
        if operator == "<>":
            return lambda value: value is not error
        return lambda value: value is error if operator in ("", "=") else False
    upper = operand.upper()
    if upper in ("TRUE", "FALSE"):
        flag = upper == "TRUE"
        if operator in ("", "="):
            return lambda value: type(value) is bool and value is flag
        if operator == "<>":
            return lambda value: not (type(value) is bool and value is flag)
    number = parse_number_text(operand)
    if number is not None:
        return _number_criterion(operator or "=", number, operand)
    if operator in ("", "="):
        return _text_equals(operand)
    if operator == "<>":
        equals = _text_equals(operand)
        return lambda value: not equals(value)
    lowered = operand.lower()
    comparisons: dict[str, Callable[[str], bool]] = {
        "<": lambda s: s < lowered,
        "<=": lambda s: s <= lowered,
        ">": lambda s: s > lowered,
        ">=": lambda s: s >= lowered,
    }
    test = comparisons[operator]
    return lambda value: type(value) is str and test(value.lower())


def _number_criterion(operator: str, number: float, operand_text: str) -> Matcher:
    text = operand_text.strip().lower()
    if operator == "=":

        def equals(value: Any) -> bool:
            numeric = _numeric(value)
            if numeric is not None:
                return num_cmp(numeric, number) == 0
            return type(value) is str and value.strip().lower() == text

        return equals
    if operator == "<>":
        return lambda value: not equals_number(value, number, text)
    tests: dict[str, Callable[[int], bool]] = {
        "<": lambda c: c < 0,
        "<=": lambda c: c <= 0,
        ">": lambda c: c > 0,
        ">=": lambda c: c >= 0,
    }
    test = tests[operator]

    def ordered(value: Any) -> bool:
        numeric = _numeric(value)
        return numeric is not None and test(num_cmp(numeric, number))

    return ordered


def equals_number(value: Any, number: float, text: str) -> bool:
    numeric = _numeric(value)
    if numeric is not None:
        return num_cmp(numeric, number) == 0
    return type(value) is str and value.strip().lower() == text


def criterion(value: Any) -> Matcher:
    """A predicate over cell values for a criteria argument. An error criterion raises."""
    kind = type(value)
    if kind is str:
        return _text_criterion(value)
    if kind is float or kind is date or kind is datetime or kind is time:
        number = value if kind is float else serial_of(value)
        return lambda cell: (numeric := _numeric(cell)) is not None and num_cmp(numeric, number) == 0
    if kind is bool:
        return lambda cell: type(cell) is bool and cell is value
    if value is None:
        # Excel treats an empty criteria cell as 0
        return lambda cell: (numeric := _numeric(cell)) is not None and numeric == 0
    if kind is ExcelError:
        raise raise_error(value)
    return lambda cell: False
