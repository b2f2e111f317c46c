"""Form definitions and their versions. The schema of a version is data (JSON), see docs/forms.md."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock
from complaintdesk.forms.choices import FieldAccess, VersionStatus


def _now() -> Any:
    return clock.now()


def empty_schema() -> dict[str, Any]:
    return {"fields": [], "layout": []}


class Form(models.Model):
    """A complaint form (通用投诉, 物流配送投诉 ...): what it is for and where it is offered.

    Its fields live in versions; tickets pin the ``FormVersion`` they were created with.
    ``channels`` lists the ``tickets.Channel`` values the form is offered on; a public form is
    served anonymously under its ``public_slug``, which is unique among public forms.
    """

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100, blank=True, default="")
    description = models.TextField(blank=True, default="")
    category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="forms"
    )
    channels = models.JSONField(default=list, blank=True)
    is_public = models.BooleanField(default=False)
    public_slug = models.SlugField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["public_slug"], condition=models.Q(is_public=True), name="form_public_slug_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(is_public=False) | models.Q(public_slug__isnull=False),
                name="form_public_needs_slug",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FormVersion(models.Model):
    """One numbered version (1..n) of a form's schema.

    A form has at most one draft and at most one published version; publishing archives the
    previous published version. Published and archived versions are immutable: tickets pin them
    and must always be rendered and validated exactly as they were created. ``revision`` counts
    the saves of a draft, for optimistic concurrency between two designers.
    """

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    schema = models.JSONField(default=empty_schema)
    revision = models.PositiveIntegerField(default=1)
    based_on = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=_now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=_now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["form_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="form_version_number_unique"),
            models.UniqueConstraint(
                fields=["form"], condition=models.Q(status="draft"), name="form_version_one_draft"
            ),
            models.UniqueConstraint(
                fields=["form"], condition=models.Q(status="published"), name="form_version_one_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} v{self.number} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The actions never change a published version; this guard keeps any other code path
        # (admin, shell, a future bug) from rewriting what tickets were validated against.
        if self.pk is not None and not self._state.adding:
            stored = FormVersion.objects.filter(pk=self.pk).values("status", "schema", "number", "form_id").first()
            if stored is not None and stored["status"] != VersionStatus.DRAFT:
                frozen_changed = (
                    stored["schema"] != self.schema or stored["number"] != self.number
                    or stored["form_id"] != self.form_id
                )
                back_to_draft = self.status == VersionStatus.DRAFT
                if frozen_changed or back_to_draft or (
                    stored["status"] == VersionStatus.ARCHIVED and self.status != VersionStatus.ARCHIVED
                ):
                    raise RuntimeError(f"form version {self.pk} is {stored['status']} and immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.status != VersionStatus.DRAFT:
            raise RuntimeError(f"form version {self.pk} is {self.status} and cannot be deleted")
        return super().delete(*args, **kwargs)


class FieldPermission(models.Model):
    """A field of a form hidden or read-only for a role (字段级权限).

    Rules are per form and field key, so they hold for every version of the form. Rights are
    computed by ``forms.permissions.field_rights``; workflow nodes will add their own there.
    """

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="field_permissions")
    field_key = models.CharField(max_length=64)
    role = models.ForeignKey("accounts.Role", on_delete=models.CASCADE, related_name="field_permissions")
    access = models.CharField(max_length=16, choices=FieldAccess.choices)

    class Meta:
        ordering = ["form_id", "field_key", "role_id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "field_key", "role"], name="field_permission_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id}.{self.field_key}@{self.role_id}: {self.access}"
