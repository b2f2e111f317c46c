"""Named domain events: one registry, an in-process bus, and the transactional outbox.

``publish()`` must be called inside the action's transaction. It writes an ``Outbox`` row
(delivered later, at least once, by the ``deliver_outbox`` job to the registered outbox
handlers: webhooks, notifications ...) and, after commit, calls in-process subscribers.
Rules, SLA and webhooks subscribe to these names; nothing else keeps its own trigger list.
"""

from __future__ import annotations

import contextvars
import fnmatch
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventType:
    name: str
    description: str


@dataclass(frozen=True)
class DomainEvent:
    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    outbox_id: int | None = None


REGISTRY: dict[str, EventType] = {}


def define(name: str, description: str) -> str:
    if name in REGISTRY:
        raise ValueError(f"event {name!r} defined twice")
    REGISTRY[name] = EventType(name, description)
    return name


TICKET_CREATED = define("ticket.created", "A complaint was registered through any channel.")
TICKET_UPDATED = define("ticket.updated", "Ticket fields (subject, category, priority, data ...) changed.")
TICKET_STATUS_CHANGED = define("ticket.status_changed", "The ticket moved to another lifecycle status.")
TICKET_ASSIGNED = define("ticket.assigned", "Assignee, team or department changed.")
TICKET_COMMENTED = define("ticket.commented", "A public reply or internal note was added.")
TICKET_ATTACHMENT_ADDED = define("ticket.attachment_added", "A file was attached to the ticket.")
TICKET_LINKED = define("ticket.linked", "A link (related, duplicate, parent/child, repeat) was added.")
TICKET_MERGED = define("ticket.merged", "A duplicate ticket was merged into a master ticket.")
TICKET_REPEAT_DETECTED = define(
    "ticket.repeat_detected", "A new ticket repeats an earlier complaint of the same customer."
)
CUSTOMER_CREATED = define("customer.created", "A customer record was created.")
CUSTOMER_UPDATED = define("customer.updated", "A customer record changed.")
USER_CREATED = define("user.created", "A user account was created.")
USER_UPDATED = define("user.updated", "A user account changed (roles, department, active ...).")
FORM_PUBLISHED = define("form.published", "A new version of a form was published (the previous one archived).")

# Workflow engine (complaintdesk.workflows).
PROCESS_PUBLISHED = define("process.published", "A new version of a process definition was published.")
PROCESS_STARTED = define("process.started", "A process instance started on a ticket.")
PROCESS_COMPLETED = define("process.completed", "A process instance reached its end.")
PROCESS_TERMINATED = define("process.terminated", "An administrator terminated a process instance.")
PROCESS_WITHDRAWN = define("process.withdrawn", "The initiator withdrew a process before anyone handled it.")
TASK_CREATED = define("task.created", "A work item became ready (payload: assignee / candidates, due time).")
TASK_CLAIMED = define("task.claimed", "A candidate claimed a work item (or released it again).")
TASK_COMPLETED = define("task.completed", "A work item was completed with an outcome.")
TASK_TRANSFERRED = define("task.transferred", "A work item was transferred to another person (转交).")
TASK_RETURNED = define("task.returned", "The process was returned to an earlier node (退回).")
TASK_SIGNER_ADDED = define("task.signer_added", "A signer was added before or after the current one (加签).")
TASK_CC = define("task.cc", "People were copied on a ticket without a task (抄送).")
TASK_URGED = define("task.urged", "The assignee of a work item was reminded (催办).")
TASK_OVERDUE = define("task.overdue", "A work item passed its node deadline (the timeout action ran).")

# SLA clocks (complaintdesk.sla).
SLA_APPLIED = define("sla.applied", "An SLA policy was applied to a ticket (due times set or recomputed).")
SLA_PAUSED = define("sla.paused", "A ticket's SLA clock paused (waiting for the customer).")
SLA_RESUMED = define("sla.resumed", "A ticket's SLA clock resumed.")
SLA_WARNING = define("sla.warning", "A ticket's SLA target reached a warning fraction (default 75% / 90%).")
SLA_BREACHED = define("sla.breached", "A ticket's first-response or resolution target was missed.")
SLA_ESCALATED = define("sla.escalated", "A ticket was escalated along the escalation chain (L1/L2/L3).")

# Rules engine (complaintdesk.rules).
TIME_PASSED = define("ticket.time_passed", "Periodic trigger: the time-based rules sweep looked at an open ticket.")

# Threshold alerts and improvement actions (complaintdesk.insights, complaintdesk.improvement).
ALERT_FIRED = define("alert.fired", "A threshold alert opened or rose to a higher level (blue / yellow / red).")
ALERT_CLEARED = define("alert.cleared", "An open threshold alert cleared (its level dropped below every threshold).")
IMPROVEMENT_CREATED = define("improvement.created", "An improvement action (CAPA) was opened.")
IMPROVEMENT_UPDATED = define("improvement.updated", "An improvement action changed (owner, due date, status ...).")

# Notifications (complaintdesk.notifications).
NOTIFICATION_CREATED = define("notification.created", "An in-app notification was created for a user.")

Subscriber = Callable[[DomainEvent], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)
_outbox_handlers: list[tuple[str, Subscriber]] = []


def subscribe(name: str) -> Callable[[Subscriber], Subscriber]:
    """Decorator: call ``fn(event)`` after the publishing transaction commits (in process)."""
    if name not in REGISTRY and name != "*":
        raise ValueError(f"unknown event {name!r}")

    def register(fn: Subscriber) -> Subscriber:
        _subscribers[name].append(fn)
        return fn

    return register


def unsubscribe(name: str, fn: Subscriber) -> None:
    if fn in _subscribers.get(name, []):
        _subscribers[name].remove(fn)


def outbox_handler(pattern: str) -> Callable[[Subscriber], Subscriber]:
    """Decorator: deliver outbox rows whose topic matches ``pattern`` (fnmatch) to ``fn``.

    Handlers run in the job consumer, at least once per row; they must be idempotent and
    can use ``event.outbox_id`` (stable across retries) as an idempotency key.
    """

    def register(fn: Subscriber) -> Subscriber:
        _outbox_handlers.append((pattern, fn))
        return fn

    return register


def remove_outbox_handler(fn: Subscriber) -> None:
    _outbox_handlers[:] = [(p, f) for p, f in _outbox_handlers if f is not fn]


def outbox_handlers_for(topic: str) -> list[Subscriber]:
    return [fn for pattern, fn in _outbox_handlers if fnmatch.fnmatchcase(topic, pattern)]


def publish(name: str, payload: dict[str, Any]) -> DomainEvent:
    """Record ``name`` in the outbox (same transaction) and notify subscribers after commit."""
    from complaintdesk.core.models import Outbox
    from complaintdesk.core.outbox import kick_delivery

    if name not in REGISTRY:
        raise ValueError(f"unknown event {name!r}")
    row = Outbox.objects.create(topic=name, payload=payload)
    event = DomainEvent(name=name, payload=payload, outbox_id=row.pk)
    # Subscribers see the publisher's context variables (e.g. the rules engine's chain depth),
    # whenever the commit happens.
    publisher_context = contextvars.copy_context()

    def after_commit() -> None:
        for fn in [*_subscribers.get(name, []), *_subscribers.get("*", [])]:
            try:
                publisher_context.copy().run(fn, event)
            except Exception:  # a subscriber's bug must not undo a committed change
                logger.exception("subscriber %s failed for %s", getattr(fn, "__name__", fn), name)
        kick_delivery()

    transaction.on_commit(after_commit)
    return event


def publish_many(items: list[tuple[str, dict[str, Any]]], *, encoded: list[str] | None = None) -> list[DomainEvent]:
    """``publish`` for many events in one bulk insert (periodic sweeps firing thousands at once);
    ``encoded``: the payloads already as JSON text (the caller wrote them elsewhere too)."""
    from complaintdesk.core.models import Outbox
    from complaintdesk.core.outbox import kick_delivery

    for name, _ in items:
        if name not in REGISTRY:
            raise ValueError(f"unknown event {name!r}")
    if not items:
        return []
    published = _insert_outbox_pg(items, encoded) if connection.vendor == "postgresql" else [
        DomainEvent(name=row.topic, payload=row.payload, outbox_id=row.pk)
        for row in Outbox.objects.bulk_create([Outbox(topic=n, payload=p) for n, p in items], batch_size=1000)
    ]
    publisher_context = contextvars.copy_context()

    def after_commit() -> None:
        for event in published:
            for fn in [*_subscribers.get(event.name, []), *_subscribers.get("*", [])]:
                try:
                    publisher_context.copy().run(fn, event)
                except Exception:  # a subscriber's bug must not undo a committed change
                    logger.exception("subscriber %s failed for %s", getattr(fn, "__name__", fn), event.name)
        if published:
            kick_delivery()

    transaction.on_commit(after_commit)
    return published


def _insert_outbox_pg(items: list[tuple[str, dict[str, Any]]], encoded: list[str] | None) -> list[DomainEvent]:
    """One ``INSERT ... SELECT FROM unnest(arrays)`` with server-side binding (Django's bulk_create
    builds and binds SQL text per value: most of a big sweep's time)."""
    import json

    import psycopg

    from complaintdesk.core import clock
    from complaintdesk.core.models import Outbox, OutboxStatus

    now = clock.now()
    sql = (
        f'INSERT INTO "{Outbox._meta.db_table}" (topic, payload, status, created_at, available_at, attempts, '
        "last_error) SELECT t, p::jsonb, %s, %s, %s, 0, '' FROM unnest(%b::text[], %b::text[]) AS v(t, p) "
        "RETURNING id"
    )
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, [OutboxStatus.PENDING.value, now, now, [n for n, _ in items],
                             encoded or [json.dumps(p, ensure_ascii=False) for _, p in items]])
        ids = sorted(row[0] for row in cursor.fetchall())  # one statement: ids follow the input order
    return [DomainEvent(name=n, payload=p, outbox_id=i) for (n, p), i in zip(items, ids, strict=True)]
