"""Choices of the improvement app: status lifecycle, source and kind of an improvement action."""

from __future__ import annotations

from django.db import models


class ImprovementStatus(models.TextChoices):
    OPEN = "open", "待处理"
    IN_PROGRESS = "in_progress", "整改中"
    VERIFYING = "verifying", "待验证"
    CLOSED = "closed", "已关闭"
    CANCELLED = "cancelled", "已取消"


ACTIVE_STATUSES = (ImprovementStatus.OPEN, ImprovementStatus.IN_PROGRESS, ImprovementStatus.VERIFYING)
DONE_STATUSES = (ImprovementStatus.CLOSED, ImprovementStatus.CANCELLED)

# From each status, the statuses an action may move to. "verifying → in_progress" is a failed
# verification (the fix did not hold); closed and cancelled are final (open a new action instead).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ImprovementStatus.OPEN: (ImprovementStatus.IN_PROGRESS, ImprovementStatus.VERIFYING,
                             ImprovementStatus.CANCELLED),
    ImprovementStatus.IN_PROGRESS: (ImprovementStatus.VERIFYING, ImprovementStatus.CANCELLED),
    ImprovementStatus.VERIFYING: (ImprovementStatus.CLOSED, ImprovementStatus.IN_PROGRESS,
                                  ImprovementStatus.CANCELLED),
    ImprovementStatus.CLOSED: (),
    ImprovementStatus.CANCELLED: (),
}


class ImprovementSource(models.TextChoices):
    """Why the action exists: a threshold alert, one or more complaints, or a person's decision."""

    ALERT = "alert", "预警"
    TICKET = "ticket", "投诉"
    MANUAL = "manual", "手工"


class ImprovementKind(models.TextChoices):
    """CAPA vocabulary: fix this case, remove the cause, or prevent it elsewhere."""

    CORRECTION = "correction", "纠正"
    CORRECTIVE = "corrective", "纠正措施"
    PREVENTIVE = "preventive", "预防措施"
