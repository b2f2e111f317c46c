"""One helper per timeline event type. Actions call these inside their transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from complaintdesk.core import clock
from complaintdesk.core.context import current_channel
from complaintdesk.tickets.choices import EventType
from complaintdesk.tickets.models import Ticket, TicketEvent

if TYPE_CHECKING:
    from datetime import datetime

    from complaintdesk.accounts.models import User


def timeline_row(*, ticket_id: int, type_: str, data: dict[str, Any], actor: User | None = None,
                 at: datetime | None = None, channel: str | None = None) -> TicketEvent:
    """An unsaved timeline entry (bulk writers insert many at once); ``at`` defaults to now and
    ``channel`` to the current request's channel."""
    return TicketEvent(ticket_id=ticket_id, type=type_, actor=actor, channel=channel or current_channel(),
                       created_at=at or clock.now(), data=data)


def record_timeline_event(*, ticket_id: int, type_: str, data: dict[str, Any], actor: User | None = None,
                          at: datetime | None = None, channel: str | None = None) -> TicketEvent:
    """Append an entry to a ticket's timeline. Other apps (workflows, SLA, rules, notifications,
    improvement) write their timeline entries through this, inside their action's transaction."""
    row = timeline_row(ticket_id=ticket_id, type_=type_, data=data, actor=actor, at=at, channel=channel)
    row.save(force_insert=True)
    return row


def _event(ticket: Ticket, type_: str, actor: User | None, data: dict[str, Any]) -> TicketEvent:
    return record_timeline_event(ticket_id=ticket.pk, type_=type_, actor=actor, at=ticket.updated_at, data=data)


def ticket_created_event(*, ticket: Ticket, actor: User | None) -> TicketEvent:
    return _event(ticket, EventType.CREATED, actor, {
        "number": ticket.number, "channel": ticket.channel, "status": ticket.status,
        "priority": ticket.priority, "external_id": ticket.external_id,
    })


def ticket_updated_event(*, ticket: Ticket, actor: User | None, diff: dict[str, Any]) -> TicketEvent:
    return _event(ticket, EventType.UPDATED, actor, {"changes": diff})


def ticket_status_changed_event(
    *, ticket: Ticket, actor: User | None, old: str, new: str, reason: str
) -> TicketEvent:
    return _event(ticket, EventType.STATUS_CHANGED, actor, {"old": old, "new": new, "reason": reason})


def ticket_assigned_event(*, ticket: Ticket, actor: User | None, diff: dict[str, Any]) -> TicketEvent:
    return _event(ticket, EventType.ASSIGNED, actor, {"changes": diff})


def ticket_commented_event(
    *, ticket: Ticket, actor: User | None, comment_id: int, is_public: bool
) -> TicketEvent:
    return _event(ticket, EventType.COMMENTED, actor, {"comment_id": comment_id, "is_public": is_public})


def ticket_attachment_added_event(
    *, ticket: Ticket, actor: User | None, attachment_id: int, name: str, size: int, content_type: str
) -> TicketEvent:
    return _event(ticket, EventType.ATTACHMENT_ADDED, actor, {
        "attachment_id": attachment_id, "name": name, "size": size, "content_type": content_type,
    })


def ticket_linked_event(
    *, ticket: Ticket, actor: User | None, kind: str, other: Ticket, direction: str
) -> TicketEvent:
    return _event(ticket, EventType.LINKED, actor, {
        "kind": kind, "other_id": other.pk, "other_number": other.number, "direction": direction,
    })


def ticket_unlinked_event(
    *, ticket: Ticket, actor: User | None, kind: str, other: Ticket
) -> TicketEvent:
    return _event(ticket, EventType.UNLINKED, actor, {"kind": kind, "other_id": other.pk,
                                                      "other_number": other.number})


def ticket_merged_event(
    *, ticket: Ticket, actor: User | None, source: Ticket, master: Ticket
) -> TicketEvent:
    role = "master" if ticket.pk == master.pk else "source"
    return _event(ticket, EventType.MERGED, actor, {
        "role": role, "source_id": source.pk, "source_number": source.number,
        "master_id": master.pk, "master_number": master.number,
    })


def ticket_repeat_detected_event(*, ticket: Ticket, previous: Ticket, window_days: int) -> TicketEvent:
    return _event(ticket, EventType.REPEAT_DETECTED, None, {
        "previous_id": previous.pk, "previous_number": previous.number, "window_days": window_days,
    })
