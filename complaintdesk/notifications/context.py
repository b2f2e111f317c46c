"""Plain-value contexts for templates: ticket fields, the event, the recipient.

Only str / int / bool / None, dicts and lists leave this module (see ``render.py``). Times are
formatted in the organisation's time zone (CD_TIME_ZONE, default Asia/Shanghai).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from complaintdesk.core import events as ev

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.tickets.models import Ticket


def local_time(value: datetime | None) -> str:
    """``2026-03-10 12:00`` in the organisation's time zone; "" for no time."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def ticket_link(ticket_id: int) -> str:
    return f"{settings.PUBLIC_URL}/tickets/{ticket_id}"


def ticket_context(ticket: Ticket) -> dict[str, Any]:
    """The ticket fields templates may use (``{{ ticket.number }}`` ...)."""
    customer = ticket.customer
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "status_label": ticket.get_status_display(),
        "priority": ticket.priority,
        "priority_label": ticket.get_priority_display(),
        "channel": ticket.channel,
        "channel_label": ticket.get_channel_display(),
        "category": ticket.category.name if ticket.category_id and ticket.category else "",
        "customer_name": customer.name if customer is not None else "",
        "assignee": (ticket.assignee.display_name or ticket.assignee.username) if ticket.assignee else "",
        "created_at": local_time(ticket.created_at),
        "first_response_due_at": local_time(ticket.first_response_due_at),
        "resolution_due_at": local_time(ticket.resolution_due_at),
        "link": ticket_link(ticket.pk),
    }


def _plain(value: Any, depth: int = 0) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if depth < 3 and isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if depth < 3 and isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value[:50]]
    return str(value)


def event_context(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The event name, its description and its payload values (``{{ event.level }}``)."""
    described = ev.REGISTRY.get(name)
    return {**_plain(payload), "name": name, "description": described.description if described else ""}


def recipient_context(user: User | None) -> dict[str, Any]:
    if user is None:
        return {}
    return {"id": user.pk, "username": user.username, "display_name": user.display_name or user.username}


def build_context(
    *, ticket: Ticket | None, event: str, payload: dict[str, Any], recipient: User | None = None
) -> dict[str, Any]:
    return {
        "ticket": ticket_context(ticket) if ticket is not None else {},
        "event": event_context(event, payload),
        "recipient": recipient_context(recipient),
        "site": {"url": settings.PUBLIC_URL},
    }
