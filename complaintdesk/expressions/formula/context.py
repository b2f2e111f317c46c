"""What a formula may know about the world: the current time, the time zone and which days are workdays.

The default context reads :mod:`complaintdesk.core.clock` (so tests that freeze the clock freeze
TODAY() and NOW()) and treats Monday to Friday as workdays until the rules/SLA calendar plugs in
its holiday table through ``is_workday``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from time import time as _time
from typing import Any, Final

__all__ = ["DEFAULT_CONTEXT", "FormulaContext", "default_is_workday"]

_MINUTE: Final = timedelta(minutes=1)


def default_is_workday(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


_clock: Any = None


def _clock_now() -> datetime:
    """``complaintdesk.core.clock.now()`` (imported on first use: keeps this package importable
    without a configured Django)."""
    global _clock
    if _clock is None:
        from complaintdesk.core import clock

        _clock = clock
    return _clock.now()


def _default_tz() -> tzinfo:
    from django.utils import timezone

    return timezone.get_default_timezone()


class FormulaContext:
    """Providers for TODAY()/NOW(), the organisation time zone, the workday calendar and limits.

    ``now`` returns the current moment (aware; naive values are taken as local time). ``tz`` is the
    zone in which dates are read (default: ``settings.TIME_ZONE``). ``is_workday(date) -> bool`` is
    used by NETWORKDAYS and WORKDAY. Limits: ``max_array_length`` items per array and
    ``max_array_work`` element operations per evaluation (both give ``#VALUE!`` when exceeded), and
    ``max_day_span`` days that NETWORKDAYS/WORKDAY may walk with a custom calendar.
    """

    __slots__ = (
        "_cache",
        "_day_cache",
        "_now",
        "_tz",
        "is_workday",
        "max_array_length",
        "max_array_work",
        "max_day_span",
    )

    def __init__(
        self,
        *,
        now: Callable[[], datetime] | None = None,
        tz: tzinfo | None = None,
        is_workday: Callable[[date], bool] | None = None,
        max_array_length: int = 10_000,
        max_array_work: int = 1_000_000,
        max_day_span: int = 40_000,
    ) -> None:
        self._now = now or _clock_now
        self._tz = tz
        self.is_workday: Callable[[date], bool] = is_workday or default_is_workday
        self.max_array_length = max_array_length
        self.max_array_work = max_array_work
        self.max_day_span = max_day_span
        # (utc minute start, its end, local time and date at the start): one tuple, swapped atomically
        self._cache: tuple[datetime, datetime, datetime, date] | None = None
        # (epoch seconds from, until, local date) for TODAY() on the project's unfrozen clock
        self._day_cache: tuple[float, float, date] | None = None

    @property
    def tz(self) -> tzinfo:
        if self._tz is None:
            self._tz = _default_tz()
        return self._tz

    @property
    def uses_default_calendar(self) -> bool:
        return self.is_workday is default_is_workday

    def now(self) -> datetime:
        """The current local time, naive (formulas compute in local wall-clock time, like Excel)."""
        moment = self._now()
        if moment.tzinfo is None:
            return moment
        cache = self._minute(moment)
        return cache[2] + (moment - cache[0])

    def today(self) -> date:
        if self._now is _clock_now and _clock is not None and not _clock.is_frozen():
            # the wall clock: a float timestamp is enough to know the local date is unchanged
            stamp = _time()
            day_cache = self._day_cache
            if day_cache is not None and day_cache[0] <= stamp < day_cache[1]:
                return day_cache[2]
            moment = datetime.fromtimestamp(stamp, UTC)
            cache = self._minute(moment)
            start = cache[0].timestamp()
            self._day_cache = (start, start + 60.0, cache[3])
            return cache[3]
        moment = self._now()
        if moment.tzinfo is None:
            return moment.date()
        return self._minute(moment)[3]

    def _minute(self, moment: datetime) -> tuple[datetime, datetime, datetime, date]:
        # TODAY() runs in most formulas and converting to local time costs more than the rest of a
        # typical evaluation, so the conversion is reused within one UTC minute (zone offsets
        # change only on whole minutes, so the local date cannot change inside one).
        cache = self._cache
        if cache is not None and cache[0] <= moment < cache[1]:
            return cache
        start = moment.replace(second=0, microsecond=0)
        local = start.astimezone(self.tz).replace(tzinfo=None)
        cache = (start, start + _MINUTE, local, local.date())
        self._cache = cache
        return cache


DEFAULT_CONTEXT: Final = FormulaContext()
