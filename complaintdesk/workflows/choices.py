"""Choices of the workflow engine: version and instance status, work item state and kind, the
multi-signing modes and the node timeout actions."""

from __future__ import annotations

from django.db import models


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    ARCHIVED = "archived", "已归档"


class InstanceStatus(models.TextChoices):
    RUNNING = "running", "运行中"
    COMPLETED = "completed", "已完成"
    TERMINATED = "terminated", "已终止"
    WITHDRAWN = "withdrawn", "已撤回"


class WorkItemState(models.TextChoices):
    READY = "ready", "待签收/待办"
    CLAIMED = "claimed", "已签收"
    COMPLETED = "completed", "已办理"
    CANCELLED = "cancelled", "已取消"
    # An added signer "after me" waits here until the signer before them has completed.
    WAITING = "waiting", "等待前序"


OPEN_STATES = (WorkItemState.READY, WorkItemState.CLAIMED)


class WorkItemKind(models.TextChoices):
    TASK = "task", "任务"
    CC = "cc", "抄送"


class MultiMode(models.TextChoices):
    SINGLE = "single", "单人办理"
    ALL = "all", "会签"
    ANY = "any", "或签"
    QUORUM = "quorum", "N人通过"


class TimeoutAction(models.TextChoices):
    REMIND = "remind", "提醒"
    ESCALATE = "escalate", "升级给主管"
    TRANSFER = "transfer", "自动转交"
    APPROVE = "approve", "自动通过"


APPROVE = "approve"
REJECT = "reject"
DEFAULT_OUTCOMES = (APPROVE, REJECT)
