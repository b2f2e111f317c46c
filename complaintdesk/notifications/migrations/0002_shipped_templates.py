"""Load the shipped notification templates (zh-CN and en) for task, SLA, alert and intake events."""

from django.db import migrations


def load(apps, schema_editor):
    from complaintdesk.notifications.shipped import shipped_rows

    Template = apps.get_model("notifications", "NotificationTemplate")
    for row in shipped_rows():
        Template.objects.update_or_create(
            key=row["key"], channel_kind=row["channel_kind"], locale=row["locale"],
            defaults={"event": row["event"], "subject": row["subject"], "body": row["body"], "is_system": True},
        )


def unload(apps, schema_editor):
    apps.get_model("notifications", "NotificationTemplate").objects.filter(is_system=True).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
