"""Grant the new permissions of existing installations' default roles: ``improvement.manage``
(administrator, service supervisor, quality engineer) and ``notification.admin`` (administrator)."""

from typing import Any

from django.db import migrations

GRANTS = {
    "improvement.manage": ["admin", "supervisor", "quality"],
    "notification.admin": ["admin"],
}


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("accounts", "Role")
    for permission, keys in GRANTS.items():
        for role in Role.objects.filter(key__in=keys):
            if permission not in (role.permissions or []):
                role.permissions = sorted([*(role.permissions or []), permission])
                role.save(update_fields=["permissions"])


def revoke(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("accounts", "Role")
    for permission, keys in GRANTS.items():
        for role in Role.objects.filter(key__in=keys):
            if permission in (role.permissions or []):
                role.permissions = [p for p in role.permissions if p != permission]
                role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_field_view_sensitive")]
    operations = [migrations.RunPython(grant, revoke)]
