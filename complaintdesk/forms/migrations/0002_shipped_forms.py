"""Publish the shipped forms (complaintdesk/forms/shipped/*.json) as version 1.

A plain insert of schemas that a test validates with the publish validator. A form whose key
exists already is left alone; a public slug already taken makes the shipped form non-public.
"""

from typing import Any

from django.db import migrations
from django.utils import timezone


def publish_shipped_forms(apps: Any, schema_editor: Any) -> None:
    from complaintdesk.forms.shipped import load_shipped_forms

    Form = apps.get_model("forms", "Form")
    FormVersion = apps.get_model("forms", "FormVersion")
    Category = apps.get_model("tickets", "Category")
    now = timezone.now()
    for shipped in load_shipped_forms():
        settings = dict(shipped["form"])
        if Form.objects.filter(key=settings["key"]).exists():
            continue
        category_key = settings.pop("category", None)
        category = Category.objects.filter(key=category_key).first() if category_key else None
        if settings.get("is_public") and Form.objects.filter(is_public=True,
                                                            public_slug=settings.get("public_slug")).exists():
            settings["is_public"] = False
        form = Form.objects.create(category=category, created_at=now, updated_at=now, **settings)
        FormVersion.objects.create(form=form, number=1, status="published", schema=shipped["schema"], revision=1,
                                   created_at=now, updated_at=now, published_at=now)


def unpublish_shipped_forms(apps: Any, schema_editor: Any) -> None:
    # Forms that tickets use cannot be removed (their versions are protected); keep everything.
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("forms", "0001_initial"),
        ("tickets", "0002_seed_and_search"),
    ]

    operations = [migrations.RunPython(publish_shipped_forms, unpublish_shipped_forms)]
