"""Improvement actions (CAPA / 8D) opened from alerts and complaints."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock
from complaintdesk.improvement.choices import ImprovementKind, ImprovementSource, ImprovementStatus


def _now() -> Any:
    return clock.now()


class ImprovementAction(models.Model):
    """A corrective or preventive action (整改措施) with an owner, a department and a due date.

    It comes from a threshold alert (``source_alert``, at most one action per alert), from
    complaints (``tickets``; a rule-made action carries an idempotency ``source_key``) or from a
    person. The closed-loop work extends it (root cause, 8D steps, effectiveness checks) with
    related models that point here, so this row stays the anchor of the loop.
    """

    number = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    kind = models.CharField(max_length=20, choices=ImprovementKind.choices, default=ImprovementKind.CORRECTIVE)
    source = models.CharField(max_length=20, choices=ImprovementSource.choices, default=ImprovementSource.MANUAL)
    source_alert = models.ForeignKey("insights.Alert", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="improvement_actions")
    # Idempotency key of an automatic creator (e.g. "rule:12:ticket:345"); empty for people.
    source_key = models.CharField(max_length=100, blank=True, default="")
    tickets = models.ManyToManyField("tickets.Ticket", blank=True, related_name="improvement_actions")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="improvement_actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="improvement_actions")
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ImprovementStatus.choices, default=ImprovementStatus.OPEN)
    resolution = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_alert"], condition=models.Q(source="alert"),
                                    name="improvement_one_per_alert"),
            models.UniqueConstraint(fields=["source_key"], condition=~models.Q(source_key=""),
                                    name="improvement_source_key_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="improvement_status_due"),
            models.Index(fields=["owner", "status"], name="improvement_owner_status"),
            models.Index(fields=["department", "status"], name="improvement_department_status"),
        ]

    def __str__(self) -> str:
        return self.number
