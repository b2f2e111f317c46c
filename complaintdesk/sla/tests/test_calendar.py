"""Business-time arithmetic: exact cases on China's calendar, and property tests against a
brute-force minute-stepping reference on random calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintdesk.core.errors import InvalidInput
from complaintdesk.sla.calendar import (
    CalendarSpec,
    CompiledCalendar,
    add_business_time,
    business_time_between,
    calendar_warnings,
    fallback_calendar,
    parse_working_hours,
)
from complaintdesk.sla.models import BusinessCalendar

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
M = timedelta(minutes=1)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc, arg-type]


# ---------------------------------------------------------------- China's calendar (the seeded default)


@pytest.mark.django_db
class TestDefaultCalendar:
    def test_seeded_default_calendar(self) -> None:
        cal = BusinessCalendar.objects.get(is_default=True)
        assert cal.key == "cn-default" and cal.time_zone == "Asia/Shanghai"
        days = dict(cal.days.filter(date__year=2026, date__month__in=[9, 10]).values_list("date", "kind"))
        # 2026: Mid-autumn 09-25..27, National Day 10-01..07; make-up workdays Sun 09-20 and Sat 10-10.
        assert [d for d, k in sorted(days.items()) if k == "holiday"] == [
            date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27),
            *(date(2026, 10, d) for d in range(1, 8)),
        ]
        assert [d for d, k in sorted(days.items()) if k == "workday"] == [date(2026, 9, 20), date(2026, 10, 10)]
        assert cal.days.get(date=date(2026, 10, 1)).name == "国庆节 National Day"
        assert set(cal.years.values_list("year", flat=True)) == set(range(2004, 2027))

    def test_lunch_break_and_evening(self) -> None:
        # Tue 2026-03-10 11:30 + 1 h: 30 min before lunch, 30 min after 13:30.
        assert add_business_time(None, sh(2026, 3, 10, 11, 30), H) == sh(2026, 3, 10, 14, 0)
        # Ends exactly at 18:00 rather than the next morning.
        assert add_business_time(None, sh(2026, 3, 10, 17, 0), H) == sh(2026, 3, 10, 18, 0)
        assert add_business_time(None, sh(2026, 3, 10, 17, 0), H + M) == sh(2026, 3, 11, 9, 1)
        # Starting at night or in the lunch break counts from the next opening.
        assert add_business_time(None, sh(2026, 3, 10, 22, 0), 2 * H) == sh(2026, 3, 11, 11, 0)
        assert add_business_time(None, sh(2026, 3, 10, 12, 15), M) == sh(2026, 3, 10, 13, 31)

    def test_weekend(self) -> None:
        # Fri 2026-03-13 17:00 + 2 h → Mon 10:00.
        assert add_business_time(None, sh(2026, 3, 13, 17, 0), 2 * H) == sh(2026, 3, 16, 10, 0)
        assert business_time_between(None, sh(2026, 3, 13, 17, 0), sh(2026, 3, 16, 10, 0)) == 2 * H

    def test_national_day_2026_and_make_up_workday(self) -> None:
        start = sh(2026, 9, 30, 17, 0)
        assert add_business_time(None, start, H) == sh(2026, 9, 30, 18, 0)
        # Holiday 10-01..10-07: the next working minute is Thu 10-08 09:00.
        assert add_business_time(None, start, 90 * M) == sh(2026, 10, 8, 9, 30)
        # 1 h + 7.5 h (Thu) + 7.5 h (Fri) + 7.5 h (Sat 10-10, 调休 make-up workday) = 23.5 h, then Mon.
        assert add_business_time(None, start, 24 * H) == sh(2026, 10, 12, 9, 30)
        assert add_business_time(None, sh(2026, 10, 10, 9, 0), 3 * H) == sh(2026, 10, 10, 12, 0)
        assert business_time_between(None, start, sh(2026, 10, 12, 9, 30)) == 24 * H

    def test_mid_autumn_and_sunday_make_up(self) -> None:
        # Thu 2026-09-24 17:00 + 2 h: Fri 09-25 .. Sun 09-27 are holidays → Mon 09-28 10:00.
        assert add_business_time(None, sh(2026, 9, 24, 17, 0), 2 * H) == sh(2026, 9, 28, 10, 0)
        # Sun 2026-09-20 is a make-up workday.
        assert add_business_time(None, sh(2026, 9, 19, 12, 0), H) == sh(2026, 9, 20, 10, 0)

    def test_spring_festival_2026(self) -> None:
        # Spring Festival 2026-02-15..23 (Sat 02-14 and Sat 02-28 are make-up workdays).
        assert add_business_time(None, sh(2026, 2, 13, 17, 30), H) == sh(2026, 2, 14, 9, 30)
        assert add_business_time(None, sh(2026, 2, 14, 17, 30), H) == sh(2026, 2, 24, 9, 30)

    def test_year_without_data_falls_back_to_weekends_with_warning(self) -> None:
        # 2027 has no data: New Year's Day (Fri 2027-01-01) counts as a plain Friday, and it says so.
        assert add_business_time(None, sh(2027, 1, 1, 9, 0), H) == sh(2027, 1, 1, 10, 0)
        assert add_business_time(None, sh(2026, 12, 31, 17, 30), H) == sh(2027, 1, 1, 9, 30)
        warnings = calendar_warnings(None, [2026, 2027])
        assert len(warnings) == 1 and "2027年无节假日数据" in warnings[0] and "no holiday data for 2027" in warnings[0]

    def test_utc_in_utc_out(self) -> None:
        result = add_business_time(None, datetime(2026, 3, 10, 1, 0, tzinfo=UTC), H)
        assert result.tzinfo == UTC and result == datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 09:00+1h Shanghai
        with pytest.raises(ValueError):
            add_business_time(None, datetime(2026, 3, 10, 1, 0), H)
        with pytest.raises(ValueError):
            add_business_time(None, sh(2026, 3, 10, 1, 0), -H)

    def test_between_is_antisymmetric(self) -> None:
        a, b = sh(2026, 3, 10, 9, 0), sh(2026, 3, 11, 9, 0)
        assert business_time_between(None, a, b) == timedelta(hours=7, minutes=30)
        assert business_time_between(None, b, a) == -timedelta(hours=7, minutes=30)

    def test_24x7(self) -> None:
        cal = BusinessCalendar.objects.get(key="24x7")
        start = sh(2026, 10, 1, 23, 0)
        assert add_business_time(cal, start, 2 * H) == (start + 2 * H).astimezone(UTC)
        assert business_time_between(cal, start, start + 5 * H) == 5 * H
        assert calendar_warnings(cal, [2030]) == []

    def test_no_default_row_uses_builtin(self) -> None:
        BusinessCalendar.objects.filter(is_default=True).update(is_default=False)
        assert add_business_time(None, sh(2026, 9, 30, 17, 0), 90 * M) == sh(2026, 10, 8, 9, 30)


def test_calendar_without_working_time_raises_instead_of_looping() -> None:
    cal = CompiledCalendar(CalendarSpec(weekly=((),) * 7, key="empty"))
    with pytest.raises(InvalidInput):
        cal.add(sh(2026, 3, 10, 9, 0), H)


def test_fallback_matches_seeded_data() -> None:
    fb = fallback_calendar()
    assert fb.add(sh(2026, 9, 30, 17, 0), 24 * H) == sh(2026, 10, 12, 9, 30)


def test_working_hours_validation() -> None:
    with pytest.raises(InvalidInput):
        parse_working_hours({"0": [["09:00", "12:00"], ["11:00", "13:00"]]})
    with pytest.raises(InvalidInput):
        parse_working_hours({"0": [["18:00", "09:00"]]})
    with pytest.raises(InvalidInput):
        parse_working_hours({"7": []})
    with pytest.raises(InvalidInput):
        parse_working_hours({"0": [["9:00", "12:00"]]})
    assert parse_working_hours({"0": [["09:00", "12:00"], ["12:00", "24:00"]]})[0] == ((32400, 86400),)


# ---------------------------------------------------------------- properties against a brute-force reference

ZONES = ["Asia/Shanghai", "UTC", "Asia/Kolkata", "Asia/Kathmandu"]  # no DST after 2020


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    # Boundaries on a 15-minute grid; sorted distinct points paired into disjoint intervals.
    points = sorted(set(draw(st.lists(st.integers(0, 96), max_size=6))))
    if len(points) % 2:
        points = points[:-1]
    return tuple((points[i] * 900, points[i + 1] * 900) for i in range(0, len(points), 2))


@st.composite
def calendars(draw: st.DrawFn) -> CompiledCalendar:
    weekly = tuple(draw(day_hours()) for _ in range(7))
    if not any(weekly):
        weekly = (((9 * 3600, 17 * 3600),), *weekly[1:])
    base = date(2026, 1, 1)
    days = draw(st.dictionaries(
        st.integers(0, 40).map(lambda n: base + timedelta(days=n)), st.sampled_from(["holiday", "workday"]),
        max_size=12,
    ))
    workday_hours = draw(st.one_of(st.just(()), day_hours()))
    return CompiledCalendar(CalendarSpec(
        time_zone=draw(st.sampled_from(ZONES)), weekly=weekly, workday_hours=workday_hours, days=days,
    ))


def ref_working(cal: CompiledCalendar, at: datetime) -> bool:
    """Independent of the interval machinery: local wall time against the spec."""
    local = at.astimezone(cal.zone)
    day = local.date()
    kind = cal.spec.days.get(day)
    if kind == "holiday":
        return False
    hours = cal.spec.weekly[day.weekday()]
    if kind == "workday" and not hours:
        hours = cal.spec.workday_hours or cal.spec.weekly[0] or next((h for h in cal.spec.weekly if h), ())
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return any(s <= seconds < e for s, e in hours)


def ref_add(cal: CompiledCalendar, start: datetime, minutes: int) -> datetime:
    t = start
    while minutes > 0:
        if ref_working(cal, t):
            minutes -= 1
        t += M
    return t


def ref_between(cal: CompiledCalendar, start: datetime, end: datetime) -> timedelta:
    count, t = 0, start
    while t < end:
        count += ref_working(cal, t)
        t += M
    return count * M


instants = st.integers(0, 60 * 24 * 30).map(lambda m: datetime(2026, 1, 1, tzinfo=UTC) + m * M)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(cal=calendars(), start=instants, minutes=st.integers(0, 900))
def test_add_matches_minute_stepping(cal: CompiledCalendar, start: datetime, minutes: int) -> None:
    assert cal.add(start, minutes * M) == ref_add(cal, start, minutes)


@PROPS
@given(cal=calendars(), start=instants, span=st.integers(0, 60 * 24 * 6))
def test_between_matches_minute_stepping(cal: CompiledCalendar, start: datetime, span: int) -> None:
    assert cal.between(start, start + span * M) == ref_between(cal, start, start + span * M)


micro_instants = st.integers(0, 10**6 * 3600 * 24 * 40).map(
    lambda us: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
)


@PROPS
@given(cal=calendars(), start=micro_instants, delta=st.integers(0, 10**6 * 3600 * 60))
def test_add_and_between_are_inverse(cal: CompiledCalendar, start: datetime, delta: int) -> None:
    d = timedelta(microseconds=delta)
    end = cal.add(start, d)
    assert end >= start
    assert cal.between(start, end) == d
    # And the other way round: adding the business time between two instants lands on the
    # earliest instant with that much business time, which is never after ``end``.
    other = start + d
    back = cal.add(start, cal.between(start, other))
    assert back <= other
    assert cal.between(back, other) == timedelta(0)


@PROPS
@given(cal=calendars(), a=micro_instants, b=micro_instants, c=micro_instants)
def test_between_is_additive(cal: CompiledCalendar, a: datetime, b: datetime, c: datetime) -> None:
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)
