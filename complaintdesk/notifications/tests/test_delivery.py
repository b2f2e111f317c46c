"""Deliveries against real local peers: SMTP (aiosmtpd), DingTalk / WeCom robots and webhook
receivers that verify signatures; retries with backoff, auto-disable, idempotency."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction

from complaintdesk.core import events as ev
from complaintdesk.core.models import Outbox
from complaintdesk.customers.actions import do_create_customer
from complaintdesk.notifications import actions
from complaintdesk.notifications.choices import ChannelKind, DeliveryPurpose, DeliveryStatus
from complaintdesk.notifications.context import local_time
from complaintdesk.notifications.delivery import MAX_ATTEMPTS, WEBHOOK_DISABLE_AFTER, backoff_for, deliver_due
from complaintdesk.notifications.fanout import fan_out
from complaintdesk.notifications.models import NotificationDelivery, WebhookSubscription
from complaintdesk.notifications.tests.conftest import (
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    WEBHOOK_SECRET,
    WECOM_KEY,
    run_jobs,
)
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.choices import Channel, EventType
from complaintdesk.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _ticket(org, *, customer=None, channel=Channel.EMAIL, subject="手机屏幕碎裂"):
    ticket, _ = do_create_ticket(actor=org.agent_a, subject=subject, channel=channel,
                                 customer=customer if customer is not None else org.customer)
    return ticket


def _dingtalk(receiver, *, secret=DINGTALK_SECRET, msgtype="markdown"):
    return actions.do_create_channel(
        actor=None, name="售后部钉钉群", kind="dingtalk",
        config={"base_url": f"{receiver.url}/robot/send", "msgtype": msgtype},
        secrets={"access_token": DINGTALK_TOKEN, "secret": secret})


def _webhook(receiver, patterns=("ticket.*",), secret=WEBHOOK_SECRET):
    return actions.do_create_webhook(actor=None, name="ERP", url=f"{receiver.url}/hooks/complaints",
                                     event_patterns=list(patterns), secret=secret)


# --- customer acknowledgement ---------------------------------------------------------------


def test_customer_with_email_gets_the_acknowledgement_with_the_promised_time(org, smtp_server, frozen_clock):
    customer = do_create_customer(name="王芳", email="wangfang@example.com", actor=None)
    ticket = _ticket(org, customer=customer)
    # The SLA clock's due time, as the SLA subscriber sets it in the intake transaction.
    due = frozen_clock.now() + timedelta(hours=8)
    Ticket.objects.filter(pk=ticket.pk).update(resolution_due_at=due)
    run_jobs()

    assert len(smtp_server.messages) == 1
    mail_from, rcpt, message = smtp_server.messages[0]
    assert mail_from == "service@example.com" and rcpt == ["wangfang@example.com"]
    assert ticket.number in message["Subject"]
    body = smtp_server.bodies()[0]
    assert ticket.number in body and "王芳" in body
    assert local_time(due) == "2026-03-10 18:00"  # 02:00 UTC + 8 h, shown in Asia/Shanghai
    assert "我们承诺在 2026-03-10 18:00（北京时间）前给您处理结果" in body
    delivery = NotificationDelivery.objects.get(purpose=DeliveryPurpose.CUSTOMER_ACK, ticket=ticket)
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.SENT, 1, 250)
    assert message["Message-ID"] == f"<{delivery.delivery_id}@complaintdesk>"
    event = TicketEvent.objects.get(ticket=ticket, type=EventType.NOTIFICATION_SENT)
    assert event.data["status"] == "sent" and event.data["channel"] == "email"


def test_acknowledgement_omits_the_promise_without_an_sla(org, smtp_server):
    customer = do_create_customer(name="赵六", email="zl@example.com", actor=None)
    ticket = _ticket(org, customer=customer)
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_at is None or Ticket.objects.filter(
        pk=ticket.pk).update(resolution_due_at=None)
    run_jobs()
    body = smtp_server.bodies()[0]
    assert ticket.number in body and "承诺" not in body


def test_customer_without_email_is_recorded_as_not_sent(org, smtp_server):
    ticket = _ticket(org, channel=Channel.WECHAT)  # 张三 has a phone, no email
    run_jobs()
    assert smtp_server.messages == []
    delivery = NotificationDelivery.objects.get(purpose=DeliveryPurpose.CUSTOMER_ACK, ticket=ticket)
    assert delivery.status == DeliveryStatus.SKIPPED and delivery.attempts == 0
    assert delivery.channel_kind == ChannelKind.NONE and delivery.target == "wechat"
    assert "wechat" in delivery.last_error
    event = TicketEvent.objects.get(ticket=ticket, type=EventType.NOTIFICATION_SENT)
    assert event.data["status"] == "skipped" and event.data["delivery_id"] == delivery.pk


def test_email_without_smtp_server_is_skipped_not_sent(org, settings):
    settings.EMAIL_HOST = ""
    customer = do_create_customer(name="孙七", email="sq@example.com", actor=None)
    ticket = _ticket(org, customer=customer)
    run_jobs()
    delivery = NotificationDelivery.objects.get(purpose=DeliveryPurpose.CUSTOMER_ACK, ticket=ticket)
    assert delivery.status == DeliveryStatus.SKIPPED and "SMTP" in delivery.last_error
    assert TicketEvent.objects.get(ticket=ticket, type=EventType.NOTIFICATION_SENT).data["status"] == "skipped"


def test_a_refused_acknowledgement_gives_up_and_says_so_on_the_timeline(org, smtp_server):
    customer = do_create_customer(name="蒋二", email="nobody@example.com", actor=None)

    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 mailbox unavailable"

    smtp_server.handle_RCPT = refuse  # the receiving server refuses the mailbox: permanent
    ticket = _ticket(org, customer=customer)
    run_jobs()
    delivery = NotificationDelivery.objects.get(purpose=DeliveryPurpose.CUSTOMER_ACK, ticket=ticket)
    assert delivery.status == DeliveryStatus.GAVE_UP and delivery.attempts == 1
    assert "550" in delivery.last_error or "refused" in delivery.last_error
    event = TicketEvent.objects.get(ticket=ticket, type=EventType.NOTIFICATION_SENT)
    assert event.data["status"] == "gave_up" and event.data["reason"] == delivery.last_error


def test_outbox_redelivery_sends_the_acknowledgement_once(org, smtp_server):
    customer = do_create_customer(name="周八", email="zb@example.com", actor=None)
    ticket = _ticket(org, customer=customer)
    row = Outbox.objects.get(topic=ev.TICKET_CREATED, payload__ticket_id=ticket.pk)
    event = ev.DomainEvent(name=row.topic, payload=row.payload, outbox_id=row.pk)
    fan_out(event)
    fan_out(event)  # the outbox hands the same event over again (at least once)
    run_jobs()
    assert NotificationDelivery.objects.filter(ticket=ticket, purpose=DeliveryPurpose.CUSTOMER_ACK).count() == 1
    assert len(smtp_server.messages) == 1


def test_whole_chain_runs_after_commit(org, smtp_server, django_capture_on_commit_callbacks):
    customer = do_create_customer(name="吴九", email="wj@example.com", actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _ticket(org, customer=customer)
    assert [rcpt for _, rcpt, _ in smtp_server.messages] == [["wj@example.com"]]
    assert NotificationDelivery.objects.get(ticket=ticket).status == DeliveryStatus.SENT


def test_acknowledgement_carries_the_due_time_the_sla_app_set_at_intake(org, smtp_server, frozen_clock,
                                                                        django_capture_on_commit_callbacks):
    """The real chain: the SLA subscriber applies the default policy after the intake commit, then
    the outbox hands ticket.created to the fan-out, and the message is rendered at sending."""
    customer = do_create_customer(name="郑十", email="zs@example.com", actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _ticket(org, customer=customer)
    ticket.refresh_from_db()
    assert ticket.resolution_due_at is not None, "the shipped default SLA policy applies to every ticket"
    body = smtp_server.bodies()[0]
    assert f"我们承诺在 {local_time(ticket.resolution_due_at)}（北京时间）前给您处理结果" in body


# --- robots ---------------------------------------------------------------------------------


def test_dingtalk_test_message_is_signed_as_dingtalk_verifies(org, receiver):
    channel = _dingtalk(receiver)
    delivery, result = actions.do_send_test_message(channel, actor=org.admin)
    assert result.ok, result.error
    [request] = receiver.requests
    assert request.verified, request.problem
    payload = request.json()
    assert payload["msgtype"] == "markdown" and "测试消息" in payload["markdown"]["text"]
    assert delivery.status == DeliveryStatus.SENT and delivery.purpose == DeliveryPurpose.TEST
    assert DINGTALK_TOKEN not in delivery.target and DINGTALK_SECRET not in json.dumps(channel.secrets)


def test_dingtalk_wrong_secret_is_refused_and_logged(org, receiver):
    channel = _dingtalk(receiver, secret="SECwrong")
    delivery, result = actions.do_send_test_message(channel, actor=org.admin)
    assert not result.ok and "310000" in result.error
    assert receiver.requests[0].problem == "sign mismatch"
    assert delivery.status == DeliveryStatus.FAILED and delivery.response_code == 200


def test_wecom_text_message_goes_to_the_keyed_url(org, receiver):
    channel = actions.do_create_channel(actor=None, name="企微群", kind="wecom", secrets={"key": WECOM_KEY},
                                        config={"base_url": f"{receiver.url}/cgi-bin/webhook/send", "msgtype": "text",
                                                "mentioned_mobile_list": ["13800138000"]})
    _, result = actions.do_send_test_message(channel, actor=None)
    assert result.ok, result.error
    payload = receiver.requests[0].json()
    assert payload["msgtype"] == "text" and payload["text"]["mentioned_mobile_list"] == ["13800138000"]
    assert receiver.requests[0].query["key"] == [WECOM_KEY]


def test_subscription_sends_sla_breach_to_the_dingtalk_group(org, receiver):
    channel = _dingtalk(receiver)
    actions.do_create_rule(actor=None, name="超时通报", event_pattern="sla.breached", channel_id=channel.pk,
                           template_key="sla_breached")
    ticket = _ticket(org)
    with transaction.atomic():
        ev.publish(ev.SLA_BREACHED, {"ticket_id": ticket.pk, "number": ticket.number, "target": "resolution",
                                     "kind": "breach", "level": "breach", "user_ids": []})
    run_jobs()
    [request] = [r for r in receiver.requests if r.path == "/robot/send"]
    assert request.verified, request.problem
    markdown = request.json()["markdown"]
    assert ticket.number in markdown["title"] and "解决已超时" in markdown["text"]
    delivery = NotificationDelivery.objects.get(purpose=DeliveryPurpose.SUBSCRIPTION)
    assert delivery.status == DeliveryStatus.SENT and delivery.event == "sla.breached"


def test_robot_failures_back_off_exponentially_then_give_up(org, receiver, frozen_clock):
    receiver.script = [500]
    channel = _dingtalk(receiver)
    actions.do_create_rule(actor=None, name="all", event_pattern="sla.warning", channel_id=channel.pk,
                           template_key="sla_warning")
    ticket = _ticket(org)
    with transaction.atomic():
        ev.publish(ev.SLA_WARNING, {"ticket_id": ticket.pk, "target": "resolution", "user_ids": []})
    run_jobs()
    delivery = NotificationDelivery.objects.get(purpose=DeliveryPurpose.SUBSCRIPTION)
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert delivery.status == DeliveryStatus.FAILED and "system busy" in delivery.last_error
            waits.append(delivery.next_attempt_at - frozen_clock.now())
            frozen_clock.advance(waits[-1] - timedelta(seconds=1))
            assert deliver_due() == 0  # not due yet
            frozen_clock.advance(timedelta(seconds=1))
            deliver_due()
    assert waits == [backoff_for(n) for n in range(1, MAX_ATTEMPTS)]
    assert waits[:3] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert delivery.status == DeliveryStatus.GAVE_UP and delivery.next_attempt_at is None
    assert len(receiver.requests) == MAX_ATTEMPTS

    receiver.script = [200]  # the group robot works again: an administrator retries
    api = org.client(org.admin)
    assert api.post(f"notification-deliveries/{delivery.pk}/retry").status_code == 200
    run_jobs()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    assert receiver.requests[-1].verified
    again = api.post(f"notification-deliveries/{delivery.pk}/retry")
    assert again.status_code == 409 and again.json()["details"] == {"status": "sent"}


# --- webhooks -------------------------------------------------------------------------------


def test_webhook_receives_signed_event(org, receiver):
    webhook = _webhook(receiver)
    ticket = _ticket(org)
    run_jobs()
    created = [r for r in receiver.requests if r.headers["x-complaintdesk-event"] == "ticket.created"]
    assert len(created) == 1 and created[0].verified, created[0].problem
    body = created[0].json()
    assert set(body) == {"id", "event", "occurred_at", "data"}
    assert body["event"] == "ticket.created" and body["data"]["ticket_id"] == ticket.pk
    assert body["id"] == created[0].headers["x-complaintdesk-delivery"]
    assert body["occurred_at"].startswith("20")
    delivery = NotificationDelivery.objects.get(webhook=webhook, event="ticket.created")
    assert delivery.delivery_id == body["id"] and delivery.status == DeliveryStatus.SENT


def test_webhook_retries_keep_the_delivery_id(org, receiver, frozen_clock):
    receiver.script = [500, 503, 200]
    webhook = _webhook(receiver, patterns=["ticket.created"])
    _ticket(org)
    run_jobs()
    delivery = NotificationDelivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.FAILED, 500)
    for _ in range(2):
        frozen_clock.advance(backoff_for(delivery.attempts))
        deliver_due()
        delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    ids = {r.headers["x-complaintdesk-delivery"] for r in receiver.requests}
    assert ids == {delivery.delivery_id} and len(receiver.requests) == 3
    assert all(r.verified for r in receiver.requests)
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0 and webhook.enabled


def test_webhook_is_disabled_after_consecutive_failures_and_can_be_enabled(org, receiver, frozen_clock):
    receiver.script = [500]
    webhook = _webhook(receiver, patterns=["ticket.created"])
    for n in range(WEBHOOK_DISABLE_AFTER):
        _ticket(org, subject=f"投诉 {n}")
    run_jobs()
    webhook.refresh_from_db()
    assert not webhook.enabled and webhook.consecutive_failures == WEBHOOK_DISABLE_AFTER
    assert "连续 10 次投递失败" in webhook.disabled_reason and "HTTP 500" in webhook.disabled_reason
    assert not NotificationDelivery.objects.filter(webhook=webhook, status__in=["pending", "failed"]).exists()
    sent_before = len(receiver.requests)
    _ticket(org, subject="停用后")
    frozen_clock.advance(timedelta(hours=2))
    run_jobs()
    assert len(receiver.requests) == sent_before  # nothing goes to a disabled webhook

    api = org.client(org.admin)
    shown = api.get(f"webhooks/{webhook.pk}").json()
    assert shown["enabled"] is False and shown["disabled_reason"] == webhook.disabled_reason
    response = api.post(f"webhooks/{webhook.pk}/enable")
    assert response.status_code == 200, response.content
    assert response.json()["enabled"] is True and response.json()["consecutive_failures"] == 0
    receiver.script = [200]
    _ticket(org, subject="恢复后")
    run_jobs()
    assert receiver.requests[-1].verified and receiver.requests[-1].json()["event"] == "ticket.created"


def test_webhook_without_matching_pattern_gets_nothing(org, receiver):
    _webhook(receiver, patterns=["sla.*"])
    _ticket(org)
    run_jobs()
    assert receiver.requests == []


def test_secrets_sealed_with_another_key_give_up_with_a_clear_reason(org, receiver, settings):
    channel = _dingtalk(receiver)
    settings.FIELD_ENCRYPTION_KEY = "a-different-key-after-a-careless-migration"
    delivery, result = actions.do_send_test_message(channel, actor=None)
    assert not result.ok and "CD_FIELD_ENCRYPTION_KEY" in result.error
    assert delivery.status == DeliveryStatus.FAILED and receiver.requests == []


def test_secrets_are_sealed_at_rest(org, receiver):
    webhook = _webhook(receiver)
    channel = _dingtalk(receiver)
    raw = json.dumps([WebhookSubscription.objects.get(pk=webhook.pk).secret, channel.secrets])
    assert WEBHOOK_SECRET not in raw and DINGTALK_SECRET not in raw and DINGTALK_TOKEN not in raw
    assert sorted(channel.secrets) == ["access_token", "secret"]
