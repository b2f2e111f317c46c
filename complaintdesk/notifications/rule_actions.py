"""The notification actions of the rules engine, registered in ``NotificationsConfig.ready()``:

- ``notify``: in-app notifications to users (``user_ids``), members of roles (``role_keys``) and/or
  the ticket's assignee (``to_assignee``), and/or a message to a channel (``channel_id``), rendered
  with ``template_key`` (default ``event_generic``).
- ``reply_customer``: render ``template_key`` for the ticket, add it as a public reply
  (``tickets.actions.do_add_comment``) and email it to the customer (skipped, and said so on the
  timeline, when the customer has no email).
- ``call_webhook``: a signed delivery of the triggering event and the ticket to ``webhook_id``.

Each keys what it sends by rule and outbox event, so a rule run repeated for the same event sends
nothing twice.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from complaintdesk.notifications.choices import ChannelKind, DeliveryPurpose, Locale, TemplateChannel

if TYPE_CHECKING:
    from complaintdesk.rules.registry import ActionContext
    from complaintdesk.tickets.models import Ticket

MAX_RECIPIENTS = 100


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _base(params: Any, known: set[str]) -> list[str]:
    if not isinstance(params, dict):
        return ["参数必须是对象 / Parameters must be an object"]
    unknown = sorted(set(params) - known)
    return [f"未知参数 {unknown} / Unknown parameters {unknown}"] if unknown else []


def _check_template_key(params: dict[str, Any], problems: list[str], *, required: bool) -> None:
    from complaintdesk.notifications.models import NotificationTemplate

    key = params.get("template_key")
    if (key is not None or required) and (
            not isinstance(key, str) or not NotificationTemplate.objects.filter(key=key).exists()):
        problems.append(f"模板不存在 / Unknown template_key {key!r}")
    if params.get("locale", Locale.ZH_CN) not in Locale.values:
        problems.append(f"locale 必须是 {Locale.values} 之一 / locale must be one of {Locale.values}")


def _run_key(ctx: ActionContext, what: str) -> str:
    event_key = ctx.event.outbox_id if ctx.event.outbox_id is not None else uuid.uuid4().hex
    return f"rule:{ctx.rule_id}:{event_key}:t{ctx.ticket.pk}:{what}"


# --- notify ---------------------------------------------------------------------------------

NOTIFY_PARAMS = {"user_ids", "role_keys", "to_assignee", "channel_id", "template_key", "locale"}


def validate_notify(params: dict[str, Any]) -> list[str]:
    from complaintdesk.accounts.models import Role
    from complaintdesk.notifications.models import NotificationChannel

    problems = _base(params, NOTIFY_PARAMS)
    if problems:
        return problems
    user_ids = params.get("user_ids", [])
    if not isinstance(user_ids, list) or len(user_ids) > MAX_RECIPIENTS or not all(_is_id(u) for u in user_ids):
        problems.append("user_ids 必须是用户编号列表 / user_ids must be a list of user ids")
    role_keys = params.get("role_keys", [])
    if not isinstance(role_keys, list) or not all(isinstance(r, str) for r in role_keys):
        problems.append("role_keys 必须是角色键列表 / role_keys must be a list of role keys")
    elif len(set(role_keys)) != Role.objects.filter(key__in=role_keys).count():
        problems.append(f"角色不存在 / Unknown roles in {role_keys}")
    if not isinstance(params.get("to_assignee", False), bool):
        problems.append("to_assignee 必须是布尔值 / to_assignee must be a boolean")
    channel_id = params.get("channel_id")
    if channel_id is not None and (not _is_id(channel_id)
                                   or not NotificationChannel.objects.filter(pk=channel_id).exists()):
        problems.append(f"通知渠道不存在 / Unknown channel_id {channel_id!r}")
    if not (user_ids or role_keys or params.get("to_assignee") or channel_id is not None):
        problems.append("至少需要一个接收方 / Name at least one recipient (user_ids, role_keys, to_assignee, "
                        "channel_id)")
    _check_template_key(params, problems, required=False)
    return problems


def _recipients(ticket: Ticket, params: dict[str, Any]) -> list[int]:
    from complaintdesk.accounts.models import User

    ids = set(params.get("user_ids", []))
    if params.get("role_keys"):
        ids |= set(User.objects.filter(roles__key__in=params["role_keys"], is_active=True)
                   .values_list("pk", flat=True)[:MAX_RECIPIENTS])
    if params.get("to_assignee") and ticket.assignee_id:
        ids.add(ticket.assignee_id)
    return sorted(ids)


def describe_notify(ticket: Ticket, params: dict[str, Any]) -> str:
    users = _recipients(ticket, params)
    channel = f", channel #{params['channel_id']}" if params.get("channel_id") is not None else ""
    return (f"发送通知给 {len(users)} 人{channel} / Notify {len(users)} users{channel} "
            f"(template {params.get('template_key', 'event_generic')})")


def run_notify(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.notifications.actions import do_enqueue_channel_message, do_notify_users
    from complaintdesk.notifications.fanout import GENERIC_TEMPLATE
    from complaintdesk.notifications.models import NotificationChannel

    template_key = str(params.get("template_key") or GENERIC_TEMPLATE)
    created = do_notify_users(
        user_ids=_recipients(ctx.ticket, params), kind="rule", template_key=template_key,
        dedupe_key=_run_key(ctx, "notify")[:120], ticket_id=ctx.ticket.pk,
        payload={**ctx.event.payload, "rule_id": ctx.rule_id}, event=ctx.event.name,
    )
    result: dict[str, Any] = {"notification_ids": [n.pk for n in created]}
    if params.get("channel_id") is not None:
        channel = NotificationChannel.objects.filter(pk=params["channel_id"], is_active=True).first()
        if channel is None:
            result["channel"] = "通知渠道不存在或已停用 / channel missing or disabled"
        else:
            delivery = do_enqueue_channel_message(
                channel=channel, idempotency_key=_run_key(ctx, f"channel:{channel.pk}"), purpose=DeliveryPurpose.RULE,
                template_key=template_key, locale=str(params.get("locale", Locale.ZH_CN)), event=ctx.event.name,
                payload=dict(ctx.event.payload), ticket_id=ctx.ticket.pk, outbox_id=ctx.event.outbox_id,
            )
            result["delivery_id"] = delivery.pk
    return result


# --- reply_customer -------------------------------------------------------------------------

REPLY_PARAMS = {"template_key", "locale"}


def validate_reply(params: dict[str, Any]) -> list[str]:
    problems = _base(params, REPLY_PARAMS)
    if not problems:
        _check_template_key(params, problems, required=True)
    return problems


def _render_reply(ticket: Ticket, params: dict[str, Any], event: str, payload: dict[str, Any]) -> dict[str, str]:
    from complaintdesk.core.errors import InvalidInput
    from complaintdesk.notifications.context import build_context
    from complaintdesk.notifications.queries import find_template
    from complaintdesk.notifications.render import TemplateError, render

    template = find_template(key=str(params["template_key"]), channel_kind=TemplateChannel.EMAIL,
                             locale=str(params.get("locale", Locale.ZH_CN)))
    if template is None:
        raise InvalidInput(f"模板不存在 / Unknown template {params['template_key']!r}")
    context = build_context(ticket=ticket, event=event, payload=payload)
    try:
        return {"subject": render(template.subject, context)[:300], "body": render(template.body, context)}
    except TemplateError as exc:
        raise InvalidInput(str(exc)) from exc


def describe_reply(ticket: Ticket, params: dict[str, Any]) -> str:
    try:
        text = _render_reply(ticket, params, "", {})["body"]
    except Exception as exc:  # the dry run shows a broken template instead of failing
        text = f"({exc})"
    return f"回复客户 / Reply to the customer: {text[:200]}"


def run_reply(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.notifications.delivery import enqueue_delivery, record_skipped_delivery
    from complaintdesk.tickets.actions import do_add_comment

    ticket = ctx.ticket
    rendered = _render_reply(ticket, params, ctx.event.name, dict(ctx.event.payload))
    comment = do_add_comment(ticket, actor=None, body=rendered["body"], is_public=True)
    customer = ticket.customer
    common: dict[str, Any] = {"idempotency_key": _run_key(ctx, "reply"), "purpose": DeliveryPurpose.CUSTOMER_REPLY,
              "template_key": str(params["template_key"]), "event": ctx.event.name, "ticket_id": ticket.pk,
              "outbox_id": ctx.event.outbox_id, "payload": {"ticket_id": ticket.pk, "comment_id": comment.pk},
              **rendered}
    if customer is not None and customer.email:
        delivery = enqueue_delivery(channel_kind=ChannelKind.EMAIL, target=customer.email, **common)
    else:
        delivery = record_skipped_delivery(
            channel_kind=ChannelKind.NONE, target=ticket.channel, **common,
            reason=f"客户没有邮箱，{ticket.get_channel_display()}渠道未配置发送适配器 / No email for the customer and "
                   f"no adapter configured for channel {ticket.channel!r}")
    return {"comment_id": comment.pk, "delivery_id": delivery.pk, "delivery_status": delivery.status}


# --- call_webhook ---------------------------------------------------------------------------

WEBHOOK_PARAMS = {"webhook_id"}


def validate_webhook(params: dict[str, Any]) -> list[str]:
    from complaintdesk.notifications.models import WebhookSubscription

    problems = _base(params, WEBHOOK_PARAMS)
    if not problems:
        webhook_id: Any = params.get("webhook_id")
        if not _is_id(webhook_id) or not WebhookSubscription.objects.filter(pk=int(webhook_id)).exists():
            problems.append(f"Webhook 不存在 / Unknown webhook_id {webhook_id!r}")
    return problems


def describe_webhook(ticket: Ticket, params: dict[str, Any]) -> str:
    return f"调用 Webhook #{params.get('webhook_id')} / Call webhook #{params.get('webhook_id')}"


def run_webhook(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.core import clock
    from complaintdesk.notifications.context import ticket_context
    from complaintdesk.notifications.delivery import enqueue_delivery
    from complaintdesk.notifications.models import WebhookSubscription

    webhook = WebhookSubscription.objects.filter(pk=int(params["webhook_id"])).first()
    if webhook is None or not webhook.enabled:
        return {"skipped": "Webhook 不存在或已停用 / webhook missing or disabled"}
    delivery = enqueue_delivery(
        idempotency_key=_run_key(ctx, f"webhook:{webhook.pk}"), purpose=DeliveryPurpose.RULE,
        channel_kind=ChannelKind.WEBHOOK, webhook=webhook, target=webhook.url, event=ctx.event.name,
        outbox_id=ctx.event.outbox_id, ticket_id=ctx.ticket.pk, occurred_at=clock.now(),
        payload={"rule_id": ctx.rule_id, "rule_version": ctx.rule_version, "event_payload": dict(ctx.event.payload),
                 "ticket": ticket_context(ctx.ticket)},
    )
    return {"delivery_id": delivery.pk}


def register() -> None:
    from complaintdesk.rules.registry import param, register_action

    locale = param("locale", "choice", label="语言", label_en="Language",
                   choices=[(str(v), str(label), str(label)) for v, label in Locale.choices])
    register_action("notify", label="发送通知", label_en="Send a notification", validate=validate_notify,
                    describe=describe_notify, run=run_notify, params=[
                        param("to_assignee", "bool", label="通知处理人", label_en="Notify the assignee"),
                        param("user_ids", "users", label="通知用户", label_en="Users"),
                        param("role_keys", "roles", label="通知角色成员", label_en="Members of roles"),
                        param("channel_id", "number", label="通知渠道编号", label_en="Channel id", minimum=1),
                        param("template_key", "template", label="模板", label_en="Template",
                              help="默认 event_generic", help_en="Default: event_generic"),
                        locale,
                    ])
    register_action("reply_customer", label="模板回复客户", label_en="Reply to the customer from a template",
                    validate=validate_reply, describe=describe_reply, run=run_reply, params=[
                        param("template_key", "template", label="回复模板", label_en="Reply template", required=True),
                        locale,
                    ])
    register_action("call_webhook", label="调用 Webhook", label_en="Call a webhook", validate=validate_webhook,
                    describe=describe_webhook, run=run_webhook)
