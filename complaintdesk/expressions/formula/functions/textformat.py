"""Excel number and date format codes, for TEXT(value, format).

Supported: sections ``positive;negative;zero;text``; digit placeholders ``0 # ?``; ``.``; thousands
``,`` (and trailing ``,`` scaling by 1000); ``%``; scientific ``E+00``; literals in quotes, after
``\\``, and plain characters (元, ¥, -, /, spaces); ``_x`` and ``*x``; ``[Red]``-style brackets are
ignored. Dates and times: ``yyyy yy m mm mmm mmmm d dd ddd dddd h hh m mm s ss AM/PM A/P 上午/下午``,
``aaa``/``aaaa`` (Chinese weekday, as in zh-CN Excel), ``[h]`` elapsed hours, ``.0`` fractions of a
second; ``General``/``G/通用格式``. Month and day names are English as in en-US Excel.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from ..values import (
    RAISE_VALUE,
    date_from_serial,
    format_number,
    serial_of,
)

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAYS_ZH = ("一", "二", "三", "四", "五", "六", "日")
_DATE_CHARS = set("yYmMdDhHsS")
_GENERAL = re.compile(r"(?i)general|g/通用格式")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # lit | ph | dot | comma | pct | exp | at | date | elapsed | ampm
    text: str


def _split_sections(code: str) -> list[str]:
    sections: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(code):
        char = code[i]
        if char == '"':
            end = code.find('"', i + 1)
            end = len(code) if end < 0 else end + 1
            current.append(code[i:end])
            i = end
            continue
        if char == "\\" and i + 1 < len(code):
            current.append(code[i : i + 2])
            i += 2
            continue
        if char == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    sections.append("".join(current))
    return sections


@functools.lru_cache(maxsize=256)
def _tokenize(section: str) -> tuple[tuple[_Token, ...], bool]:
    """Tokens of one section and whether it formats a date/time."""
    tokens: list[_Token] = []
    is_date = False
    i = 0
    length = len(section)
    while i < length:
        char = section[i]
        if char == '"':
            end = section.find('"', i + 1)
            end = length if end < 0 else end
            tokens.append(_Token("lit", section[i + 1 : end]))
            i = end + 1
            continue
        if char == "\\":
            tokens.append(_Token("lit", section[i + 1 : i + 2]))
            i += 2
            continue
        if char == "_":
            tokens.append(_Token("lit", " "))
            i += 2
            continue
        if char == "*":
            i += 2
            continue
        if char == "[":
            end = section.find("]", i)
            end = length if end < 0 else end
            inner = section[i + 1 : end]
            if re.fullmatch(r"(?i)h+|m+|s+", inner):
                tokens.append(_Token("elapsed", inner.lower()))
                is_date = True
            i = end + 1
            continue
        upper = section[i : i + 5].upper()
        if upper == "AM/PM":
            tokens.append(_Token("ampm", "AM/PM"))
            is_date = True
            i += 5
            continue
        if upper[:3] == "A/P":
            tokens.append(_Token("ampm", section[i : i + 3]))
            is_date = True
            i += 3
            continue
        if section.startswith("上午/下午", i):
            tokens.append(_Token("ampm", "上午/下午"))
            is_date = True
            i += 5
            continue
        if char in _DATE_CHARS or (char in "aA" and section[i : i + 3].lower() == "aaa") or (char in "eE" and (
            i + 1 >= length or section[i + 1] not in "+-"
        )):
            j = i
            while j < length and section[j].lower() == char.lower():
                j += 1
            tokens.append(_Token("date", section[i:j].lower()))
            is_date = True
            i = j
            continue
        if char in "0#?":
            tokens.append(_Token("ph", char))
        elif char == ".":
            tokens.append(_Token("dot", "."))
        elif char == ",":
            tokens.append(_Token("comma", ","))
        elif char == "%":
            tokens.append(_Token("pct", "%"))
        elif char in "eE" and i + 1 < length and section[i + 1] in "+-":
            tokens.append(_Token("exp", section[i + 1]))
            i += 2
            continue
        elif char == "@":
            tokens.append(_Token("at", "@"))
        else:
            tokens.append(_Token("lit", char))
        i += 1
    return tuple(tokens), is_date


def format_value(value: Any, code: str) -> str:
    """TEXT(value, code)."""
    sections = _split_sections(code)
    if type(value) is str:
        if len(sections) >= 4:
            return _apply_text(sections[3], value)
        if "@" in sections[0] and len(sections) == 1:
            return _apply_text(sections[0], value)
        return value
    if type(value) is bool:
        return "TRUE" if value else "FALSE"
    number = value if type(value) is float else serial_of(value)
    count = len(sections)
    if count == 1 or number > 0 or (number == 0 and count == 2):
        return _format_section(sections[0], number, show_sign=True)
    if number < 0:
        # The negative section carries its own sign (or parentheses).
        return _format_section(sections[1], abs(number), show_sign=False)
    return _format_section(sections[2], number, show_sign=True)


def _apply_text(section: str, text: str) -> str:
    tokens, _ = _tokenize(section)
    return "".join(text if t.kind == "at" else t.text for t in tokens if t.kind in ("at", "lit"))


def _format_section(section: str, number: float, show_sign: bool) -> str:
    if not section:
        return ""
    if _GENERAL.fullmatch(section.strip()):
        return format_number(number)
    tokens, is_date = _tokenize(section)
    if is_date:
        return _format_date(tokens, number)
    general = _GENERAL.search(section)
    if general is not None:
        return section[: general.start()] + format_number(number) + section[general.end() :]
    return _format_number(tokens, number, show_sign)


# --- numbers ---------------------------------------------------------------------------------


def _format_number(tokens: tuple[_Token, ...], number: float, show_sign: bool) -> str:
    if not any(t.kind == "ph" for t in tokens):
        return "".join(t.text for t in tokens if t.kind in ("lit", "pct", "dot", "comma"))
    number = number * 100.0 ** sum(1 for t in tokens if t.kind == "pct")
    exp_index = next((i for i, t in enumerate(tokens) if t.kind == "exp"), None)
    body = tokens if exp_index is None else tokens[:exp_index]
    dot_index = next((i for i, t in enumerate(body) if t.kind == "dot"), None)
    int_tokens = list(body if dot_index is None else body[:dot_index])
    frac_tokens = [] if dot_index is None else list(body[dot_index + 1 :])
    int_ph = [i for i, t in enumerate(int_tokens) if t.kind == "ph"]
    grouping = False
    scale = 0
    if int_ph:
        last = int_ph[-1]
        for i, t in enumerate(int_tokens):
            if t.kind == "comma":
                if int_ph[0] < i < last:
                    grouping = True
                elif i > last:
                    scale += 1
    elif dot_index is None:
        scale = 0
    number /= 1000.0**scale
    frac_ph = [t.text for t in frac_tokens if t.kind == "ph"]
    negative = number < 0
    magnitude = abs(number)
    exponent_text = ""
    if exp_index is not None:
        exp_tokens = tokens[exp_index + 1 :]
        exp_digits = sum(1 for t in exp_tokens if t.kind == "ph")
        int_count = max(1, len(int_ph))
        exponent = 0
        if magnitude != 0:
            exponent = math.floor(math.log10(magnitude)) - (int_count - 1)
            mantissa = _round_decimal(magnitude / 10.0**exponent, len(frac_ph))
            if mantissa >= Decimal(10) ** int_count:
                exponent += 1
        sign = "-" if exponent < 0 else ("+" if tokens[exp_index].text == "+" else "")
        exponent_text = "E" + sign + str(abs(exponent)).zfill(max(exp_digits, 1))
        exponent_text += "".join(t.text for t in exp_tokens if t.kind == "lit")
        magnitude = magnitude / 10.0**exponent if magnitude else 0.0
    rounded = _round_decimal(magnitude, len(frac_ph))
    text = format(rounded, "f")
    int_digits, _, frac_digits = text.partition(".")
    frac_digits = frac_digits.ljust(len(frac_ph), "0")
    if rounded == 0:
        negative = False
    if int_digits == "0" and not any(int_tokens[i].text == "0" for i in int_ph):
        int_digits = ""
    out: list[str] = []
    if int_ph:
        out.append(_fill_integer(int_tokens, int_ph, int_digits, grouping))
    else:
        out.append("".join(t.text for t in int_tokens if t.kind == "lit"))
    if dot_index is not None:
        out.append(".")
        last_nonzero = max((i for i, d in enumerate(frac_digits) if d != "0"), default=-1)
        digit = 0
        for t in frac_tokens:
            if t.kind == "ph":
                if digit <= last_nonzero or t.text == "0":
                    out.append(frac_digits[digit])
                elif t.text == "?":
                    out.append(" ")
                digit += 1
            elif t.kind in ("lit", "pct"):
                out.append(t.text)
    result = "".join(out) + exponent_text
    if dot_index is None:
        result += "".join(t.text for t in body[len(int_tokens) :] if t.kind in ("lit", "pct"))
    if negative and show_sign:
        return "-" + result
    return result


def _round_decimal(magnitude: float, places: int) -> Decimal:
    with localcontext() as exact:
        exact.prec = 320 + places  # room for every digit of the largest double plus the decimals
        return Decimal(f"{magnitude:.15g}").quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _fill_integer(tokens: list[_Token], placeholders: list[int], digits: str, grouping: bool) -> str:
    if grouping:
        zeros = sum(1 for i in placeholders if tokens[i].text == "0")
        padded = digits.rjust(zeros, "0") if digits else "0" * zeros
        grouped = f"{int(padded):,}" if padded else ""
        if padded and padded.startswith("0") and len(padded) > 1:
            grouped = ",".join(_chunks(padded))
        first, last = placeholders[0], placeholders[-1]
        before = "".join(t.text for t in tokens[:first] if t.kind in ("lit", "pct"))
        after = "".join(t.text for t in tokens[last + 1 :] if t.kind in ("lit", "pct"))
        return before + grouped + after
    out: list[str] = []
    remaining = digits
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        if token.kind == "ph":
            if remaining:
                piece = remaining[-1]
                remaining = remaining[:-1]
                if index == placeholders[0]:
                    piece = remaining + piece
                    remaining = ""
                out.append(piece)
            elif token.text == "0":
                out.append("0")
            elif token.text == "?":
                out.append(" ")
        elif token.kind in ("lit", "pct"):
            out.append(token.text)
    return "".join(reversed(out))


def _chunks(digits: str) -> list[str]:
    head = len(digits) % 3 or 3
    return [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]


# --- dates -----------------------------------------------------------------------------------


def _format_date(tokens: tuple[_Token, ...], serial: float) -> str:
    if serial < 0:
        raise RAISE_VALUE
    moment = date_from_serial(serial)
    if type(moment) is date:
        moment = datetime(moment.year, moment.month, moment.day)
    assert isinstance(moment, datetime)
    twelve_hour = any(t.kind == "ampm" for t in tokens)
    out: list[str] = []
    date_tokens = [i for i, t in enumerate(tokens) if t.kind in ("date", "elapsed")]
    for position, token in enumerate(tokens):
        if token.kind == "lit" or token.kind in ("dot", "comma", "pct", "at") or token.kind == "ph":
            out.append(token.text)
        elif token.kind == "ampm":
            afternoon = moment.hour >= 12
            if token.text == "上午/下午":
                out.append("下午" if afternoon else "上午")
            elif token.text.upper() == "AM/PM":
                out.append("PM" if afternoon else "AM")
            else:
                choice = token.text.split("/")[1 if afternoon else 0]
                out.append(choice)
        elif token.kind == "elapsed":
            total_seconds = round(serial * 86400)
            if token.text[0] == "h":
                out.append(str(total_seconds // 3600).zfill(len(token.text)))
            elif token.text[0] == "m":
                out.append(str(total_seconds // 60).zfill(len(token.text)))
            else:
                out.append(str(total_seconds).zfill(len(token.text)))
        else:
            out.append(_date_part(token.text, moment, twelve_hour, _is_minute(tokens, date_tokens, position)))
    return "".join(out)


def _is_minute(tokens: tuple[_Token, ...], date_tokens: list[int], position: int) -> bool:
    text = tokens[position].text
    if text[0] != "m" or len(text) > 2:
        return False
    index = date_tokens.index(position)
    previous = tokens[date_tokens[index - 1]].text if index > 0 else ""
    following = tokens[date_tokens[index + 1]].text if index + 1 < len(date_tokens) else ""
    return previous[:1] in ("h",) or previous.startswith("[h") or following[:1] == "s"


def _date_part(code: str, moment: datetime, twelve_hour: bool, minute: bool) -> str:
    kind, size = code[0], len(code)
    if kind in "ye":
        return str(moment.year) if size >= 3 or kind == "e" else f"{moment.year % 100:02d}"
    if kind == "m":
        if minute:
            return f"{moment.minute:02d}" if size == 2 else str(moment.minute)
        if size == 1:
            return str(moment.month)
        if size == 2:
            return f"{moment.month:02d}"
        name = _MONTHS[moment.month - 1]
        return name[:3] if size == 3 else (name[0] if size == 5 else name)
    if kind == "d":
        if size == 1:
            return str(moment.day)
        if size == 2:
            return f"{moment.day:02d}"
        name = _DAYS[moment.weekday()]
        return name[:3] if size == 3 else name
    if kind == "a":
        return ("星期" if size >= 4 else "") + _DAYS_ZH[moment.weekday()]
    if kind == "h":
        hour = moment.hour
        if twelve_hour:
            hour = hour % 12 or 12
        return f"{hour:02d}" if size >= 2 else str(hour)
    if kind == "s":
        return f"{moment.second:02d}" if size >= 2 else str(moment.second)
    return code


def is_time_only(value: Any) -> bool:
    return type(value) is time
