"""Timeline entries written by the notifications app (on the ticket's timeline)."""

from __future__ import annotations

from typing import Any

from complaintdesk.core import clock
from complaintdesk.tickets.choices import EventType
from complaintdesk.tickets.models import TicketEvent


def notification_sent_event(*, ticket_id: int, data: dict[str, Any]) -> TicketEvent:
    """The customer was told (or could not be: ``data["status"] == "skipped"`` with the reason)."""
    return TicketEvent.objects.create(ticket_id=ticket_id, type=EventType.NOTIFICATION_SENT, actor=None,
                                      channel="system", created_at=clock.now(), data=data)
