"""Reads of the notifications app, keyword-only and scoped by the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from complaintdesk.core.errors import NotFound
from complaintdesk.notifications.choices import Locale, TemplateChannel
from complaintdesk.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationRule,
    NotificationTemplate,
    WebhookSubscription,
)

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User


def list_notifications(*, viewer: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The viewer's own notifications, newest first (nobody reads another user's)."""
    qs = Notification.objects.filter(user=viewer).select_related("ticket").order_by("-created_at", "-id")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(*, viewer: User) -> int:
    return Notification.objects.filter(user=viewer, read_at__isnull=True).count()


def get_notification(*, viewer: User, notification_id: int) -> Notification:
    found = Notification.objects.filter(user=viewer, pk=notification_id).select_related("ticket").first()
    if found is None:
        raise NotFound("通知不存在 / Notification not found")
    return found


def get_channel(*, channel_id: int) -> NotificationChannel:
    found = NotificationChannel.objects.filter(pk=channel_id).first()
    if found is None:
        raise NotFound("通知渠道不存在 / Notification channel not found")
    return found


def list_channels() -> QuerySet[NotificationChannel]:
    return NotificationChannel.objects.order_by("id")


def get_template(*, template_id: int) -> NotificationTemplate:
    found = NotificationTemplate.objects.filter(pk=template_id).first()
    if found is None:
        raise NotFound("通知模板不存在 / Notification template not found")
    return found


def list_templates(*, key: str | None = None, locale: str | None = None,
                   channel_kind: str | None = None) -> QuerySet[NotificationTemplate]:
    qs = NotificationTemplate.objects.order_by("key", "channel_kind", "locale", "id")
    if key:
        qs = qs.filter(key=key)
    if locale:
        qs = qs.filter(locale=locale)
    if channel_kind:
        qs = qs.filter(channel_kind=channel_kind)
    return qs


def find_template(*, key: str, channel_kind: str, locale: str) -> NotificationTemplate | None:
    """The best template for a channel and locale: the channel's own, then the ``any`` one; the
    requested locale first, then zh-CN, then en."""
    rows = {(t.channel_kind, t.locale): t for t in NotificationTemplate.objects.filter(key=key)}
    for loc in dict.fromkeys([locale, Locale.ZH_CN.value, Locale.EN.value]):
        for kind in (channel_kind, TemplateChannel.ANY.value):
            if (kind, loc) in rows:
                return rows[(kind, loc)]
    return None


def get_rule(*, rule_id: int) -> NotificationRule:
    found = NotificationRule.objects.filter(pk=rule_id).select_related("channel").first()
    if found is None:
        raise NotFound("通知订阅不存在 / Notification subscription not found")
    return found


def list_rules() -> QuerySet[NotificationRule]:
    return NotificationRule.objects.select_related("channel").order_by("id")


def get_webhook(*, webhook_id: int) -> WebhookSubscription:
    found = WebhookSubscription.objects.filter(pk=webhook_id).first()
    if found is None:
        raise NotFound("Webhook 不存在 / Webhook not found")
    return found


def list_webhooks() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.order_by("id")


@dataclass(frozen=True)
class DeliveryFilters:
    status: str | None = None
    channel_kind: str | None = None
    purpose: str | None = None
    event: str | None = None
    channel_id: int | None = None
    webhook_id: int | None = None
    ticket_id: int | None = None
    since: datetime | None = None  # created at or after (inclusive)
    until: datetime | None = None  # created before (exclusive)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def list_deliveries(*, filters: DeliveryFilters) -> QuerySet[NotificationDelivery]:
    qs = NotificationDelivery.objects.select_related("channel", "webhook", "ticket").order_by("-created_at", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel_kind:
        qs = qs.filter(channel_kind=filters.channel_kind)
    if filters.purpose:
        qs = qs.filter(purpose=filters.purpose)
    if filters.event:
        qs = qs.filter(event=filters.event)
    if filters.channel_id is not None:
        qs = qs.filter(channel_id=filters.channel_id)
    if filters.webhook_id is not None:
        qs = qs.filter(webhook_id=filters.webhook_id)
    if filters.ticket_id is not None:
        qs = qs.filter(ticket_id=filters.ticket_id)
    if filters.since is not None:
        qs = qs.filter(created_at__gte=_aware(filters.since))
    if filters.until is not None:
        qs = qs.filter(created_at__lt=_aware(filters.until))
    return qs


def get_delivery(*, delivery_id: int) -> NotificationDelivery:
    found = NotificationDelivery.objects.filter(pk=delivery_id).select_related("channel", "webhook", "ticket").first()
    if found is None:
        raise NotFound("投递记录不存在 / Delivery not found")
    return found
