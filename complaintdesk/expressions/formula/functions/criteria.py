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

from ..values import ERROR_CODES, LIFT, ExcelError, num_cmp, parse_number_text, raise_error, serial_of

Matcher = Callable[[Any], bool]

_OPERATORS = ("<>", "<=", ">=", "<", ">", "=")


def _numeric(value: Any) -> float | None:
    kind = type(value)
    if kind is float:
        return value
    if kind is date or kind is datetime or kind is time:
        return serial_of(value)
    return None


class Wildcard:
    """An Excel wildcard pattern (``*`` any run, ``?`` one character, ``~`` escapes), matched
    case-insensitively without regular-expression backtracking.

    The pattern is split at ``*`` into segments of literals and ``?``, each a fixed-length regular
    expression. Placing every segment at its leftmost possible position is optimal for such
    patterns, so matching stays near-linear in the text instead of the exponential worst case of
    ``.*a.*a.*b`` in a backtracking engine (formula text and field values are user input).
    """

    __slots__ = ("last_length", "segments")

    def __init__(self, pattern: str) -> None:
        pieces: list[list[str]] = [[]]
        escaped = False
        for char in pattern:
            if escaped:
                pieces[-1].append(re.escape(char))
                escaped = False
            elif char == "~":
                escaped = True
            elif char == "*":
                pieces.append([])
            elif char == "?":
                pieces[-1].append(".")
            else:
                pieces[-1].append(re.escape(char))
        if escaped:
            pieces[-1].append("~")
        flags = re.IGNORECASE | re.DOTALL
        self.segments = [re.compile("".join(piece), flags) for piece in pieces]
        self.last_length = len(pieces[-1])  # every piece element matches exactly one character

    def fullmatch(self, text: str) -> bool:
        segments = self.segments
        if len(segments) == 1:
            return segments[0].fullmatch(text) is not None
        head = segments[0].match(text)
        if head is None:
            return False
        position = head.end()
        for segment in segments[1:-1]:
            found = segment.search(text, position)
            if found is None:
                return False
            position = found.end()
        start = len(text) - self.last_length  # the last segment must end the text
        return start >= position and segments[-1].fullmatch(text, start) is not None

    def search(self, text: str, start: int = 0) -> int:
        """Index where the pattern first matches a substring starting at or after ``start``, or -1."""
        first = self.segments[0].search(text, start)
        if first is None:
            return -1
        position = first.end()
        for segment in self.segments[1:]:
            found = segment.search(text, position)
            if found is None:
                return -1
            position = found.end()
        return first.start()


def wildcard_pattern(text: str) -> Wildcard | None:
    """A matcher for Excel wildcards in ``text``; ``None`` when there are none."""
    if "*" not in text and "?" not in text:
        return None
    return _compiled_wildcard(text)


@functools.lru_cache(maxsize=256)
def _compiled_wildcard(text: str) -> Wildcard:
    return Wildcard(text)


def _unescape(text: str) -> str:
    return re.sub(r"~([*?~])", r"\1", text)


def _text_equals(operand: str) -> Matcher:
    pattern = wildcard_pattern(operand)
    if pattern is not None:
        return lambda value: type(value) is str and pattern.fullmatch(value)
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
    if kind is list:
        raise LIFT
    return lambda cell: False
