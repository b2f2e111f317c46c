"""How a stored value is read for a field type, the same way the SQL side reads it.

Every coercion here has a twin in ``sql.py``: a value that Python reads as "missing" must be
NULL in SQL and the other way round. Change both or neither.
"""

from __future__ import annotations

import math
import re
import string
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone as dj_timezone

from complaintdesk.expressions.fields import Field, FieldType

ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def fold(text: str) -> str:
    """Lower-case ASCII letters only (what SQLite's lower() does): Chinese has no case, and other
    scripts compare exactly, identically on both databases."""
    if text.isascii():
        return text.lower()
    # Faster than str.translate on long Chinese text, which has few or no A-Z at all.
    return _ASCII_UPPER.sub(_lower_match, text)


_ASCII_UPPER = re.compile("[A-Z]+")


def _lower_match(match: re.Match[str]) -> str:
    return match.group().lower()


def local_tz() -> tzinfo:
    """The organisation's zone (CD_TIME_ZONE), not a per-request active zone: a rule must not
    change its meaning with the viewer."""
    return dj_timezone.get_default_timezone()


# --- stored values --------------------------------------------------------------------------

DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# ISO 8601 with an offset, at most millisecond precision (SQLite's date functions keep no more).
DATETIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,3}))?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
DATETIME_YEARS = (1000, 9998)  # away from the ends of the range so any offset converts to UTC
MAX_OFFSET_HOURS = 14


def _days_in_month(year: int, month: int) -> int:
    if month in (4, 6, 9, 11):
        return 30
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 31


def _valid_ymd(y: int, m: int, d: int) -> bool:
    return y >= 1 and 1 <= m <= 12 and 1 <= d <= _days_in_month(y, m)


def parse_stored_date(text: str) -> date | None:
    match = DATE_RE.fullmatch(text)
    if not match:
        return None
    y, m, d = (int(g) for g in match.groups())
    return date(y, m, d) if _valid_ymd(y, m, d) else None


def parse_stored_datetime(text: str) -> datetime | None:
    match = DATETIME_RE.fullmatch(text)
    if not match:
        return None
    y, mo, d, h, mi, s, frac, off = match.groups()
    year, month, day, hour, minute = int(y), int(mo), int(d), int(h), int(mi)
    second = int(s or 0)
    if not (DATETIME_YEARS[0] <= year <= DATETIME_YEARS[1] and _valid_ymd(year, month, day)):
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    if off == "Z":
        tz: tzinfo = UTC
    else:
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > MAX_OFFSET_HOURS or om > 59:
            return None
        sign = -1 if off[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=oh, minutes=om))
    micro = int((frac or "0").ljust(3, "0")) * 1000
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)


def _finite_number(value: Any) -> int | float | Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    return None


def read_value(field: Field, raw: Any) -> Any:
    """The value of ``field`` as its type sees it: ``None`` when missing or of another type.

    Multi fields give a list of their string elements (``[]`` when missing)."""
    kind = field.type
    if kind in (FieldType.TEXT, FieldType.CHOICE, FieldType.TREE):
        return raw if isinstance(raw, str) else None
    if kind in (FieldType.NUMBER, FieldType.ID):
        return _finite_number(raw)
    if kind == FieldType.BOOL:
        return raw if isinstance(raw, bool) else None
    if kind == FieldType.MULTI:
        return [e for e in raw if isinstance(e, str)] if isinstance(raw, list | tuple) else []
    if kind == FieldType.DATETIME:
        if isinstance(raw, datetime):
            return raw if dj_timezone.is_aware(raw) else dj_timezone.make_aware(raw, local_tz())
        if isinstance(raw, str) and field.json:
            return parse_stored_datetime(raw)
        return None
    if kind == FieldType.DATE:
        if isinstance(raw, datetime):
            return None
        if isinstance(raw, date):
            return raw
        if isinstance(raw, str) and field.json:
            return parse_stored_date(raw)
        return None
    if kind == FieldType.ANY:
        return raw
    raise AssertionError(kind)


def is_empty(field: Field, value: Any) -> bool:
    """Missing, null, the empty string or an empty list (after ``read_value``)."""
    return value is None or value == "" or (isinstance(value, list) and not value)


# --- condition values -----------------------------------------------------------------------

DURATION_RE = re.compile(r"\s*([0-9]{1,6})\s*([smhdw])\s*")
DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_DURATION = timedelta(days=36600)


def parse_duration(value: Any) -> timedelta | None:
    """``"7d"``, ``"24h"``, ``"30m"``, ``"2w"``, ``"90s"``."""
    if not isinstance(value, str):
        return None
    match = DURATION_RE.fullmatch(value)
    if not match:
        return None
    delta = timedelta(**{DURATION_UNITS[match.group(2)]: int(match.group(1))})
    return delta if delta <= MAX_DURATION else None


def parse_moment_value(value: Any) -> date | datetime | None:
    """A condition's date (``"2026-03-10"``) or datetime (ISO 8601; without an offset it is
    local time)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if DATE_RE.fullmatch(text):
        return parse_stored_date(text)
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if not DATETIME_YEARS[0] <= parsed.year <= DATETIME_YEARS[1]:
        return None
    return parsed if dj_timezone.is_aware(parsed) else dj_timezone.make_aware(parsed, local_tz())


def day_start(day: date) -> datetime:
    return dj_timezone.make_aware(datetime.combine(day, time()), local_tz())


def local_date(moment: datetime) -> date:
    return moment.astimezone(local_tz()).date()


Bound = tuple[Any, bool, Any, bool]  # (low or None, low inclusive, high or None, high inclusive)


def bounds_for(field_type: FieldType, op: str, operand: Any, now: datetime) -> Bound:
    """The interval a datetime/date comparison selects; both interpreters test against it."""
    if op in ("within_last", "within_next"):
        start, end = (now, now + operand.duration) if operand.future else (now - operand.duration, now)
        if field_type == FieldType.DATE:
            return (local_date(start), True, local_date(end), True)
        return (start, True, end, True)
    if op == "between":
        low, high = operand
        return (low.lo, low.lo_incl, high.hi, high.hi_incl)
    m = operand
    if op == "eq":
        return (m.lo, m.lo_incl, m.hi, m.hi_incl)
    if op in ("gt", "after"):
        return (m.hi, not m.hi_incl, None, False)
    if op == "gte":
        return (m.lo, m.lo_incl, None, False)
    if op in ("lt", "before"):
        return (None, False, m.lo, not m.lo_incl)
    if op == "lte":
        return (None, False, m.hi, m.hi_incl)
    raise AssertionError(op)


def in_bounds(value: Any, bound: Bound) -> bool:
    low, low_incl, high, high_incl = bound
    if low is not None and (value < low if low_incl else value <= low):
        return False
    return not (high is not None and (value > high if high_incl else value >= high))
