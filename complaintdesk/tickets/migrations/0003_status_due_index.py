from django.db import migrations, models


class Migration(migrations.Migration):
    """Overdue lists and counts (open status + resolution due time passed) from one index."""

    dependencies = [("tickets", "0002_seed_and_search")]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["status", "resolution_due_at"], name="ticket_status_due"),
        ),
    ]
