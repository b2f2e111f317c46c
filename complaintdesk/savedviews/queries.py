"""Reads of saved views: a viewer sees their own views and those shared with them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.core.errors import NotFound
from complaintdesk.savedviews.choices import Sharing
from complaintdesk.savedviews.models import SavedView

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User


def visible_views(viewer: User) -> QuerySet[SavedView]:
    check_perm(viewer, P.TICKET_VIEW)
    shared = (Q(sharing=Sharing.EVERYONE)
              | Q(sharing=Sharing.ROLE, role__in=viewer.roles.values("id"))
              | Q(sharing=Sharing.TEAM, team__in=viewer.teams.values("id")))
    return SavedView.objects.filter(Q(owner_id=viewer.pk) | shared).select_related("owner", "role", "team")


def list_views(*, viewer: User) -> QuerySet[SavedView]:
    """Mine first, then the shared ones, each by name."""
    mine = Case(When(owner_id=viewer.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
    return visible_views(viewer).order_by(mine, "name", "id")


def get_view(*, viewer: User, view_id: int) -> SavedView:
    view = visible_views(viewer).filter(pk=view_id).first()
    if view is None:
        raise NotFound(f"视图不存在 / View {view_id} not found")
    return view


def condition_fields(*, viewer: User, form_key: str | None = None, queryable: bool = False) -> list[dict[str, Any]]:
    """The fields a ticket condition may name (the condition builder's list): the ticket catalog's, plus the
    custom fields of form ``form_key`` as ``data.<key>``; only those that compile to SQL with ``queryable``."""
    from complaintdesk.expressions.fields import TICKET_FIELDS

    check_perm(viewer, P.TICKET_VIEW)
    fields = TICKET_FIELDS.describe()
    if form_key:
        from complaintdesk.forms.queries import form_condition_fields

        # A form's subject / description / order_number fields are the ticket's own (already listed).
        known = {f["name"] for f in fields}
        fields += [f for f in form_condition_fields(viewer=viewer, form_key=form_key)
                   if f["name"] not in known and f["name"].removeprefix("data.") not in known]
    return [f for f in fields if f["queryable"]] if queryable else fields
