"""The admin API: channels (write-only secrets, real test sends), templates (sandboxed rendering,
preview), subscriptions, webhooks and the delivery log; permissions."""

from __future__ import annotations

import json

import pytest

from complaintdesk.accounts.actions import do_create_role
from complaintdesk.notifications.models import NotificationChannel
from complaintdesk.notifications.render import TemplateError, render
from complaintdesk.notifications.tests.conftest import (
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    WEBHOOK_SECRET,
    WECOM_KEY,
    run_jobs,
)
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.choices import Channel

pytestmark = pytest.mark.django_db


def _dingtalk_body(receiver, **extra):
    return {"name": "钉钉群", "kind": "dingtalk", "config": {"base_url": f"{receiver.url}/robot/send"},
            "secrets": {"access_token": DINGTALK_TOKEN, "secret": DINGTALK_SECRET}, **extra}


def test_channel_crud_never_returns_secrets(org, receiver):
    api = org.client(org.admin)
    response = api.post("notification-channels", _dingtalk_body(receiver))
    assert response.status_code == 201, response.content
    channel = response.json()
    assert channel["secrets_set"] == ["access_token", "secret"] and "secrets" not in channel
    for text in (response.content, api.get(f"notification-channels/{channel['id']}").content,
                 api.get("notification-channels").content):
        assert DINGTALK_SECRET.encode() not in text and DINGTALK_TOKEN.encode() not in text

    patched = api.patch(f"notification-channels/{channel['id']}", {"secrets": {"secret": ""}, "name": "钉钉群2"})
    assert patched.status_code == 200 and patched.json()["secrets_set"] == ["access_token"]
    assert patched.json()["name"] == "钉钉群2"
    assert api.post("notification-channels", _dingtalk_body(receiver, name="钉钉群2")).status_code == 409
    assert api.delete(f"notification-channels/{channel['id']}").status_code == 204
    assert api.get(f"notification-channels/{channel['id']}").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"kind": "sms"}, "kind"),
    ({"config": {"base_url": "ftp://x"}}, "config.base_url"),
    ({"config": {"msgtype": "image"}}, "config.msgtype"),
    ({"config": {"nope": 1}}, "config.nope"),
    ({"secrets": {"password": "x"}}, "secrets.password"),
    ({"secrets": {"secret": "s"}}, "secrets.access_token"),
])
def test_invalid_channels_are_refused(org, receiver, body, field):
    data = {**_dingtalk_body(receiver), **body}
    response = org.client(org.admin).post("notification-channels", data)
    assert response.status_code == 422, response.content
    assert field in response.json()["details"]


def test_channel_test_endpoint_sends_a_real_message(org, receiver):
    api = org.client(org.admin)
    channel = api.post("notification-channels", {"name": "企微", "kind": "wecom", "secrets": {"key": WECOM_KEY},
                                                 "config": {"base_url": f"{receiver.url}/cgi-bin/webhook/send"}}).json()
    result = api.post(f"notification-channels/{channel['id']}/test")
    assert result.status_code == 200, result.content
    assert result.json()["ok"] is True and result.json()["delivery"]["status"] == "sent"
    assert receiver.requests[0].json()["msgtype"] == "markdown"

    bad = api.patch(f"notification-channels/{channel['id']}", {"secrets": {"key": "wrong"}})
    assert bad.status_code == 200
    failed = api.post(f"notification-channels/{channel['id']}/test").json()
    assert failed["ok"] is False and "invalid webhook key" in failed["error"]
    log = api.get("notification-deliveries", {"channel_id": channel["id"], "purpose": "test"}).json()
    assert [d["status"] for d in log["items"]] == ["failed", "sent"]


def test_email_channel_test_through_smtp(org, smtp_server):
    api = org.client(org.admin)
    channel = api.post("notification-channels", {"name": "质量部邮件组", "kind": "email",
                                                 "config": {"to": ["qa@example.com", "boss@example.com"]}}).json()
    result = api.post(f"notification-channels/{channel['id']}/test").json()
    assert result["ok"] is True, result
    assert smtp_server.messages[0][1] == ["qa@example.com", "boss@example.com"]
    assert "测试消息" in smtp_server.bodies()[0]
    assert api.post("notification-channels", {"name": "x", "kind": "email",
                                               "config": {"to": ["not-an-email"]}}).status_code == 422


def test_templates_crud_preview_and_sandbox(org):
    api = org.client(org.admin)
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="电视黑屏", channel=Channel.PHONE, customer=org.vip)
    shipped = api.get("notification-templates", {"key": "customer_ack"}).json()
    assert {t["locale"] for t in shipped} == {"zh-CN", "en"} and all(t["is_system"] for t in shipped)
    keys = {t["key"] for t in api.get("notification-templates").json()}
    assert {"task_assigned", "task_cc", "task_urged", "task_overdue", "sla_warning", "sla_breached", "sla_escalated",
            "alert_fired", "customer_ack"} <= keys

    created = api.post("notification-templates", {
        "key": "vip_alert", "event": "ticket.created", "channel_kind": "dingtalk", "locale": "zh-CN",
        "subject": "VIP {{ ticket.number }}", "body": "{{ ticket.customer_name }}：{{ ticket.subject|upper }}"})
    assert created.status_code == 201, created.content
    template = created.json()
    preview = api.post(f"notification-templates/{template['id']}/preview", {"ticket_id": ticket.pk}).json()
    assert preview == {"subject": f"VIP {ticket.number}", "body": "李四：电视黑屏"}
    assert api.post("notification-templates", {"key": "vip_alert", "channel_kind": "dingtalk", "locale": "zh-CN",
                                               "body": "x"}).status_code == 409
    for source in ["{% load static %}x", "{% debug %}", "{% include 'a.html' %}", "{{ x|nosuch }}", "{% if %}",
                   "{{ ticket.__class__ }}"]:
        response = api.patch(f"notification-templates/{template['id']}", {"body": source})
        assert response.status_code == 422, source
    assert api.patch(f"notification-templates/{template['id']}", {"locale": "fr"}).status_code == 422
    assert api.post(f"notification-templates/{template['id']}/preview", {"ticket_id": 10**9}).status_code == 404
    assert api.delete(f"notification-templates/{template['id']}").status_code == 204


def test_renderer_reaches_only_plain_values():
    context = {"ticket": {"number": "TS1", "tags": ["a"]}}
    assert render("{{ ticket.number }}{{ ticket.items }}{{ ticket.keys }}{{ ticket.get }}", context) == "TS1"
    assert render("{{ ticket.tags.0 }}{{ ticket.number.upper }}", context) == "aTS1"
    assert render("{% for k in ticket %}{{ k }},{% endfor %}", context) == "number,tags,"
    for refused in ["{% debug %}", "{{ ticket.__class__ }}", "{{ ticket.number|pprint }}x{% load i18n %}"]:
        with pytest.raises(TemplateError):
            render(refused, context)


def test_subscription_crud(org, receiver):
    api = org.client(org.admin)
    channel = api.post("notification-channels", _dingtalk_body(receiver)).json()
    rule = api.post("notification-rules", {"name": "超时", "event_pattern": "sla.breached", "channel_id": channel["id"],
                                           "template_key": "sla_breached"})
    assert rule.status_code == 201, rule.content
    assert rule.json()["channel_name"] == "钉钉群"
    assert api.post("notification-rules", {"name": "x", "event_pattern": "nothing.*", "channel_id": channel["id"],
                                           "template_key": "sla_breached"}).status_code == 422
    assert api.post("notification-rules", {"name": "x", "event_pattern": "sla.*", "channel_id": channel["id"],
                                           "template_key": "no_such"}).status_code == 422
    patched = api.patch(f"notification-rules/{rule.json()['id']}", {"event_pattern": "sla.*", "is_active": False})
    assert patched.status_code == 200 and patched.json()["event_pattern"] == "sla.*"
    assert api.delete(f"notification-channels/{channel['id']}").status_code == 409  # still subscribed
    assert api.delete(f"notification-rules/{rule.json()['id']}").status_code == 204
    assert api.delete(f"notification-channels/{channel['id']}").status_code == 204


def test_webhook_crud_and_delivery_log(org, receiver):
    api = org.client(org.admin)
    response = api.post("webhooks", {"name": "ERP", "url": f"{receiver.url}/in", "secret": WEBHOOK_SECRET,
                                     "event_patterns": ["ticket.created", "sla.*"]})
    assert response.status_code == 201, response.content
    webhook = response.json()
    assert webhook["secret_set"] is True and WEBHOOK_SECRET.encode() not in response.content
    assert api.post("webhooks", {"name": "x", "url": "javascript:alert(1)", "event_patterns": ["sla.*"]}
                    ).status_code == 422
    assert api.post("webhooks", {"name": "x", "url": "http://h/", "event_patterns": ["zzz"]}).status_code == 422
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="漏水", channel=Channel.PHONE, customer=org.customer)
    run_jobs()
    log = api.get(f"webhooks/{webhook['id']}/deliveries").json()
    assert log["count"] == 1 and log["items"][0]["status"] == "sent"
    assert log["items"][0]["ticket"]["number"] == ticket.number and log["items"][0]["response_code"] == 200
    test = api.post(f"webhooks/{webhook['id']}/test")
    assert test.status_code == 200 and test.json()["status"] == "sent"
    assert receiver.requests[-1].json()["event"] == "notification.test" and receiver.requests[-1].verified
    assert api.get("notification-deliveries", {"webhook_id": webhook["id"], "status": "sent"}).json()["count"] == 2
    one = api.get(f"notification-deliveries/{log['items'][0]['id']}").json()
    assert one["delivery_id"] == log["items"][0]["delivery_id"]
    patched = api.patch(f"webhooks/{webhook['id']}", {"secret": "", "event_patterns": ["sla.*"]}).json()
    assert patched["secret_set"] is False and patched["event_patterns"] == ["sla.*"]
    off = api.patch(f"webhooks/{webhook['id']}", {"enabled": False}).json()
    assert off["enabled"] is False and off["disabled_reason"] == "管理员停用 / Disabled by an administrator"
    on = api.patch(f"webhooks/{webhook['id']}", {"enabled": True}).json()
    assert on["enabled"] is True and on["disabled_reason"] == ""
    assert api.delete(f"webhooks/{webhook['id']}").status_code == 204


ADMIN_CALLS = [
    ("get", "notification-channels", None), ("post", "notification-channels", {"name": "x", "kind": "email"}),
    ("get", "notification-channels/1", None), ("patch", "notification-channels/1", {}),
    ("delete", "notification-channels/1", None), ("post", "notification-channels/1/test", {}),
    ("get", "notification-templates", None), ("post", "notification-templates", {"key": "k", "body": "b"}),
    ("get", "notification-templates/1", None), ("patch", "notification-templates/1", {}),
    ("delete", "notification-templates/1", None), ("post", "notification-templates/1/preview", {}),
    ("get", "notification-rules", None), ("get", "notification-rules/1", None),
    ("post", "notification-rules", {"name": "x", "event_pattern": "sla.*", "channel_id": 1, "template_key": "k"}),
    ("patch", "notification-rules/1", {}), ("delete", "notification-rules/1", None),
    ("get", "webhooks", None), ("post", "webhooks", {"name": "x", "url": "http://h/", "event_patterns": ["sla.*"]}),
    ("get", "webhooks/1", None), ("patch", "webhooks/1", {}), ("delete", "webhooks/1", None),
    ("post", "webhooks/1/enable", {}), ("post", "webhooks/1/test", {}), ("get", "webhooks/1/deliveries", None),
    ("get", "notification-deliveries", None), ("get", "notification-deliveries/1", None),
    ("post", "notification-deliveries/1/retry", {}),
]


@pytest.mark.parametrize("method, path, body", ADMIN_CALLS)
def test_admin_endpoints_need_notification_admin(org, method, path, body):
    api = org.client(org.supervisor)  # a supervisor without notification.admin
    response = api.get(path) if method == "get" else (
        api.delete(path) if method == "delete" else getattr(api, method)(path, body))
    assert response.status_code == 403, (path, response.content)
    assert response.json()["details"] == {"permission": "notification.admin"}


def test_a_role_with_notification_admin_may_administer(org):
    from complaintdesk.accounts.actions import do_update_user

    role = do_create_role(key="notifier", name="通知管理员", permissions=["notification.admin"], data_scope="own",
                          actor=None)
    do_update_user(org.nobody, actor=None, roles=[role])
    response = org.client(org.nobody).get("notification-channels")
    assert response.status_code == 200 and response.json() == []
    assert NotificationChannel.objects.count() == 0
    json.dumps(response.json())


def test_delivery_log_filters_by_time_and_shows_the_payload(org, receiver):
    api = org.client(org.admin)
    webhook = api.post("webhooks", {"name": "ERP", "url": f"{receiver.url}/in", "secret": WEBHOOK_SECRET,
                                    "event_patterns": ["ticket.created"]}).json()
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="漏水", channel=Channel.PHONE, customer=org.customer)
    run_jobs()
    item = api.get("notification-deliveries", {"webhook_id": webhook["id"]}).json()["items"][0]
    assert item["payload"]["number"] == ticket.number
    created = item["created_at"]
    assert api.get("notification-deliveries", {"webhook_id": webhook["id"], "since": created}).json()["count"] == 1
    assert api.get("notification-deliveries", {"webhook_id": webhook["id"], "until": created}).json()["count"] == 0
    assert api.get("notification-deliveries", {"since": "2000-01-01T00:00:00", "until": "2000-01-02T00:00:00"}
                   ).json()["count"] == 0
