"""Give the new permission ``field.view_sensitive`` (unmasked phone and ID numbers) to the
administrator and service supervisor roles of existing installations."""

from typing import Any

from django.db import migrations

PERMISSION = "field.view_sensitive"


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(key__in=["admin", "supervisor"]):
        if PERMISSION not in (role.permissions or []):
            role.permissions = sorted([*(role.permissions or []), PERMISSION])
            role.save(update_fields=["permissions"])


def revoke(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(key__in=["admin", "supervisor"]):
        if PERMISSION in (role.permissions or []):
            role.permissions = [p for p in role.permissions if p != PERMISSION]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(grant, revoke)]
