"""Reopening: within the window the old ticket (and its SLA clock) resumes; later, a follow-up ticket
linked to the old one is opened instead (the window is the runtime option ``sla.reopen_window_days``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from complaintdesk.core import clock
from complaintdesk.core.errors import Conflict
from complaintdesk.core.options import get_option
from complaintdesk.sla.options import REOPEN_WINDOW_DAYS
from complaintdesk.tickets.choices import LinkKind, TicketStatus
from complaintdesk.tickets.models import Ticket

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

REOPENABLE = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def reopen_deadline(ticket: Ticket) -> datetime | None:
    """Until when the ticket may be reopened (``None``: it is not resolved or closed)."""
    done_at = ticket.resolved_at or ticket.closed_at
    if done_at is None:
        return None
    return done_at + timedelta(days=int(get_option(REOPEN_WINDOW_DAYS.key)))


def within_reopen_window(ticket: Ticket, *, now: datetime | None = None) -> bool:
    deadline = reopen_deadline(ticket)
    return deadline is None or (now or clock.now()) <= deadline


def check_reopen_window(ticket: Ticket) -> None:
    """Called by the ticket lifecycle before a move to ``reopened``."""
    if not within_reopen_window(ticket):
        days = int(get_option(REOPEN_WINDOW_DAYS.key))
        raise Conflict(
            f"已超过 {days} 天重开期限，请创建跟进工单 / Past the {days}-day reopen window: open a follow-up ticket "
            f"(POST /api/v1/tickets/{ticket.pk}/reopen)",
            code="reopen_window_passed",
            details={"reopen_window_days": days, "deadline": str(reopen_deadline(ticket))},
        )


def check_reopen_or_follow_up(actor: User, ticket: Ticket) -> None:
    from complaintdesk.accounts import permissions as P
    from complaintdesk.accounts.access import check_perm

    check_perm(actor, P.TICKET_TRANSITION)
    if ticket.status not in REOPENABLE:
        raise Conflict(
            "只有已解决或已关闭的工单可以重开 / Only a resolved or closed ticket can be reopened",
            code="invalid_transition", details={"status": ticket.status},
        )
    if ticket.merged_into_id is not None:
        raise Conflict("工单已合并，不能重开 / A merged ticket cannot be reopened")
    if not within_reopen_window(ticket):
        check_perm(actor, P.TICKET_CREATE)


def do_reopen_or_follow_up(ticket: Ticket, *, actor: User | None, reason: str = "") -> tuple[Ticket, bool]:
    """Reopen ``ticket`` within the window (its clock resumes); otherwise open a follow-up ticket
    linked to it. Returns ``(the ticket now worked on, reopened)``."""
    from complaintdesk.tickets.actions import do_create_ticket, do_link_tickets, do_transition_ticket

    if within_reopen_window(ticket):
        return do_transition_ticket(ticket, actor=actor, to_status=TicketStatus.REOPENED, reason=reason), True
    with transaction.atomic():
        follow_up, _ = do_create_ticket(
            actor=actor, subject=f"[跟进 Follow-up {ticket.number}] {ticket.subject}"[:300], channel=ticket.channel,
            description=reason or ticket.description, customer=ticket.customer, category=ticket.category,
            product=ticket.product, order_number=ticket.order_number, urgency=ticket.urgency, impact=ticket.impact,
            priority=ticket.priority, team=ticket.team, department=ticket.department, assignee=_active(ticket),
        )
        do_link_tickets(follow_up, ticket, kind=LinkKind.RELATED, actor=actor)
    return follow_up, False


def _active(ticket: Ticket) -> User | None:
    assignee = ticket.assignee
    return assignee if assignee is not None and assignee.is_active else None
