"""The outbox handler: turns each domain event into in-app notifications, the customer's
acknowledgement, subscription messages and webhook deliveries.

It runs in the job consumer, at least once per event. Everything it writes is keyed by the
outbox id (``Notification.dedupe_key``, ``NotificationDelivery.idempotency_key``), so handing the
same event over twice creates nothing twice. Sending happens later, per delivery, so one slow or
failing receiver neither delays nor repeats the others.
"""

from __future__ import annotations

import fnmatch
from datetime import datetime
from typing import Any

from complaintdesk.core import events as ev
from complaintdesk.core.models import Outbox
from complaintdesk.notifications.actions import do_enqueue_channel_message, do_notify_users
from complaintdesk.notifications.choices import ChannelKind, DeliveryPurpose, Locale
from complaintdesk.notifications.delivery import enqueue_delivery, record_skipped_delivery
from complaintdesk.notifications.models import NotificationRule, WebhookSubscription

# In-app notifications go to the payload's ``user_ids`` for these events.
IN_APP_PATTERNS = ("task.*", "sla.*", "alert.*")

# The shipped template for each event (migration 0002); other events use ``event_generic``.
TEMPLATE_FOR_EVENT = {
    ev.TASK_CREATED: "task_assigned",
    ev.TASK_CC: "task_cc",
    ev.TASK_URGED: "task_urged",
    ev.TASK_OVERDUE: "task_overdue",
    ev.TASK_TRANSFERRED: "task_transferred",
    ev.SLA_WARNING: "sla_warning",
    ev.SLA_BREACHED: "sla_breached",
    ev.SLA_ESCALATED: "sla_escalated",
    ev.ALERT_FIRED: "alert_fired",
    ev.ALERT_CLEARED: "alert_cleared",
}
GENERIC_TEMPLATE = "event_generic"
CUSTOMER_ACK_TEMPLATE = "customer_ack"


def template_for_event(name: str) -> str:
    return TEMPLATE_FOR_EVENT.get(name, GENERIC_TEMPLATE)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@ev.outbox_handler("*")
def fan_out(event: ev.DomainEvent) -> None:
    """Idempotent: keyed by ``event.outbox_id``."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    key = f"outbox:{event.outbox_id}"
    ticket_id = _int(payload.get("ticket_id"))

    def occurred_at() -> datetime | None:
        if event.outbox_id is None:
            return None
        return Outbox.objects.filter(pk=event.outbox_id).values_list("created_at", flat=True).first()

    user_ids = payload.get("user_ids")
    if isinstance(user_ids, list) and any(fnmatch.fnmatchcase(event.name, p) for p in IN_APP_PATTERNS):
        do_notify_users(user_ids=[u for u in user_ids if _int(u) is not None], kind=event.name,
                        template_key=template_for_event(event.name), dedupe_key=key, ticket_id=ticket_id,
                        payload=payload, event=event.name)

    if event.name == ev.TICKET_CREATED and ticket_id is not None:
        enqueue_customer_ack(ticket_id=ticket_id, outbox_id=event.outbox_id, occurred_at=occurred_at())

    for rule in NotificationRule.objects.filter(is_active=True, channel__is_active=True).select_related("channel"):
        if fnmatch.fnmatchcase(event.name, rule.event_pattern):
            do_enqueue_channel_message(
                channel=rule.channel, idempotency_key=f"{key}:rule:{rule.pk}", purpose=DeliveryPurpose.SUBSCRIPTION,
                template_key=rule.template_key, locale=rule.locale, event=event.name, payload=payload,
                ticket_id=ticket_id, outbox_id=event.outbox_id,
            )

    for webhook in WebhookSubscription.objects.filter(enabled=True):
        if any(fnmatch.fnmatchcase(event.name, p) for p in webhook.event_patterns):
            enqueue_delivery(
                idempotency_key=f"{key}:webhook:{webhook.pk}", purpose=DeliveryPurpose.WEBHOOK,
                channel_kind=ChannelKind.WEBHOOK, webhook=webhook, target=webhook.url, event=event.name,
                outbox_id=event.outbox_id, ticket_id=ticket_id, payload=payload, occurred_at=occurred_at(),
            )


def enqueue_customer_ack(*, ticket_id: int, outbox_id: int | None, occurred_at: datetime | None) -> None:
    """Tell the customer their complaint was registered, on a channel we can send on.

    Email when the customer has an address; otherwise the delivery is recorded as skipped with the
    reason (no sending adapter for WeChat, SMS ... yet) and the timeline says so — nothing is faked.
    The message is rendered when it is sent, so it carries the promised time (``resolution_due_at``)
    set by the SLA in the intake transaction; without one the template leaves the promise out.
    """
    from complaintdesk.tickets.models import Ticket

    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is None:
        return
    customer = ticket.customer
    common: dict[str, Any] = {
        "idempotency_key": f"ack:{ticket.pk}", "purpose": DeliveryPurpose.CUSTOMER_ACK,
        "template_key": CUSTOMER_ACK_TEMPLATE, "locale": Locale.ZH_CN, "event": ev.TICKET_CREATED,
        "outbox_id": outbox_id, "ticket_id": ticket.pk, "payload": {"ticket_id": ticket.pk},
        "occurred_at": occurred_at,
    }
    if customer is not None and customer.email:
        enqueue_delivery(channel_kind=ChannelKind.EMAIL, target=customer.email, **common)
        return
    reason = (
        f"客户没有可用的联系渠道（{ticket.get_channel_display()}渠道未配置发送适配器，客户无邮箱） / "
        f"No adapter is configured to reach the customer on channel {ticket.channel!r}, and no email is known"
        if customer is not None else "工单没有关联客户 / The ticket has no customer"
    )
    record_skipped_delivery(channel_kind=ChannelKind.NONE, target=ticket.channel, reason=reason, **common)
