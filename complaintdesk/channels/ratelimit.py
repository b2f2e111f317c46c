"""A fixed-window rate limit per client IP on Django's cache (Redis in production, so every web
process shares the count; the in-process cache of the embedded setup counts per process)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from complaintdesk.core import clock
from complaintdesk.core.errors import DomainError


class RateLimited(DomainError):
    """Too many requests from one client in the current window (HTTP 429)."""

    status_code = 429
    code = "rate_limited"


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a reverse proxy must set it (e.g. uWSGI/gunicorn behind nginx with the real
    # IP module); trusting X-Forwarded-For here would let any client choose its own bucket.
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def check_rate(request: HttpRequest, *, bucket: str, limit: int, window_seconds: int = 60) -> None:
    """Count this request; raise ``RateLimited`` when the client is over ``limit`` in the window."""
    if limit <= 0:
        return
    window = int(clock.now().timestamp()) // window_seconds
    key = f"cd:rate:{bucket}:{client_ip(request)}:{window}"
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds * 2)
        count = 1
    if count > limit:
        raise RateLimited("请求过于频繁，请稍后再试 / Too many requests, try again later",
                          details={"limit": limit, "window_seconds": window_seconds})
