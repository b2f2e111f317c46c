"""REST endpoints of the notifications app: the viewer's own in-app notifications (every user),
and channels, templates, subscriptions, webhooks and the delivery log (``notification.admin``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from complaintdesk.accounts.models import User
from complaintdesk.core.schemas import ERRORS, paginate
from complaintdesk.notifications import actions, queries
from complaintdesk.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationRule,
    NotificationTemplate,
    WebhookSubscription,
)
from complaintdesk.notifications.schemas import (
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    CountOut,
    DeliveryOut,
    DeliveryPage,
    NotificationOut,
    NotificationPage,
    NotificationRuleIn,
    NotificationRuleOut,
    NotificationRulePatch,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
    TemplatePreviewIn,
    TemplatePreviewOut,
    TestResultOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)

router = Router(tags=["notifications"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _admin(request: HttpRequest) -> User:
    actor = _actor(request)
    actions.check_notification_admin(actor)
    return actor


def _ticket_brief(ticket: Any) -> dict[str, Any] | None:
    return {"id": ticket.pk, "number": ticket.number, "subject": ticket.subject} if ticket is not None else None


def notification_out(n: Notification) -> dict[str, Any]:
    return {"id": n.pk, "kind": n.kind, "title": n.title, "body": n.body, "ticket": _ticket_brief(n.ticket),
            "data": n.data, "created_at": n.created_at, "read_at": n.read_at}


def channel_out(c: NotificationChannel) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "kind": c.kind, "config": c.config, "secrets_set": sorted(c.secrets),
            "is_active": c.is_active, "created_at": c.created_at, "updated_at": c.updated_at}


def delivery_out(d: NotificationDelivery) -> dict[str, Any]:
    return {
        "id": d.pk, "delivery_id": d.delivery_id, "purpose": d.purpose, "channel_kind": d.channel_kind,
        "channel_id": d.channel_id, "webhook_id": d.webhook_id, "target": d.target, "template_key": d.template_key,
        "locale": d.locale, "event": d.event, "ticket": _ticket_brief(d.ticket), "payload": d.payload,
        "subject": d.subject, "body": d.body,
        "status": d.status, "attempts": d.attempts, "last_error": d.last_error, "response_code": d.response_code,
        "created_at": d.created_at, "next_attempt_at": d.next_attempt_at, "sent_at": d.sent_at,
    }


def template_out(t: NotificationTemplate) -> dict[str, Any]:
    return {"id": t.pk, "key": t.key, "event": t.event, "channel_kind": t.channel_kind, "locale": t.locale,
            "subject": t.subject, "body": t.body, "is_system": t.is_system, "updated_at": t.updated_at}


def rule_out(r: NotificationRule) -> dict[str, Any]:
    return {"id": r.pk, "name": r.name, "event_pattern": r.event_pattern, "channel_id": r.channel_id,
            "channel_name": r.channel.name, "template_key": r.template_key, "locale": r.locale,
            "is_active": r.is_active, "created_at": r.created_at, "updated_at": r.updated_at}


def webhook_out(w: WebhookSubscription) -> dict[str, Any]:
    return {"id": w.pk, "name": w.name, "url": w.url, "secret_set": bool(w.secret),
            "event_patterns": list(w.event_patterns), "enabled": w.enabled, "disabled_reason": w.disabled_reason,
            "disabled_at": w.disabled_at, "consecutive_failures": w.consecutive_failures,
            "created_at": w.created_at, "updated_at": w.updated_at}


# --- my notifications -----------------------------------------------------------------------


@router.get("/notifications", response={200: NotificationPage, **ERRORS},
            summary="My in-app notifications, newest first (unread=true: only unread)")
def list_notifications(request: HttpRequest, unread: bool = False, page: int = 1, page_size: int = 50) -> Any:
    items, meta = paginate(queries.list_notifications(viewer=_actor(request), unread_only=unread), page, page_size)
    return {**meta, "items": [notification_out(n) for n in items]}


@router.get("/notifications/unread-count", response={200: CountOut, **ERRORS}, summary="How many of mine are unread")
def unread_count(request: HttpRequest) -> Any:
    return {"count": queries.unread_count(viewer=_actor(request))}


@router.post("/notifications/read-all", response={200: CountOut, **ERRORS},
             summary="Mark all my notifications read; answers how many changed")
def read_all(request: HttpRequest) -> Any:
    return {"count": actions.do_mark_all_read(actor=_actor(request))}


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS},
             summary="Mark one of my notifications read")
def read_one(request: HttpRequest, notification_id: int) -> Any:
    actor = _actor(request)
    notification = queries.get_notification(viewer=actor, notification_id=notification_id)
    return notification_out(actions.do_mark_read(notification, actor=actor))


# --- channels -------------------------------------------------------------------------------


@router.get("/notification-channels", response={200: list[ChannelOut], **ERRORS}, summary="Notification channels")
def list_channels(request: HttpRequest) -> Any:
    _admin(request)
    return [channel_out(c) for c in queries.list_channels()]


@router.post("/notification-channels", response={201: ChannelOut, **ERRORS},
             summary="Create an email, DingTalk or WeCom channel (secrets are write-only)")
def create_channel(request: HttpRequest, payload: ChannelIn) -> Any:
    actor = _admin(request)
    channel = actions.do_create_channel(actor=actor, name=payload.name, kind=payload.kind, config=payload.config,
                                        secrets=payload.secrets, is_active=payload.is_active)
    return Status(201, channel_out(channel))


@router.get("/notification-channels/{channel_id}", response={200: ChannelOut, **ERRORS}, summary="One channel")
def get_channel(request: HttpRequest, channel_id: int) -> Any:
    _admin(request)
    return channel_out(queries.get_channel(channel_id=channel_id))


@router.patch("/notification-channels/{channel_id}", response={200: ChannelOut, **ERRORS}, summary="Change a channel")
def update_channel(request: HttpRequest, channel_id: int, payload: ChannelPatch) -> Any:
    actor = _admin(request)
    channel = queries.get_channel(channel_id=channel_id)
    return channel_out(actions.do_update_channel(channel, actor=actor, **payload.dict(exclude_unset=True)))


@router.delete("/notification-channels/{channel_id}", response={204: None, **ERRORS},
               summary="Delete a channel (409 while subscriptions use it)")
def delete_channel(request: HttpRequest, channel_id: int) -> Any:
    actor = _admin(request)
    actions.do_delete_channel(queries.get_channel(channel_id=channel_id), actor=actor)
    return Status(204, None)


@router.post("/notification-channels/{channel_id}/test", response={200: TestResultOut, **ERRORS},
             summary="Send a real test message now and answer the result")
def test_channel(request: HttpRequest, channel_id: int) -> Any:
    actor = _admin(request)
    delivery, result = actions.do_send_test_message(queries.get_channel(channel_id=channel_id), actor=actor)
    return {"ok": result.ok, "response_code": result.response_code, "error": result.error,
            "delivery": delivery_out(delivery)}


# --- templates ------------------------------------------------------------------------------


@router.get("/notification-templates", response={200: list[TemplateOut], **ERRORS}, summary="Notification templates")
def list_templates(request: HttpRequest, key: str | None = None, locale: str | None = None,
                   channel_kind: str | None = None) -> Any:
    _admin(request)
    return [template_out(t) for t in queries.list_templates(key=key, locale=locale, channel_kind=channel_kind)]


@router.post("/notification-templates", response={201: TemplateOut, **ERRORS}, summary="Create a template")
def create_template(request: HttpRequest, payload: TemplateIn) -> Any:
    actor = _admin(request)
    return Status(201, template_out(actions.do_create_template(actor=actor, **payload.dict())))


@router.get("/notification-templates/{template_id}", response={200: TemplateOut, **ERRORS}, summary="One template")
def get_template(request: HttpRequest, template_id: int) -> Any:
    _admin(request)
    return template_out(queries.get_template(template_id=template_id))


@router.patch("/notification-templates/{template_id}", response={200: TemplateOut, **ERRORS},
              summary="Change a template")
def update_template(request: HttpRequest, template_id: int, payload: TemplatePatch) -> Any:
    actor = _admin(request)
    template = queries.get_template(template_id=template_id)
    return template_out(actions.do_update_template(template, actor=actor, **payload.dict(exclude_unset=True)))


@router.delete("/notification-templates/{template_id}", response={204: None, **ERRORS}, summary="Delete a template")
def delete_template(request: HttpRequest, template_id: int) -> Any:
    actor = _admin(request)
    actions.do_delete_template(queries.get_template(template_id=template_id), actor=actor)
    return Status(204, None)


@router.post("/notification-templates/{template_id}/preview", response={200: TemplatePreviewOut, **ERRORS},
             summary="Render a template for a ticket (nothing is sent)")
def preview_template(request: HttpRequest, template_id: int, payload: TemplatePreviewIn) -> Any:
    from complaintdesk.tickets.queries import get_ticket

    actor = _admin(request)
    template = queries.get_template(template_id=template_id)
    ticket = get_ticket(viewer=actor, ticket_id=payload.ticket_id) if payload.ticket_id is not None else None
    return actions.preview_template(template, ticket=ticket, event=payload.event, payload=payload.payload)


# --- subscriptions --------------------------------------------------------------------------


@router.get("/notification-rules", response={200: list[NotificationRuleOut], **ERRORS},
            summary="Subscriptions: which events go to which channel with which template")
def list_rules(request: HttpRequest) -> Any:
    _admin(request)
    return [rule_out(r) for r in queries.list_rules()]


@router.post("/notification-rules", response={201: NotificationRuleOut, **ERRORS}, summary="Create a subscription")
def create_rule(request: HttpRequest, payload: NotificationRuleIn) -> Any:
    actor = _admin(request)
    rule = actions.do_create_rule(actor=actor, **payload.dict())
    return Status(201, rule_out(queries.get_rule(rule_id=rule.pk)))


@router.get("/notification-rules/{rule_id}", response={200: NotificationRuleOut, **ERRORS}, summary="One subscription")
def get_rule(request: HttpRequest, rule_id: int) -> Any:
    _admin(request)
    return rule_out(queries.get_rule(rule_id=rule_id))


@router.patch("/notification-rules/{rule_id}", response={200: NotificationRuleOut, **ERRORS},
              summary="Change a subscription")
def update_rule(request: HttpRequest, rule_id: int, payload: NotificationRulePatch) -> Any:
    actor = _admin(request)
    rule = actions.do_update_rule(queries.get_rule(rule_id=rule_id), actor=actor, **payload.dict(exclude_unset=True))
    return rule_out(queries.get_rule(rule_id=rule.pk))


@router.delete("/notification-rules/{rule_id}", response={204: None, **ERRORS}, summary="Delete a subscription")
def delete_rule(request: HttpRequest, rule_id: int) -> Any:
    actor = _admin(request)
    actions.do_delete_rule(queries.get_rule(rule_id=rule_id), actor=actor)
    return Status(204, None)


# --- webhooks -------------------------------------------------------------------------------


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS}, summary="Webhook subscriptions")
def list_webhooks(request: HttpRequest) -> Any:
    _admin(request)
    return [webhook_out(w) for w in queries.list_webhooks()]


@router.post("/webhooks", response={201: WebhookOut, **ERRORS},
             summary="Create a webhook (signed with HMAC-SHA256; the secret is write-only)")
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Any:
    actor = _admin(request)
    return Status(201, webhook_out(actions.do_create_webhook(actor=actor, **payload.dict())))


@router.get("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS}, summary="One webhook")
def get_webhook(request: HttpRequest, webhook_id: int) -> Any:
    _admin(request)
    return webhook_out(queries.get_webhook(webhook_id=webhook_id))


@router.patch("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS}, summary="Change a webhook")
def update_webhook(request: HttpRequest, webhook_id: int, payload: WebhookPatch) -> Any:
    actor = _admin(request)
    webhook = queries.get_webhook(webhook_id=webhook_id)
    return webhook_out(actions.do_update_webhook(webhook, actor=actor, **payload.dict(exclude_unset=True)))


@router.delete("/webhooks/{webhook_id}", response={204: None, **ERRORS}, summary="Delete a webhook")
def delete_webhook(request: HttpRequest, webhook_id: int) -> Any:
    actor = _admin(request)
    actions.do_delete_webhook(queries.get_webhook(webhook_id=webhook_id), actor=actor)
    return Status(204, None)


@router.post("/webhooks/{webhook_id}/enable", response={200: WebhookOut, **ERRORS},
             summary="Re-enable a webhook that was disabled (clears the failure count and reason)")
def enable_webhook(request: HttpRequest, webhook_id: int) -> Any:
    actor = _admin(request)
    return webhook_out(actions.do_enable_webhook(queries.get_webhook(webhook_id=webhook_id), actor=actor))


@router.post("/webhooks/{webhook_id}/test", response={200: DeliveryOut, **ERRORS},
             summary="Send a signed notification.test event now and answer the delivery")
def test_webhook(request: HttpRequest, webhook_id: int) -> Any:
    actor = _admin(request)
    return delivery_out(actions.do_send_webhook_test(queries.get_webhook(webhook_id=webhook_id), actor=actor))


@router.get("/webhooks/{webhook_id}/deliveries", response={200: DeliveryPage, **ERRORS},
            summary="The delivery log of one webhook")
def webhook_deliveries(request: HttpRequest, webhook_id: int, status: str | None = None, page: int = 1,
                       page_size: int = 50) -> Any:
    _admin(request)
    webhook = queries.get_webhook(webhook_id=webhook_id)
    qs = queries.list_deliveries(filters=queries.DeliveryFilters(webhook_id=webhook.pk, status=status))
    items, meta = paginate(qs, page, page_size)
    return {**meta, "items": [delivery_out(d) for d in items]}


# --- delivery log ---------------------------------------------------------------------------


@router.get("/notification-deliveries", response={200: DeliveryPage, **ERRORS},
            summary="The delivery log (filter by status, channel kind, purpose, event, channel, webhook, ticket, "
                    "time: `since` inclusive, `until` exclusive, ISO 8601; naive times are UTC)")
def list_deliveries(request: HttpRequest, status: str | None = None, channel_kind: str | None = None,
                    purpose: str | None = None, event: str | None = None, channel_id: int | None = None,
                    webhook_id: int | None = None, ticket_id: int | None = None, since: datetime | None = None,
                    until: datetime | None = None, page: int = 1, page_size: int = 50) -> Any:
    _admin(request)
    filters = queries.DeliveryFilters(status=status, channel_kind=channel_kind, purpose=purpose, event=event,
                                      channel_id=channel_id, webhook_id=webhook_id, ticket_id=ticket_id,
                                      since=since, until=until)
    items, meta = paginate(queries.list_deliveries(filters=filters), page, page_size)
    return {**meta, "items": [delivery_out(d) for d in items]}


@router.post("/notification-deliveries/{delivery_id}/retry", response={200: DeliveryOut, **ERRORS},
             summary="Send a failed or given-up delivery again (same delivery id)")
def retry_delivery(request: HttpRequest, delivery_id: int) -> Any:
    actor = _admin(request)
    return delivery_out(actions.do_retry_delivery(queries.get_delivery(delivery_id=delivery_id), actor=actor))


@router.get("/notification-deliveries/{delivery_id}", response={200: DeliveryOut, **ERRORS}, summary="One delivery")
def get_delivery(request: HttpRequest, delivery_id: int) -> Any:
    _admin(request)
    return delivery_out(queries.get_delivery(delivery_id=delivery_id))
