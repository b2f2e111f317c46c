"""The rule actions "notify", "reply_customer" and "call_webhook", through the rules registry."""

from __future__ import annotations

import pytest
from django.db import transaction

from complaintdesk.core import events as ev
from complaintdesk.customers.actions import do_create_customer
from complaintdesk.notifications import actions
from complaintdesk.notifications.choices import DeliveryPurpose, DeliveryStatus
from complaintdesk.notifications.models import Notification, NotificationDelivery
from complaintdesk.notifications.tests.conftest import DINGTALK_SECRET, DINGTALK_TOKEN, WEBHOOK_SECRET, run_jobs
from complaintdesk.rules.registry import ActionContext, get_action_type
from complaintdesk.tickets.actions import do_assign_ticket, do_create_ticket
from complaintdesk.tickets.choices import Channel, EventType
from complaintdesk.tickets.models import Comment, TicketEvent

pytestmark = pytest.mark.django_db


def _context(ticket, outbox_id=4242):
    event = ev.DomainEvent(name=ev.TICKET_CREATED, payload={"ticket_id": ticket.pk}, outbox_id=outbox_id)
    return ActionContext(ticket=ticket, event=event, rule_id=9, rule_version=1, depth=0)


def _run(type_, ctx, params):
    action = get_action_type(type_)
    assert action is not None, f"{type_} is not registered"
    assert action.validate(params) == []
    with transaction.atomic():
        return action.run(ctx, params)


def test_actions_are_registered_with_bilingual_labels():
    for type_ in ("notify", "reply_customer", "call_webhook"):
        action = get_action_type(type_)
        assert action is not None and action.label and action.label_en


def test_notify_users_roles_and_assignee(org):
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="热水器漏电", channel=Channel.PHONE, customer=org.customer)
    do_assign_ticket(ticket, actor=org.agent_a, assignee=org.agent_b)
    ticket.refresh_from_db()
    ctx = _context(ticket)
    params = {"user_ids": [org.handler.pk], "role_keys": ["quality"], "to_assignee": True,
              "template_key": "task_urged"}
    assert str(len([org.handler, org.quality, org.agent_b])) in get_action_type("notify").describe(ticket, params)
    result = _run("notify", ctx, params)
    assert len(result["notification_ids"]) == 3
    recipients = set(Notification.objects.values_list("user__username", flat=True))
    assert recipients == {"handler", "quality", "agent_b"}
    assert Notification.objects.get(user=org.handler).title.startswith("催办：")
    again = _run("notify", ctx, params)  # the same rule run for the same event again
    assert again["notification_ids"] == [] and Notification.objects.count() == 3


def test_notify_a_channel(org, receiver):
    channel = actions.do_create_channel(actor=None, name="群", kind="dingtalk",
                                        config={"base_url": f"{receiver.url}/robot/send"},
                                        secrets={"access_token": DINGTALK_TOKEN, "secret": DINGTALK_SECRET})
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="VIP 投诉", channel=Channel.PHONE, customer=org.vip)
    result = _run("notify", _context(ticket), {"channel_id": channel.pk, "template_key": "event_generic"})
    run_jobs()
    delivery = NotificationDelivery.objects.get(pk=result["delivery_id"])
    assert delivery.status == DeliveryStatus.SENT and delivery.purpose == DeliveryPurpose.RULE
    texts = [r.json()["markdown"]["text"] for r in receiver.requests if r.verified]
    assert any(ticket.number in t for t in texts)


@pytest.mark.parametrize("params", [
    {}, {"user_ids": "x"}, {"user_ids": [True]}, {"role_keys": ["nope"]}, {"channel_id": 10**9},
    {"user_ids": [1], "template_key": "missing"}, {"user_ids": [1], "locale": "fr"}, {"to_assignee": "yes"},
    {"user_ids": [1], "bogus": 1}, [],
])
def test_notify_refuses_bad_parameters(org, params):
    assert get_action_type("notify").validate(params)


def test_reply_customer_adds_a_public_reply_and_emails_it(org, smtp_server):
    actions.do_create_template(actor=None, key="thanks", channel_kind="email", subject="关于 {{ ticket.number }}",
                               body="{{ ticket.customer_name }}您好，您反馈的“{{ ticket.subject }}”已安排专人处理。")
    customer = do_create_customer(name="钱七", email="qq@example.com", actor=None)
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="空调异响", channel=Channel.EMAIL, customer=customer)
    result = _run("reply_customer", _context(ticket), {"template_key": "thanks"})
    comment = Comment.objects.get(pk=result["comment_id"])
    assert comment.is_public and comment.body == "钱七您好，您反馈的“空调异响”已安排专人处理。"
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    run_jobs()
    replies = [m for _, _, m in smtp_server.messages if m["Subject"] == f"关于 {ticket.number}"]
    assert len(replies) == 1 and replies[0]["To"] == "qq@example.com"
    events = TicketEvent.objects.filter(ticket=ticket, type=EventType.NOTIFICATION_SENT)
    assert sorted(e.data["purpose"] for e in events) == ["customer_ack", "customer_reply"]


def test_reply_customer_without_email_records_the_gap(org):
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="门店态度差", channel=Channel.STORE, customer=org.customer)
    result = _run("reply_customer", _context(ticket), {"template_key": "customer_ack"})
    assert result["delivery_status"] == DeliveryStatus.SKIPPED
    assert Comment.objects.get(pk=result["comment_id"]).is_public
    assert get_action_type("reply_customer").validate({"template_key": "missing"})
    assert "回复客户" in get_action_type("reply_customer").describe(ticket, {"template_key": "customer_ack"})


def test_call_webhook_sends_ticket_and_event(org, receiver):
    webhook = actions.do_create_webhook(actor=None, name="BI", url=f"{receiver.url}/bi", event_patterns=["alert.*"],
                                        secret=WEBHOOK_SECRET)
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="发票开错", channel=Channel.PHONE, customer=org.customer)
    assert get_action_type("call_webhook").validate({"webhook_id": 10**9})
    result = _run("call_webhook", _context(ticket), {"webhook_id": webhook.pk})
    run_jobs()
    [request] = [r for r in receiver.requests if r.path == "/bi"]
    assert request.verified, request.problem
    body = request.json()
    assert body["event"] == "ticket.created" and body["data"]["ticket"]["number"] == ticket.number
    assert body["data"]["rule_id"] == 9 and body["id"] == NotificationDelivery.objects.get(
        pk=result["delivery_id"]).delivery_id


def test_a_rule_drives_all_three_actions_end_to_end(org, smtp_server, receiver, django_capture_on_commit_callbacks):
    from complaintdesk.rules.actions import do_create_rule

    webhook = actions.do_create_webhook(actor=None, name="BI", url=f"{receiver.url}/bi", event_patterns=["alert.*"],
                                        secret=WEBHOOK_SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        do_create_rule(actor=None, body={
            "name": "VIP 投诉即时处理", "events": ["ticket.created"],
            "condition": {"field": "subject", "op": "contains", "value": "VIP"},
            "actions": [
                {"type": "notify", "params": {"user_ids": [org.supervisor.pk], "template_key": "event_generic"}},
                {"type": "reply_customer", "params": {"template_key": "customer_ack"}},
                {"type": "call_webhook", "params": {"webhook_id": webhook.pk}},
            ],
        })
    customer = do_create_customer(name="冯十一", email="f11@example.com", actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _ = do_create_ticket(actor=org.agent_a, subject="VIP 客户投诉", channel=Channel.EMAIL,
                                     customer=customer)
    assert Notification.objects.get(user=org.supervisor).ticket_id == ticket.pk
    assert Comment.objects.filter(ticket=ticket, is_public=True).count() == 1
    subjects = sorted(str(m["Subject"]).strip() for _, _, m in smtp_server.messages)
    assert subjects == [f"您的投诉已受理（工单号 {ticket.number}）"] * 2  # the acknowledgement and the reply
    [hook] = [r for r in receiver.requests if r.path == "/bi"]
    assert hook.verified and hook.json()["data"]["ticket"]["number"] == ticket.number
    rule_deliveries = NotificationDelivery.objects.filter(purpose__in=["rule", "customer_reply"], ticket=ticket)
    assert sorted(rule_deliveries.values_list("status", flat=True)) == ["sent", "sent"]
