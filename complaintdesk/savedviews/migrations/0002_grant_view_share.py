"""Grant ``view.share`` (share saved ticket views with everyone, a role or a team) to the existing
installations' administrator and service supervisor roles."""

from typing import Any

from django.db import migrations

GRANTS = {"view.share": ["admin", "supervisor"]}


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
    dependencies = [("savedviews", "0001_initial"), ("accounts", "0005_user_skills_working_hours")]
    operations = [migrations.RunPython(grant, revoke)]
