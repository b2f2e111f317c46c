"""Timeline entries of the SLA clock (one helper per event type). Actions call these in their transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complaintdesk.tickets.choices import EventType
from complaintdesk.tickets.events import record_timeline_event, timeline_row
from complaintdesk.tickets.models import Ticket, TicketEvent


def build_event(ticket_id: int, type_: str, at: datetime, data: dict[str, Any]) -> TicketEvent:
    """An unsaved timeline row (the sweep inserts many at once)."""
    return timeline_row(ticket_id=ticket_id, type_=type_, at=at, data=data)


def _event(ticket: Ticket, type_: str, at: datetime, data: dict[str, Any]) -> TicketEvent:
    return record_timeline_event(ticket_id=ticket.pk, type_=type_, at=at, data=data)


def sla_applied_event(*, ticket: Ticket, at: datetime, data: dict[str, Any]) -> TicketEvent:
    return _event(ticket, EventType.SLA_APPLIED, at, data)


def sla_paused_event(*, ticket: Ticket, at: datetime, data: dict[str, Any]) -> TicketEvent:
    return _event(ticket, EventType.SLA_PAUSED, at, data)


def sla_resumed_event(*, ticket: Ticket, at: datetime, data: dict[str, Any]) -> TicketEvent:
    return _event(ticket, EventType.SLA_RESUMED, at, data)


EVENT_TYPE_OF_CHECKPOINT = {
    "warning": EventType.SLA_WARNING,
    "breach": EventType.SLA_BREACHED,
    "escalation": EventType.SLA_ESCALATED,
}
