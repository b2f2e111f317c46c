"""Dates and times: date, datetime (aware, stored in UTC), time, date range.

Formulas see local values (the organisation's time zone), as a spreadsheet user expects:
``HOUR({reported_at})`` is the hour on the clock in Shanghai, not in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from complaintdesk.forms.fieldtypes.base import (
    ConfigOption,
    FieldDef,
    FieldType,
    FieldValueError,
    ProblemSink,
    ValueContext,
)

MIN_YEAR, MAX_YEAR = 1900, 2199


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        result = value
    elif isinstance(value, str) and len(value.strip()) == 10:
        try:
            result = date.fromisoformat(value.strip())
        except ValueError as exc:
            raise FieldValueError("invalid_date") from exc
    else:
        raise FieldValueError("invalid_date")
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise FieldValueError("invalid_date")
    return result


def parse_datetime(value: Any) -> datetime:
    """An aware UTC datetime; a value without offset is read in the organisation's time zone."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, str) and 16 <= len(value.strip()) <= 40:
        text = value.strip().replace(" ", "T", 1)
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        try:
            result = datetime.fromisoformat(text)
        except ValueError as exc:
            raise FieldValueError("invalid_datetime") from exc
    else:
        raise FieldValueError("invalid_datetime")
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise FieldValueError("invalid_datetime")
    if timezone.is_naive(result):
        result = timezone.make_aware(result, timezone.get_default_timezone())
    return result.astimezone(UTC).replace(microsecond=0)


def format_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> time:
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, time):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, str) and len(value.strip()) in (5, 8):
        try:
            return time.fromisoformat(value.strip())
        except ValueError as exc:
            raise FieldValueError("invalid_time") from exc
    raise FieldValueError("invalid_time")


def _date_bound(value: Any, ctx_today: date | None) -> date | None:
    if value is None:
        return None
    if value == "today":
        return ctx_today
    return parse_date(value)


def check_date_bounds(f: FieldDef, add: ProblemSink, *, kind: str) -> None:
    parse = parse_date if kind == "date" else parse_datetime
    relative = "today" if kind == "date" else "now"
    for name in ("min", "max"):
        value = getattr(f, name)
        if value is None or value == relative:
            continue
        try:
            parse(value)
        except FieldValueError:
            add(name, "invalid_property",
                f"{name} 须为 ISO 日期或 \"{relative}\" / {name} must be an ISO {kind} or \"{relative}\"")


class DateType(FieldType):
    name = "date"
    family = "datetime"
    label = {"zh-CN": "日期", "en": "Date"}
    properties = frozenset({"min", "max", "unique"})

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_date_bounds(f, add, kind="date")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "":
            return None
        result = parse_date(value)
        today = timezone.localtime(ctx.now).date()
        lo, hi = _date_bound(f.min, today), _date_bound(f.max, today)
        if lo is not None and result < lo:
            raise FieldValueError("too_early", min=lo.isoformat())
        if hi is not None and result > hi:
            raise FieldValueError("too_late", max=hi.isoformat())
        return result.isoformat()

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else date.fromisoformat(value)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


class DateTimeType(FieldType):
    name = "datetime"
    family = "datetime"
    label = {"zh-CN": "日期时间", "en": "Date and time"}
    properties = frozenset({"min", "max"})

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_date_bounds(f, add, kind="datetime")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "":
            return None
        result = parse_datetime(value)
        lo = ctx.now if f.min == "now" else (parse_datetime(f.min) if f.min is not None else None)
        hi = ctx.now if f.max == "now" else (parse_datetime(f.max) if f.max is not None else None)
        # "now" allows a minute of slack: the browser's clock and ours differ by seconds.
        slack = timedelta(minutes=1)
        if lo is not None and result < lo - (slack if f.min == "now" else timedelta(0)):
            raise FieldValueError("too_early", min=format_datetime(lo))
        if hi is not None and result > hi + (slack if f.max == "now" else timedelta(0)):
            raise FieldValueError("too_late", max=format_datetime(hi))
        return format_datetime(result)

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        if value is None:
            return None
        return timezone.localtime(parse_datetime(value)).replace(tzinfo=None)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "date-time", "description": "ISO 8601 in UTC, e.g. 2026-03-10T02:00:00Z"}


class TimeType(FieldType):
    name = "time"
    family = "datetime"
    label = {"zh-CN": "时间", "en": "Time"}
    properties = frozenset({"min", "max"})
    config_options = (
        ConfigOption("with_seconds", "boolean", {"zh-CN": "精确到秒", "en": "With seconds"}, False),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        for name in ("min", "max"):
            value = getattr(f, name)
            if value is not None:
                try:
                    parse_time(value)
                except FieldValueError:
                    add(name, "invalid_property", f"{name} 须为 HH:MM / {name} must be HH:MM")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "":
            return None
        result = parse_time(value)
        if self.config_value(f, "with_seconds") is not True:
            result = result.replace(second=0)
        if f.min is not None and result < parse_time(f.min):
            raise FieldValueError("too_early", min=f.min)
        if f.max is not None and result > parse_time(f.max):
            raise FieldValueError("too_late", max=f.max)
        return result.strftime("%H:%M:%S" if self.config_value(f, "with_seconds") is True else "%H:%M")

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else time.fromisoformat(value)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"}


class DateRangeType(FieldType):
    name = "date_range"
    family = "datetime"
    label = {"zh-CN": "日期范围", "en": "Date range"}
    properties = frozenset({"min", "max"})
    config_options = (
        ConfigOption("max_days", "integer", {"zh-CN": "最长天数", "en": "Longest range in days"}),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_date_bounds(f, add, kind="date")
        max_days = f.config.get("max_days")
        if max_days is not None and (not isinstance(max_days, int) or isinstance(max_days, bool) or max_days < 0):
            add("config.max_days", "invalid_config", "max_days 须为非负整数 / max_days must be a whole number >= 0")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "" or value == [] or value == {}:
            return None
        if isinstance(value, list | tuple) and len(value) == 2:
            start, end = value
        elif isinstance(value, dict) and set(value) <= {"start", "end"}:
            start, end = value.get("start"), value.get("end")
        else:
            raise FieldValueError("invalid_date")
        first, last = parse_date(start), parse_date(end)
        if first > last:
            raise FieldValueError("range_reversed")
        today = timezone.localtime(ctx.now).date()
        lo, hi = _date_bound(f.min, today), _date_bound(f.max, today)
        if lo is not None and first < lo:
            raise FieldValueError("too_early", min=lo.isoformat())
        if hi is not None and last > hi:
            raise FieldValueError("too_late", max=hi.isoformat())
        max_days = f.config.get("max_days")
        if isinstance(max_days, int) and (last - first).days > max_days:
            raise FieldValueError("range_too_long", max=max_days)
        return {"start": first.isoformat(), "end": last.isoformat()}

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        if value is None:
            return None
        return [date.fromisoformat(value["start"]), date.fromisoformat(value["end"])]

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "object", "required": ["start", "end"], "additionalProperties": False,
                "properties": {"start": {"type": "string", "format": "date"},
                               "end": {"type": "string", "format": "date"}}}


TYPES: tuple[type[FieldType], ...] = (DateType, DateTimeType, TimeType, DateRangeType)
