"""Bulk operations of the ticket list: the same check and action as the single-ticket endpoints, run
for each selected ticket in its own transaction, so one refused ticket never undoes the others.

The answer lists every ticket with ``ok`` or the reason it was refused. A ticket outside the actor's
data scope is refused as ``not_found``, exactly as opening it would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction

from complaintdesk.core.errors import DomainError, InvalidInput
from complaintdesk.tickets import actions as A
from complaintdesk.tickets import queries

if TYPE_CHECKING:
    from complaintdesk.accounts.models import Department, Team, User
    from complaintdesk.tickets.models import Ticket

MAX_BULK_TICKETS = 500
OPERATIONS = ("assign", "transition", "add_tag", "remove_tag")
UNSET: Any = A.UNSET


@dataclass
class BulkOperation:
    """What to do to each ticket. ``assignee``/``team``/``department`` left UNSET stay as they are."""

    operation: str
    assignee: User | None = UNSET
    team: Team | None = UNSET
    department: Department | None = UNSET
    status: str = ""
    reason: str = ""
    tag: str = ""


@dataclass
class BulkResult:
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return sum(1 for r in self.results if r["ok"])

    @property
    def failed(self) -> int:
        return len(self.results) - self.succeeded


def check_bulk(ids: list[int], op: BulkOperation) -> list[int]:
    """The ids to process (duplicates dropped, order kept); 422 for an empty or too long list."""
    if op.operation not in OPERATIONS:
        raise InvalidInput(f"未知的批量操作 / Unknown operation, one of {list(OPERATIONS)}",
                           details={"operation": list(OPERATIONS)})
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise InvalidInput("请选择工单 / Select at least one ticket", details={"ids": "empty"})
    if len(unique) > MAX_BULK_TICKETS:
        raise InvalidInput(
            f"一次最多处理 {MAX_BULK_TICKETS} 张工单（已选 {len(unique)} 张） / At most {MAX_BULK_TICKETS} tickets "
            f"at once ({len(unique)} selected)", code="too_many", details={"ids": f"max {MAX_BULK_TICKETS}"})
    if op.operation == "assign" and op.assignee is UNSET and op.team is UNSET and op.department is UNSET:
        raise InvalidInput("请指定处理人、团队或部门 / Give assignee_id, team_id or department_id",
                           details={"assignee_id": "required"})
    if op.operation == "transition" and not op.status:
        raise InvalidInput("请指定目标状态 / Give the status", details={"status": "required"})
    if op.operation in ("add_tag", "remove_tag") and not op.tag.strip():
        raise InvalidInput("请指定标签 / Give the tag", details={"tag": "required"})
    return unique


def _apply(actor: User, ticket: Ticket, op: BulkOperation) -> None:
    if op.operation == "assign":
        A.check_assign_ticket(actor, ticket, None if op.assignee is UNSET else op.assignee)
        A.do_assign_ticket(ticket, actor=actor, assignee=op.assignee, team=op.team, department=op.department)
    elif op.operation == "transition":
        A.check_transition_ticket(actor, ticket, op.status)
        A.do_transition_ticket(ticket, actor=actor, to_status=op.status, reason=op.reason)
    else:
        A.check_update_ticket(actor, ticket)
        tag = op.tag.strip()
        current = [t.name for t in ticket.tags.all()]
        if op.operation == "add_tag":
            tags = current if tag in current else [*current, tag]
        else:
            tags = [t for t in current if t != tag]
        A.do_update_ticket(ticket, actor=actor, tags=tags)


def run_bulk(*, actor: User, ids: list[int], op: BulkOperation) -> BulkResult:
    """Run ``op`` on each ticket: load it in the actor's scope, check, act — each in its own
    transaction. Domain errors become that ticket's result; anything else is a bug and propagates."""
    result = BulkResult()
    for ticket_id in check_bulk(ids, op):
        number = None
        try:
            with transaction.atomic():
                ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
                number = ticket.number
                _apply(actor, ticket, op)
        except DomainError as exc:
            result.results.append({"id": ticket_id, "number": number, "ok": False, "code": exc.code,
                                   "message": exc.message})
        else:
            result.results.append({"id": ticket_id, "number": number, "ok": True, "code": "", "message": ""})
    return result
