"""Every write to improvement actions (整改措施). Each ``do_*`` runs in one transaction: change +
audit row (``core.audit``) + domain event (``improvement.created`` / ``improvement.updated``).
``check_*`` functions hold the permission and business checks the API runs first.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm, has_perm
from complaintdesk.core import clock
from complaintdesk.core import events as ev
from complaintdesk.core.audit import changes, check_known_fields, record_audit
from complaintdesk.core.errors import Conflict, InvalidInput, InvalidTransition, PermissionDenied
from complaintdesk.core.sequences import next_value
from complaintdesk.improvement import events as timeline
from complaintdesk.improvement.choices import (
    DONE_STATUSES,
    TRANSITIONS,
    ImprovementKind,
    ImprovementSource,
    ImprovementStatus,
)
from complaintdesk.improvement.models import ImprovementAction

if TYPE_CHECKING:
    from complaintdesk.accounts.models import Department, User
    from complaintdesk.insights.models import Alert
    from complaintdesk.tickets.models import Ticket

# At most this many tickets get an "improvement_linked" timeline entry per action: an alert can
# stand for hundreds of complaints, and their timelines are about the customer's case.
MAX_TIMELINE_TICKETS = 3
MAX_TICKETS = 200
UPDATABLE_FIELDS = {"title", "description", "kind", "department", "owner", "due_date"}


def improvement_payload(action: ImprovementAction, **extra: Any) -> dict[str, Any]:
    owner_ids = [action.owner_id] if action.owner_id else []
    return {
        "improvement_id": action.pk, "number": action.number, "title": action.title, "status": action.status,
        "source": action.source, "alert_id": action.source_alert_id, "department_id": action.department_id,
        "owner_id": action.owner_id, "due_date": action.due_date.isoformat() if action.due_date else None,
        "user_ids": owner_ids, **extra,
    }


def _check_fields(fields: dict[str, Any]) -> None:
    details: dict[str, str] = {}
    if "title" in fields and not str(fields["title"] or "").strip():
        details["title"] = "required"
    if "kind" in fields and fields["kind"] not in ImprovementKind.values:
        details["kind"] = f"one of {ImprovementKind.values}"
    owner = fields.get("owner")
    if owner is not None and not owner.is_active:
        details["owner_id"] = "inactive"
    if details:
        raise InvalidInput("整改措施字段无效 / Invalid improvement action fields", details=details)


def _next_number(now_local_year: int) -> str:
    return f"IA-{now_local_year}-{next_value(f'improvement:{now_local_year}'):04d}"


# --- create ---------------------------------------------------------------------------------


def check_create_improvement(actor: User) -> None:
    check_perm(actor, P.IMPROVEMENT_MANAGE)


def do_create_improvement(
    *,
    actor: User | None,
    title: str,
    description: str = "",
    kind: str = ImprovementKind.CORRECTIVE,
    source: str = ImprovementSource.MANUAL,
    source_alert: Alert | None = None,
    source_key: str = "",
    tickets: list[Ticket] | None = None,
    department: Department | None = None,
    owner: User | None = None,
    due_date: date | None = None,
    timeline_tickets: int | None = None,
) -> ImprovementAction:
    """Open an improvement action. From an alert (``source_alert``) there is at most one per alert
    and from an automatic creator at most one per ``source_key``: a second call returns the
    existing action. The first ``timeline_tickets`` (default: all, at most 3 for alerts) linked
    tickets get an ``improvement_linked`` timeline entry."""
    title = (title or "").strip()
    _check_fields({"title": title, "kind": kind, "owner": owner})
    if source not in ImprovementSource.values:
        raise InvalidInput("未知来源 / Unknown source", details={"source": f"one of {ImprovementSource.values}"})
    if source == ImprovementSource.ALERT and source_alert is None:
        raise InvalidInput("预警来源需要预警 / An alert-sourced action needs its alert", details={"source": "alert"})
    linked = list({t.pk: t for t in tickets or []}.values())
    if len(linked) > MAX_TICKETS:
        raise InvalidInput(f"最多关联{MAX_TICKETS}个工单 / At most {MAX_TICKETS} tickets",
                           details={"ticket_ids": "too many"})
    existing = _existing(source=source, source_alert=source_alert, source_key=source_key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            now = clock.now()
            action = ImprovementAction.objects.create(
                number=_next_number(timezone.localtime(now).year), title=title[:200], description=description,
                kind=kind, source=source, source_alert=source_alert, source_key=source_key,
                department=department, owner=owner, due_date=due_date, status=ImprovementStatus.OPEN,
                created_by=actor if actor is not None and actor.pk else None, created_at=now, updated_at=now,
            )
            if linked:
                action.tickets.set(linked)
            if timeline_tickets is None:
                timeline_tickets = MAX_TIMELINE_TICKETS if source == ImprovementSource.ALERT else len(linked)
            for ticket in linked[:timeline_tickets]:
                timeline.improvement_linked_event(ticket=ticket, actor=actor, action=action)
            record_audit(actor=actor, action="improvement.created", obj=action, data={
                "number": action.number, "title": action.title, "source": source,
                "alert_id": action.source_alert_id, "ticket_ids": [t.pk for t in linked],
            })
            ev.publish(ev.IMPROVEMENT_CREATED, improvement_payload(action))
    except IntegrityError:
        # Another transaction created the action for this alert / key first.
        found = _existing(source=source, source_alert=source_alert, source_key=source_key)
        if found is None:
            raise
        return found
    return action


def _existing(*, source: str, source_alert: Alert | None, source_key: str) -> ImprovementAction | None:
    if source == ImprovementSource.ALERT and source_alert is not None:
        return ImprovementAction.objects.filter(source=source, source_alert=source_alert).first()
    if source_key:
        return ImprovementAction.objects.filter(source_key=source_key).first()
    return None


# --- update ---------------------------------------------------------------------------------


def check_update_improvement(actor: User, action: ImprovementAction) -> None:
    check_perm(actor, P.IMPROVEMENT_MANAGE)
    if action.status in DONE_STATUSES:
        raise Conflict("已关闭或取消的整改措施不能修改 / A closed or cancelled action cannot change",
                       details={"status": action.status})


def do_update_improvement(action: ImprovementAction, *, actor: User | None, **fields: Any) -> ImprovementAction:
    """Change title, description, kind, department, owner or due date (audited, one event)."""
    check_known_fields(fields, UPDATABLE_FIELDS)
    if "title" in fields:
        fields["title"] = str(fields["title"] or "").strip()[:200]
    _check_fields(fields)
    with transaction.atomic():
        _locked(action)
        diff = changes(action, fields)
        if not diff:
            return action
        for name, value in fields.items():
            setattr(action, name, value)
        action.updated_at = clock.now()
        action.save(update_fields=[*diff, "updated_at"])
        record_audit(actor=actor, action="improvement.updated", obj=action, data=diff)
        ev.publish(ev.IMPROVEMENT_UPDATED, improvement_payload(action, changes=sorted(diff)))
    return action


def do_link_tickets(action: ImprovementAction, *, actor: User | None, tickets: list[Ticket]) -> ImprovementAction:
    """Add complaints to an action (each gets a timeline entry); already linked ones are skipped."""
    with transaction.atomic():
        _locked(action)
        known = set(action.tickets.values_list("pk", flat=True))
        new = [t for t in {t.pk: t for t in tickets}.values() if t.pk not in known]
        if len(known) + len(new) > MAX_TICKETS:
            raise InvalidInput(f"最多关联{MAX_TICKETS}个工单 / At most {MAX_TICKETS} tickets",
                               details={"ticket_ids": "too many"})
        if not new:
            return action
        action.tickets.add(*new)
        for ticket in new:
            timeline.improvement_linked_event(ticket=ticket, actor=actor, action=action)
        action.updated_at = clock.now()
        action.save(update_fields=["updated_at"])
        ids = [t.pk for t in new]
        record_audit(actor=actor, action="improvement.tickets_linked", obj=action, data={"ticket_ids": ids})
        ev.publish(ev.IMPROVEMENT_UPDATED, improvement_payload(action, changes=["tickets"], ticket_ids=ids))
    return action


# --- status ---------------------------------------------------------------------------------


def allowed_transitions(action: ImprovementAction) -> tuple[str, ...]:
    return TRANSITIONS.get(action.status, ())


def check_transition_improvement(actor: User, action: ImprovementAction, to_status: str) -> None:
    """Managers may move any action; its owner may work it (but not cancel it)."""
    owner_may = action.owner_id == actor.pk and to_status != ImprovementStatus.CANCELLED
    if not owner_may and not has_perm(actor, P.IMPROVEMENT_MANAGE):
        raise PermissionDenied(
            f"您没有此操作的权限 / You lack the permission {P.IMPROVEMENT_MANAGE!r}",
            details={"permission": P.IMPROVEMENT_MANAGE},
        )
    _check_transition(action, to_status)


def _check_transition(action: ImprovementAction, to_status: str) -> None:
    if to_status not in ImprovementStatus.values:
        raise InvalidInput("未知状态 / Unknown status", details={"status": f"one of {ImprovementStatus.values}"})
    if to_status not in allowed_transitions(action):
        raise InvalidTransition(
            f"不能从“{action.get_status_display()}”变为该状态 / Cannot move from {action.status} to {to_status}",
            details={"from": action.status, "to": to_status, "allowed": list(allowed_transitions(action))},
        )


def do_transition_improvement(
    action: ImprovementAction, *, actor: User | None, to_status: str, note: str = ""
) -> ImprovementAction:
    """Move the action along its lifecycle (open → in_progress → verifying → closed, or cancelled);
    closing records ``closed_at`` and the note as the resolution."""
    with transaction.atomic():
        _locked(action)
        _check_transition(action, to_status)
        old = action.status
        now = clock.now()
        action.status = to_status
        action.updated_at = now
        update = ["status", "updated_at"]
        if to_status == ImprovementStatus.IN_PROGRESS and action.started_at is None:
            action.started_at = now
            update.append("started_at")
        if to_status in DONE_STATUSES:
            action.closed_at = now
            update.append("closed_at")
            if note:
                action.resolution = note
                update.append("resolution")
        action.save(update_fields=update)
        record_audit(actor=actor, action="improvement.status_changed", obj=action,
                     data={"old": old, "new": to_status, "note": note})
        ev.publish(ev.IMPROVEMENT_UPDATED, improvement_payload(action, changes=["status"], old_status=old))
    return action


def _locked(action: ImprovementAction) -> None:
    fresh = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    for field in ImprovementAction._meta.concrete_fields:
        setattr(action, field.attname, getattr(fresh, field.attname))
