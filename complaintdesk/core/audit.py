"""Helpers for the append-only audit log of non-ticket objects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from complaintdesk.core.models import AuditLog

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User


def record_audit(
    *, actor: User | None, action: str, obj: models.Model | None, data: dict[str, Any] | None = None,
    object_type: str = "",
) -> AuditLog:
    """Append one audit row; call it inside the action's transaction. Without ``obj`` (a change of
    many objects, such as a configuration import) ``object_type`` names what changed."""
    return AuditLog.objects.create(
        actor=actor,
        action=action,
        object_type=(obj._meta.model_name or type(obj).__name__.lower()) if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )


def check_known_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    """Refuse keyword fields an update action does not know (a caller bug, never user input)."""
    unknown = set(fields) - allowed
    if unknown:
        from complaintdesk.core.errors import InvalidInput

        raise InvalidInput(f"unknown fields: {sorted(unknown)}")


def save_changes(
    obj: models.Model, fields: dict[str, Any], *, actor: User | None, action: str
) -> dict[str, dict[str, Any]]:
    """Set ``fields`` on ``obj``, save only what changed and audit it; call inside the action's
    transaction. Returns the ``{"field": {"old", "new"}}`` diff (empty when nothing changed)."""
    diff = changes(obj, fields)
    for name, value in fields.items():
        setattr(obj, name, value)
    if diff:
        obj.save(update_fields=list(diff))
        record_audit(actor=actor, action=action, obj=obj, data=diff)
    return diff


def changes(obj: models.Model, new_values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"field": {"old": .., "new": ..}}`` for the fields whose value would change."""
    diff: dict[str, dict[str, Any]] = {}
    for name, new in new_values.items():
        old = getattr(obj, name)
        if old != new:
            diff[name] = {"old": _plain(old), "new": _plain(new)}
    return diff


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
