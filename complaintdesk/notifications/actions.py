"""Every write of the notifications app: in-app notifications, channels, templates, subscriptions,
webhooks. ``check_*`` holds the permission and validity checks; ``do_*`` writes, audits and
publishes in one transaction."""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import ProtectedError

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.core import clock
from complaintdesk.core import events as ev
from complaintdesk.core.audit import record_audit
from complaintdesk.core.errors import Conflict, InvalidInput
from complaintdesk.notifications import queries
from complaintdesk.notifications.choices import (
    CONFIGURABLE_KINDS,
    ChannelKind,
    DeliveryPurpose,
    DeliveryStatus,
    Locale,
    TemplateChannel,
)
from complaintdesk.notifications.context import build_context
from complaintdesk.notifications.delivery import (
    attempt_delivery,
    channel_target,
    enqueue_delivery,
    kick_deliveries,
)
from complaintdesk.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationRule,
    NotificationTemplate,
    WebhookSubscription,
)
from complaintdesk.notifications.notifiers import SendResult, get_notifier_class
from complaintdesk.notifications.notifiers.base import check_http_url
from complaintdesk.notifications.render import TemplateError, check_template, render
from complaintdesk.notifications.secretbox import seal_secret

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.tickets.models import Ticket

MAX_PATTERNS = 20
_PATTERN = re.compile(r"^[a-z_*?.\[\]!]{1,100}$")


def check_notification_admin(actor: User) -> None:
    check_perm(actor, P.NOTIFICATION_ADMIN)


def user_locale(user: User) -> str:
    return Locale.EN.value if (user.language or "").lower().startswith("en") else Locale.ZH_CN.value


# --- in-app notifications -------------------------------------------------------------------


def do_notify_users(
    *, user_ids: list[int], kind: str, template_key: str, dedupe_key: str, ticket_id: int | None = None,
    payload: dict[str, Any] | None = None, event: str = "",
) -> list[Notification]:
    """Create one in-app notification per active user (once per ``dedupe_key``) and publish
    ``notification.created`` for each. Title and body come from the ``in_app`` template in the
    user's language; without a usable template, the event's description."""
    from complaintdesk.accounts.models import User
    from complaintdesk.tickets.models import Ticket

    payload = payload or {}
    ids = sorted({int(u) for u in user_ids if isinstance(u, int) and not isinstance(u, bool)})
    if not ids:
        return []
    created: list[Notification] = []
    with transaction.atomic():
        ticket = (Ticket.objects.select_related("customer", "category", "assignee").filter(pk=ticket_id).first()
                  if ticket_id else None)
        done = set(Notification.objects.filter(user_id__in=ids, dedupe_key=dedupe_key).values_list("user_id",
                                                                                                    flat=True))
        templates: dict[str, NotificationTemplate | None] = {}
        for user in User.objects.filter(pk__in=ids, is_active=True).exclude(pk__in=done).order_by("id"):
            locale = user_locale(user)
            if locale not in templates:
                templates[locale] = queries.find_template(key=template_key, channel_kind=TemplateChannel.IN_APP,
                                                          locale=locale)
            title, body = _render_in_app(templates[locale], user, ticket, event or kind, payload)
            notification = Notification.objects.create(
                user=user, kind=kind[:100], title=title[:300], body=body, ticket=ticket,
                data={"event": event or kind, "payload": payload}, dedupe_key=dedupe_key[:120],
                created_at=clock.now(),
            )
            ev.publish(ev.NOTIFICATION_CREATED, {
                "notification_id": notification.pk, "user_id": user.pk, "kind": notification.kind,
                "ticket_id": ticket.pk if ticket else None, "user_ids": [user.pk],
            })
            created.append(notification)
    return created


def _render_in_app(template: NotificationTemplate | None, user: User, ticket: Ticket | None, event: str,
                   payload: dict[str, Any]) -> tuple[str, str]:
    context = build_context(ticket=ticket, event=event, payload=payload, recipient=user)
    described = ev.REGISTRY.get(event)
    fallback = described.description if described else event
    if template is None:
        return fallback, ""
    try:
        return render(template.subject, context) or fallback, render(template.body, context)
    except TemplateError:
        return fallback, ""


def do_mark_read(notification: Notification, *, actor: User) -> Notification:
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification


def do_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=clock.now())


# --- channels -------------------------------------------------------------------------------


def _check_channel(kind: str, config: dict[str, Any], secret_names: set[str]) -> None:
    if kind not in CONFIGURABLE_KINDS:
        raise InvalidInput("渠道类型无效 / Invalid channel kind",
                           details={"kind": f"one of {[k.value for k in CONFIGURABLE_KINDS]}"})
    notifier = get_notifier_class(kind)
    unknown = secret_names - notifier.secret_keys
    problems = notifier.validate(config, secret_names)
    for name in sorted(unknown):
        problems[f"secrets.{name}"] = f"未知密钥 / Unknown secret (allowed: {sorted(notifier.secret_keys)})"
    if problems:
        raise InvalidInput("渠道配置无效 / Invalid channel settings", details=problems)


def _seal_all(secrets: dict[str, str]) -> dict[str, Any]:
    return {name: seal_secret(name, value) for name, value in secrets.items() if value}


def _check_unique_channel_name(name: str, exclude_id: int | None = None) -> None:
    qs = NotificationChannel.objects.filter(name=name)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    if qs.exists():
        raise Conflict("渠道名称已存在 / A channel with this name exists", details={"name": name})


def do_create_channel(*, actor: User | None, name: str, kind: str, config: dict[str, Any],
                      secrets: dict[str, str], is_active: bool = True) -> NotificationChannel:
    _check_channel(kind, config, {k for k, v in secrets.items() if v})
    with transaction.atomic():
        _check_unique_channel_name(name)
        now = clock.now()
        channel = NotificationChannel.objects.create(name=name, kind=kind, config=config, secrets=_seal_all(secrets),
                                                     is_active=is_active, created_at=now, updated_at=now)
        record_audit(actor=actor, action="notification_channel.created", obj=channel,
                     data={"name": name, "kind": kind, "config": config, "secrets_set": sorted(channel.secrets)})
    return channel


def do_update_channel(channel: NotificationChannel, *, actor: User | None, name: str | None = None,
                      config: dict[str, Any] | None = None, secrets: dict[str, str] | None = None,
                      is_active: bool | None = None) -> NotificationChannel:
    """Change a channel. ``secrets``: a value replaces that secret, "" removes it, an absent key keeps it."""
    with transaction.atomic():
        channel = NotificationChannel.objects.select_for_update().get(pk=channel.pk)
        new_secrets = dict(channel.secrets)
        for key, value in (secrets or {}).items():
            if value:
                new_secrets[key] = seal_secret(key, value)
            else:
                new_secrets.pop(key, None)
        new_config = config if config is not None else channel.config
        _check_channel(channel.kind, new_config, set(new_secrets))
        diff: dict[str, Any] = {}
        if name is not None and name != channel.name:
            _check_unique_channel_name(name, channel.pk)
            diff["name"] = {"old": channel.name, "new": name}
            channel.name = name
        if config is not None and config != channel.config:
            diff["config"] = {"old": channel.config, "new": config}
            channel.config = config
        if secrets:
            diff["secrets_changed"] = sorted(secrets)  # names only, never values
            channel.secrets = new_secrets
        if is_active is not None and is_active != channel.is_active:
            diff["is_active"] = {"old": channel.is_active, "new": is_active}
            channel.is_active = is_active
        if diff:
            channel.updated_at = clock.now()
            channel.save()
            record_audit(actor=actor, action="notification_channel.updated", obj=channel, data=diff)
    return channel


def do_delete_channel(channel: NotificationChannel, *, actor: User | None) -> None:
    with transaction.atomic():
        record_audit(actor=actor, action="notification_channel.deleted", obj=channel, data={"name": channel.name})
        try:
            with transaction.atomic():
                channel.delete()
        except ProtectedError as exc:
            raise Conflict("渠道仍被通知订阅使用 / The channel is used by notification subscriptions",
                           details={"rules": sorted(r.pk for r in channel.rules.all())}) from exc


def do_send_test_message(channel: NotificationChannel, *, actor: User | None) -> tuple[NotificationDelivery,
                                                                                       SendResult]:
    """Send a real test message now and log it as a delivery (purpose ``test``)."""
    import uuid

    with transaction.atomic():
        delivery = NotificationDelivery.objects.create(
            idempotency_key=f"test:{uuid.uuid4().hex}", purpose=DeliveryPurpose.TEST, channel_kind=channel.kind,
            channel=channel, target=channel_target(channel), event="notification.test",
            subject="ComplaintDesk 测试消息 / test message",
            body=("这是一条来自 ComplaintDesk 的测试消息。\n\nThis is a test message from ComplaintDesk "
                  f"(channel {channel.name})."),
            attempts=1, next_attempt_at=None, created_at=clock.now(),
        )
        record_audit(actor=actor, action="notification_channel.tested", obj=channel, data={"delivery": delivery.pk})
    result = attempt_delivery(delivery)
    delivery.refresh_from_db()
    return delivery, result


# --- templates ------------------------------------------------------------------------------


def _check_template_fields(fields: dict[str, Any]) -> None:
    problems: dict[str, str] = {}
    if "channel_kind" in fields and fields["channel_kind"] not in TemplateChannel.values:
        problems["channel_kind"] = f"one of {TemplateChannel.values}"
    if "locale" in fields and fields["locale"] not in Locale.values:
        problems["locale"] = f"one of {Locale.values}"
    if fields.get("event") and fields["event"] not in ev.REGISTRY:
        problems["event"] = "未知事件 / Unknown event"
    for part in ("subject", "body"):
        if part in fields:
            try:
                check_template(fields[part])
            except TemplateError as exc:
                problems[part] = str(exc)
    if problems:
        raise InvalidInput("模板无效 / Invalid template", details=problems)


def _check_template_unique(key: str, channel_kind: str, locale: str, exclude_id: int | None = None) -> None:
    qs = NotificationTemplate.objects.filter(key=key, channel_kind=channel_kind, locale=locale)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    if qs.exists():
        raise Conflict("同一键、渠道和语言的模板已存在 / A template for this key, channel and locale exists",
                       details={"key": key, "channel_kind": channel_kind, "locale": locale})


def do_create_template(*, actor: User | None, key: str, body: str, subject: str = "", event: str = "",
                       channel_kind: str = TemplateChannel.ANY, locale: str = Locale.ZH_CN) -> NotificationTemplate:
    fields = {"key": key, "event": event, "channel_kind": channel_kind, "locale": locale, "subject": subject,
              "body": body}
    _check_template_fields(fields)
    with transaction.atomic():
        _check_template_unique(key, channel_kind, locale)
        template = NotificationTemplate.objects.create(**fields, updated_at=clock.now())
        record_audit(actor=actor, action="notification_template.created", obj=template, data=fields)
    return template


def do_update_template(template: NotificationTemplate, *, actor: User | None, **fields: Any) -> NotificationTemplate:
    fields = {k: v for k, v in fields.items() if v is not None}
    _check_template_fields(fields)
    with transaction.atomic():
        template = NotificationTemplate.objects.select_for_update().get(pk=template.pk)
        merged = {k: fields.get(k, getattr(template, k)) for k in ("key", "channel_kind", "locale")}
        _check_template_unique(merged["key"], merged["channel_kind"], merged["locale"], template.pk)
        diff = {k: {"old": getattr(template, k), "new": v} for k, v in fields.items() if getattr(template, k) != v}
        if diff:
            for k, v in fields.items():
                setattr(template, k, v)
            template.updated_at = clock.now()
            template.save()
            record_audit(actor=actor, action="notification_template.updated", obj=template, data=diff)
    return template


def do_delete_template(template: NotificationTemplate, *, actor: User | None) -> None:
    with transaction.atomic():
        record_audit(actor=actor, action="notification_template.deleted", obj=template,
                     data={"key": template.key, "channel_kind": template.channel_kind, "locale": template.locale})
        template.delete()


def preview_template(template: NotificationTemplate, *, ticket: Ticket | None, event: str = "",
                     payload: dict[str, Any] | None = None) -> dict[str, str]:
    """Render a template for a ticket without sending anything."""
    context = build_context(ticket=ticket, event=event or template.event, payload=payload or {})
    try:
        return {"subject": render(template.subject, context), "body": render(template.body, context)}
    except TemplateError as exc:
        raise InvalidInput(str(exc), details={"template": template.pk}) from exc


# --- subscriptions (notification rules) -------------------------------------------------------


def _check_pattern(pattern: str, field: str) -> None:
    if not _PATTERN.match(pattern) or not any(fnmatch.fnmatchcase(name, pattern) for name in ev.REGISTRY):
        raise InvalidInput("事件模式不匹配任何事件 / The event pattern matches no event",
                           details={field: pattern})


def _check_rule(*, event_pattern: str, channel_id: int, template_key: str, locale: str) -> NotificationChannel:
    _check_pattern(event_pattern, "event_pattern")
    if locale not in Locale.values:
        raise InvalidInput("语言无效 / Invalid locale", details={"locale": f"one of {Locale.values}"})
    channel = NotificationChannel.objects.filter(pk=channel_id).first()
    if channel is None:
        raise InvalidInput("通知渠道不存在 / Unknown channel", details={"channel_id": channel_id})
    if not NotificationTemplate.objects.filter(key=template_key).exists():
        raise InvalidInput("模板不存在 / Unknown template", details={"template_key": template_key})
    return channel


def do_create_rule(*, actor: User | None, name: str, event_pattern: str, channel_id: int, template_key: str,
                   locale: str = Locale.ZH_CN, is_active: bool = True) -> NotificationRule:
    channel = _check_rule(event_pattern=event_pattern, channel_id=channel_id, template_key=template_key,
                          locale=locale)
    with transaction.atomic():
        now = clock.now()
        rule = NotificationRule.objects.create(name=name, event_pattern=event_pattern, channel=channel,
                                               template_key=template_key, locale=locale, is_active=is_active,
                                               created_at=now, updated_at=now)
        record_audit(actor=actor, action="notification_rule.created", obj=rule, data={
            "name": name, "event_pattern": event_pattern, "channel": channel.pk, "template_key": template_key})
    return rule


def do_update_rule(rule: NotificationRule, *, actor: User | None, **fields: Any) -> NotificationRule:
    fields = {k: v for k, v in fields.items() if v is not None}
    merged = {k: fields.get(k, getattr(rule, k)) for k in ("event_pattern", "channel_id", "template_key", "locale")}
    _check_rule(**merged)
    with transaction.atomic():
        diff = {k: {"old": getattr(rule, k), "new": v} for k, v in fields.items() if getattr(rule, k) != v}
        if diff:
            for k, v in fields.items():
                setattr(rule, k, v)
            rule.updated_at = clock.now()
            rule.save()
            record_audit(actor=actor, action="notification_rule.updated", obj=rule, data=diff)
    return rule


def do_delete_rule(rule: NotificationRule, *, actor: User | None) -> None:
    with transaction.atomic():
        record_audit(actor=actor, action="notification_rule.deleted", obj=rule, data={"name": rule.name})
        rule.delete()


# --- webhooks -------------------------------------------------------------------------------


def _check_webhook(url: str | None, patterns: list[str] | None) -> None:
    problems: dict[str, str] = {}
    if url is not None and (err := check_http_url(url)):
        problems["url"] = err
    if patterns is not None:
        if not patterns or len(patterns) > MAX_PATTERNS:
            problems["event_patterns"] = f"1..{MAX_PATTERNS} 个事件模式 / 1..{MAX_PATTERNS} event patterns"
        for pattern in patterns:
            try:
                _check_pattern(pattern, "event_patterns")
            except InvalidInput:
                problems["event_patterns"] = f"不匹配任何事件 / Matches no event: {pattern[:100]}"
    if problems:
        raise InvalidInput("Webhook 配置无效 / Invalid webhook", details=problems)


def do_create_webhook(*, actor: User | None, name: str, url: str, event_patterns: list[str], secret: str = "",
                      enabled: bool = True) -> WebhookSubscription:
    _check_webhook(url, event_patterns)
    with transaction.atomic():
        now = clock.now()
        webhook = WebhookSubscription.objects.create(
            name=name, url=url, event_patterns=event_patterns, enabled=enabled,
            secret=seal_secret("webhook_secret", secret) if secret else {}, created_at=now, updated_at=now,
        )
        record_audit(actor=actor, action="webhook.created", obj=webhook, data={
            "name": name, "url": url, "event_patterns": event_patterns, "secret_set": bool(secret)})
    return webhook


def do_update_webhook(webhook: WebhookSubscription, *, actor: User | None, name: str | None = None,
                      url: str | None = None, event_patterns: list[str] | None = None, secret: str | None = None,
                      enabled: bool | None = None) -> WebhookSubscription:
    """Change a webhook; ``secret``: a value replaces it, "" removes it, ``None`` keeps it;
    ``enabled``: switch it off (with an administrator's reason) or on again."""
    _check_webhook(url, event_patterns)
    with transaction.atomic():
        webhook = WebhookSubscription.objects.select_for_update().get(pk=webhook.pk)
        diff: dict[str, Any] = {}
        for field, value in (("name", name), ("url", url), ("event_patterns", event_patterns)):
            if value is not None and getattr(webhook, field) != value:
                diff[field] = {"old": getattr(webhook, field), "new": value}
                setattr(webhook, field, value)
        if secret is not None:
            webhook.secret = seal_secret("webhook_secret", secret) if secret else {}
            diff["secret_changed"] = True
        if diff:
            webhook.updated_at = clock.now()
            webhook.save()
            record_audit(actor=actor, action="webhook.updated", obj=webhook, data=diff)
        if enabled is False and webhook.enabled:
            do_disable_webhook(webhook, reason="管理员停用 / Disabled by an administrator", actor=actor)
        elif enabled is True and not webhook.enabled:
            do_enable_webhook(webhook, actor=actor)
    webhook.refresh_from_db()
    return webhook


def do_delete_webhook(webhook: WebhookSubscription, *, actor: User | None) -> None:
    with transaction.atomic():
        record_audit(actor=actor, action="webhook.deleted", obj=webhook, data={"name": webhook.name})
        webhook.delete()


def do_disable_webhook(webhook: WebhookSubscription, *, reason: str, actor: User | None = None) -> None:
    """Stop delivering to a webhook; its waiting deliveries give up with the reason."""
    with transaction.atomic():
        now = clock.now()
        WebhookSubscription.objects.filter(pk=webhook.pk).update(enabled=False, disabled_reason=reason[:500],
                                                                 disabled_at=now, updated_at=now)
        NotificationDelivery.objects.filter(
            webhook_id=webhook.pk, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
        ).update(status=DeliveryStatus.GAVE_UP, next_attempt_at=None, last_error=reason[:2000])
        record_audit(actor=actor, action="webhook.disabled", obj=webhook, data={"reason": reason[:500]})


def do_enable_webhook(webhook: WebhookSubscription, *, actor: User | None) -> WebhookSubscription:
    """Re-enable a webhook (clears the failure count and the reason; given-up deliveries stay in the log)."""
    with transaction.atomic():
        webhook = WebhookSubscription.objects.select_for_update().get(pk=webhook.pk)
        old_reason = webhook.disabled_reason
        webhook.enabled, webhook.disabled_reason, webhook.disabled_at = True, "", None
        webhook.consecutive_failures = 0
        webhook.updated_at = clock.now()
        webhook.save(update_fields=["enabled", "disabled_reason", "disabled_at", "consecutive_failures",
                                    "updated_at"])
        record_audit(actor=actor, action="webhook.enabled", obj=webhook, data={"previous_reason": old_reason})
    return webhook


def do_send_webhook_test(webhook: WebhookSubscription, *, actor: User | None) -> NotificationDelivery:
    """Send a signed test event (``notification.test``) now and log it as a delivery (purpose ``test``)."""
    import uuid

    with transaction.atomic():
        delivery = NotificationDelivery.objects.create(
            idempotency_key=f"test:{uuid.uuid4().hex}", purpose=DeliveryPurpose.TEST,
            channel_kind=ChannelKind.WEBHOOK, webhook=webhook, target=webhook.url,
            event="notification.test", payload={"test": True}, attempts=1, next_attempt_at=None,
            created_at=clock.now(),
        )
    attempt_delivery(delivery)
    delivery.refresh_from_db()
    return delivery


def do_retry_delivery(delivery: NotificationDelivery, *, actor: User | None) -> NotificationDelivery:
    """Send a failed or given-up delivery again (same delivery id, a fresh set of attempts)."""
    if delivery.status not in (DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP):
        raise Conflict("只能重试失败或已放弃的投递 / Only failed or given-up deliveries can be retried",
                       details={"status": delivery.status})
    if delivery.purpose == DeliveryPurpose.TEST:
        raise Conflict("测试消息不重试，请重新测试 / Test messages are not retried; send a new test")
    if delivery.channel_kind == ChannelKind.WEBHOOK and (delivery.webhook is None or not delivery.webhook.enabled):
        raise Conflict("Webhook 已停用或已删除，请先启用 / The webhook is disabled or deleted; enable it first")
    with transaction.atomic():
        NotificationDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=clock.now())
        record_audit(actor=actor, action="notification_delivery.retried", obj=delivery,
                     data={"previous_status": delivery.status, "previous_error": delivery.last_error[:500]})
        transaction.on_commit(kick_deliveries)
    delivery.refresh_from_db()
    return delivery


# --- sending from other apps (rules) ------------------------------------------------------------


def do_enqueue_channel_message(*, channel: NotificationChannel, idempotency_key: str, purpose: str,
                               template_key: str, locale: str, event: str, payload: dict[str, Any],
                               ticket_id: int | None, outbox_id: int | None = None) -> NotificationDelivery:
    return enqueue_delivery(
        idempotency_key=idempotency_key, purpose=purpose, channel_kind=channel.kind, channel=channel,
        target=channel_target(channel), template_key=template_key, locale=locale, event=event,
        outbox_id=outbox_id, ticket_id=ticket_id, payload=payload,
    )

