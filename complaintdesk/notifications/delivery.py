"""Sending deliveries: at least once, exponential backoff, idempotency, and the delivery log.

A ``NotificationDelivery`` row is written inside the transaction that decides a message must go
(the outbox fan-out, a rule action, a test send). After commit a job sends due rows:

1. claim a row in a short transaction (``FOR UPDATE SKIP LOCKED``; on SQLite the write lock):
   count the attempt and push ``next_attempt_at`` out by a lease, so a consumer that dies while
   sending leaves a row that is retried when the lease ends — never a row that is lost;
2. render (at the first attempt, from the ticket as it is then: the SLA due time set in the intake
   transaction is there) and send outside any transaction — network time holds no lock;
3. record the outcome: sent; failed with ``next_attempt_at`` = now + backoff; gave_up after
   ``MAX_ATTEMPTS`` or a permanent refusal; skipped when nothing could send it (no SMTP server).

The receiver sees the same ``delivery_id`` on every retry and deduplicates on it. Sending twice is
possible (a crash between a send and its record) and harmless for that reason.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from complaintdesk.core import clock
from complaintdesk.forms.crypto import DecryptionFailed
from complaintdesk.notifications import queries
from complaintdesk.notifications.choices import ChannelKind, DeliveryPurpose, DeliveryStatus
from complaintdesk.notifications.context import build_context
from complaintdesk.notifications.events import notification_sent_event
from complaintdesk.notifications.models import NotificationChannel, NotificationDelivery, WebhookSubscription
from complaintdesk.notifications.notifiers import Message, NotConfigured, Notifier, SendResult, get_notifier_class
from complaintdesk.notifications.render import TemplateError, render
from complaintdesk.notifications.secretbox import open_secret

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600
LEASE = timedelta(minutes=5)
WEBHOOK_DISABLE_AFTER = 10  # consecutive failed attempts
CUSTOMER_PURPOSES = (DeliveryPurpose.CUSTOMER_ACK, DeliveryPurpose.CUSTOMER_REPLY)


def backoff_for(attempts: int) -> timedelta:
    """Delay after failed attempt number ``attempts`` (1-based): 30 s, 60 s, 120 s ... capped at 1 h."""
    return timedelta(seconds=min(BASE_BACKOFF_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS))


# --- creating ------------------------------------------------------------------------------


def enqueue_delivery(*, idempotency_key: str, **fields: Any) -> NotificationDelivery:
    """Write a delivery inside the caller's transaction, once per ``idempotency_key``; it is sent
    after commit. The same key again (the outbox redelivering an event) returns the first row."""
    return _create_once(idempotency_key, fields)[0]


def record_skipped_delivery(*, idempotency_key: str, reason: str, **fields: Any) -> NotificationDelivery:
    """Log a message that nothing can send (status ``skipped``, never attempted) once per key; for a
    customer-facing one the ticket timeline says so too."""
    delivery, created = _create_once(idempotency_key, {**fields, "status": DeliveryStatus.SKIPPED,
                                                       "last_error": reason[:2000]})
    if created and delivery.ticket_id and delivery.purpose in CUSTOMER_PURPOSES:
        notification_sent_event(ticket_id=delivery.ticket_id, data={
            "delivery_id": delivery.pk, "purpose": delivery.purpose, "channel": delivery.target,
            "status": DeliveryStatus.SKIPPED.value, "template": delivery.template_key, "subject": delivery.subject,
            "reason": reason,
        })
    return delivery


def _create_once(idempotency_key: str, fields: dict[str, Any]) -> tuple[NotificationDelivery, bool]:
    key = idempotency_key[:200]
    existing = NotificationDelivery.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    pending = fields.get("status", DeliveryStatus.PENDING) == DeliveryStatus.PENDING
    try:
        with transaction.atomic():
            delivery = NotificationDelivery.objects.create(
                idempotency_key=key, created_at=clock.now(), next_attempt_at=clock.now() if pending else None,
                **fields)
    except IntegrityError:  # a concurrent fan-out of the same event won
        return NotificationDelivery.objects.get(idempotency_key=key), False
    if pending:
        transaction.on_commit(kick_deliveries)
    return delivery, True


def kick_deliveries() -> None:
    """Send due deliveries soon: now in test mode, else through the job consumer."""
    from complaintdesk.notifications.tasks import deliver_notifications

    if settings.HUEY.get("immediate"):
        deliver_notifications.call_local()
        return
    try:
        deliver_notifications.schedule(delay=1)
    except Exception:  # the job store being down must not fail a committed request
        logger.exception("could not enqueue notification delivery; the periodic sweep will pick it up")


# --- sending -------------------------------------------------------------------------------


def deliver_due(limit: int = 200) -> int:
    """Send up to ``limit`` due deliveries; returns how many were sent successfully."""
    sent = 0
    for _ in range(limit):
        delivery = _claim_next()
        if delivery is None:
            break
        try:
            if attempt_delivery(delivery).ok:
                sent += 1
        except Exception:  # recording failed (database hiccup): the lease ends and the row is retried
            logger.exception("delivery %s could not be recorded; retried after its lease", delivery.pk)
    return sent


def _claim_next() -> NotificationDelivery | None:
    with transaction.atomic():
        row = (
            NotificationDelivery.objects.select_for_update(skip_locked=True)
            .filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=clock.now())
            .order_by("next_attempt_at", "id")
            .first()
        )
        if row is None:
            return None
        row.attempts += 1
        row.next_attempt_at = clock.now() + LEASE
        row.save(update_fields=["attempts", "next_attempt_at"])
        return row


def _opened_secrets(sealed: dict[str, Any]) -> dict[str, str]:
    return {name: open_secret(name, value) for name, value in (sealed or {}).items()}


def channel_target(channel: NotificationChannel) -> str:
    """Where a channel's messages go, for the log — from the plain config, without opening secrets."""
    return get_notifier_class(channel.kind)(dict(channel.config), {}).target()[:500]


def notifier_for_channel(channel: NotificationChannel) -> Notifier:
    return get_notifier_class(channel.kind)(dict(channel.config), _opened_secrets(channel.secrets))


def notifier_for_webhook(webhook: WebhookSubscription) -> Notifier:
    secret = open_secret("webhook_secret", webhook.secret)
    return get_notifier_class(ChannelKind.WEBHOOK)({"url": webhook.url}, {"secret": secret} if secret else {})


def _notifier(delivery: NotificationDelivery) -> Notifier:
    if delivery.channel_kind == ChannelKind.WEBHOOK:
        if delivery.webhook is None or not delivery.webhook.enabled:
            raise _GiveUp("Webhook 已停用或已删除 / The webhook is disabled or deleted")
        return notifier_for_webhook(delivery.webhook)
    if delivery.channel is not None:
        if not delivery.channel.is_active:
            raise _GiveUp("通知渠道已停用 / The notification channel is disabled")
        return notifier_for_channel(delivery.channel)
    if delivery.channel_kind == ChannelKind.EMAIL:  # to a customer: the server from CD_SMTP_*
        return get_notifier_class(ChannelKind.EMAIL)({}, {})
    raise _GiveUp(f"没有可用的渠道 / No channel to send {delivery.channel_kind} with")


class _GiveUp(Exception):
    """The delivery can never succeed as it is (template broken, channel gone)."""


def _render(delivery: NotificationDelivery) -> None:
    """Fill subject and body from the template, reading the ticket as it is now (first attempt only)."""
    if delivery.body or not delivery.template_key:
        return
    from complaintdesk.tickets.models import Ticket

    template = queries.find_template(key=delivery.template_key, channel_kind=delivery.channel_kind,
                                     locale=delivery.locale)
    if template is None:
        raise _GiveUp(f"模板不存在 / No template {delivery.template_key!r}")
    ticket = (Ticket.objects.select_related("customer", "category", "assignee").filter(pk=delivery.ticket_id).first()
              if delivery.ticket_id else None)
    context = build_context(ticket=ticket, event=delivery.event, payload=delivery.payload)
    try:
        delivery.subject = render(template.subject, context)[:300]
        delivery.body = render(template.body, context)
    except TemplateError as exc:
        raise _GiveUp(str(exc)) from exc
    NotificationDelivery.objects.filter(pk=delivery.pk).update(subject=delivery.subject, body=delivery.body)


def _message(delivery: NotificationDelivery) -> Message:
    occurred = delivery.occurred_at or delivery.created_at
    return Message(
        subject=delivery.subject, body=delivery.body, event=delivery.event, delivery_id=delivery.delivery_id,
        occurred_at=occurred.isoformat(), data=delivery.payload,
        to=[delivery.target] if delivery.channel_kind == ChannelKind.EMAIL and delivery.channel_id is None else [],
    )


def attempt_delivery(delivery: NotificationDelivery) -> SendResult:
    """Send one claimed delivery and record the outcome (never raises for the receiver's faults)."""
    skipped = False
    try:
        notifier = _notifier(delivery)
        if delivery.channel_kind != ChannelKind.WEBHOOK:
            _render(delivery)
        result = notifier.send(_message(delivery))
    except NotConfigured as exc:
        result, skipped = SendResult(ok=False, error=str(exc)), True
    except _GiveUp as exc:
        result = SendResult(ok=False, error=str(exc), permanent=True)
    except DecryptionFailed:
        result = SendResult(ok=False, permanent=True, error=(
            "密钥无法解密（加密密钥是否已更换？），请重新填写 / The stored secret cannot be decrypted "
            "(was CD_FIELD_ENCRYPTION_KEY or CD_SECRET_KEY changed?); enter it again"))
    except Exception as exc:  # a notifier's bug: logged, recorded and retried like a network error
        logger.exception("delivery %s failed unexpectedly", delivery.pk)
        result = SendResult(ok=False, error=f"{type(exc).__name__}: {exc}")
    _record(delivery, result, skipped=skipped)
    return result


def _record(delivery: NotificationDelivery, result: SendResult, *, skipped: bool) -> None:
    now = clock.now()
    with transaction.atomic():
        delivery.response_code = result.response_code
        delivery.last_error = result.error[:2000]
        if result.ok:
            delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, now, None
        elif skipped:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.SKIPPED, None
        elif delivery.purpose == DeliveryPurpose.TEST:  # answered to the admin at once; never retried
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        elif result.permanent or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.GAVE_UP, None
        else:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, now + backoff_for(delivery.attempts)
        delivery.save(update_fields=["status", "sent_at", "next_attempt_at", "response_code", "last_error"])
        if delivery.webhook_id is not None and delivery.purpose != DeliveryPurpose.TEST:
            _count_webhook_result(delivery.webhook_id, ok=result.ok)
        final = delivery.status in (DeliveryStatus.SENT, DeliveryStatus.SKIPPED, DeliveryStatus.GAVE_UP)
        if delivery.ticket_id and delivery.purpose in CUSTOMER_PURPOSES and final:
            # The timeline answers "was the customer told?": sent, or why not.
            notification_sent_event(ticket_id=delivery.ticket_id, data={
                "delivery_id": delivery.pk, "purpose": delivery.purpose, "channel": delivery.channel_kind,
                "status": delivery.status, "template": delivery.template_key, "subject": delivery.subject,
                "reason": "" if result.ok else delivery.last_error,
            })


def _count_webhook_result(webhook_id: int, *, ok: bool) -> None:
    if ok:
        WebhookSubscription.objects.filter(pk=webhook_id).exclude(consecutive_failures=0).update(
            consecutive_failures=0)
        return
    WebhookSubscription.objects.filter(pk=webhook_id).update(consecutive_failures=F("consecutive_failures") + 1)
    webhook = WebhookSubscription.objects.select_for_update().get(pk=webhook_id)
    if webhook.enabled and webhook.consecutive_failures >= WEBHOOK_DISABLE_AFTER:
        from complaintdesk.notifications.actions import do_disable_webhook

        last = NotificationDelivery.objects.filter(webhook_id=webhook_id).order_by("-id").values_list(
            "last_error", flat=True).first() or ""
        do_disable_webhook(webhook, reason=(
            f"连续 {webhook.consecutive_failures} 次投递失败，已自动停用 / Disabled after "
            f"{webhook.consecutive_failures} consecutive failed deliveries; last error: {last}")[:500])
