"""Delivery of outbox rows to the registered outbox handlers, at least once, with backoff."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from complaintdesk.core import clock
from complaintdesk.core.events import DomainEvent, outbox_handlers_for
from complaintdesk.core.models import Outbox, OutboxStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BASE_BACKOFF_SECONDS = 10
MAX_BACKOFF_SECONDS = 3600
_KICK_INTERVAL = 1.0

_kick_lock = threading.Lock()
_next_kick_at = 0.0


def backoff_for(attempts: int) -> timedelta:
    """Delay before retry number ``attempts`` (1-based): 10 s, 20 s, 40 s ... capped at 1 h."""
    return timedelta(seconds=min(BASE_BACKOFF_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS))


def deliver_due(limit: int = 500) -> int:
    """Deliver pending rows whose time has come; returns how many were handled successfully.

    Each row is claimed in its own short transaction (``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL, the write lock on SQLite) so several consumers can run this together.
    """
    delivered = 0
    for _ in range(limit):
        with transaction.atomic():
            row = (
                Outbox.objects.select_for_update(skip_locked=True)
                .filter(status=OutboxStatus.PENDING, available_at__lte=clock.now())
                .order_by("available_at", "id")
                .first()
            )
            if row is None:
                break
            event = DomainEvent(name=row.topic, payload=row.payload, outbox_id=row.pk)
            error = ""
            for handler in outbox_handlers_for(row.topic):
                try:
                    with transaction.atomic():
                        handler(event)
                except Exception as exc:  # recorded on the row and retried later
                    error = f"{getattr(handler, '__name__', handler)}: {exc!r}"
                    logger.warning("outbox %s delivery failed: %s", row.pk, error)
                    break
            row.attempts += 1
            if not error:
                row.status = OutboxStatus.DELIVERED
                row.delivered_at = clock.now()
                row.last_error = ""
                delivered += 1
            else:
                row.last_error = error[:2000]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = OutboxStatus.DEAD
                else:
                    row.available_at = clock.now() + backoff_for(row.attempts)
            row.save(update_fields=["attempts", "status", "delivered_at", "last_error", "available_at"])
    return delivered


def kick_delivery() -> None:
    """Ask the job consumer to deliver soon; at most once a second per process.

    Rows that miss a kick are picked up by the next one or by the one-minute sweep.
    """
    global _next_kick_at
    from complaintdesk.core.tasks import deliver_outbox

    if settings.HUEY.get("immediate"):
        deliver_outbox.call_local()
        return
    with _kick_lock:
        now = time.monotonic()
        if now < _next_kick_at:
            return
        _next_kick_at = now + _KICK_INTERVAL
    try:
        deliver_outbox.schedule(delay=_KICK_INTERVAL)
    except Exception:  # the job store being down must not fail a committed request
        logger.exception("could not enqueue outbox delivery; the periodic sweep will pick it up")


def do_settle_outbox_after(last_id: int, *, note: str) -> int:
    """Mark pending rows with ``id > last_id`` as settled without delivering them.

    For generated history (the demo): its events describe the past, and webhooks or
    notifications must not fire for them when the job consumer first starts.
    """
    return Outbox.objects.filter(pk__gt=last_id, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.DELIVERED, delivered_at=clock.now(), last_error=note[:2000]
    )


def last_outbox_id() -> int:
    return Outbox.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
