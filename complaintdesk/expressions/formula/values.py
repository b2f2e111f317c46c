"""Values of the formula language: Excel error values, blanks, coercion and comparison.

Inside an evaluation every value is one of: ``float`` (all numbers — Excel itself computes in IEEE
doubles, and floats are several times faster than ``Decimal``), ``str``, ``bool``, ``None`` (blank),
``date``, naive ``datetime`` (organisation local time), ``time``, ``list`` (a one-dimensional array,
e.g. a sub-table column) or an :class:`ExcelError`. Field values are normalised to these types when
they are read (``int``/``Decimal`` -> float, ``""`` -> blank, aware datetimes -> local naive).

Coercion follows Excel: blank is 0 in arithmetic and "" in text, TRUE is 1, numeric text ("3",
"1,234.5", "50%", "2024-03-01") converts, other text is ``#VALUE!``. Dates take part in arithmetic as
Excel serial numbers (days since 1899-12-30).

Helpers named ``to_*`` raise :class:`Raise` (carrying an error value) instead of returning errors so
that function implementations stay short; every function call node catches it once.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation, localcontext
from typing import Any, ClassVar, Final

__all__ = [
    "DIV0",
    "ERROR_CODES",
    "MAX_TEXT_LENGTH",
    "NA",
    "NAME",
    "NULL",
    "NUM",
    "REF",
    "VALUE",
    "ExcelError",
    "Lift",
    "Raise",
]

MAX_TEXT_LENGTH: Final = 32_767  # Excel's cell text limit; longer results are #VALUE!
FLOAT_MAX: Final = 1.7976931348623157e308
EXCEL_EPOCH: Final = date(1899, 12, 30)  # serial 0; Excel's fictitious 1900-02-29 is not reproduced
EXCEL_EPOCH_DT: Final = datetime(1899, 12, 30)
MAX_SERIAL: Final = 2_958_465.999_999  # 9999-12-31 23:59:59
_EPOCH_ORDINAL: Final = EXCEL_EPOCH.toordinal()
# Numbers equal to about 15 significant digits compare equal, so 0.1+0.2=0.3 is TRUE as in Excel.
EQ_EPSILON: Final = 1e-15


class ExcelError:
    """An Excel error value (``#DIV/0!``, ``#VALUE!`` ...). Interned: ``ExcelError("#N/A") is NA``.

    Error values are ordinary results, not exceptions: they flow through formulas and propagate
    like in Excel. ``str(error)`` is the code.
    """

    __slots__ = ("code", "description_en", "description_zh")
    _interned: ClassVar[dict[str, ExcelError]] = {}

    code: str
    description_zh: str
    description_en: str

    def __new__(cls, code: str) -> ExcelError:
        try:
            return cls._interned[code.upper()]
        except KeyError:
            raise ValueError(f"not an Excel error value: {code!r}") from None

    @classmethod
    def _define(cls, code: str, zh: str, en: str) -> ExcelError:
        error = object.__new__(cls)
        object.__setattr__(error, "code", code)
        object.__setattr__(error, "description_zh", zh)
        object.__setattr__(error, "description_en", en)
        cls._interned[code] = error
        return error

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("ExcelError is immutable")

    def __reduce__(self) -> tuple[type[ExcelError], tuple[str]]:
        return (ExcelError, (self.code,))

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"ExcelError({self.code!r})"


DIV0: Final = ExcelError._define("#DIV/0!", "除数为零", "division by zero")
VALUE: Final = ExcelError._define("#VALUE!", "值的类型错误", "wrong type of value")
NAME: Final = ExcelError._define("#NAME?", "未知的函数或名称", "unknown function or name")
NA: Final = ExcelError._define("#N/A", "值不可用（未找到）", "value not available (not found)")
NUM: Final = ExcelError._define("#NUM!", "数值无效或超出范围", "invalid or out-of-range number")
REF: Final = ExcelError._define("#REF!", "引用无效（超出范围）", "invalid reference (out of range)")
NULL: Final = ExcelError._define("#NULL!", "空的交集", "empty intersection")
ERROR_CODES: Final = tuple(ExcelError._interned)


class Raise(Exception):
    """Carries an :class:`ExcelError` out of a function implementation to its call node."""

    __slots__ = ("error",)

    def __init__(self, error: ExcelError) -> None:
        self.error = error


class Lift(Exception):
    """A scalar parameter received an array: the call node re-runs the function per element."""


# Pre-built signals: raising an existing instance is cheaper than building one each time.
RAISE_VALUE: Final = Raise(VALUE)
RAISE_NUM: Final = Raise(NUM)
RAISE_DIV0: Final = Raise(DIV0)
RAISE_NA: Final = Raise(NA)
RAISE_REF: Final = Raise(REF)
LIFT: Final = Lift()
_RAISE_FOR = {e: Raise(e) for e in ExcelError._interned.values()}


def raise_error(error: ExcelError) -> Raise:
    return _RAISE_FOR[error]


# --- numbers ---------------------------------------------------------------------------------

# No two adjacent repeats can match the same characters: these patterns run on user text of up to
# 32,767 characters and must not backtrack (the text is stripped first).
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_LOOSE_NUMBER = re.compile(
    r"(?P<open>\()? ?(?P<sign>[+-])? ?(?P<cur>[$¥￥])? ?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)(?:[eE](?P<exp>[+-]?\d+))?"
    r" ?(?P<pct>%)? ?(?P<close>\))?"
)
_MAX_NUMBER_TEXT = 400  # longer text cannot be a number (1E308 written out has 309 digits)


def parse_number_text(text: str) -> float | None:
    """Excel's text-to-number conversion (VALUE, and text in arithmetic); ``None`` if not numeric."""
    text = text.strip()
    if len(text) > _MAX_NUMBER_TEXT:
        return None
    if _PLAIN_NUMBER.fullmatch(text):
        value = float(text)
        return value if -FLOAT_MAX <= value <= FLOAT_MAX else None
    match = _LOOSE_NUMBER.fullmatch(text)
    if match is not None:
        if bool(match["open"]) != bool(match["close"]) or (match["open"] and match["sign"]):
            return None
        digits = match["num"].replace(",", "")
        if match["exp"]:
            digits += "e" + match["exp"]
        value = float(digits)
        if match["pct"]:
            value /= 100.0
        if match["sign"] == "-" or match["open"]:
            value = -value
        return value if -FLOAT_MAX <= value <= FLOAT_MAX else None
    parsed = parse_datetime_text(text)
    if parsed is None:
        return None
    return serial_of(parsed)


def to_number(value: Any) -> float:
    """Coerce to a number as Excel arithmetic does, raising :class:`Raise`/:class:`Lift`."""
    kind = type(value)
    if kind is float:
        return value
    if value is None:
        return 0.0
    if kind is bool:
        return 1.0 if value else 0.0
    if kind is str:
        number = parse_number_text(value)
        if number is None:
            raise RAISE_VALUE
        return number
    if kind is date or kind is datetime or kind is time:
        return serial_of(value)
    if kind is ExcelError:
        raise _RAISE_FOR[value]
    if kind is list:
        raise LIFT
    if kind is int or kind is Decimal:
        return checked(float(value))
    raise RAISE_VALUE


def to_int(value: Any) -> int:
    """A number truncated toward zero (Excel's argument convention for counts and positions)."""
    number = value if type(value) is float else to_number(value)
    return int(number)


def checked(number: float) -> float:
    """``#NUM!`` for infinities and NaN, which Excel never produces."""
    if -FLOAT_MAX <= number <= FLOAT_MAX:
        return number
    raise RAISE_NUM


def format_number(number: float) -> str:
    """A number as text, the way Excel converts it in ``&`` and CONCAT (15 significant digits)."""
    if number.is_integer() and -1e15 < number < 1e15:
        return str(int(number))
    if number == 0:
        return "0"
    magnitude = abs(number)
    if 1e-9 <= magnitude < 1e21:
        text = f"{number:.15g}"
        if "e" in text:
            # .15g switched to exponent form; Excel still writes these positionally.
            digits = Decimal(text)
            text = format(digits, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    mantissa, exponent = f"{number:.14E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    exp = int(exponent)
    return f"{mantissa}E{'+' if exp >= 0 else '-'}{abs(exp):02d}"


def normalise_result_number(number: float) -> float | int:
    """The number handed back to callers: integral values as ``int``, others at 15 digits."""
    if number.is_integer():
        if -9007199254740992.0 <= number <= 9007199254740992.0:
            return int(number)
        return number
    return float(f"{number:.15g}")


def _decimal_15(number: float) -> Decimal:
    return Decimal(f"{number:.15g}")


_POW10: Final = tuple(10.0**i for i in range(16))


def round_half_away(number: float, digits: int) -> float:
    """Excel ROUND: half away from zero on the 15-significant-digit value (2.675 -> 2.68)."""
    if 0 <= digits <= 15:
        scale = _POW10[digits]
        magnitude = number * scale if number >= 0 else -number * scale
        if magnitude < 1e8:
            whole = float(int(magnitude))
            off_half = magnitude - whole - 0.5
            # Only values within float noise of a half need the exact decimal treatment.
            if off_half > 1e-6:
                whole += 1.0
            elif off_half >= -1e-6:
                return _decimal_round(number, digits, ROUND_HALF_UP)
            return whole / scale if number >= 0 else -whole / scale
    if digits > 300 or number == 0:
        return number
    if digits < -308:
        return 0.0
    scale = 10.0**digits if digits >= 0 else 10.0 ** (-digits)
    magnitude = abs(number) * scale if digits >= 0 else abs(number) / scale
    if magnitude >= 4503599627370496.0:  # 2**52: already integral at this scale
        return number
    floor = math.floor(magnitude)
    frac = magnitude - floor
    if abs(frac - 0.5) > 1e-9 + magnitude * 1e-14:
        rounded = floor + 1.0 if frac > 0.5 else floor
    else:
        return _decimal_round(number, digits, ROUND_HALF_UP)
    result = rounded / scale if digits >= 0 else rounded * scale
    return result if number > 0 else -result


def round_directed(number: float, digits: int, up: bool) -> float:
    """Excel ROUNDUP (away from zero) / ROUNDDOWN (toward zero), on the 15-digit value."""
    if digits > 300 or number == 0:
        return number
    if digits < -308:
        return 0.0
    scale = 10.0**digits if digits >= 0 else 10.0 ** (-digits)
    magnitude = abs(number) * scale if digits >= 0 else abs(number) / scale
    if magnitude >= 4503599627370496.0:
        return number
    nearest = round(magnitude)
    if abs(magnitude - nearest) <= 1e-9 + magnitude * 1e-14:
        return _decimal_round(number, digits, ROUND_UP if up else ROUND_DOWN)
    rounded = math.ceil(magnitude) if up else math.floor(magnitude)
    result = rounded / scale if digits >= 0 else rounded * scale
    return result if number > 0 else -result


def _decimal_round(number: float, digits: int, mode: str) -> float:
    try:
        with localcontext() as context:
            context.prec = 400
            exact = _decimal_15(number).quantize(Decimal(1).scaleb(-digits), rounding=mode)
    except InvalidOperation:
        return number
    return float(exact)


def num_eq(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= EQ_EPSILON * (abs(a) + abs(b))


def num_cmp(a: float, b: float) -> int:
    if a == b or abs(a - b) <= EQ_EPSILON * (abs(a) + abs(b)):
        return 0
    return -1 if a < b else 1


# --- dates -----------------------------------------------------------------------------------


def serial_of(value: date | datetime | time) -> float:
    """Excel serial number of a date (days since 1899-12-30; time is the fraction of a day)."""
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400.0
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return float(value.toordinal() - _EPOCH_ORDINAL) + seconds / 86400.0
    return float(value.toordinal() - _EPOCH_ORDINAL)


def date_from_serial(serial: float) -> date | datetime:
    """The date (or datetime when there is a time part) of an Excel serial number; #NUM! if out of range."""
    if not 0 <= serial <= MAX_SERIAL:
        raise RAISE_NUM
    days = math.floor(serial)
    day = date.fromordinal(_EPOCH_ORDINAL + days)
    fraction = serial - days
    if fraction < 1e-9:
        return day
    micro = round(fraction * 86_400_000_000)
    if micro >= 86_400_000_000:
        return date.fromordinal(_EPOCH_ORDINAL + days + 1)
    return datetime(day.year, day.month, day.day) + timedelta(microseconds=micro)


def time_from_fraction(fraction: float) -> time:
    fraction = fraction - math.floor(fraction)
    total = round(fraction * 86_400_000_000)  # microseconds
    if total >= 86_400_000_000:
        total = 0
    seconds, micro = divmod(total, 1_000_000)
    # Excel shows whole seconds: round sub-second noise from float serials away.
    if micro >= 999_500:
        seconds, micro = seconds + 1, 0
        if seconds >= 86400:
            seconds = 0
    elif micro <= 500:
        micro = 0
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return time(hours, minutes, secs, micro)


_DATE_TEXT = re.compile(
    r"\s*(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?"
    r"(?:(?:\s+|T|\s*(?=\d))(?P<time>.+?))?\s*"
)
_TIME_TEXT = re.compile(
    r"\s*(?P<ampm1>上午|下午)?\s*(?P<h>\d{1,2})\s*[:：时]\s*(?P<mi>\d{1,2})\s*(?:[:：分]\s*(?P<s>\d{1,2}(?:\.\d+)?)\s*秒?)?"
    r"\s*(?P<ampm2>[AaPp][Mm]?)?\s*"
)


def parse_time_text(text: str) -> time | None:
    if len(text) > 64:
        return None
    match = _TIME_TEXT.fullmatch(text)
    if match is None:
        return None
    hour, minute = int(match["h"]), int(match["mi"])
    second = float(match["s"]) if match["s"] else 0.0
    marker = match["ampm1"] or match["ampm2"]
    if marker:
        if hour > 12 or (match["ampm1"] and match["ampm2"]):
            return None
        afternoon = marker in ("下午",) or marker[0] in "Pp"
        hour = hour % 12 + (12 if afternoon else 0)
    if hour > 23 or minute > 59 or second >= 60:
        return None
    whole = int(second)
    return time(hour, minute, whole, round((second - whole) * 1e6) if second != whole else 0)


def parse_datetime_text(text: str) -> date | datetime | time | None:
    """Dates and times written as text ("2024-03-01", "2024/3/1 14:30", "2024年3月1日", "9:30 PM")."""
    if len(text) > 64:
        return None
    match = _DATE_TEXT.fullmatch(text)
    if match is not None:
        try:
            day = date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            return None
        if day < EXCEL_EPOCH:
            return None
        if match["time"] is None:
            return day
        moment = parse_time_text(match["time"])
        if moment is None:
            return None
        return datetime.combine(day, moment)
    return parse_time_text(text)


def to_date(value: Any) -> date | datetime:
    """Coerce to a date for date functions: dates, datetimes, serial numbers and date text."""
    kind = type(value)
    if kind is date or kind is datetime:
        return value
    if kind is str:
        parsed = parse_datetime_text(value)
        if parsed is None:
            number = parse_number_text(value)
            if number is None:
                raise RAISE_VALUE
            return date_from_serial(number)
        if type(parsed) is time:
            return date_from_serial(serial_of(parsed))
        return parsed  # type: ignore[return-value]
    return date_from_serial(to_number(value))


def to_day(value: Any) -> date:
    """Like :func:`to_date` but dropping any time of day."""
    result = to_date(value)
    if type(result) is datetime:
        return result.date()
    return result


def to_time(value: Any) -> datetime | time:
    """A value with a time of day (HOUR/MINUTE/SECOND): datetime, time, serial or text."""
    kind = type(value)
    if kind is datetime or kind is time:
        return value
    if kind is date:
        return time(0)
    if kind is str:
        parsed = parse_datetime_text(value)
        if parsed is None:
            number = parse_number_text(value)
            if number is None:
                raise RAISE_VALUE
            return time_from_fraction(number)
        if type(parsed) is date:
            return time(0)
        return parsed  # type: ignore[return-value]
    number = to_number(value)
    if number < 0:
        raise RAISE_NUM
    return time_from_fraction(number)


# --- text ------------------------------------------------------------------------------------


def to_text(value: Any) -> str:
    """Coerce to text as ``&`` does. Dates are written ISO-style (see docs/formulas.md)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is float:
        return format_number(value)
    if value is None:
        return ""
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is date:
        return value.isoformat()
    if kind is datetime:
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if kind is time:
        return value.strftime("%H:%M:%S")
    if kind is ExcelError:
        raise _RAISE_FOR[value]
    if kind is list:
        raise LIFT
    if kind is int or kind is Decimal:
        return format_number(float(value))
    raise RAISE_VALUE


def check_text(text: str) -> str:
    if len(text) > MAX_TEXT_LENGTH:
        raise RAISE_VALUE
    return text


def to_bool(value: Any) -> bool:
    """Coerce to a logical as IF/AND/NOT do: numbers are TRUE unless 0, text must be TRUE/FALSE."""
    kind = type(value)
    if kind is bool:
        return value
    if kind is float:
        return value != 0
    if value is None:
        return False
    if kind is str:
        upper = value.upper()
        if upper == "TRUE":
            return True
        if upper == "FALSE":
            return False
        raise RAISE_VALUE
    if kind is date or kind is datetime or kind is time:
        return serial_of(value) != 0
    if kind is ExcelError:
        raise _RAISE_FOR[value]
    if kind is list:
        raise LIFT
    raise RAISE_VALUE


# --- comparison ------------------------------------------------------------------------------

_DATELIKE = (date, datetime, time)


def _rank(value: Any) -> int:
    kind = type(value)
    if kind is float or kind is date or kind is datetime or kind is time:
        return 0
    if kind is str:
        return 1
    return 2  # bool


def compare(a: Any, b: Any) -> int:
    """Excel ordering of two scalars: numbers < text < FALSE < TRUE; text case-insensitive.

    Blank takes the type of the other side (0, "" or FALSE). Errors raise :class:`Raise`.
    """
    if type(a) is ExcelError:
        raise _RAISE_FOR[a]
    if type(b) is ExcelError:
        raise _RAISE_FOR[b]
    if a is None:
        if b is None:
            return 0
        a = _blank_like(b)
    elif b is None:
        b = _blank_like(a)
    rank_a, rank_b = _rank(a), _rank(b)
    if rank_a != rank_b:
        return -1 if rank_a < rank_b else 1
    if rank_a == 0:
        x = a if type(a) is float else serial_of(a)
        y = b if type(b) is float else serial_of(b)
        return num_cmp(x, y)
    if rank_a == 1:
        if a == b:
            return 0
        la, lb = a.lower(), b.lower()
        if la == lb:
            return 0
        return -1 if la < lb else 1
    return 0 if a == b else (-1 if b else 1)


def _blank_like(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return ""
    if kind is bool:
        return False
    return 0.0


def equal(a: Any, b: Any) -> bool:
    return compare(a, b) == 0


def is_number(value: Any) -> bool:
    """ISNUMBER: numbers and dates (which are numbers in Excel)."""
    kind = type(value)
    return kind is float or kind is date or kind is datetime or kind is time


# --- normalisation of values coming from outside ---------------------------------------------


def normalise_input(value: Any, context: Any) -> Any:
    """A field value as the evaluator sees it (see module docstring); unknown types are #VALUE!.

    ``context`` is the evaluation's :class:`FormulaContext`; its time zone is read only for aware
    datetimes."""
    kind = type(value)
    if kind is float:
        return value if -FLOAT_MAX <= value <= FLOAT_MAX else NUM
    if kind is str:
        return value if value else None
    if value is None or kind is bool or kind is date or kind is time or kind is ExcelError:
        return value
    if kind is int or (isinstance(value, int | Decimal) and not isinstance(value, bool)):
        try:
            number = float(value)
        except OverflowError:
            return NUM
        return number if -FLOAT_MAX <= number <= FLOAT_MAX else NUM
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(context.tz).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if isinstance(value, float):
        return normalise_input(float(value), context)
    if isinstance(value, str):
        return normalise_input(str(value), context)
    if isinstance(value, list | tuple):
        return value  # arrays are normalised by the caller, which knows the size limit
    return VALUE


__all__ += [
    "EQ_EPSILON",
    "EXCEL_EPOCH",
    "FLOAT_MAX",
    "LIFT",
    "RAISE_DIV0",
    "RAISE_NA",
    "RAISE_NUM",
    "RAISE_REF",
    "RAISE_VALUE",
    "check_text",
    "checked",
    "compare",
    "date_from_serial",
    "equal",
    "format_number",
    "is_number",
    "normalise_input",
    "normalise_result_number",
    "num_cmp",
    "num_eq",
    "parse_datetime_text",
    "parse_number_text",
    "parse_time_text",
    "raise_error",
    "round_directed",
    "round_half_away",
    "serial_of",
    "time_from_fraction",
    "to_bool",
    "to_date",
    "to_day",
    "to_int",
    "to_number",
    "to_text",
    "to_time",
]
