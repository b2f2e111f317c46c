"""REST endpoints of the improvement app: improvement actions (整改措施)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from complaintdesk.accounts.models import Department, User
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput
from complaintdesk.core.schemas import ERRORS, paginate, user_ref
from complaintdesk.improvement import actions as A
from complaintdesk.improvement import queries
from complaintdesk.improvement.choices import ACTIVE_STATUSES, ImprovementSource
from complaintdesk.improvement.models import ImprovementAction
from complaintdesk.improvement.schemas import (
    ImprovementIn,
    ImprovementOut,
    ImprovementPage,
    ImprovementPatch,
    ImprovementTransitionIn,
)
from complaintdesk.tickets.models import Ticket
from complaintdesk.tickets.queries import visible_tickets

router = Router(tags=["improvement"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def improvement_out(a: ImprovementAction) -> dict[str, Any]:
    alert = a.source_alert
    today = clock.local_now().date()
    return {
        "id": a.pk, "number": a.number, "title": a.title, "description": a.description, "kind": a.kind,
        "source": a.source,
        "source_alert": {"id": alert.pk, "rule_id": alert.rule_id, "rule_name": alert.rule.name,
                         "group_label": alert.group_label, "level": alert.level, "status": alert.status}
        if alert is not None else None,
        "tickets": [{"id": t.pk, "number": t.number} for t in sorted(a.tickets.all(), key=lambda t: t.pk)],
        "department": {"id": a.department.pk, "name": a.department.name} if a.department else None,
        "owner": user_ref(a.owner), "due_date": a.due_date,
        "overdue": a.status in ACTIVE_STATUSES and a.due_date is not None and a.due_date < today,
        "status": a.status, "allowed_transitions": list(A.allowed_transitions(a)), "resolution": a.resolution,
        "created_by": user_ref(a.created_by), "created_at": a.created_at, "updated_at": a.updated_at,
        "started_at": a.started_at, "closed_at": a.closed_at,
    }


def _user(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidInput(f"{field} 不存在 / Unknown {field}", details={field: user_id})
    return user


def _department(dept_id: int | None) -> Department | None:
    if dept_id is None:
        return None
    dept = Department.objects.filter(pk=dept_id).first()
    if dept is None:
        raise InvalidInput("部门不存在 / Unknown department", details={"department_id": dept_id})
    return dept


def _tickets(actor: User, ids: list[int], field: str) -> list[Ticket]:
    """The tickets ``actor`` may see among ``ids``; any other id is refused as unknown."""
    if not ids:
        return []
    found = {t.pk: t for t in visible_tickets(actor).filter(pk__in=set(ids))}
    missing = sorted(set(ids) - set(found))
    if missing:
        raise InvalidInput("工单不存在 / Unknown tickets", details={field: missing[:20]})
    return [found[i] for i in dict.fromkeys(ids)]


class ImprovementListParams(Schema):
    status: list[str] | None = None
    source: str | None = None
    owner_id: int | None = None
    department_id: int | None = None
    alert_id: int | None = None
    ticket_id: int | None = None
    overdue: bool | None = None
    q: str | None = None
    page: int = 1
    page_size: int = 50


@router.get("/improvements", response={200: ImprovementPage, **ERRORS},
            summary="Improvement actions (managers: all; others: the ones they own)")
def list_improvements(request: HttpRequest, params: Query[ImprovementListParams]) -> Any:
    filters = queries.ImprovementFilters(
        status=params.status, source=params.source, owner_id=params.owner_id, department_id=params.department_id,
        alert_id=params.alert_id, ticket_id=params.ticket_id, overdue=params.overdue,
        q=(params.q or "").strip()[:100] or None,
    )
    items, meta = paginate(queries.list_improvements(viewer=_actor(request), filters=filters),
                           params.page, params.page_size)
    return {**meta, "items": [improvement_out(a) for a in items]}


@router.post("/improvements", response={201: ImprovementOut, **ERRORS},
             summary="Open an improvement action (from complaints, or by hand)")
def create_improvement(request: HttpRequest, payload: ImprovementIn) -> Any:
    actor = _actor(request)
    A.check_create_improvement(actor)
    tickets = _tickets(actor, payload.ticket_ids, "ticket_ids")
    action = A.do_create_improvement(
        actor=actor, title=payload.title, description=payload.description, kind=payload.kind,
        source=ImprovementSource.TICKET if tickets else ImprovementSource.MANUAL, tickets=tickets,
        department=_department(payload.department_id), owner=_user(payload.owner_id, "owner_id"),
        due_date=payload.due_date,
    )
    return Status(201, improvement_out(queries.get_improvement(viewer=actor, improvement_id=action.pk)))


@router.get("/improvements/{improvement_id}", response={200: ImprovementOut, **ERRORS},
            summary="One improvement action with its alert and tickets")
def get_improvement(request: HttpRequest, improvement_id: int) -> Any:
    return improvement_out(queries.get_improvement(viewer=_actor(request), improvement_id=improvement_id))


@router.patch("/improvements/{improvement_id}", response={200: ImprovementOut, **ERRORS},
              summary="Change an improvement action (title, owner, department, due date, more tickets)")
def update_improvement(request: HttpRequest, improvement_id: int, payload: ImprovementPatch) -> Any:
    actor = _actor(request)
    action = queries.get_improvement(viewer=actor, improvement_id=improvement_id)
    A.check_update_improvement(actor, action)
    data = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {k: data[k] for k in ("title", "description", "kind") if data.get(k) is not None}
    if "due_date" in data:
        fields["due_date"] = data["due_date"]
    if "owner_id" in data:
        fields["owner"] = _user(data["owner_id"], "owner_id")
    if "department_id" in data:
        fields["department"] = _department(data["department_id"])
    new_tickets = _tickets(actor, data.get("add_ticket_ids") or [], "add_ticket_ids")
    A.do_update_improvement(action, actor=actor, **fields)
    if new_tickets:
        A.do_link_tickets(action, actor=actor, tickets=new_tickets)
    return improvement_out(queries.get_improvement(viewer=actor, improvement_id=improvement_id))


@router.post("/improvements/{improvement_id}/transition", response={200: ImprovementOut, **ERRORS},
             summary="Move an improvement action: in_progress, verifying, closed or cancelled")
def transition_improvement(request: HttpRequest, improvement_id: int, payload: ImprovementTransitionIn) -> Any:
    actor = _actor(request)
    action = queries.get_improvement(viewer=actor, improvement_id=improvement_id)
    A.check_transition_improvement(actor, action, payload.status)
    A.do_transition_improvement(action, actor=actor, to_status=payload.status, note=payload.note)
    return improvement_out(queries.get_improvement(viewer=actor, improvement_id=improvement_id))


