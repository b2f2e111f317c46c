"""Event → condition → actions rules, their version history and their run log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock


def _now() -> Any:
    return clock.now()


def _always() -> dict[str, Any]:
    return {"all": []}


class Rule(models.Model):
    """A business rule: when one of ``events`` happens to a ticket and ``condition`` (the shared
    condition format, evaluated against the ticket) holds, run ``actions`` in order.

    Enabled rules are evaluated in ``order`` (then id); ``stop_after`` stops the evaluation of
    later rules for the same event once this one matched. ``version`` goes up on every change and
    each version is kept as a ``RuleVersion`` snapshot; a run records the version it ran.
    """

    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")
    events = models.JSONField(default=list)  # names from complaintdesk.core.events.REGISTRY
    condition = models.JSONField(default=_always)
    actions = models.JSONField(default=list)  # [{"type": "set_priority", "params": {...}}, ...]
    order = models.IntegerField(default=0)
    stop_after = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    is_shipped = models.BooleanField(default=False)  # one of the default rules shipped by migration 0002
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["enabled", "order", "id"], name="rule_enabled_order")]

    def __str__(self) -> str:
        return self.name

    def snapshot(self) -> dict[str, Any]:
        """What defines this version (what a RuleVersion keeps)."""
        return {
            "name": self.name, "name_en": self.name_en, "description": self.description, "events": list(self.events),
            "condition": self.condition, "actions": list(self.actions), "order": self.order,
            "stop_after": self.stop_after, "enabled": self.enabled,
        }


class RuleVersion(models.Model):
    """An immutable snapshot of a rule as it was at ``version``."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["rule_id", "version"]
        constraints = [models.UniqueConstraint(fields=["rule", "version"], name="rule_version_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class RuleRun(models.Model):
    """One evaluation of one rule for one event on one ticket: matched or not, the actions done
    (each with its result or error), the chain depth and how long it took. Kept when the rule is
    deleted (``rule`` becomes null, ``rule_name`` stays)."""

    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    rule_name = models.CharField(max_length=200)
    rule_version = models.PositiveIntegerField()
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="rule_runs")
    event = models.CharField(max_length=64)
    matched = models.BooleanField()
    actions = models.JSONField(default=list)  # [{"type", "ok", "description", "result" | "error"}]
    errors = models.JSONField(default=list)  # messages, bilingual
    depth = models.PositiveSmallIntegerField(default=0)
    duration_us = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["ticket", "-created_at", "-id"], name="rule_run_ticket"),
            models.Index(fields=["rule", "-created_at", "-id"], name="rule_run_rule"),
        ]

    def __str__(self) -> str:
        return f"run#{self.pk} rule {self.rule_id} ticket {self.ticket_id}"
