"""Saved views: the only code that creates, changes and deletes them (audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm, has_perm
from complaintdesk.accounts.models import Role, Team
from complaintdesk.core import clock
from complaintdesk.core.audit import changes, check_known_fields, record_audit
from complaintdesk.core.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.expressions.conditions import check_condition, compile_condition
from complaintdesk.expressions.fields import TICKET_FIELDS
from complaintdesk.savedviews.choices import COLUMNS, PAGE_SIZES, Sharing
from complaintdesk.savedviews.models import SavedView
from complaintdesk.tickets.queries import SORTS

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

EDITABLE = {"name", "sharing", "role", "team", "condition", "search", "columns", "sort", "page_size"}


def problems_of(*, owner: User, exclude_id: int | None = None, **values: Any) -> dict[str, str]:
    """Every problem of a view's values at once, by field (bilingual messages)."""
    out: dict[str, str] = {}
    if "name" in values:
        name = str(values["name"] or "").strip()
        if not name:
            out["name"] = "名称不能为空 / A name is required"
        elif len(name) > 100:
            out["name"] = "名称最多100个字符 / At most 100 characters"
        elif SavedView.objects.filter(owner=owner, name=name).exclude(pk=exclude_id or 0).exists():
            out["name"] = "已有同名视图 / You already have a view with this name"
    sharing = values.get("sharing")
    if sharing is not None:
        if sharing not in Sharing.values:
            out["sharing"] = f"必须是 {'/'.join(Sharing.values)} 之一 / One of {Sharing.values}"
        elif sharing == Sharing.ROLE and values.get("role") is None:
            out["role_id"] = "请选择角色 / Choose the role to share with"
        elif sharing == Sharing.TEAM and values.get("team") is None:
            out["team_id"] = "请选择团队 / Choose the team to share with"
    if "condition" in values:
        problems = check_condition(values["condition"], catalog=TICKET_FIELDS)
        if problems:
            out["condition"] = "; ".join(f"{p.path or '/'}: {p.message}" for p in problems[:10])
        elif not compile_condition(values["condition"], catalog=TICKET_FIELDS).queryable:
            out["condition"] = ("视图条件不能包含公式（需在数据库中执行） / A view's condition cannot contain formulas "
                                "(it runs as a database query)")
    if "columns" in values:
        cols = values["columns"]
        if not isinstance(cols, list) or not cols:
            out["columns"] = "至少选择一列 / Choose at least one column"
        else:
            unknown = [c for c in cols if c not in COLUMNS]
            if unknown:
                out["columns"] = f"未知的列 / Unknown columns: {', '.join(map(str, unknown[:5]))}"
            elif len(set(cols)) != len(cols):
                out["columns"] = "列重复 / A column is listed twice"
    if "sort" in values and values["sort"] not in SORTS:
        out["sort"] = f"无效的排序 / Sort must be one of {sorted(SORTS)}"
    if "page_size" in values and values["page_size"] not in PAGE_SIZES:
        out["page_size"] = f"每页条数必须是 {PAGE_SIZES} 之一 / Page size must be one of {list(PAGE_SIZES)}"
    if "search" in values and len(str(values["search"] or "")) > 200:
        out["search"] = "搜索文字最多200个字符 / At most 200 characters"
    return out


def _raise_problems(problems: dict[str, str]) -> None:
    if problems:
        first = next(iter(problems.values()))
        more = f" (+{len(problems) - 1})" if len(problems) > 1 else ""
        raise InvalidInput(f"{first}{more}", details=problems)


def _check_sharing(actor: User, sharing: str, team: Team | None) -> None:
    if sharing == Sharing.PRIVATE:
        return
    if has_perm(actor, P.VIEW_SHARE):
        return
    if sharing == Sharing.TEAM and team is not None and actor.teams.filter(pk=team.pk).exists():
        return  # anyone may share with a team they belong to
    raise PermissionDenied("无权共享视图 / You may not share views this way (permission view.share)",
                           code="permission_denied", details={"sharing": sharing})


def check_create_view(actor: User, *, sharing: str, team: Team | None) -> None:
    check_perm(actor, P.TICKET_VIEW)
    if sharing in Sharing.values:
        _check_sharing(actor, sharing, team)


def check_change_view(actor: User, view: SavedView) -> None:
    """The owner changes their views; holders of view.share also curate the shared ones."""
    check_perm(actor, P.TICKET_VIEW)
    if view.owner_id == actor.pk:
        return
    if view.sharing != Sharing.PRIVATE and has_perm(actor, P.VIEW_SHARE):
        return
    if view.sharing == Sharing.PRIVATE:  # someone else's private view does not exist for the actor
        raise NotFound(f"视图不存在 / View {view.pk} not found")
    raise PermissionDenied("只有创建人可以修改此视图 / Only the owner may change this view")


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    if "name" in fields:
        fields["name"] = str(fields["name"] or "").strip()
    if "sharing" in fields:
        if fields["sharing"] != Sharing.ROLE:
            fields["role"] = None
        if fields["sharing"] != Sharing.TEAM:
            fields["team"] = None
    if "search" in fields:
        fields["search"] = str(fields["search"] or "").strip()
    return fields


def do_create_view(*, owner: User, name: str, sharing: str = Sharing.PRIVATE, role: Role | None = None,
                   team: Team | None = None, condition: Any = None, search: str = "",
                   columns: list[str] | None = None, sort: str = "-created_at", page_size: int = 20) -> SavedView:
    from complaintdesk.savedviews.choices import DEFAULT_COLUMNS

    values = _normalise({
        "name": name, "sharing": sharing, "role": role, "team": team,
        "condition": condition if condition is not None else {"all": []}, "search": search,
        "columns": list(columns) if columns is not None else list(DEFAULT_COLUMNS), "sort": sort,
        "page_size": page_size,
    })
    _raise_problems(problems_of(owner=owner, **values))
    with transaction.atomic():
        view = SavedView.objects.create(owner=owner, **values)
        record_audit(actor=owner, action="view.created", obj=view, data={"name": view.name, "sharing": view.sharing})
    return view


def do_update_view(view: SavedView, *, actor: User, **fields: Any) -> SavedView:
    check_known_fields(fields, EDITABLE)
    fields = _normalise(dict(fields))
    merged = {"sharing": fields.get("sharing", view.sharing), "role": fields.get("role", view.role),
              "team": fields.get("team", view.team), **{k: v for k, v in fields.items()
                                                        if k not in ("sharing", "role", "team")}}
    _raise_problems(problems_of(owner=view.owner, exclude_id=view.pk, **merged))
    with transaction.atomic():
        diff = changes(view, fields)
        if not diff:
            return view
        for name, value in fields.items():
            setattr(view, name, value)
        view.updated_at = clock.now()
        view.save(update_fields=[*diff, "updated_at"])
        record_audit(actor=actor, action="view.updated", obj=view, data=diff)
    return view


def do_delete_view(view: SavedView, *, actor: User) -> None:
    with transaction.atomic():
        record_audit(actor=actor, action="view.deleted", obj=view, data={"name": view.name})
        view.delete()
