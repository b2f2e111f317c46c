from django.db import migrations


def seed_categories(apps, schema_editor):
    from complaintdesk.tickets.taxonomy import DEFAULT_CATEGORIES

    Category = apps.get_model("tickets", "Category")
    for order, (key, name, name_en, children) in enumerate(DEFAULT_CATEGORIES):
        parent, _ = Category.objects.get_or_create(key=key, defaults={"name": name, "name_en": name_en,
                                                                       "sort_order": order})
        parent.path = f"/{parent.pk}/"
        parent.save(update_fields=["path"])
        for child_order, (child_key, child_name, child_en) in enumerate(children):
            child, _ = Category.objects.get_or_create(
                key=child_key, defaults={"name": child_name, "name_en": child_en, "parent": parent,
                                         "sort_order": child_order})
            child.path = f"{parent.path}{child.pk}/"
            child.save(update_fields=["path"])


def postgres_indexes(apps, schema_editor):
    # Trigram index for the free-text filter (icontains → UPPER(search_text) LIKE UPPER(%q%)),
    # and a GIN index on the custom-field JSON. SQLite scans instead.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS ticket_search_trgm ON tickets_ticket "
        "USING gin (UPPER(search_text) gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS ticket_data_gin ON tickets_ticket USING gin (data jsonb_path_ops)"
    )


def drop_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS ticket_search_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS ticket_data_gin")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [
        migrations.RunPython(seed_categories, migrations.RunPython.noop),
        migrations.RunPython(postgres_indexes, drop_postgres_indexes),
    ]
