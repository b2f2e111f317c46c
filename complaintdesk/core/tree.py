"""Trees kept as materialised paths ("/1/4/9/": the ancestors' ids and the node's own): departments and
complaint categories. Moving a node re-roots its whole subtree in one UPDATE."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from complaintdesk.core.errors import InvalidInput


def move_subtree(node: Any, new_parent: Any | None, *, field: str = "parent") -> None:
    """Rewrite the paths of ``node`` and its descendants for a move under ``new_parent`` (None: the top
    level); call inside the action's transaction, before saving ``parent``. A move under the node itself or
    one of its descendants is refused."""
    if new_parent is not None and new_parent.path.startswith(node.path):
        raise InvalidInput("不能移动到自己或自己的下级 / A node cannot move under itself or its descendants",
                           details={field: "cycle"})
    model: type[models.Model] = type(node)
    old_path = node.path
    new_path = f"{new_parent.path if new_parent else '/'}{node.pk}/"
    model._default_manager.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
    )
    node.refresh_from_db(fields=["path"])
