"""Timeline helpers of the improvement app: the ``improvement_linked`` entry on a complaint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from complaintdesk.core import clock
from complaintdesk.core.context import current_channel
from complaintdesk.tickets.choices import EventType
from complaintdesk.tickets.models import TicketEvent

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.improvement.models import ImprovementAction
    from complaintdesk.tickets.models import Ticket


def improvement_linked_event(*, ticket: Ticket, actor: User | None, action: ImprovementAction) -> TicketEvent:
    """Append "关联整改" to the ticket's timeline (the ticket itself does not change)."""
    return TicketEvent.objects.create(
        ticket=ticket, type=EventType.IMPROVEMENT_LINKED, actor=actor, channel=current_channel(),
        created_at=clock.now(),
        data={"improvement_id": action.pk, "number": action.number, "title": action.title,
              "source": action.source, "alert_id": action.source_alert_id},
    )
