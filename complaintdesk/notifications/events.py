"""Timeline entries written by the notifications app (on the ticket's timeline)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from complaintdesk.tickets.choices import EventType
from complaintdesk.tickets.events import record_timeline_event

if TYPE_CHECKING:
    from complaintdesk.tickets.models import TicketEvent


def notification_sent_event(*, ticket_id: int, data: dict[str, Any]) -> TicketEvent:
    """The customer was told (or could not be: ``data["status"] == "skipped"`` with the reason)."""
    return record_timeline_event(ticket_id=ticket_id, type_=EventType.NOTIFICATION_SENT, channel="system",
                                 data=data)
