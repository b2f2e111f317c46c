"""Kernel endpoints: runtime options, the audit log, the domain event catalogue, health."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.accounts.models import User
from complaintdesk.core.events import REGISTRY
from complaintdesk.core.models import AuditLog
from complaintdesk.core.options import SPECS, do_set_option, get_option
from complaintdesk.core.schemas import ERRORS, PageMeta, paginate, user_ref

router = Router(tags=["system"])


class OptionOut(Schema):
    key: str
    value: Any
    default: Any
    type: str
    description: str


class OptionIn(Schema):
    value: Any


class AuditOut(Schema):
    id: int
    actor: dict[str, Any] | None
    action: str
    object_type: str
    object_id: str
    data: dict[str, Any]
    created_at: datetime


class AuditPage(PageMeta):
    items: list[AuditOut]


class EventTypeOut(Schema):
    name: str
    description: str


class HealthOut(Schema):
    status: str
    database: str


def _option_out(key: str) -> dict[str, Any]:
    spec = SPECS[key]
    return {"key": key, "value": get_option(key), "default": spec.default, "type": spec.type.__name__,
            "description": spec.description}


@router.get("/health", auth=None, response={200: HealthOut}, summary="Liveness and database check")
def health(request: HttpRequest) -> Any:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor}


@router.get("/options", response={200: list[OptionOut], **ERRORS}, summary="Runtime options")
def list_options(request: HttpRequest) -> Any:
    assert isinstance(request.user, User)
    check_perm(request.user, P.SETTINGS_MANAGE)
    return [_option_out(k) for k in sorted(SPECS)]


@router.put("/options/{key}", response={200: OptionOut, **ERRORS}, summary="Change a runtime option")
def set_option(request: HttpRequest, key: str, payload: OptionIn) -> Any:
    assert isinstance(request.user, User)
    check_perm(request.user, P.SETTINGS_MANAGE)
    do_set_option(key, payload.value, actor=request.user)
    return _option_out(key)


@router.get("/audit", response={200: AuditPage, **ERRORS}, summary="Audit log of non-ticket changes")
def list_audit(request: HttpRequest, object_type: str | None = None, object_id: str | None = None,
               actor_id: int | None = None, action: str | None = None, since: datetime | None = None,
               until: datetime | None = None, page: int = 1, page_size: int = 50) -> Any:
    """``since`` is inclusive, ``until`` exclusive (both ISO 8601 with an offset; naive times are UTC)."""
    assert isinstance(request.user, User)
    check_perm(request.user, P.AUDIT_VIEW)
    qs = AuditLog.objects.select_related("actor").order_by("-created_at", "-id")
    if since is not None:
        qs = qs.filter(created_at__gte=_aware(since))
    if until is not None:
        qs = qs.filter(created_at__lt=_aware(until))
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action=action)
    items, meta = paginate(qs, page, page_size)
    return {**meta, "items": [
        {"id": a.pk, "actor": user_ref(a.actor), "action": a.action, "object_type": a.object_type,
         "object_id": a.object_id, "data": a.data, "created_at": a.created_at} for a in items]}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@router.get("/audit/object-types", response={200: list[str], **ERRORS},
            summary="The object types that occur in the audit log (for its filter)")
def list_audit_object_types(request: HttpRequest) -> Any:
    assert isinstance(request.user, User)
    check_perm(request.user, P.AUDIT_VIEW)
    return sorted(AuditLog.objects.order_by().values_list("object_type", flat=True).distinct())


@router.get("/event-types", response={200: list[EventTypeOut], **ERRORS},
            summary="The named domain events that rules and webhooks subscribe to")
def list_event_types(request: HttpRequest) -> Any:
    return [{"name": e.name, "description": e.description} for e in REGISTRY.values()]
