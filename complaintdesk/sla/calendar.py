"""Business-time arithmetic on a calendar: working hours per weekday, holidays and make-up workdays.

``add_business_time(calendar, start, delta)`` and ``business_time_between(calendar, start, end)``
are the two operations every SLA computation uses. A calendar is compiled once per revision into
plain data (weekly intervals in seconds from local midnight, and the table of exceptional days);
the working intervals of each date are then computed once, in UTC, and cached — the arithmetic
walks whole intervals and days, never minutes.

Rules: a make-up workday (调休) works ``workday_hours`` (Monday's hours when empty); a holiday does
not work; any other day works its weekday's hours. A year without holiday data simply has no
exceptions (plain weekends); ``calendar_warnings`` says so. ``None`` means the default calendar.
All datetimes in and out are aware; results are in UTC.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from complaintdesk.core.errors import InvalidInput

if TYPE_CHECKING:
    from complaintdesk.sla.models import BusinessCalendar

Interval = tuple[int, int]  # seconds from local midnight, end exclusive, 0 <= start < end <= 86400
DayHours = tuple[Interval, ...]

ZERO = timedelta(0)
DAY = timedelta(days=1)
# A calendar with working time at all has some within a few weeks; this bounds the walk when a
# misconfigured calendar (every day a holiday) could otherwise never finish.
MAX_EMPTY_DAYS = 3660

_TIME_RE = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def parse_clock(text: Any) -> int:
    """``"HH:MM"`` → seconds from midnight (``"24:00"`` allowed)."""
    if not isinstance(text, str) or not (m := _TIME_RE.match(text)):
        raise InvalidInput("时间格式应为 HH:MM / time must be HH:MM", details={"time": repr(text)[:40]})
    seconds = int(m.group(1)) * 3600 + int(m.group(2)) * 60
    if seconds > 86400:
        raise InvalidInput("时间不能超过 24:00 / time must not be after 24:00", details={"time": text})
    return seconds


def format_clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def parse_day_hours(value: Any, *, where: str = "hours") -> DayHours:
    """A list of ``["HH:MM", "HH:MM"]`` → sorted, non-overlapping intervals (adjacent ones merged)."""
    if not isinstance(value, list):
        raise InvalidInput("工作时段应为列表 / working hours must be a list", details={where: "list expected"})
    raw: list[Interval] = []
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise InvalidInput(
                "工作时段应为 [开始, 结束] / each interval must be [start, end]", details={where: "bad interval"}
            )
        start, end = parse_clock(item[0]), parse_clock(item[1])
        if start >= end:
            raise InvalidInput(
                "时段开始须早于结束 / an interval must start before it ends", details={where: f"{item[0]}-{item[1]}"}
            )
        raw.append((start, end))
    raw.sort()
    merged: list[Interval] = []
    for start, end in raw:
        if merged and start < merged[-1][1]:
            raise InvalidInput("工作时段重叠 / working intervals overlap", details={where: "overlap"})
        if merged and start == merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def parse_working_hours(value: Any) -> tuple[DayHours, ...]:
    """``{"0": [...], ..., "6": [...]}`` (Monday = "0") → 7 tuples of intervals; missing days are off."""
    if not isinstance(value, dict):
        raise InvalidInput(
            "working_hours 应为 {星期: 时段} / working_hours must map weekday to intervals",
            details={"working_hours": "object expected"},
        )
    unknown = [k for k in value if k not in {str(i) for i in range(7)}]
    if unknown:
        raise InvalidInput(
            "星期应为 0(周一)..6(周日) / weekdays are 0 (Monday) .. 6 (Sunday)",
            details={"working_hours": f"unknown keys {unknown[:5]}"},
        )
    return tuple(parse_day_hours(value.get(str(i), []), where=f"working_hours.{i}") for i in range(7))


def hours_to_json(hours: DayHours) -> list[list[str]]:
    return [[format_clock(s), format_clock(e)] for s, e in hours]


def check_zone(name: Any) -> ZoneInfo:
    try:
        if not isinstance(name, str) or not name or len(name) > 64:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput("未知时区 / unknown time zone", details={"time_zone": str(name)[:64]}) from exc


@dataclass(frozen=True)
class CalendarSpec:
    """Everything the arithmetic needs, as plain data (no ORM)."""

    time_zone: str = "Asia/Shanghai"
    weekly: tuple[DayHours, ...] = ((), (), (), (), (), (), ())
    workday_hours: DayHours = ()
    is_24x7: bool = False
    days: Mapping[date, str] = field(default_factory=dict)  # date -> "holiday" | "workday"
    covered_years: frozenset[int] = frozenset()
    statutory: bool = True
    key: str = ""


class CompiledCalendar:
    """A calendar ready for arithmetic; per-date UTC intervals are computed lazily and cached."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.time_zone)
        self._days: dict[date, tuple[tuple[datetime, datetime], ...]] = {}
        self._lock = threading.Lock()

    @cached_property
    def make_up_hours(self) -> DayHours:
        if self.spec.workday_hours:
            return self.spec.workday_hours
        return self.spec.weekly[0] or next((h for h in self.spec.weekly if h), ())

    def local_hours(self, day: date) -> DayHours:
        """The working intervals of ``day`` in local seconds from midnight."""
        kind = self.spec.days.get(day)
        if kind == "holiday":
            return ()
        if kind == "workday":
            return self.spec.weekly[day.weekday()] or self.make_up_hours
        return self.spec.weekly[day.weekday()]

    def intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working intervals of local ``day`` as UTC datetimes."""
        hit = self._days.get(day)
        if hit is not None:
            return hit
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.zone)
        out: list[tuple[datetime, datetime]] = []
        for start, end in self.local_hours(day):
            # Wall-clock arithmetic then conversion: correct across DST changes in zones that have them.
            a = (midnight + timedelta(seconds=start)).astimezone(UTC)
            b = (midnight + timedelta(seconds=end)).astimezone(UTC)
            if b > a:
                if out and a <= out[-1][1]:
                    out[-1] = (out[-1][0], max(b, out[-1][1]))
                else:
                    out.append((a, b))
        result = tuple(out)
        with self._lock:
            if len(self._days) > 50_000:
                self._days.clear()
            self._days[day] = result
        return result

    def _local_date(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def add(self, start: datetime, delta: timedelta) -> datetime:
        _check_aware(start)
        if delta < ZERO:
            raise ValueError("add_business_time needs a non-negative duration")
        start = start.astimezone(UTC)
        if self.spec.is_24x7:
            return start + delta
        if delta == ZERO:
            return start
        remaining = delta
        # The previous local day's intervals can reach past midnight only in odd zones; start a day early.
        day = self._local_date(start) - DAY
        empty = 0
        while True:
            spans = self.intervals(day)
            for a, b in spans:
                if b <= start:
                    continue
                s = a if a > start else start
                available = b - s
                if remaining <= available:
                    return s + remaining
                remaining -= available
            empty = empty + 1 if not spans else 0
            if empty > MAX_EMPTY_DAYS:
                raise InvalidInput(
                    "日历没有工作时间 / the calendar has no working time", details={"calendar": self.spec.key}
                )
            day += DAY

    def between(self, start: datetime, end: datetime) -> timedelta:
        _check_aware(start)
        _check_aware(end)
        if end < start:
            return -self.between(end, start)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if self.spec.is_24x7:
            return end - start
        total = ZERO
        day = self._local_date(start) - DAY
        last = self._local_date(end) + DAY
        while day <= last:
            for a, b in self.intervals(day):
                lo = a if a > start else start
                hi = b if b < end else end
                if hi > lo:
                    total += hi - lo
            day += DAY
        return total

    def is_working(self, at: datetime) -> bool:
        """Whether ``at`` lies inside working time (interval start inclusive, end exclusive)."""
        _check_aware(at)
        if self.spec.is_24x7:
            return True
        at = at.astimezone(UTC)
        day = self._local_date(at)
        return any(a <= at < b for d in (day - DAY, day) for a, b in self.intervals(d))

    def missing_years(self, years: Iterable[int]) -> list[int]:
        if self.spec.is_24x7 or not self.spec.statutory:
            return []
        return sorted({y for y in years if y not in self.spec.covered_years})

    def warnings(self, years: Iterable[int]) -> list[str]:
        return [missing_year_warning(y) for y in self.missing_years(years)]


def missing_year_warning(year: int) -> str:
    return (
        f"{year}年无节假日数据，按普通周末计算 / no holiday data for {year}: "
        "plain weekends are used until the schedule is imported"
    )


def _check_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("business-time arithmetic needs aware datetimes")


# ---------------------------------------------------------------- loading and caching

_cache: dict[tuple[int, str], CompiledCalendar] = {}
_cache_lock = threading.Lock()
_fallback: CompiledCalendar | None = None


def spec_from_row(row: BusinessCalendar, days: Mapping[date, str], years: Iterable[int]) -> CalendarSpec:
    return CalendarSpec(
        time_zone=row.time_zone,
        weekly=parse_working_hours(row.working_hours),
        workday_hours=parse_day_hours(row.workday_hours or [], where="workday_hours"),
        is_24x7=row.is_24x7,
        days=dict(days),
        covered_years=frozenset(years),
        statutory=row.uses_statutory_holidays,
        key=row.key,
    )


def _compile_row(row: BusinessCalendar) -> CompiledCalendar:
    from complaintdesk.sla.models import CalendarDay, CalendarYear

    days = dict(CalendarDay.objects.filter(calendar_id=row.pk).values_list("date", "kind"))
    # Only a seeded or imported year counts as known: a single company holiday does not make a schedule.
    years = set(CalendarYear.objects.filter(calendar_id=row.pk).values_list("year", flat=True))
    return CompiledCalendar(spec_from_row(row, days, years))


def fallback_calendar() -> CompiledCalendar:
    """The built-in default (Mon-Fri 09:00-12:00, 13:30-18:00, China's schedule) when no row is marked default."""
    global _fallback
    if _fallback is None:
        from complaintdesk.sla.holidays import statutory_days
        from complaintdesk.sla.models import DEFAULT_WORKING_HOURS

        days = {d: kind for d, (kind, _name) in statutory_days().items()}
        _fallback = CompiledCalendar(
            CalendarSpec(
                weekly=parse_working_hours(DEFAULT_WORKING_HOURS),
                days=days,
                covered_years=frozenset({d.year for d in days}),
                key="builtin",
            )
        )
    return _fallback


def compile_calendar(calendar: BusinessCalendar | None) -> CompiledCalendar:
    """The compiled form of ``calendar`` (``None``: the default calendar), cached per revision."""
    if calendar is None:
        from complaintdesk.sla.models import BusinessCalendar

        calendar = BusinessCalendar.objects.filter(is_default=True).first()
        if calendar is None:
            return fallback_calendar()
    key = (calendar.pk, calendar.revision)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    compiled = _compile_row(calendar)
    with _cache_lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = compiled
    return compiled


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def add_business_time(calendar: BusinessCalendar | None, start: datetime, delta: timedelta) -> datetime:
    """The instant when ``delta`` of working time has passed since ``start`` (UTC).

    When the time runs out exactly at the end of an interval, the end is returned (18:00, not the
    next morning's 09:00). ``delta`` must not be negative.
    """
    return compile_calendar(calendar).add(start, delta)


def business_time_between(calendar: BusinessCalendar | None, start: datetime, end: datetime) -> timedelta:
    """Working time between two instants (negative when ``end`` is before ``start``)."""
    return compile_calendar(calendar).between(start, end)


def calendar_warnings(calendar: BusinessCalendar | None, years: Iterable[int]) -> list[str]:
    """Bilingual warnings for the given years that have no holiday data (fallback to plain weekends)."""
    return compile_calendar(calendar).warnings(years)
