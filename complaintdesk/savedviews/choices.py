from __future__ import annotations

from django.db import models


class Sharing(models.TextChoices):
    PRIVATE = "private", "仅自己"
    EVERYONE = "everyone", "所有人"
    ROLE = "role", "角色"
    TEAM = "team", "团队"


# Columns of the ticket list a view may show (the keys the web app's column chooser uses).
COLUMNS: tuple[str, ...] = (
    "number", "subject", "customer", "category", "product", "priority", "status", "channel", "assignee", "team",
    "department", "tags", "created_at", "updated_at", "first_response_due_at", "resolution_due_at",
)
DEFAULT_COLUMNS: tuple[str, ...] = (
    "number", "subject", "customer", "category", "priority", "status", "channel", "assignee", "created_at",
    "resolution_due_at",
)
PAGE_SIZES: tuple[int, ...] = (20, 50, 100)
