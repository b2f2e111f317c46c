"""Per-request context that audit helpers read: through which channel a change was made."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_channel: ContextVar[str] = ContextVar("cd_channel", default="system")


def current_channel() -> str:
    """``web`` (session), ``api`` (token), ``cli``, ``system`` (jobs) ... for the timeline."""
    return _channel.get()


@contextmanager
def via(channel: str) -> Iterator[None]:
    token = _channel.set(channel)
    try:
        yield
    finally:
        _channel.reset(token)
