"""Text functions. Positions and lengths count characters (a Chinese character is one), as Excel's
LEN/MID do; results longer than 32,767 characters are #VALUE!."""

from __future__ import annotations

import re
from typing import Any

from ..values import (
    LIFT,
    MAX_TEXT_LENGTH,
    RAISE_VALUE,
    ExcelError,
    check_text,
    is_number,
    parse_number_text,
    raise_error,
    serial_of,
    to_bool,
    to_number,
    to_text,
)
from ._support import flatten
from .criteria import wildcard_pattern
from .registry import register
from .textformat import format_value

T = "text"


def _text(value: Any) -> str:
    return value if type(value) is str else to_text(value)


def _count(value: Any) -> int:
    """A character count argument: truncated; negative is #VALUE!."""
    number = value if type(value) is float else to_number(value)
    if number < 0:
        raise RAISE_VALUE
    return int(min(number, 1e9))


def _position(value: Any) -> int:
    number = value if type(value) is float else to_number(value)
    if number < 1:
        raise RAISE_VALUE
    return int(min(number, 1e9))


def _join(parts: Any) -> str:
    total = 0
    out: list[str] = []
    for part in parts:
        text = _text(part)
        total += len(text)
        if total > MAX_TEXT_LENGTH:
            raise RAISE_VALUE
        out.append(text)
    return "".join(out)


@register(
    "CONCAT", 1, 255, T, "连接文本（可含数组）", "joins text, including arrays",
    'CONCAT(LEFT({name}, 1), "**", RIGHT({phone}, 4))', array_args_from=0,
)
def concat(*args: Any) -> str:
    if len(args) == 3 and type(args[0]) is str and type(args[1]) is str and type(args[2]) is str:
        return check_text(args[0] + args[1] + args[2])
    return _join(flatten(args))


@register(
    "CONCATENATE", 1, 255, T, "连接文本", "joins text", 'CONCATENATE({province}, {city}, {address})',
)
def concatenate(*args: Any) -> str:
    return _join(args)


@register(
    "TEXTJOIN", 3, 255, T, "用分隔符连接文本，可忽略空值", "joins text with a delimiter, optionally skipping blanks",
    'TEXTJOIN("、", TRUE, {items.name})', array_args_from=0,
)
def textjoin(delimiter: Any, ignore_empty: Any, *args: Any) -> str:
    separators = [_text(item) for item in (delimiter if type(delimiter) is list else [delimiter])]
    skip = to_bool(ignore_empty)
    parts = []
    for item in flatten(args):
        if type(item) is ExcelError:
            raise raise_error(item)
        text = _text(item)
        if skip and text == "":
            continue
        parts.append(text)
    out: list[str] = []
    total = 0
    for index, part in enumerate(parts):
        if index:
            separator = separators[(index - 1) % len(separators)] if separators else ""
            out.append(separator)
            total += len(separator)
        out.append(part)
        total += len(part)
        if total > MAX_TEXT_LENGTH:
            raise RAISE_VALUE
    return "".join(out)


@register("LEFT", 1, 2, T, "从左边取指定个数的字符", "first characters of a text", "LEFT({name}, 1)")
def left(text: Any, count: Any = 1.0) -> str:
    if type(text) is not str:
        text = to_text(text)
    if type(count) is float and count >= 0:
        return text[: int(count)] if count < 1e9 else text
    return text[: _count(count)]


@register("RIGHT", 1, 2, T, "从右边取指定个数的字符", "last characters of a text", "RIGHT({phone}, 4)")
def right(text: Any, count: Any = 1.0) -> str:
    if type(text) is not str:
        text = to_text(text)
    size = int(count) if type(count) is float and 0 <= count < 1e9 else _count(count)
    if size == 0:
        return ""
    return text[-size:]


@register(
    "MID", 3, 3, T, "从指定位置起取指定个数的字符", "characters from the middle of a text", "MID({id_card}, 7, 8)"
)
def mid(text: Any, start: Any, count: Any) -> str:
    value = _text(text)
    begin = _position(start) - 1
    return value[begin : begin + _count(count)]


@register("LEN", 1, 1, T, "字符个数", "number of characters", "LEN({description})")
def len_(text: Any) -> float:
    return float(len(text if type(text) is str else to_text(text)))


def _find(needle: Any, haystack: Any, start: Any, ignore_case: bool) -> float:
    what, within = _text(needle), _text(haystack)
    begin = _position(start) - 1
    if begin > len(within):
        raise RAISE_VALUE
    if ignore_case:
        pattern = wildcard_pattern(what)
        if pattern is not None:
            found = pattern.search(within, begin)
            if found < 0:
                raise RAISE_VALUE
            return float(found + 1)
        what = re.sub(r"~([*?~])", r"\1", what).lower()
        within = within.lower()
    index = within.find(what, begin)
    if index < 0:
        raise RAISE_VALUE
    return float(index + 1)


@register(
    "FIND", 2, 3, T, "查找文本位置（区分大小写，无通配符）", "position of a text (case-sensitive, no wildcards)",
    'FIND("-", {order_no})',
)
def find(needle: Any, haystack: Any, start: Any = 1.0) -> float:
    return _find(needle, haystack, start, ignore_case=False)


@register(
    "SEARCH", 2, 3, T, "查找文本位置（不区分大小写，支持 * ? 通配符）",
    "position of a text (case-insensitive, * ? wildcards)", 'SEARCH("退款", {description})',
)
def search(needle: Any, haystack: Any, start: Any = 1.0) -> float:
    return _find(needle, haystack, start, ignore_case=True)


@register(
    "SUBSTITUTE", 3, 4, T, "替换文本中的指定内容", "replaces occurrences of a text",
    'SUBSTITUTE({phone}, "-", "")',
)
def substitute(text: Any, old: Any, new: Any, instance: Any = None) -> str:
    value, before, after = _text(text), _text(old), _text(new)
    if before == "":
        return value
    if instance is None:
        occurrences = value.count(before)
        if len(value) + occurrences * (len(after) - len(before)) > MAX_TEXT_LENGTH:
            raise RAISE_VALUE
        return value.replace(before, after)
    which = _position(instance)
    index = -1
    for _ in range(which):
        index = value.find(before, index + 1)
        if index < 0:
            return value
    return check_text(value[:index] + after + value[index + len(before) :])


@register(
    "REPLACE", 4, 4, T, "按位置替换字符", "replaces characters at a position", 'REPLACE({phone}, 4, 4, "****")',
)
def replace(text: Any, start: Any, count: Any, new: Any) -> str:
    value = _text(text)
    begin = _position(start) - 1
    return check_text(value[:begin] + _text(new) + value[begin + _count(count) :])


@register("UPPER", 1, 1, T, "转为大写", "to upper case", "UPPER({sku})")
def upper(text: Any) -> str:
    return check_text(_text(text).upper())


@register("LOWER", 1, 1, T, "转为小写", "to lower case", "LOWER({email})")
def lower(text: Any) -> str:
    return check_text(_text(text).lower())


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@register("PROPER", 1, 1, T, "每个单词首字母大写", "capitalises each word", "PROPER({contact_name})")
def proper(text: Any) -> str:
    value = _text(text).lower()
    # Excel capitalises a letter that follows any non-letter (so "it's" -> "It'S", "2-way" -> "2-Way").
    return check_text(_WORD.sub(lambda match: match.group(0)[0].upper() + match.group(0)[1:], value))


@register("TRIM", 1, 1, T, "去除首尾空格并合并连续空格", "removes extra spaces", "TRIM({name})")
def trim(text: Any) -> str:
    return " ".join(part for part in _text(text).split(" ") if part)


@register("CLEAN", 1, 1, T, "删除不可打印字符", "removes non-printable characters", "CLEAN({remark})")
def clean(text: Any) -> str:
    return "".join(char for char in _text(text) if ord(char) >= 32)


@register(
    "TEXT", 2, 2, T, "按格式代码把值转为文本", "formats a value as text with a format code",
    'TEXT({purchase_date}, "yyyy年m月d日")',
)
def text_(value: Any, code: Any) -> str:
    if type(value) is ExcelError:
        raise raise_error(value)
    if type(value) is list:
        raise LIFT
    if value is None:
        value = 0.0
    elif type(value) is str:
        number = parse_number_text(value)
        if number is not None:
            value = number
    elif type(value) is not float and not is_number(value) and type(value) is not bool:
        value = to_number(value)
    return check_text(format_value(value, _text(code)))


@register("VALUE", 1, 1, T, "把文本转为数字", "converts text to a number", 'VALUE(SUBSTITUTE({amount_text}, "元", ""))')
def value_(text: Any) -> float:
    if type(text) is float:
        return text
    if type(text) is bool:
        raise RAISE_VALUE
    if text is None:
        return 0.0
    if type(text) is str:
        number = parse_number_text(text)
        if number is None:
            raise RAISE_VALUE
        return number
    return to_number(text)


@register("REPT", 2, 2, T, "重复文本指定次数", "repeats a text", 'REPT("★", {rating})')
def rept(text: Any, times: Any) -> str:
    value = _text(text)
    count = _count(times)
    if len(value) * count > MAX_TEXT_LENGTH:
        raise RAISE_VALUE
    return value * count


@register("EXACT", 2, 2, T, "两段文本是否完全相同（区分大小写）", "whether two texts are identical (case-sensitive)",
          "EXACT({code}, UPPER({code}))")
def exact(first: Any, second: Any) -> bool:
    return _text(first) == _text(second)


@register(
    "T", 1, 1, T, "值为文本时返回该文本，否则返回空文本", "the value if it is text, else empty text", "T({remark})"
)
def t(value: Any) -> str:
    if type(value) is list:
        raise LIFT
    if type(value) is ExcelError:
        raise raise_error(value)
    return value if type(value) is str else ""


@register("N", 1, 1, T, "把值转为数字（文本为 0）", "a value as a number (text is 0)", "N({amount})")
def n(value: Any) -> float:
    kind = type(value)
    if kind is list:
        raise LIFT
    if kind is float:
        return value
    if kind is bool:
        return 1.0 if value else 0.0
    if kind is ExcelError:
        raise raise_error(value)
    if is_number(value):
        return serial_of(value)
    return 0.0


@register("UNICHAR", 1, 1, T, "Unicode 码点对应的字符", "the character of a Unicode code point", "UNICHAR(9733)")
def unichar(code: Any) -> str:
    number = int(to_number(code))
    if not 1 <= number <= 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        raise RAISE_VALUE
    return chr(number)


@register("UNICODE", 1, 1, T, "首字符的 Unicode 码点", "code point of the first character", 'UNICODE("中")')
def unicode(text: Any) -> float:
    value = _text(text)
    if not value:
        raise RAISE_VALUE
    return float(ord(value[0]))


def _instance_split(text: str, delimiter: str, instance: int, ignore_case: bool) -> tuple[str, str] | None:
    haystack, needle = (text.lower(), delimiter.lower()) if ignore_case else (text, delimiter)
    if instance > 0:
        index = -1
        for _ in range(instance):
            index = haystack.find(needle, index + 1)
            if index < 0:
                return None
    else:
        index = len(haystack)
        for _ in range(-instance):
            index = haystack.rfind(needle, 0, index)
            if index < 0:
                return None
    return text[:index], text[index + len(delimiter) :]


def _text_around(text: Any, delimiter: Any, instance: Any, match_mode: Any, if_not_found: Any) -> tuple[str, str] | Any:
    value, separator = _text(text), _text(delimiter)
    which = int(to_number(instance))
    if which == 0 or abs(which) > len(value) + 1:
        raise RAISE_VALUE
    if separator == "":
        return ("", value) if which > 0 else (value, "")
    parts = _instance_split(value, separator, which, ignore_case=to_number(match_mode) == 1)
    if parts is None:
        return if_not_found
    return parts


@register(
    "TEXTBEFORE", 2, 5, T, "分隔符之前的文本", "text before a delimiter", 'TEXTBEFORE({email}, "@")',
)
def textbefore(text: Any, delimiter: Any, instance: Any = 1.0, match_mode: Any = 0.0, if_not_found: Any = None) -> Any:
    from ..values import NA

    parts = _text_around(text, delimiter, instance, match_mode, NA if if_not_found is None else if_not_found)
    return parts[0] if type(parts) is tuple else parts


@register(
    "TEXTAFTER", 2, 5, T, "分隔符之后的文本", "text after a delimiter", 'TEXTAFTER({email}, "@")',
)
def textafter(text: Any, delimiter: Any, instance: Any = 1.0, match_mode: Any = 0.0, if_not_found: Any = None) -> Any:
    from ..values import NA

    parts = _text_around(text, delimiter, instance, match_mode, NA if if_not_found is None else if_not_found)
    return parts[1] if type(parts) is tuple else parts

