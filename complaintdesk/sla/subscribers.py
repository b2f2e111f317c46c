"""The SLA app's reactions to ticket events (in process, after the ticket's transaction commits)."""

from __future__ import annotations

import logging

from complaintdesk.core import events as ev
from complaintdesk.sla import clocks
from complaintdesk.tickets.choices import TicketStatus
from complaintdesk.tickets.models import Ticket

logger = logging.getLogger(__name__)


def _ticket(event: ev.DomainEvent) -> Ticket | None:
    ticket_id = event.payload.get("ticket_id")
    return Ticket.objects.filter(pk=ticket_id).first() if ticket_id else None


@ev.subscribe(ev.TICKET_CREATED)
def apply_policy_on_create(event: ev.DomainEvent) -> None:
    """A new ticket runs on the first policy (by order) whose condition matches."""
    ticket = _ticket(event)
    if ticket is not None and not hasattr(ticket, "sla"):
        clocks.do_apply_sla(ticket, policy=None, reason="ticket.created")


@ev.subscribe(ev.TICKET_UPDATED)
def recompute_on_priority_change(event: ev.DomainEvent) -> None:
    if "priority" in (event.payload.get("changes") or []):
        ticket = _ticket(event)
        if ticket is not None:
            clocks.do_recompute_sla(ticket, reason="priority_changed")


@ev.subscribe(ev.TICKET_COMMENTED)
def first_response(event: ev.DomainEvent) -> None:
    if event.payload.get("is_public"):
        ticket = _ticket(event)
        if ticket is not None and ticket.first_response_at is not None:
            clocks.do_first_response_met(ticket)


@ev.subscribe(ev.TICKET_STATUS_CHANGED)
def follow_status(event: ev.DomainEvent) -> None:
    """pending_customer pauses; leaving it resumes; resolved/closed/cancelled stop; reopened resumes."""
    ticket = _ticket(event)
    if ticket is None:
        return
    old, new = event.payload.get("old"), event.payload.get("new")
    if new == TicketStatus.PENDING_CUSTOMER:
        clocks.do_pause_sla(ticket)
    elif new in clocks.STOPPED_STATUSES:
        clocks.do_stop_sla(ticket)
    elif new == TicketStatus.REOPENED:
        clocks.do_resume_sla(ticket, reason="reopened")
    elif old == TicketStatus.PENDING_CUSTOMER:
        clocks.do_resume_sla(ticket, reason="customer_replied")
