"""Threshold alerts (red/yellow/blue) over complaint volumes; later hotspots, classification and forecasts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock
from complaintdesk.insights.choices import AlertGrouping, AlertLevel, AlertMetric, AlertStatus


def _now() -> Any:
    return clock.now()


class AlertRule(models.Model):
    """An alert rule (预警规则): which complaints (``scope``, the shared condition format), grouped
    how, over what window, measured how (count, or growth against the mean of earlier windows),
    and the blue < yellow < red thresholds. ``version`` grows with every change of the definition
    and each version's snapshot is kept in ``AlertRuleVersion``; alerts record the version that
    set their level.
    """

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    enabled = models.BooleanField(default=True)
    scope = models.JSONField(null=True, blank=True)
    grouping = models.CharField(max_length=20, choices=AlertGrouping.choices, default=AlertGrouping.CATEGORY)
    window_days = models.PositiveSmallIntegerField(default=7)
    metric = models.CharField(max_length=10, choices=AlertMetric.choices, default=AlertMetric.COUNT)
    baseline_windows = models.PositiveSmallIntegerField(default=4)
    min_count = models.PositiveIntegerField(default=0)
    threshold_blue = models.FloatField(null=True, blank=True)
    threshold_yellow = models.FloatField(null=True, blank=True)
    threshold_red = models.FloatField(null=True, blank=True)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="owned_alert_rules")
    auto_improvement = models.BooleanField(default=False)
    improvement_min_level = models.CharField(max_length=10, choices=AlertLevel.choices, default=AlertLevel.RED)
    improvement_department = models.ForeignKey("accounts.Department", null=True, blank=True,
                                               on_delete=models.SET_NULL, related_name="+")
    improvement_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    improvement_due_days = models.PositiveSmallIntegerField(default=14)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class AlertRuleVersion(models.Model):
    """The definition of one version of an alert rule, as it was saved (append-only history)."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["rule", "-version"]
        constraints = [models.UniqueConstraint(fields=["rule", "version"], name="alert_rule_version_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class Alert(models.Model):
    """One alert (预警): a group of a rule (e.g. one product) whose metric reached a level.

    At most one alert per rule and group is open (a partial unique index); while open it follows
    the metric: rising levels notify again, falling levels are recorded quietly, and dropping
    below every threshold clears it. A later breach opens a new alert.
    """

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    rule_version = models.PositiveIntegerField(default=1)
    group_key = models.CharField(max_length=200)
    group_label = models.CharField(max_length=300, blank=True, default="")
    level = models.CharField(max_length=10, choices=AlertLevel.choices)
    peak_level = models.CharField(max_length=10, choices=AlertLevel.choices)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    value = models.FloatField()
    baseline = models.FloatField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    sample_ticket_ids = models.JSONField(default=list, blank=True)
    opened_at = models.DateTimeField(default=_now)
    last_level_change_at = models.DateTimeField(default=_now)
    last_evaluated_at = models.DateTimeField(default=_now)
    cleared_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    improvement = models.ForeignKey("improvement.ImprovementAction", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "group_key"], condition=models.Q(status="open"),
                                    name="alert_one_open_per_group"),
        ]
        indexes = [
            models.Index(fields=["status", "-opened_at"], name="alert_status_opened"),
            models.Index(fields=["rule", "status"], name="alert_rule_status"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.group_key}:{self.level}"
