"""Notification templates, channels out (in-app, email, DingTalk, WeCom, webhooks) and the delivery log."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock
from complaintdesk.notifications.choices import ChannelKind, DeliveryPurpose, DeliveryStatus, Locale, TemplateChannel


def _now() -> Any:
    return clock.now()


class Notification(models.Model):
    """An in-app notification for one user (the bell in the web UI).

    ``dedupe_key`` makes creation idempotent: the outbox may hand the same event over twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=100)  # the event name (task.created, sla.breached ...) or "rule"
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, default="")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    data = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=_now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_user_dedupe")]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_created"),
            models.Index(fields=["user", "-id"], name="notification_user_unread",
                         condition=models.Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class NotificationChannel(models.Model):
    """A configured way out: an SMTP recipient list, a DingTalk or a WeCom group robot.

    ``config`` holds the plain settings (base URL, recipients, message type); ``secrets`` holds
    sealed values (robot access token / key and signing secret, SMTP password) that the API
    accepts but never returns.
    """

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    config = models.JSONField(default=dict, blank=True)
    secrets = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class WebhookSubscription(models.Model):
    """A receiver of signed domain events (HMAC-SHA256 over timestamp and body).

    Disabled automatically after ``consecutive_failures`` reaches the limit, with the reason
    shown to administrators; re-enabled through the API.
    """

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.JSONField(default=dict, blank=True)  # sealed
    event_patterns = models.JSONField(default=list)  # fnmatch patterns: ["ticket.*", "sla.breached"]
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=500, blank=True, default="")
    disabled_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class NotificationTemplate(models.Model):
    """A message template (Django template syntax over plain values) for one event, channel and locale."""

    key = models.SlugField(max_length=64)
    event = models.CharField(max_length=100, blank=True, default="")
    channel_kind = models.CharField(max_length=16, choices=TemplateChannel.choices, default=TemplateChannel.ANY)
    locale = models.CharField(max_length=8, choices=Locale.choices, default=Locale.ZH_CN)
    subject = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField()
    is_system = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["key", "channel_kind", "locale"]
        constraints = [models.UniqueConstraint(fields=["key", "channel_kind", "locale"],
                                               name="notification_template_unique")]

    def __str__(self) -> str:
        return f"{self.key}/{self.channel_kind}/{self.locale}"


class NotificationRule(models.Model):
    """A subscription: events matching ``event_pattern`` go to ``channel`` rendered with ``template_key``
    (e.g. ``sla.breached`` → the DingTalk group of 售后部)."""

    name = models.CharField(max_length=100)
    event_pattern = models.CharField(max_length=100)
    channel = models.ForeignKey(NotificationChannel, on_delete=models.PROTECT, related_name="rules")
    template_key = models.SlugField(max_length=64)
    locale = models.CharField(max_length=8, choices=Locale.choices, default=Locale.ZH_CN)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.event_pattern} → {self.channel_id}"


def _delivery_id() -> str:
    return uuid.uuid4().hex


class NotificationDelivery(models.Model):
    """One message to one target, and the log of its attempts (at least once, exponential backoff).

    ``delivery_id`` is the idempotency id receivers see (X-ComplaintDesk-Delivery), unchanged across
    retries; ``idempotency_key`` stops the same event from being fanned out twice to the same target.
    ``subject``/``body`` are rendered at send time unless the creator rendered them already.
    """

    delivery_id = models.CharField(max_length=32, unique=True, default=_delivery_id)
    idempotency_key = models.CharField(max_length=200, unique=True)
    purpose = models.CharField(max_length=20, choices=DeliveryPurpose.choices)
    channel_kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    channel = models.ForeignKey(NotificationChannel, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="deliveries")
    webhook = models.ForeignKey(WebhookSubscription, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="deliveries")
    target = models.CharField(max_length=500, blank=True, default="")
    template_key = models.CharField(max_length=64, blank=True, default="")
    locale = models.CharField(max_length=8, default=Locale.ZH_CN)
    event = models.CharField(max_length=100, blank=True, default="")
    outbox_id = models.BigIntegerField(null=True, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)  # when the event happened (webhook body)
    subject = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    response_code = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=_now)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=_now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], name="delivery_due",
                         condition=models.Q(status__in=["pending", "failed"])),
            models.Index(fields=["-created_at", "-id"], name="delivery_created"),
            models.Index(fields=["webhook", "-created_at"], name="delivery_webhook"),
            models.Index(fields=["ticket", "-created_at"], name="delivery_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_kind}:{self.target} {self.status}"
