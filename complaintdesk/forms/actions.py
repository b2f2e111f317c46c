"""Every write to forms and their versions. Each ``do_*`` runs in one transaction with its audit
row; ``check_*`` hold the permission checks the API (and any caller acting for a user) runs first.

Version rules: a form has at most one draft; publishing turns the draft into the published
version and archives the previous one; a published or archived version never changes (also
guarded in ``FormVersion.save``); a new draft starts as a copy of the latest published version.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.core import clock
from complaintdesk.core import events as ev
from complaintdesk.core.audit import changes, record_audit
from complaintdesk.core.errors import Conflict, InvalidInput
from complaintdesk.forms.choices import FieldAccess, VersionStatus
from complaintdesk.forms.models import FieldPermission, Form, FormVersion, empty_schema
from complaintdesk.forms.schema import InvalidSchema, canonical_schema, structural_problems, validate_schema
from complaintdesk.tickets.choices import Channel

if TYPE_CHECKING:
    from complaintdesk.accounts.models import Role, User
    from complaintdesk.tickets.models import Category

FORM_FIELDS = frozenset({"name", "name_en", "description", "category", "channels", "is_public", "public_slug"})
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")


def check_admin_forms(actor: User) -> None:
    check_perm(actor, P.FORM_ADMIN)


def _check_form_fields(fields: dict[str, Any], form: Form | None) -> None:
    details: dict[str, str] = {}
    if "name" in fields and not str(fields["name"] or "").strip():
        details["name"] = "required"
    for name, limit in (("name", 100), ("name_en", 100), ("description", 5000)):
        if name in fields and len(str(fields[name] or "")) > limit:
            details[name] = f"at most {limit} characters"
    if "channels" in fields:
        channels = fields["channels"]
        if not isinstance(channels, list) or any(c not in Channel.values for c in channels) or \
                len(set(channels)) != len(channels):
            details["channels"] = f"distinct values of {Channel.values}"
    slug = fields.get("public_slug", form.public_slug if form else None)
    if slug is not None and not SLUG_RE.match(slug):
        details["public_slug"] = "lower-case letters, digits, '-' and '_' (64 at most)"
    is_public = fields.get("is_public", form.is_public if form else False)
    if is_public and not slug:
        details["public_slug"] = "required for a public form"
    if details:
        raise InvalidInput("表单信息无效 / Invalid form settings", details=details)
    if is_public and slug:
        clash = Form.objects.filter(is_public=True, public_slug=slug)
        if form is not None:
            clash = clash.exclude(pk=form.pk)
        if clash.exists():
            raise Conflict(f"公开地址已被占用 / The public slug {slug!r} is taken", details={"public_slug": "taken"})


def _check_schema_shape(schema: Any) -> dict[str, Any]:
    problems = structural_problems(schema)
    if problems:
        raise InvalidSchema(problems)
    return canonical_schema(schema)


def do_create_form(*, key: str, name: str, actor: User | None, schema: dict[str, Any] | None = None,
                   category: Category | None = None, **fields: Any) -> Form:
    """A new form with an empty (or the given) draft as version 1."""
    unknown = set(fields) - FORM_FIELDS
    if unknown:
        raise InvalidInput(f"unknown fields: {sorted(unknown)}")
    if not isinstance(key, str) or not SLUG_RE.match(key):
        raise InvalidInput("表单标识无效 / Invalid form key",
                           details={"key": "lower-case letters, digits, '-' and '_' (64 at most)"})
    fields = {"name": name.strip(), "category": category, **fields}
    _check_form_fields(fields, None)
    draft_schema = _check_schema_shape(schema) if schema is not None else empty_schema()
    with transaction.atomic():
        if Form.objects.filter(key=key).exists():
            raise Conflict(f"表单标识已存在 / Form key {key!r} exists", details={"key": "taken"})
        now = clock.now()
        form = Form.objects.create(key=key, created_at=now, updated_at=now, created_by=actor, **fields)
        FormVersion.objects.create(form=form, number=1, status=VersionStatus.DRAFT, schema=draft_schema,
                                   created_at=now, updated_at=now, created_by=actor)
        record_audit(actor=actor, action="form.created", obj=form, data={"key": key, "name": form.name})
    return form


def do_update_form(form: Form, *, actor: User | None, **fields: Any) -> Form:
    unknown = set(fields) - FORM_FIELDS
    if unknown:
        raise InvalidInput(f"unknown fields: {sorted(unknown)}")
    if "name" in fields:
        fields["name"] = str(fields["name"] or "").strip()
    with transaction.atomic():
        form = Form.objects.select_for_update().get(pk=form.pk)
        _check_form_fields(fields, form)
        diff = changes(form, fields)
        if diff:
            for name, value in fields.items():
                setattr(form, name, value)
            form.updated_at = clock.now()
            form.save(update_fields=[*diff, "updated_at"])
            record_audit(actor=actor, action="form.updated", obj=form, data=diff)
    return form


def _latest_published(form: Form) -> FormVersion | None:
    return form.versions.exclude(status=VersionStatus.DRAFT).order_by("-number").first()


def _new_draft(form: Form, *, schema: dict[str, Any] | None, actor: User | None) -> FormVersion:
    base = _latest_published(form)
    number = (form.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    now = clock.now()
    return FormVersion.objects.create(
        form=form, number=number, status=VersionStatus.DRAFT,
        schema=schema if schema is not None else (base.schema if base else empty_schema()),
        based_on=base.number if base else None, created_at=now, updated_at=now, created_by=actor,
    )


def do_ensure_draft(form: Form, *, actor: User | None) -> FormVersion:
    """The form's draft, created as a copy of the latest published version when there is none."""
    with transaction.atomic():
        form = Form.objects.select_for_update().get(pk=form.pk)
        draft = form.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is None:
            draft = _new_draft(form, schema=None, actor=actor)
            record_audit(actor=actor, action="form.draft_created", obj=form,
                         data={"version": draft.number, "based_on": draft.based_on})
    return draft


def do_save_draft(form: Form, *, schema: Any, actor: User | None, base_revision: int | None = None) -> FormVersion:
    """Replace the draft's schema (creating the draft if needed). A draft may hold problems;
    only publishing refuses them. ``base_revision`` guards against overwriting a colleague's save."""
    clean = _check_schema_shape(schema)
    with transaction.atomic():
        form = Form.objects.select_for_update().get(pk=form.pk)
        draft = form.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is None:
            draft = _new_draft(form, schema=clean, actor=actor)
        else:
            if base_revision is not None and base_revision != draft.revision:
                raise Conflict("草稿已被他人修改，请刷新后重试 / The draft was changed by someone else; reload it",
                               details={"revision": draft.revision})
            draft.schema = clean
            draft.revision += 1
            draft.updated_at = clock.now()
            draft.save(update_fields=["schema", "revision", "updated_at"])
        record_audit(actor=actor, action="form.draft_saved", obj=form,
                     data={"version": draft.number, "revision": draft.revision})
    return draft


def do_discard_draft(form: Form, *, actor: User | None) -> None:
    with transaction.atomic():
        form = Form.objects.select_for_update().get(pk=form.pk)
        draft = form.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is None:
            raise Conflict("没有草稿 / The form has no draft", details={"draft": None})
        if _latest_published(form) is None:
            raise Conflict("表单尚未发布，不能丢弃唯一的草稿 / "
                           "The only version of an unpublished form cannot be discarded")
        number = draft.number
        draft.delete()
        record_audit(actor=actor, action="form.draft_discarded", obj=form, data={"version": number})


def do_publish_draft(form: Form, *, actor: User | None) -> FormVersion:
    """Publish the draft after validating it (every problem at once, ``InvalidSchema``)."""
    with transaction.atomic():
        form = Form.objects.select_for_update().get(pk=form.pk)
        draft = form.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is None:
            raise Conflict("没有可发布的草稿 / The form has no draft to publish", details={"draft": None})
        problems = validate_schema(draft.schema)
        if problems:
            raise InvalidSchema(problems)
        now = clock.now()
        previous = form.versions.filter(status=VersionStatus.PUBLISHED).first()
        if previous is not None:
            previous.status = VersionStatus.ARCHIVED
            previous.archived_at = now
            previous.save(update_fields=["status", "archived_at"])
        draft.status = VersionStatus.PUBLISHED
        draft.published_at = now
        draft.published_by = actor
        draft.save(update_fields=["status", "published_at", "published_by"])
        form.updated_at = now
        form.save(update_fields=["updated_at"])
        record_audit(actor=actor, action="form.published", obj=form,
                     data={"version": draft.number, "version_id": draft.pk,
                           "archived": previous.number if previous else None})
        ev.publish(ev.FORM_PUBLISHED, {
            "form_id": form.pk, "key": form.key, "version_id": draft.pk, "number": draft.number,
            "archived_version_id": previous.pk if previous else None,
        })
    return draft


# --- field-level permissions ----------------------------------------------------------------


def _form_field_keys(form: Form) -> set[str]:
    keys: set[str] = set()
    for schema in form.versions.values_list("schema", flat=True):
        for raw in (schema or {}).get("fields", []) if isinstance(schema, dict) else []:
            if isinstance(raw, dict) and isinstance(raw.get("key"), str):
                keys.add(raw["key"])
    return keys


def do_set_field_permissions(form: Form, *, rules: list[tuple[str, Role, str]], actor: User | None) -> list[
        FieldPermission]:
    """Replace the form's field rules with ``rules`` (``(field_key, role, access)``); a field key
    must exist in one of the form's versions."""
    known = _form_field_keys(form)
    details: dict[str, str] = {}
    seen: set[tuple[str, int]] = set()
    for i, (key, role, access) in enumerate(rules):
        if key not in known:
            details[f"rules[{i}].field_key"] = f"表单没有字段 {key[:64]} / the form has no field {key[:64]!r}"
        if access not in FieldAccess.values:
            details[f"rules[{i}].access"] = f"one of {FieldAccess.values}"
        if (key, role.pk) in seen:
            details[f"rules[{i}]"] = "duplicate field and role"
        seen.add((key, role.pk))
    if details:
        raise InvalidInput("字段权限无效 / Invalid field permissions", details=details)
    with transaction.atomic():
        form = Form.objects.select_for_update().get(pk=form.pk)
        old = sorted([r.field_key, r.role.key, r.access] for r in form.field_permissions.select_related("role"))
        form.field_permissions.all().delete()
        created = FieldPermission.objects.bulk_create(
            [FieldPermission(form=form, field_key=key, role=role, access=access) for key, role, access in rules])
        new = sorted([key, role.key, access] for key, role, access in rules)
        if old != new:
            record_audit(actor=actor, action="form.field_permissions_changed", obj=form, data={"old": old, "new": new})
    return created
