"""Grant ``config.manage`` (export and import configuration bundles) to the administrator role of
existing installations (new ones get it from accounts.permissions.DEFAULT_ROLES)."""

from typing import Any

from django.db import migrations

PERMISSION = "config.manage"
ROLES = ["admin"]


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(key__in=ROLES):
        if PERMISSION not in (role.permissions or []):
            role.permissions = sorted([*(role.permissions or []), PERMISSION])
            role.save(update_fields=["permissions"])


def revoke(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(key__in=ROLES):
        if PERMISSION in (role.permissions or []):
            role.permissions = [p for p in role.permissions if p != PERMISSION]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_skills_working_hours")]
    operations = [migrations.RunPython(grant, revoke)]
