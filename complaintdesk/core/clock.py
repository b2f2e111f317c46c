"""The one source of "now". Tests and the demo generator move it; production reads the wall clock.

Every timestamp the domain writes (created_at, due times, outbox availability) comes from
``now()`` so that a test can freeze or advance time and check exact results.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.utils import timezone

_lock = threading.Lock()
_override: datetime | None = None


def now() -> datetime:
    """Current time as an aware UTC datetime (or the frozen test time)."""
    override = _override
    # datetime.now(UTC) is what timezone.now() returns under USE_TZ, at a fraction of the cost
    # (formulas read the clock on every TODAY()).
    return override if override is not None else datetime.now(UTC)


def is_frozen() -> bool:
    """Whether a test or the demo generator has frozen the clock."""
    return _override is not None


def set_now(at: datetime | None) -> None:
    """Freeze the clock at ``at`` (aware datetime); ``None`` returns to the wall clock."""
    global _override
    if at is not None and timezone.is_naive(at):
        raise ValueError("clock.set_now needs an aware datetime")
    with _lock:
        _override = at


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward (freezing it at the wall clock first if needed)."""
    global _override
    with _lock:
        _override = (_override or timezone.now()) + delta
        return _override


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Run a block with the clock frozen at ``at``, restoring the previous state after."""
    previous = _override
    set_now(at)
    try:
        yield
    finally:
        set_now(previous)


def local_now() -> datetime:
    """``now()`` in the organisation's time zone (CD_TIME_ZONE)."""
    return timezone.localtime(now())
