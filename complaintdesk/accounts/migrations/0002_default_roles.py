from django.db import migrations


def seed_roles(apps, schema_editor):
    from complaintdesk.accounts.permissions import DEFAULT_ROLES

    Role = apps.get_model("accounts", "Role")
    for template in DEFAULT_ROLES:
        Role.objects.update_or_create(
            key=template.key,
            defaults={"name": template.name, "name_en": template.name_en, "data_scope": str(template.data_scope),
                      "permissions": sorted(template.permissions), "is_system": True},
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
