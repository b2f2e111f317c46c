"""Timeline entries the rules engine writes on tickets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from complaintdesk.tickets.choices import EventType
from complaintdesk.tickets.events import record_timeline_event

if TYPE_CHECKING:
    from complaintdesk.rules.models import RuleRun
    from complaintdesk.tickets.models import Ticket, TicketEvent


def rule_run_event(*, ticket: Ticket, run: RuleRun) -> TicketEvent:
    """A matched rule ran on the ticket: which rule (and version), for which event, what it did."""
    return record_timeline_event(
        ticket_id=ticket.pk, type_=EventType.RULE_RUN, at=run.created_at,
        data={
            "run_id": run.pk, "rule_id": run.rule_id, "rule_name": run.rule_name, "version": run.rule_version,
            "event": run.event, "depth": run.depth,
            "actions": [{"type": a.get("type"), "ok": a.get("ok"), "description": a.get("description", ""),
                         **({"error": a["error"]} if "error" in a else {})} for a in run.actions],
            "errors": list(run.errors),
        },
    )
