"""Date and time functions. Dates are Python ``date``/``datetime``/``time`` values; any argument may
also be an Excel serial number or date text ("2024-03-01", "2024/3/1", "2024年3月1日").
NETWORKDAYS and WORKDAY ask the context which days are workdays (Monday–Friday by default; the
SLA calendar plugs in China's holidays and make-up workdays)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ..values import (
    EXCEL_EPOCH,
    LIFT,
    RAISE_NUM,
    RAISE_VALUE,
    ExcelError,
    parse_datetime_text,
    raise_error,
    to_date,
    to_day,
    to_number,
    to_text,
    to_time,
)
from .registry import CallSite, Evaluator, register, register_special

if TYPE_CHECKING:
    from ..context import FormulaContext

D = "date"
Values = Mapping[str, Any]
_MAX_DATE = date(9999, 12, 31)


def _int(value: Any) -> int:
    number = value if type(value) is float else to_number(value)
    if not -1e9 < number < 1e9:
        raise RAISE_NUM
    return int(number)


@register_special("TODAY", 0, 0, D, "今天的日期", "today's date", "TODAY()", volatile=True)
def compile_today(site: CallSite) -> Evaluator:
    def today(values: Values, ctx: FormulaContext) -> Any:
        return ctx.today()

    return today


@register_special("NOW", 0, 0, D, "当前日期和时间", "the current date and time", "NOW()", volatile=True)
def compile_now(site: CallSite) -> Evaluator:
    def now(values: Values, ctx: FormulaContext) -> Any:
        return ctx.now()

    return now


@register("DATE", 3, 3, D, "由年、月、日组成日期", "a date from year, month and day", "DATE(2024, 12, 31)")
def date_(year: Any, month: Any, day: Any) -> date:
    y, m, d = _int(year), _int(month), _int(day)
    if 0 <= y < 1900:
        y += 1900
    if not 0 <= y < 10000:
        raise RAISE_NUM
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    if not 1 <= y <= 9999:
        raise RAISE_NUM
    try:
        result = date(y, m, 1) + timedelta(days=d - 1)
    except OverflowError:
        raise RAISE_NUM from None
    if result < EXCEL_EPOCH:
        raise RAISE_NUM
    return result


@register("TIME", 3, 3, D, "由时、分、秒组成时间", "a time from hour, minute and second", "TIME(9, 30, 0)")
def time_(hour: Any, minute: Any, second: Any) -> time:
    total = _int(hour) * 3600 + _int(minute) * 60 + _int(second)
    if total < 0:
        raise RAISE_NUM
    total %= 86400
    return time(total // 3600, total % 3600 // 60, total % 60)


@register("YEAR", 1, 1, D, "日期的年份", "year of a date", "YEAR({purchase_date})")
def year(value: Any) -> float:
    return float(to_date(value).year)


@register("MONTH", 1, 1, D, "日期的月份（1-12）", "month of a date (1-12)", "MONTH({purchase_date})")
def month(value: Any) -> float:
    return float(to_date(value).month)


@register("DAY", 1, 1, D, "日期是当月的第几天", "day of the month", "DAY({purchase_date})")
def day(value: Any) -> float:
    return float(to_date(value).day)


@register("HOUR", 1, 1, D, "时间的小时（0-23）", "hour of a time (0-23)", "HOUR({created_at})")
def hour(value: Any) -> float:
    return float(to_time(value).hour)


@register("MINUTE", 1, 1, D, "时间的分钟", "minute of a time", "MINUTE({created_at})")
def minute(value: Any) -> float:
    return float(to_time(value).minute)


@register("SECOND", 1, 1, D, "时间的秒", "second of a time", "SECOND({created_at})")
def second(value: Any) -> float:
    return float(to_time(value).second)


@register(
    "WEEKDAY", 1, 2, D, "星期几（类型 1：周日=1；2：周一=1；3：周一=0）",
    "day of the week (type 1: Sunday=1; 2: Monday=1; 3: Monday=0)", "WEEKDAY({visit_date}, 2)",
)
def weekday(value: Any, return_type: Any = 1.0) -> float:
    monday_zero = to_date(value).weekday()
    kind = _int(return_type)
    if kind == 1 or kind == 17:
        return float((monday_zero + 1) % 7 + 1)
    if kind == 2 or kind == 11:
        return float(monday_zero + 1)
    if kind == 3:
        return float(monday_zero)
    if 12 <= kind <= 16:
        start = kind - 11  # 12 -> Tuesday (1) ... 16 -> Saturday (5)
        return float((monday_zero - start) % 7 + 1)
    raise RAISE_NUM


_WEEK_STARTS = {1: 6, 17: 6, 2: 0, 11: 0, 12: 1, 13: 2, 14: 3, 15: 4, 16: 5}


@register(
    "WEEKNUM", 1, 2, D, "一年中的第几周（类型 1：周日开始；2：周一开始；21：ISO）",
    "week of the year (type 1: weeks start Sunday; 2: Monday; 21: ISO)", "WEEKNUM({created_at}, 2)",
)
def weeknum(value: Any, return_type: Any = 1.0) -> float:
    day_value = to_day(value)
    kind = _int(return_type)
    if kind == 21:
        return float(day_value.isocalendar()[1])
    if kind not in _WEEK_STARTS:
        raise RAISE_NUM
    first = date(day_value.year, 1, 1)
    offset = (first.weekday() - _WEEK_STARTS[kind]) % 7
    return float(((day_value - first).days + offset) // 7 + 1)


@register("ISOWEEKNUM", 1, 1, D, "ISO 周数", "ISO week number", "ISOWEEKNUM({created_at})")
def isoweeknum(value: Any) -> float:
    return float(to_day(value).isocalendar()[1])


def _add_months(start: date, months: int) -> tuple[int, int]:
    total = start.year * 12 + (start.month - 1) + months
    year_value, month_index = divmod(total, 12)
    if not 1900 <= year_value <= 9999:
        raise RAISE_NUM
    return year_value, month_index + 1


@register(
    "EDATE", 2, 2, D, "若干个月之前或之后的同一天", "the same day a number of months later",
    "EDATE({purchase_date}, 12)",
)
def edate(start: Any, months: Any) -> date:
    base = to_day(start)
    y, m = _add_months(base, _int(months))
    return date(y, m, min(base.day, calendar.monthrange(y, m)[1]))


@register(
    "EOMONTH", 2, 2, D, "若干个月之前或之后的月末", "last day of the month a number of months later",
    "EOMONTH({purchase_date}, 0)",
)
def eomonth(start: Any, months: Any) -> date:
    y, m = _add_months(to_day(start), _int(months))
    return date(y, m, calendar.monthrange(y, m)[1])


@register(
    "DATEDIF", 3, 3, D, '两个日期之差（单位 "Y" "M" "D" "MD" "YM" "YD"）',
    'difference between dates in "Y", "M", "D", "MD", "YM" or "YD"', 'DATEDIF({purchase_date}, TODAY(), "d")',
)
def datedif(start: Any, end: Any, unit: Any) -> float:
    first = start if type(start) is date else to_day(start)
    last = end if type(end) is date else to_day(end)
    code = unit if type(unit) is str else to_text(unit)
    if first > last:
        raise RAISE_NUM
    if code == "d" or code == "D":
        return float((last - first).days)
    code = code.upper()
    months = (last.year - first.year) * 12 + last.month - first.month
    if last.day < first.day:
        months -= 1
    if code == "M":
        return float(months)
    if code == "Y":
        return float(months // 12)
    if code == "YM":
        return float(months % 12)
    if code == "MD":
        if last.day >= first.day:
            return float(last.day - first.day)
        previous_month = last.month - 1 or 12
        previous_year = last.year if last.month > 1 else last.year - 1
        days_before = calendar.monthrange(previous_year, previous_month)[1]
        # Excel's own quirk: this can be negative (e.g. 31 Jan -> 1 Mar); Microsoft warns against MD.
        return float(days_before - first.day + last.day)
    if code == "YD":
        anniversary = _same_day_in_year(first, last.year)
        if anniversary > last:
            anniversary = _same_day_in_year(first, last.year - 1)
        return float((last - anniversary).days)
    raise RAISE_NUM


def _same_day_in_year(day_value: date, year_value: int) -> date:
    return date(year_value, day_value.month, min(day_value.day, calendar.monthrange(year_value, day_value.month)[1]))


@register("DAYS", 2, 2, D, "两个日期之间的天数（结束 - 开始）", "days between two dates (end - start)",
          "DAYS({closed_at}, {created_at})")
def days(end: Any, start: Any) -> float:
    return float((to_day(end) - to_day(start)).days)


def _holidays(value: Any) -> frozenset[date]:
    if value is None:
        return frozenset()
    items = value if type(value) is list else [value]
    out = set()
    for item in items:
        if item is None:
            continue
        if type(item) is ExcelError:
            raise raise_error(item)
        out.add(to_day(item))
    return frozenset(out)


def _count_weekdays(first: date, last: date) -> int:
    """Monday-Friday days in [first, last] without walking day by day."""
    total = (last - first).days + 1
    weeks, extra = divmod(total, 7)
    start = first.weekday()
    return weeks * 5 + sum(1 for i in range(extra) if (start + i) % 7 < 5)


@register(
    "NETWORKDAYS", 2, 3, D, "两个日期之间的工作日数（含首尾，按工作日历）",
    "workdays between two dates, inclusive (business calendar)", "NETWORKDAYS({created_at}, TODAY())",
    needs_context=True, array_args=frozenset({2}),
)
def networkdays(ctx: FormulaContext, start: Any, end: Any, holidays: Any = None) -> float:
    first, last = to_day(start), to_day(end)
    sign = 1.0
    if first > last:
        first, last, sign = last, first, -1.0
    excluded = _holidays(holidays)
    if ctx.uses_default_calendar:
        count = _count_weekdays(first, last)
        count -= sum(1 for h in excluded if first <= h <= last and h.weekday() < 5)
        return sign * count
    span = (last - first).days
    if span > ctx.max_day_span:
        raise RAISE_NUM
    is_workday = ctx.is_workday
    count = 0
    current = first
    step = timedelta(days=1)
    for _ in range(span + 1):
        if current not in excluded and is_workday(current):
            count += 1
        current += step
    return sign * count


@register(
    "WORKDAY", 2, 3, D, "若干个工作日之前或之后的日期（按工作日历）",
    "the date a number of workdays later (business calendar)", "WORKDAY({created_at}, 3)",
    needs_context=True, array_args=frozenset({2}),
)
def workday(ctx: FormulaContext, start: Any, count: Any, holidays: Any = None) -> date:
    current = to_day(start)
    remaining = _int(count)
    excluded = _holidays(holidays)
    if remaining == 0:
        return current
    step = timedelta(days=1 if remaining > 0 else -1)
    remaining = abs(remaining)
    if remaining > ctx.max_day_span:
        raise RAISE_NUM
    is_workday = ctx.is_workday
    walked = 0
    limit = remaining * 7 + 366  # any calendar with a workday a week (plus a year of holidays)
    try:
        while remaining:
            current += step
            walked += 1
            if walked > limit:
                raise RAISE_NUM
            if current not in excluded and is_workday(current):
                remaining -= 1
    except OverflowError:
        raise RAISE_NUM from None
    if current < EXCEL_EPOCH or current > _MAX_DATE:
        raise RAISE_NUM
    return current


@register("DATEVALUE", 1, 1, D, "把日期文本转为日期", "converts date text to a date", 'DATEVALUE("2024-03-01")')
def datevalue(text: Any) -> date:
    if type(text) is list:
        raise LIFT
    if type(text) is not str:
        if type(text) is ExcelError:
            raise raise_error(text)
        raise RAISE_VALUE
    parsed = parse_datetime_text(text)
    if parsed is None or type(parsed) is time:
        raise RAISE_VALUE
    return parsed.date() if type(parsed) is datetime else parsed  # type: ignore[return-value]


@register("TIMEVALUE", 1, 1, D, "把时间文本转为时间", "converts time text to a time", 'TIMEVALUE("14:30")')
def timevalue(text: Any) -> time:
    if type(text) is list:
        raise LIFT
    if type(text) is not str:
        if type(text) is ExcelError:
            raise raise_error(text)
        raise RAISE_VALUE
    parsed = parse_datetime_text(text)
    if parsed is None or type(parsed) is date:
        raise RAISE_VALUE
    return parsed.time() if type(parsed) is datetime else parsed  # type: ignore[return-value]
