"""Form endpoints: definitions, drafts, publishing, versions, diff, JSON Schema export, evaluation,
and the designer's palette (field types, China regions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from complaintdesk.accounts.models import Role, User
from complaintdesk.core.errors import InvalidInput, NotFound
from complaintdesk.core.schemas import ERRORS, user_ref
from complaintdesk.expressions.formula.functions import CATEGORIES, FUNCTIONS
from complaintdesk.forms import queries
from complaintdesk.forms.actions import (
    check_admin_forms,
    do_create_form,
    do_discard_draft,
    do_ensure_draft,
    do_publish_draft,
    do_save_draft,
    do_set_field_permissions,
    do_update_form,
)
from complaintdesk.forms.diff import diff_schemas
from complaintdesk.forms.engine import EvaluationContext, evaluate_form
from complaintdesk.forms.export import export_json_schema
from complaintdesk.forms.fieldtypes import FIELD_TYPES
from complaintdesk.forms.models import Form, FormVersion
from complaintdesk.forms.schema import compile_schema, validate_schema
from complaintdesk.forms.schemas import (
    DiffOut,
    DraftEvaluateIn,
    DraftIn,
    DraftOut,
    EvaluateIn,
    EvaluateOut,
    FieldPermissionOut,
    FieldPermissionsIn,
    FieldTypeOut,
    FormIn,
    FormOut,
    FormPatch,
    FormulaFunctionOut,
    RegionOut,
    VersionOut,
    VersionSummaryOut,
)
from complaintdesk.tickets.models import Category

router = Router(tags=["forms"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- serialisation --------------------------------------------------------------------------


def _version_ref(v: FormVersion | None) -> dict[str, Any] | None:
    return None if v is None else {"id": v.pk, "number": v.number, "status": v.status, "revision": v.revision}


def form_out(form: Form, *, admin: bool) -> dict[str, Any]:
    current = getattr(form, "current_versions", None)
    if current is None:
        current = list(form.versions.exclude(status="archived"))
    published = next((v for v in current if v.status == "published"), None)
    draft = next((v for v in current if v.status == "draft"), None) if admin else None
    category = form.category
    return {
        "id": form.pk, "key": form.key, "name": form.name, "name_en": form.name_en, "description": form.description,
        "category": {"id": category.pk, "key": category.key, "name": category.name} if category else None,
        "channels": list(form.channels or []), "is_public": form.is_public, "public_slug": form.public_slug,
        "published_version": _version_ref(published), "draft_version": _version_ref(draft),
        "created_at": form.created_at, "updated_at": form.updated_at,
    }


def _field_count(schema: Any) -> int:
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return len(fields) if isinstance(fields, list) else 0


def version_summary(v: FormVersion) -> dict[str, Any]:
    return {
        "id": v.pk, "form_id": v.form_id, "number": v.number, "status": v.status, "revision": v.revision,
        "based_on": v.based_on, "field_count": _field_count(v.schema), "created_at": v.created_at,
        "created_by": user_ref(v.created_by), "updated_at": v.updated_at, "published_at": v.published_at,
        "published_by": user_ref(v.published_by), "archived_at": v.archived_at,
    }


def version_out(v: FormVersion) -> dict[str, Any]:
    return {**version_summary(v), "schema": v.schema}


def draft_out(v: FormVersion) -> dict[str, Any]:
    return {**version_out(v), "problems": [p.as_dict() for p in validate_schema(v.schema)]}


def _category(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise InvalidInput("分类不存在 / Unknown category", details={"category_id": category_id})
    return category


def _evaluate(request: HttpRequest, version: FormVersion | None, schema: Any, payload: EvaluateIn) -> dict[str, Any]:
    compiled = compile_schema(schema)
    form_key = version.form.key if version is not None else "preview"
    context = EvaluationContext(viewer=_actor(request), serial_scope=form_key, url_params=payload.url_params)
    result = evaluate_form(compiled, payload.values, context=context)
    return {"version": _version_ref(version), **result.as_dict()}


def _admin_form(request: HttpRequest, form_id: int) -> Form:
    actor = _actor(request)
    check_admin_forms(actor)
    return queries.get_form(viewer=actor, form_id=form_id)


# --- palette --------------------------------------------------------------------------------


@router.get("/forms/field-types", response={200: list[FieldTypeOut], **ERRORS},
            summary="Every field type with its settings and zh/en labels (the designer's palette)")
def list_field_types(request: HttpRequest) -> Any:
    return [t.palette_entry() for t in FIELD_TYPES.values()]


@router.get("/formulas/functions", response={200: list[FormulaFunctionOut], **ERRORS},
            summary="Every formula function from the engine's registry (the designer's function list)")
def list_formula_functions(request: HttpRequest) -> Any:
    order = list(CATEGORIES)
    specs = sorted(FUNCTIONS.values(), key=lambda s: (order.index(s.category), s.name))
    return [{
        "name": s.name, "category": s.category,
        "category_label": {"zh-CN": CATEGORIES[s.category][0], "en": CATEGORIES[s.category][1]},
        "min_args": s.min_args, "max_args": s.max_args if s.max_args < 254 else None,
        "description": {"zh-CN": s.description_zh, "en": s.description_en}, "example": s.example,
        "volatile": s.volatile,
    } for s in specs]


@router.get("/forms/regions", response={200: list[RegionOut], **ERRORS},
            summary="China's administrative divisions (GB/T 2260): provinces, or the children of a code")
def list_regions(request: HttpRequest, parent: str | None = None) -> Any:
    return queries.list_region_divisions(parent=parent)


# --- forms ----------------------------------------------------------------------------------


@router.get("/forms", response={200: list[FormOut], **ERRORS}, summary="Forms (administrators also see drafts)")
def list_forms(request: HttpRequest, q: str | None = None, channel: str | None = None,
               category_id: int | None = None) -> Any:
    actor = _actor(request)
    admin = queries.is_form_admin(actor)
    return [form_out(f, admin=admin) for f in
            queries.list_forms(viewer=actor, q=q, channel=channel, category_id=category_id)]


@router.post("/forms", response={201: FormOut, **ERRORS}, summary="Create a form (version 1 is a draft)")
def create_form(request: HttpRequest, payload: FormIn) -> Any:
    actor = _actor(request)
    check_admin_forms(actor)
    form = do_create_form(
        key=payload.key, name=payload.name, name_en=payload.name_en, description=payload.description,
        category=_category(payload.category_id), channels=payload.channels, is_public=payload.is_public,
        public_slug=payload.public_slug, schema=payload.schema_, actor=actor,
    )
    return Status(201, form_out(queries.get_form(viewer=actor, form_id=form.pk), admin=True))


@router.get("/forms/versions/{version_id}", response={200: VersionOut, **ERRORS}, by_alias=True,
            summary="A form version by id (tickets pin this id)")
def get_version_by_id(request: HttpRequest, version_id: int) -> Any:
    return version_out(queries.get_version_by_id(viewer=_actor(request), version_id=version_id))


@router.get("/forms/{form_id}", response={200: FormOut, **ERRORS}, summary="One form")
def get_form(request: HttpRequest, form_id: int) -> Any:
    actor = _actor(request)
    return form_out(queries.get_form(viewer=actor, form_id=form_id), admin=queries.is_form_admin(actor))


@router.patch("/forms/{form_id}", response={200: FormOut, **ERRORS}, summary="Change a form's settings")
def update_form(request: HttpRequest, form_id: int, payload: FormPatch) -> Any:
    actor = _actor(request)
    form = _admin_form(request, form_id)
    data = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {k: v for k, v in data.items() if k != "category_id" and (v is not None or
                                                                                        k == "public_slug")}
    if "category_id" in data:
        fields["category"] = _category(data["category_id"])
    do_update_form(form, actor=actor, **fields)
    return form_out(queries.get_form(viewer=actor, form_id=form_id), admin=True)


# --- the draft ------------------------------------------------------------------------------


@router.get("/forms/{form_id}/draft", response={200: DraftOut, **ERRORS}, by_alias=True,
            summary="The draft with its publish problems (created from the latest published version if none)")
def get_draft(request: HttpRequest, form_id: int) -> Any:
    form = _admin_form(request, form_id)
    return draft_out(do_ensure_draft(form, actor=_actor(request)))


@router.put("/forms/{form_id}/draft", response={200: DraftOut, **ERRORS}, by_alias=True,
            summary="Replace the draft's schema (problems are reported, only publishing refuses them)")
def save_draft(request: HttpRequest, form_id: int, payload: DraftIn) -> Any:
    form = _admin_form(request, form_id)
    draft = do_save_draft(form, schema=payload.schema_, base_revision=payload.base_revision, actor=_actor(request))
    return draft_out(draft)


@router.delete("/forms/{form_id}/draft", response={204: None, **ERRORS}, summary="Discard the draft")
def discard_draft(request: HttpRequest, form_id: int) -> Any:
    do_discard_draft(_admin_form(request, form_id), actor=_actor(request))
    return Status(204, None)


@router.post("/forms/{form_id}/draft/evaluate", response={200: EvaluateOut, **ERRORS},
             summary="Evaluate the draft (or an unsaved schema) against sample values: the designer's preview")
def evaluate_draft(request: HttpRequest, form_id: int, payload: DraftEvaluateIn) -> Any:
    form = _admin_form(request, form_id)
    if payload.schema_ is not None:
        return _evaluate(request, None, payload.schema_, payload)
    draft = queries.get_draft(form=form)
    if draft is None:
        raise NotFound("没有草稿 / The form has no draft")
    return _evaluate(request, draft, draft.schema, payload)


@router.post("/forms/{form_id}/publish", response={200: VersionOut, **ERRORS}, by_alias=True,
             summary="Publish the draft (422 lists every problem; the previous version is archived)")
def publish(request: HttpRequest, form_id: int) -> Any:
    form = _admin_form(request, form_id)
    version = do_publish_draft(form, actor=_actor(request))
    return version_out(queries.get_version(viewer=_actor(request), form=form, number=version.number))


# --- versions -------------------------------------------------------------------------------


@router.get("/forms/{form_id}/versions", response={200: list[VersionSummaryOut], **ERRORS},
            summary="Versions of a form, newest first")
def list_versions(request: HttpRequest, form_id: int) -> Any:
    actor = _actor(request)
    form = queries.get_form(viewer=actor, form_id=form_id)
    return [version_summary(v) for v in queries.list_versions(viewer=actor, form=form)]


@router.get("/forms/{form_id}/published", response={200: VersionOut, **ERRORS}, by_alias=True,
            summary="The published version's schema (what new tickets are validated against)")
def get_published(request: HttpRequest, form_id: int) -> Any:
    form = queries.get_form(viewer=_actor(request), form_id=form_id)
    return version_out(queries.get_published_version(form=form))


@router.get("/forms/{form_id}/versions/{number}", response={200: VersionOut, **ERRORS}, by_alias=True,
            summary="One version with its schema")
def get_version(request: HttpRequest, form_id: int, number: int) -> Any:
    actor = _actor(request)
    form = queries.get_form(viewer=actor, form_id=form_id)
    return version_out(queries.get_version(viewer=actor, form=form, number=number))


@router.get("/forms/{form_id}/versions/{number}/json-schema", response={200: dict[str, Any], **ERRORS},
            summary="JSON Schema (draft 2020-12) of the ticket data of a version, for integrators")
def get_json_schema(request: HttpRequest, form_id: int, number: int) -> Any:
    actor = _actor(request)
    form = queries.get_form(viewer=actor, form_id=form_id)
    version = queries.get_version(viewer=actor, form=form, number=number)
    return export_json_schema(compile_schema(version.schema), form_key=form.key, form_name=form.name,
                              version=version.number)


@router.post("/forms/{form_id}/versions/{number}/evaluate", response={200: EvaluateOut, **ERRORS},
             summary="Evaluate values against one version")
def evaluate_version(request: HttpRequest, form_id: int, number: int, payload: EvaluateIn) -> Any:
    actor = _actor(request)
    form = queries.get_form(viewer=actor, form_id=form_id)
    version = queries.get_version(viewer=actor, form=form, number=number)
    return _evaluate(request, version, version.schema, payload)


@router.post("/forms/{form_id}/evaluate", response={200: EvaluateOut, **ERRORS},
             summary="Evaluate values against the published version: computed values, visibility, errors")
def evaluate_published(request: HttpRequest, form_id: int, payload: EvaluateIn) -> Any:
    form = queries.get_form(viewer=_actor(request), form_id=form_id)
    version = queries.get_published_version(form=form)
    return _evaluate(request, version, version.schema, payload)


def _version_for_diff(request: HttpRequest, form: Form, which: str) -> FormVersion:
    actor = _actor(request)
    if which == "draft":
        draft = queries.get_draft(form=form) if queries.is_form_admin(actor) else None
        if draft is None:
            raise NotFound("没有草稿 / The form has no draft")
        return draft
    if which == "published":
        return queries.get_published_version(form=form)
    if not which.isdigit() or len(which) > 9:
        raise InvalidInput("版本须为数字、draft 或 published / A version is a number, 'draft' or 'published'",
                           details={"version": which[:20]})
    return queries.get_version(viewer=actor, form=form, number=int(which))


@router.get("/forms/{form_id}/diff", response={200: DiffOut, **ERRORS},
            summary="Fields added, removed and changed between two versions (numbers, 'draft' or 'published')")
def diff_versions(request: HttpRequest, form_id: int, from_version: str, to_version: str = "draft") -> Any:
    form = queries.get_form(viewer=_actor(request), form_id=form_id)
    old = _version_for_diff(request, form, from_version)
    new = _version_for_diff(request, form, to_version)
    return {"from_version": old.number, "to_version": new.number, **diff_schemas(old.schema, new.schema)}


# --- field-level permissions ----------------------------------------------------------------


def _field_permissions_out(form: Form) -> list[dict[str, Any]]:
    return [{"id": r.pk, "field_key": r.field_key, "access": r.access,
             "role": {"id": r.role.pk, "key": r.role.key, "name": r.role.name}}
            for r in form.field_permissions.select_related("role").order_by("field_key", "role_id")]


@router.get("/forms/{form_id}/field-permissions", response={200: list[FieldPermissionOut], **ERRORS},
            summary="Fields hidden or read-only per role (字段级权限)")
def list_field_permissions(request: HttpRequest, form_id: int) -> Any:
    return _field_permissions_out(_admin_form(request, form_id))


@router.put("/forms/{form_id}/field-permissions", response={200: list[FieldPermissionOut], **ERRORS},
            summary="Replace the form's field permissions: hidden or read_only per field and role")
def set_field_permissions(request: HttpRequest, form_id: int, payload: FieldPermissionsIn) -> Any:
    form = _admin_form(request, form_id)
    roles = {r.pk: r for r in Role.objects.filter(pk__in={rule.role_id for rule in payload.rules})}
    missing = sorted({rule.role_id for rule in payload.rules} - set(roles))
    if missing:
        raise InvalidInput("角色不存在 / Unknown role", details={"role_id": missing[:20]})
    do_set_field_permissions(form, rules=[(r.field_key, roles[r.role_id], r.access) for r in payload.rules],
                             actor=_actor(request))
    return _field_permissions_out(form)
