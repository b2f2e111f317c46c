"""Reads of forms and versions, scoped by what the viewer may do.

Form administrators (``form.admin``) see every form and version, drafts included. People who
register or handle complaints (``ticket.create`` / ``ticket.view``) see forms that have been
published, and their published and archived versions (tickets pinned to an archived version are
still shown with it); to them a draft does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import get_access
from complaintdesk.core.errors import NotFound, PermissionDenied
from complaintdesk.forms.choices import VersionStatus
from complaintdesk.forms.models import Form, FormVersion

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User


def is_form_admin(viewer: User) -> bool:
    return P.FORM_ADMIN in get_access(viewer).permissions


def check_read_forms(viewer: User) -> None:
    perms = get_access(viewer).permissions
    if not perms & {P.FORM_ADMIN, P.TICKET_VIEW, P.TICKET_CREATE}:
        raise PermissionDenied("您没有查看表单的权限 / You lack the permission to read forms",
                               details={"permission": [P.TICKET_VIEW, P.TICKET_CREATE]})


def _published_exists() -> Exists:
    return Exists(FormVersion.objects.filter(form=OuterRef("pk"), status=VersionStatus.PUBLISHED))


def visible_forms(viewer: User) -> QuerySet[Form]:
    check_read_forms(viewer)
    qs = Form.objects.all()
    return qs if is_form_admin(viewer) else qs.filter(_published_exists())


def list_forms(*, viewer: User, q: str | None = None, channel: str | None = None,
               category_id: int | None = None) -> list[Form]:
    """Forms with their published and draft versions attached (two queries in all)."""
    qs = visible_forms(viewer).select_related("category").order_by("id")
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(name__icontains=q) | Q(key__icontains=q) | Q(name_en__icontains=q))
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    forms: list[Form] = list(qs.prefetch_related(Prefetch(
        "versions", queryset=FormVersion.objects.exclude(status=VersionStatus.ARCHIVED).only(
            "id", "form_id", "number", "status", "revision", "updated_at", "published_at"),
        to_attr="current_versions")))
    if channel:
        # channels is a JSON list: filtering in Python keeps SQLite and PostgreSQL identical.
        forms = [f for f in forms if channel in (f.channels or [])]
    return forms


def get_form(*, viewer: User, form_id: int) -> Form:
    form = visible_forms(viewer).select_related("category").filter(pk=form_id).first()
    if form is None:
        raise NotFound(f"表单不存在 / Form {form_id} not found")
    return form


def form_condition_fields(*, viewer: User, form_key: str) -> list[dict[str, Any]]:
    """The custom fields of the form's published version as condition-builder fields
    (``data.<key>``; ``expr.ticket_data_fields``). 404 for an unknown or unpublished form."""
    from complaintdesk.forms.expr import ticket_data_fields
    from complaintdesk.forms.schema import compile_schema

    form = visible_forms(viewer).filter(key=form_key).first()
    version = form.versions.filter(status=VersionStatus.PUBLISHED).first() if form is not None else None
    if version is None:
        raise NotFound(f"表单不存在或未发布 / Form {form_key!r} not found or not published")
    return ticket_data_fields(compile_schema(version.schema).value_fields())


def list_versions(*, viewer: User, form: Form) -> QuerySet[FormVersion]:
    qs = form.versions.select_related("created_by", "published_by").order_by("-number")
    return qs if is_form_admin(viewer) else qs.exclude(status=VersionStatus.DRAFT)


def get_version(*, viewer: User, form: Form, number: int) -> FormVersion:
    version = list_versions(viewer=viewer, form=form).filter(number=number).first()
    if version is None:
        raise NotFound(f"表单版本不存在 / Version {number} of form {form.key} not found")
    return version


def get_version_by_id(*, viewer: User, version_id: int) -> FormVersion:
    qs = FormVersion.objects.select_related("form", "created_by", "published_by").filter(pk=version_id)
    if not is_form_admin(viewer):
        check_read_forms(viewer)
        qs = qs.exclude(status=VersionStatus.DRAFT)
    version = qs.first()
    if version is None:
        raise NotFound(f"表单版本不存在 / Form version {version_id} not found")
    return version


def get_published_version(*, form: Form) -> FormVersion:
    version = form.versions.filter(status=VersionStatus.PUBLISHED).first()
    if version is None:
        raise NotFound(f"表单 {form.key} 尚未发布 / Form {form.key} has no published version")
    return version


def get_draft(*, form: Form) -> FormVersion | None:
    return form.versions.filter(status=VersionStatus.DRAFT).first()


def list_region_divisions(*, parent: str | None) -> list[dict[str, Any]]:
    """China's divisions one level at a time: the provinces, or the children of ``parent`` (404 when
    unknown). Served to signed-in users and to public forms alike."""
    from complaintdesk.forms.regions import region_data

    data = region_data()
    if parent is not None and data.get(parent) is None:
        raise NotFound(f"行政区划不存在 / Unknown division {parent[:12]!r}")
    return [{"code": d.code, "name": d.name, "level": d.level, "has_children": bool(d.children)}
            for d in data.children(parent)]
