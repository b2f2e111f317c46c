"""Every read of tickets, scoped by the viewer's data scope.

An id outside the viewer's scope behaves exactly like a missing id (``NotFound``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm, get_access
from complaintdesk.accounts.choices import DataScope
from complaintdesk.accounts.models import Department
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput, NotFound
from complaintdesk.tickets.choices import OPEN_STATUSES, TicketStatus
from complaintdesk.tickets.models import Attachment, Category, Comment, Ticket, TicketEvent, TicketLink

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User


def scope_q(viewer: User) -> Q | None:
    """The data-scope filter for ``viewer``; ``None`` means everything."""
    access = get_access(viewer)
    if access.scope == DataScope.ALL:
        return None
    own = Q(assignee_id=viewer.pk) | Q(created_by_id=viewer.pk)
    if access.scope == DataScope.TEAM:
        return own | Q(team_id__in=list(access.team_ids)) if access.team_ids else own
    if access.scope == DataScope.DEPARTMENT and access.department_path:
        subtree = Department.objects.filter(path__startswith=access.department_path).values("id")
        return own | Q(department_id__in=subtree)
    return own


def visible_tickets(viewer: User) -> QuerySet[Ticket]:
    check_perm(viewer, P.TICKET_VIEW)
    qs = Ticket.objects.all()
    q = scope_q(viewer)
    return qs if q is None else qs.filter(q)


def get_ticket(*, viewer: User, ticket_id: int, for_list: bool = False) -> Ticket:
    ticket = (
        visible_tickets(viewer)
        .select_related("customer", "category", "product", "product__line", "assignee", "team", "department",
                        "created_by", "form_version__form")
        .prefetch_related("tags")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound(f"工单不存在 / Ticket {ticket_id} not found")
    return ticket


def get_ticket_by_number(*, viewer: User, number: str) -> Ticket:
    found = visible_tickets(viewer).filter(number=number).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound(f"工单不存在 / Ticket {number} not found")
    return get_ticket(viewer=viewer, ticket_id=found)


def overdue_q(now: datetime) -> Q:
    """Open tickets past their resolution due time (the list's ``overdue`` filter, the dashboard)."""
    return Q(status__in=OPEN_STATUSES, resolution_due_at__lt=now)


@dataclass
class TicketFilters:
    status: list[str] | None = None
    category_id: int | None = None
    include_subcategories: bool = True
    priority: list[str] | None = None
    channel: list[str] | None = None
    assignee_id: int | None = None
    unassigned: bool | None = None
    team_id: int | None = None
    department_id: int | None = None
    customer_id: int | None = None
    tag: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    overdue: bool | None = None
    is_repeat: bool | None = None
    open_only: bool | None = None
    number: str | None = None
    q: str | None = None
    # A saved view (its condition and search text are added to the filters above) and/or a
    # condition in the one condition format (docs/conditions.md; JSON text or a parsed tree).
    view_id: int | None = None
    condition: Any = None


SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
    "priority": ("priority", "-created_at", "-id"),
    "-priority": ("-priority", "-created_at", "-id"),
    # Tickets without a due time last on both databases (SQLite would put NULL first).
    "resolution_due_at": (F("resolution_due_at").asc(nulls_last=True), "id"),
    "number": ("number",),
    "-number": ("-number",),
    # SLA remaining: tickets whose resolution clock is running (open, not waiting for the customer,
    # with a due time), least time left first; paused, stopped and clock-less tickets after them.
    "sla_remaining": (
        Case(When(status__in=[s for s in OPEN_STATUSES if s != TicketStatus.PENDING_CUSTOMER],
                  resolution_due_at__isnull=False, then=Value(0)),
             default=Value(1), output_field=IntegerField()).asc(),
        F("resolution_due_at").asc(nulls_last=True), "id",
    ),
}

CONDITION_MAX_CHARS = 20000


def parse_condition(condition: Any) -> Any:
    """A condition given as JSON text (a query parameter) or as a parsed tree."""
    if not isinstance(condition, str):
        return condition
    if len(condition) > CONDITION_MAX_CHARS:
        raise InvalidInput(f"条件过长 / The condition is longer than {CONDITION_MAX_CHARS} characters",
                           details={"condition": "too long"})
    try:
        return json.loads(condition)
    except ValueError as exc:
        raise InvalidInput("条件不是有效的JSON / The condition is not valid JSON",
                           details={"condition": str(exc)}) from exc


def condition_filter(condition: Any) -> Q:
    """A condition (docs/conditions.md) as a database filter; 422 when invalid or not queryable."""
    from complaintdesk.expressions.conditions import condition_to_q
    from complaintdesk.expressions.fields import TICKET_FIELDS

    return condition_to_q(parse_condition(condition), catalog=TICKET_FIELDS)


def list_tickets(*, viewer: User, filters: TicketFilters, sort: str = "-created_at") -> QuerySet[Ticket]:
    if sort not in SORTS:
        raise InvalidInput("无效的排序 / Invalid sort", details={"sort": sorted(SORTS)})
    qs = visible_tickets(viewer)
    f = filters
    if f.view_id is not None:
        from complaintdesk.savedviews.queries import get_view

        view = get_view(viewer=viewer, view_id=f.view_id)
        qs = qs.filter(condition_filter(view.condition))
        if view.search:
            qs = _search(qs, view.search)
    if f.condition not in (None, ""):
        qs = qs.filter(condition_filter(f.condition))
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if f.category_id is not None:
        if f.include_subcategories:
            path = Category.objects.filter(pk=f.category_id).values_list("path", flat=True).first() or "-"
            qs = qs.filter(category_id__in=Category.objects.filter(path__startswith=path).values("id"))
        else:
            qs = qs.filter(category_id=f.category_id)
    if f.priority:
        qs = qs.filter(priority__in=f.priority)
    if f.channel:
        qs = qs.filter(channel__in=f.channel)
    if f.assignee_id is not None:
        qs = qs.filter(assignee_id=f.assignee_id)
    if f.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if f.team_id is not None:
        qs = qs.filter(team_id=f.team_id)
    if f.department_id is not None:
        path = Department.objects.filter(pk=f.department_id).values_list("path", flat=True).first() or "-"
        qs = qs.filter(department_id__in=Department.objects.filter(path__startswith=path).values("id"))
    if f.customer_id is not None:
        qs = qs.filter(customer_id=f.customer_id)
    if f.tag:
        qs = qs.filter(tags__name=f.tag)
    if f.created_from is not None:
        qs = qs.filter(created_at__gte=f.created_from)
    if f.created_to is not None:
        qs = qs.filter(created_at__lt=f.created_to)
    if f.overdue:
        qs = qs.filter(overdue_q(clock.now()))
    if f.is_repeat is not None:
        qs = qs.filter(is_repeat=f.is_repeat)
    if f.number:
        qs = qs.filter(number=f.number.strip())
    if f.q:
        qs = _search(qs, f.q)
    return qs.order_by(*SORTS[sort])


def _search(qs: QuerySet[Ticket], q: str) -> QuerySet[Ticket]:
    text = q.strip()[:100]
    return qs.filter(search_text__icontains=text) if text else qs


def with_list_relations(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What a list row shows, in a fixed number of queries whatever the page size (the long
    texts a row does not show are left in the database)."""
    return qs.select_related(
        "customer", "category", "product", "product__line", "assignee", "team", "department"
    ).prefetch_related("tags").defer("description", "search_text", "data")


def list_rows(ids: list[int]) -> list[Ticket]:
    """The list rows of one page of ticket ids (from ``list_tickets``), in the order given.

    A page is two steps (ids, then rows) because PostgreSQL would otherwise join the lookup
    tables to every matching ticket before sorting and cutting the page (text search, deep
    pages): 10-100x slower on a million tickets.
    """
    by_id = {t.pk: t for t in with_list_relations(Ticket.objects.filter(pk__in=ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


def list_events(*, viewer: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The timeline, including the events of tickets merged into this one."""
    merged_ids = list(Ticket.objects.filter(merged_into=ticket).values_list("pk", flat=True))
    return (
        TicketEvent.objects.filter(ticket_id__in=[ticket.pk, *merged_ids])
        .select_related("actor", "ticket")
        .order_by("created_at", "id")
    )


def list_comments(*, viewer: User, ticket: Ticket, public_only: bool = False) -> QuerySet[Comment]:
    merged_ids = list(Ticket.objects.filter(merged_into=ticket).values_list("pk", flat=True))
    qs = Comment.objects.filter(ticket_id__in=[ticket.pk, *merged_ids]).select_related("author", "ticket")
    if public_only:
        qs = qs.filter(is_public=True)
    return qs.order_by("created_at", "id")


def list_attachments(*, viewer: User, ticket: Ticket) -> QuerySet[Attachment]:
    return Attachment.objects.filter(ticket=ticket).select_related("uploaded_by").order_by("created_at", "id")


def get_attachment(*, viewer: User, ticket: Ticket, attachment_id: int) -> Attachment:
    found = Attachment.objects.filter(ticket=ticket, pk=attachment_id).first()
    if found is None:
        raise NotFound("附件不存在 / Attachment not found")
    return found


def list_links(*, viewer: User, ticket: Ticket) -> list[TicketLink]:
    return list(
        TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket))
        .select_related("source", "target")
        .order_by("created_at", "id")
    )


def get_link(*, viewer: User, ticket: Ticket, link_id: int) -> TicketLink:
    link = (
        TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket), pk=link_id)
        .select_related("source", "target")
        .first()
    )
    if link is None:
        raise NotFound("关联不存在 / Link not found")
    return link


def category_tree(*, include_inactive: bool = False) -> list[Category]:
    qs = Category.objects.all() if include_inactive else Category.objects.filter(is_active=True)
    return list(qs.order_by("path", "sort_order", "id"))
