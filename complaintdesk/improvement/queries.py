"""Every read of improvement actions. Managers (``improvement.manage``) see all of them; anyone
else sees only the actions they own. An action outside that behaves like a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import has_perm
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput, NotFound
from complaintdesk.improvement.choices import ACTIVE_STATUSES, ImprovementSource, ImprovementStatus
from complaintdesk.improvement.models import ImprovementAction

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User


def visible_improvements(viewer: User) -> QuerySet[ImprovementAction]:
    qs = ImprovementAction.objects.all()
    return qs if has_perm(viewer, P.IMPROVEMENT_MANAGE) else qs.filter(owner_id=viewer.pk)


def with_relations(qs: QuerySet[ImprovementAction]) -> QuerySet[ImprovementAction]:
    return qs.select_related("department", "owner", "created_by", "source_alert__rule").prefetch_related("tickets")


def get_improvement(*, viewer: User, improvement_id: int) -> ImprovementAction:
    found = with_relations(visible_improvements(viewer)).filter(pk=improvement_id).first()
    if found is None:
        raise NotFound(f"整改措施不存在 / Improvement action {improvement_id} not found")
    return found


@dataclass
class ImprovementFilters:
    status: list[str] | None = None
    source: str | None = None
    owner_id: int | None = None
    department_id: int | None = None
    alert_id: int | None = None
    ticket_id: int | None = None
    overdue: bool | None = None
    q: str | None = None


def list_improvements(*, viewer: User, filters: ImprovementFilters) -> QuerySet[ImprovementAction]:
    if filters.status and any(s not in ImprovementStatus.values for s in filters.status):
        raise InvalidInput("未知状态 / Unknown status", details={"status": ImprovementStatus.values})
    if filters.source is not None and filters.source not in ImprovementSource.values:
        raise InvalidInput("未知来源 / Unknown source", details={"source": ImprovementSource.values})
    qs = visible_improvements(viewer)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.department_id is not None:
        qs = qs.filter(department_id=filters.department_id)
    if filters.alert_id is not None:
        qs = qs.filter(source_alert_id=filters.alert_id)
    if filters.ticket_id is not None:
        qs = qs.filter(tickets__id=filters.ticket_id)
    if filters.overdue is not None:
        today: date = clock.local_now().date()
        overdue = {"status__in": ACTIVE_STATUSES, "due_date__lt": today}
        qs = qs.filter(**overdue) if filters.overdue else qs.exclude(**overdue)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(number__iexact=filters.q.strip()))
    return with_relations(qs.order_by("-created_at", "-id"))
