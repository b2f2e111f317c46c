"""Saved views of the ticket list (保存的视图)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock
from complaintdesk.savedviews.choices import DEFAULT_COLUMNS, Sharing


def _now() -> Any:
    return clock.now()


def _default_condition() -> dict[str, Any]:
    return {"all": []}


def _default_columns() -> list[str]:
    return list(DEFAULT_COLUMNS)


class SavedView(models.Model):
    """A named ticket list: a condition in the one condition format (docs/conditions.md), a search
    text, the visible columns, a sort and a page size. Private to its owner, or shared with everyone,
    one role or one team (``sharing`` + ``role``/``team``). Applying it is always within the
    viewer's own data scope: sharing a view never shares tickets."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=100)
    sharing = models.CharField(max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE)
    role = models.ForeignKey("accounts.Role", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    condition = models.JSONField(default=_default_condition)
    search = models.CharField(max_length=200, blank=True, default="")
    columns = models.JSONField(default=_default_columns)
    sort = models.CharField(max_length=32, default="-created_at")
    page_size = models.PositiveSmallIntegerField(default=20)
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="savedview_owner_name")]
        indexes = [models.Index(fields=["sharing"], name="savedview_sharing")]

    def __str__(self) -> str:
        return self.name
