"""Saved views of the ticket list (``/views``) and the ticket condition fields for the builder."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Query, Router, Schema
from ninja.responses import Status

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm, has_perm
from complaintdesk.accounts.models import Role, Team, User
from complaintdesk.core.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.core.schemas import ERRORS, user_ref
from complaintdesk.savedviews import actions as A
from complaintdesk.savedviews import queries
from complaintdesk.savedviews.choices import COLUMNS, DEFAULT_COLUMNS, PAGE_SIZES, Sharing
from complaintdesk.savedviews.models import SavedView
from complaintdesk.savedviews.schemas import (
    ConditionFieldOut,
    SavedViewIn,
    SavedViewOut,
    SavedViewPatch,
    ViewOptionsOut,
)
from complaintdesk.tickets.queries import SORTS

router = Router(tags=["views"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _can_edit(viewer: User, view: SavedView) -> bool:
    try:
        A.check_change_view(viewer, view)
    except (PermissionDenied, NotFound):
        return False
    return True


def view_out(view: SavedView, viewer: User) -> dict[str, Any]:
    return {
        "id": view.pk, "name": view.name, "owner": user_ref(view.owner), "mine": view.owner_id == viewer.pk,
        "can_edit": _can_edit(viewer, view), "sharing": view.sharing,
        "role": {"id": view.role.pk, "key": view.role.key, "name": view.role.name} if view.role_id and view.role
        else None,
        "team": {"id": view.team.pk, "name": view.team.name} if view.team_id and view.team else None,
        "condition": view.condition, "search": view.search, "columns": view.columns, "sort": view.sort,
        "page_size": view.page_size, "created_at": view.created_at, "updated_at": view.updated_at,
    }


def _role(role_id: int | None) -> Role | None:
    if role_id is None:
        return None
    role = Role.objects.filter(pk=role_id).first()
    if role is None:
        raise InvalidInput("角色不存在 / Unknown role", details={"role_id": f"role {role_id} not found"})
    return role


def _team(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise InvalidInput("团队不存在 / Unknown team", details={"team_id": f"team {team_id} not found"})
    return team


class ConditionFieldParams(Schema):
    form: str | None = NinjaField(None, description="A form key: add its published version's custom fields as "
                                                    "data.<key> (with the operators tickets can evaluate)")
    queryable: bool = NinjaField(False, description="Only fields that compile to SQL (saved views, reports)")


@router.get("/conditions/fields", response={200: list[ConditionFieldOut], **ERRORS},
            summary="The ticket fields a condition may name: type, labels, operators, choices (for the builder)")
def condition_fields(request: HttpRequest, params: Query[ConditionFieldParams]) -> Any:
    return queries.condition_fields(viewer=_actor(request), form_key=params.form, queryable=params.queryable)


@router.get("/views/options", response={200: ViewOptionsOut, **ERRORS},
            summary="What a saved view may hold: columns, sorts, page sizes, sharing modes")
def view_options(request: HttpRequest) -> Any:
    actor = _actor(request)
    check_perm(actor, P.TICKET_VIEW)
    return {"columns": list(COLUMNS), "default_columns": list(DEFAULT_COLUMNS), "sorts": list(SORTS),
            "page_sizes": list(PAGE_SIZES), "sharing": list(Sharing.values),
            "can_share": has_perm(actor, P.VIEW_SHARE)}


@router.get("/views", response={200: list[SavedViewOut], **ERRORS},
            summary="My saved views and those shared with me (everyone, my roles, my teams)")
def list_views(request: HttpRequest) -> Any:
    actor = _actor(request)
    return [view_out(v, actor) for v in queries.list_views(viewer=actor)[:500]]


@router.post("/views", response={201: SavedViewOut, **ERRORS},
             summary="Save a view (422 with a message per field when something is wrong)")
def create_view(request: HttpRequest, payload: SavedViewIn) -> Any:
    actor = _actor(request)
    team = _team(payload.team_id) if payload.sharing == Sharing.TEAM else None
    A.check_create_view(actor, sharing=payload.sharing, team=team)
    view = A.do_create_view(
        owner=actor, name=payload.name, sharing=payload.sharing,
        role=_role(payload.role_id) if payload.sharing == Sharing.ROLE else None, team=team,
        condition=payload.condition, search=payload.search, columns=payload.columns, sort=payload.sort,
        page_size=payload.page_size,
    )
    return Status(201, view_out(queries.get_view(viewer=actor, view_id=view.pk), actor))


@router.get("/views/{view_id}", response={200: SavedViewOut, **ERRORS}, summary="One saved view")
def get_view(request: HttpRequest, view_id: int) -> Any:
    actor = _actor(request)
    return view_out(queries.get_view(viewer=actor, view_id=view_id), actor)


@router.patch("/views/{view_id}", response={200: SavedViewOut, **ERRORS},
              summary="Change a saved view (its owner; holders of view.share for shared views)")
def update_view(request: HttpRequest, view_id: int, payload: SavedViewPatch) -> Any:
    actor = _actor(request)
    view = queries.get_view(viewer=actor, view_id=view_id)
    A.check_change_view(actor, view)
    data = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {k: v for k, v in data.items() if k not in ("role_id", "team_id") and v is not None}
    if "role_id" in data:
        fields["role"] = _role(data["role_id"])
    if "team_id" in data:
        fields["team"] = _team(data["team_id"])
    sharing = fields.get("sharing", view.sharing)
    if sharing != view.sharing or "team" in fields or "role" in fields:
        A.check_create_view(actor, sharing=sharing, team=fields.get("team", view.team))
    A.do_update_view(view, actor=actor, **fields)
    return view_out(queries.get_view(viewer=actor, view_id=view_id), actor)


@router.delete("/views/{view_id}", response={204: None, **ERRORS}, summary="Delete a saved view")
def delete_view(request: HttpRequest, view_id: int) -> Any:
    actor = _actor(request)
    view = queries.get_view(viewer=actor, view_id=view_id)
    A.check_change_view(actor, view)
    A.do_delete_view(view, actor=actor)
    return Status(204, None)
