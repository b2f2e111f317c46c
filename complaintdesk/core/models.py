"""Shared kernel tables: outbox, sequences, runtime options and the non-ticket audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock


def _now() -> Any:
    return clock.now()


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or deleted (audit trails)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{type(self).__name__} rows are append-only")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "待投递"
    DELIVERED = "delivered", "已投递"
    DEAD = "dead", "投递失败"


class Outbox(models.Model):
    """A domain event written in the same transaction as the change, delivered later by a job.

    Delivery is at least once: a row stays pending until every handler succeeded, and is
    retried with exponential backoff; ``id`` doubles as the idempotency key for receivers.
    """

    topic = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    created_at = models.DateTimeField(default=_now)
    available_at = models.DateTimeField(default=_now)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(
                fields=["available_at", "id"],
                name="outbox_pending_due",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic}#{self.pk} ({self.status})"


class Sequence(models.Model):
    """A named counter used for gap-free numbers (e.g. one per day for ticket numbers)."""

    key = models.CharField(max_length=100, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Option(models.Model):
    """A runtime option changed by administrators; declared with type and default in options.py."""

    key = models.CharField(max_length=100, primary_key=True)
    value = models.JSONField()
    updated_at = models.DateTimeField(default=_now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.key


class AuditLog(AppendOnlyModel):
    """Append-only record of a change to a non-ticket object (user, role, token, customer ...).

    Ticket changes are recorded as ``TicketEvent`` rows, which form the ticket timeline.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=_now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"
