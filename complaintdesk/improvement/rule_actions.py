"""The "create_improvement" rule action (整改措施), registered with the rules engine in
``ImprovementConfig.ready()``.

Parameters: ``title`` (required; ``{number}`` and ``{subject}`` are replaced by the ticket's),
``description``, ``kind``, ``department_id``, ``owner_id``, ``due_days`` (default 14). One rule
opens at most one action per ticket (idempotency key ``rule:<id>:ticket:<id>``), however often the
rule runs again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from complaintdesk.core import clock
from complaintdesk.improvement.choices import ImprovementKind, ImprovementSource

if TYPE_CHECKING:
    from complaintdesk.rules.registry import ActionContext
    from complaintdesk.tickets.models import Ticket

KNOWN_PARAMS = {"title", "description", "kind", "department_id", "owner_id", "due_days"}


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def validate(params: dict[str, Any]) -> list[str]:
    from complaintdesk.accounts.models import Department, User

    problems: list[str] = []
    if not isinstance(params, dict):
        return ["参数必须是对象 / Parameters must be an object"]
    unknown = sorted(set(params) - KNOWN_PARAMS)
    if unknown:
        problems.append(f"未知参数 {unknown} / Unknown parameters {unknown}")
    title = params.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        problems.append("title 必填（最多200字）/ title is required (at most 200 characters)")
    if not isinstance(params.get("description", ""), str):
        problems.append("description 必须是文本 / description must be text")
    if params.get("kind", ImprovementKind.CORRECTIVE) not in ImprovementKind.values:
        problems.append(f"kind 必须是 {ImprovementKind.values} 之一 / kind must be one of {ImprovementKind.values}")
    due_days = params.get("due_days", 14)
    if not isinstance(due_days, int) or isinstance(due_days, bool) or not 0 <= due_days <= 3650:
        problems.append("due_days 必须是0到3650的整数 / due_days must be an integer from 0 to 3650")
    dept_id = params.get("department_id")
    if dept_id is not None and (not _is_id(dept_id) or not Department.objects.filter(pk=dept_id).exists()):
        problems.append(f"部门不存在 / Unknown department {dept_id!r}")
    owner_id = params.get("owner_id")
    if owner_id is not None and (not _is_id(owner_id)
                                 or not User.objects.filter(pk=owner_id, is_active=True).exists()):
        problems.append(f"负责人不存在或已停用 / Unknown or inactive owner {owner_id!r}")
    return problems


def _title(ticket: Ticket, params: dict[str, Any]) -> str:
    return str(params.get("title", "")).replace("{number}", ticket.number).replace("{subject}", ticket.subject)


def describe(ticket: Ticket, params: dict[str, Any]) -> str:
    return f"创建整改措施“{_title(ticket, params)}” / Open improvement action {_title(ticket, params)!r}"


def run(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.accounts.models import Department, User
    from complaintdesk.improvement.actions import do_create_improvement

    ticket = ctx.ticket
    department = Department.objects.filter(pk=params["department_id"]).first() \
        if params.get("department_id") is not None else None
    owner = User.objects.filter(pk=params["owner_id"], is_active=True).first() \
        if params.get("owner_id") is not None else None
    if owner is None and department is not None and department.manager_id:
        owner = department.manager if department.manager and department.manager.is_active else None
    due = clock.local_now().date() + timedelta(days=int(params.get("due_days", 14)))
    action = do_create_improvement(
        actor=None, title=_title(ticket, params), description=str(params.get("description", "")),
        kind=str(params.get("kind", ImprovementKind.CORRECTIVE)), source=ImprovementSource.TICKET,
        source_key=f"rule:{ctx.rule_id}:ticket:{ticket.pk}", tickets=[ticket], department=department,
        owner=owner, due_date=due,
    )
    return {"improvement_id": action.pk, "number": action.number}


def register() -> None:
    from complaintdesk.rules.registry import register_action

    register_action("create_improvement", label="创建整改措施", label_en="Create an improvement action",
                    validate=validate, describe=describe, run=run)
