"""BPMN process definitions and versions, process instances, work items (the inbox) and the operations on them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock
from complaintdesk.workflows.choices import InstanceStatus, VersionStatus, WorkItemKind, WorkItemState


def _now() -> Any:
    return clock.now()


class ProcessDefinition(models.Model):
    """A named process (标准投诉处理 ...); its BPMN lives in versions, one of them published."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100, blank=True, default="")
    description = models.TextField(blank=True, default="")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ProcessVersion(models.Model):
    """One version of a definition's BPMN XML. Published versions are immutable; a running instance
    stays on the version it started with."""

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    bpmn_xml = models.TextField()
    status = models.CharField(max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    # The BPMN process id (bpmn:process/@id) the engine runs.
    process_id = models.CharField(max_length=200, blank=True, default="")
    # Parsed node descriptions (id, name, type, cd:* properties) cached at publish.
    nodes = models.JSONField(default=list, blank=True)
    checksum = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=_now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["definition_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "version"], name="process_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.definition_id} v{self.version}"


class ProcessInstance(models.Model):
    """One run of a process version on a ticket. ``state`` is the engine's serialized workflow;
    ``lock_version`` is bumped on every step (compare-and-set against lost updates)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="process_instances")
    version = models.ForeignKey(ProcessVersion, on_delete=models.PROTECT, related_name="instances")
    status = models.CharField(max_length=16, choices=InstanceStatus.choices, default=InstanceStatus.RUNNING)
    state = models.JSONField(default=dict, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    started_at = models.DateTimeField(default=_now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Earliest pending boundary/intermediate timer (null: none) — the timer job reads only these.
    next_timer_at = models.DateTimeField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket"], condition=models.Q(status="running"),
                                    name="process_instance_one_running_per_ticket"),
        ]
        indexes = [
            models.Index(fields=["version", "status"], name="process_instance_version"),
            models.Index(fields=["status", "next_timer_at"], name="process_instance_timer"),
        ]

    def __str__(self) -> str:
        return f"instance#{self.pk}"


class WorkItem(models.Model):
    """A queryable mirror of one person's (or pool's) share of a ready user task, or a cc.

    Inbox queries read only this table. ``spiff_task_id`` links to the engine task; several work
    items may share one (countersign). ``candidate_users`` holds user ids (pool until claimed).
    """

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="work_items")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="work_items")
    node_id = models.CharField(max_length=200)
    node_name = models.CharField(max_length=200, blank=True, default="")
    spiff_task_id = models.CharField(max_length=64, blank=True, default="")
    kind = models.CharField(max_length=8, choices=WorkItemKind.choices, default=WorkItemKind.TASK)
    state = models.CharField(max_length=16, choices=WorkItemState.choices, default=WorkItemState.READY)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="work_items")
    candidate_users = models.JSONField(default=list, blank=True)
    # ",3,7," — the candidate ids as text, so "my pool items" is one LIKE on both databases.
    candidate_key = models.CharField(max_length=2000, blank=True, default="")
    candidate_role = models.CharField(max_length=50, blank=True, default="")
    candidate_team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="work_items")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="work_items")
    created_at = models.DateTimeField(default=_now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    outcome = models.CharField(max_length=50, blank=True, default="")
    comment = models.TextField(blank=True, default="")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    # How the item came to be: "" (the node's assignee rule), transfer, signer_before, signer_after,
    # timeout_transfer — added signers form a chain under their parent (see actions).
    origin = models.CharField(max_length=20, blank=True, default="")
    # Order of signers inside one node round (add signer before/after).
    sequence = models.IntegerField(default=0)
    # Which activation of the node this item belongs to (a node entered again after a return is a new round).
    round = models.PositiveIntegerField(default=1)
    timed_out_at = models.DateTimeField(null=True, blank=True)
    urged_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["assignee", "state", "due_at"], name="work_item_assignee"),
            models.Index(fields=["candidate_team", "state"], name="work_item_team"),
            models.Index(fields=["state", "due_at"], name="work_item_due"),
            models.Index(fields=["ticket", "state"], name="work_item_ticket"),
            models.Index(fields=["instance", "node_id", "round"], name="work_item_node"),
        ]

    def __str__(self) -> str:
        return f"work_item#{self.pk} {self.node_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.candidate_key = candidate_key(self.candidate_users)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "candidate_users" in update_fields:
            kwargs["update_fields"] = {*update_fields, "candidate_key"}
        super().save(*args, **kwargs)


def candidate_key(user_ids: Any) -> str:
    ids = [int(u) for u in user_ids or []]
    return f",{','.join(str(u) for u in ids)}," if ids else ""
