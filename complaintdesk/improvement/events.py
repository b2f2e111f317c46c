"""Timeline helpers of the improvement app: the ``improvement_linked`` entry on a complaint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from complaintdesk.tickets.choices import EventType
from complaintdesk.tickets.events import record_timeline_event

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.improvement.models import ImprovementAction
    from complaintdesk.tickets.models import Ticket, TicketEvent


def improvement_linked_event(*, ticket: Ticket, actor: User | None, action: ImprovementAction) -> TicketEvent:
    """Append "关联整改" to the ticket's timeline (the ticket itself does not change)."""
    return record_timeline_event(
        ticket_id=ticket.pk, type_=EventType.IMPROVEMENT_LINKED, actor=actor,
        data={"improvement_id": action.pk, "number": action.number, "title": action.title,
              "source": action.source, "alert_id": action.source_alert_id},
    )
