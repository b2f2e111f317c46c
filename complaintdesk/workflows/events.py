"""Timeline entries of the workflow engine: one helper per event type, called inside the action's
transaction. Each carries the node, the work item and the reason the person gave."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from complaintdesk.tickets.choices import EventType
from complaintdesk.tickets.events import record_timeline_event

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.tickets.models import Ticket, TicketEvent
    from complaintdesk.workflows.models import ProcessInstance, WorkItem


def _event(ticket_id: int, type_: str, actor: User | None, data: dict[str, Any]) -> TicketEvent:
    return record_timeline_event(ticket_id=ticket_id, type_=type_, actor=actor, data=data)


def _item_data(item: WorkItem, **extra: Any) -> dict[str, Any]:
    return {"work_item_id": item.pk, "instance_id": item.instance_id, "node_id": item.node_id,
            "node_name": item.node_name, **extra}


def process_started_event(*, instance: ProcessInstance, actor: User | None, process_key: str,
                          version: int) -> TicketEvent:
    return _event(instance.ticket_id, EventType.PROCESS_STARTED, actor, {
        "instance_id": instance.pk, "process": process_key, "version": version})


def process_ended_event(*, instance: ProcessInstance, actor: User | None, type_: str, reason: str = ""
                        ) -> TicketEvent:
    return _event(instance.ticket_id, type_, actor, {"instance_id": instance.pk, "status": instance.status,
                                                      "reason": reason})


def task_event(*, item: WorkItem, type_: str, actor: User | None, **data: Any) -> TicketEvent:
    return _event(item.ticket_id, type_, actor, _item_data(item, **data))


def cc_event(*, ticket: Ticket, actor: User | None, user_ids: list[int], comment: str,
             instance_id: int | None) -> TicketEvent:
    return _event(ticket.pk, EventType.TASK_CC, actor, {"instance_id": instance_id, "user_ids": user_ids,
                                                        "comment": comment})
