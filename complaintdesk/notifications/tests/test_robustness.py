"""Random bodies and query strings against every notifications endpoint: never a 500, always the
one error shape (the same checks as tests/test_api_robustness.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintdesk.notifications import actions
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.choices import Channel
from tests.fuzzing import (
    FEW,
    FUZZ,
    assert_well_formed,
    body,
    huge_text,
    ids,
    json_values,
    one_of_or_junk,
    path_ids,
    query_value,
    send,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org) -> dict[str, int]:
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="屏幕碎裂", channel=Channel.PHONE, customer=org.customer)
    channel = actions.do_create_channel(actor=None, name="群", kind="wecom", config={"base_url": "http://127.0.0.1:9/x"},
                                        secrets={"key": "k"})
    template = actions.do_create_template(actor=None, key="fuzz", body="{{ ticket.number }}")
    rule = actions.do_create_rule(actor=None, name="r", event_pattern="sla.*", channel_id=channel.pk,
                                  template_key="fuzz")
    webhook = actions.do_create_webhook(actor=None, name="w", url="http://127.0.0.1:9/w", event_patterns=["sla.*"],
                                        enabled=False)
    return {"ticket": ticket.pk, "channel": channel.pk, "template": template.pk, "rule": rule.pk,
            "webhook": webhook.pk}


def _endpoints(w: dict[str, int]) -> dict[str, tuple[str, str, st.SearchStrategy[Any], int]]:
    text = st.one_of(st.text(max_size=40), huge_text)
    kinds = one_of_or_junk("email", "dingtalk", "wecom", "sms")
    config = st.one_of(body({"base_url": one_of_or_junk("http://127.0.0.1:9/x", "ftp://x"),
                             "msgtype": one_of_or_junk("markdown", "text"), "to": json_values,
                             "port": json_values, "host": text}), json_values)
    secret_names = st.sampled_from(["key", "secret", "access_token", "password"]) | st.text(max_size=60)
    secrets = st.one_of(st.dictionaries(secret_names, text, max_size=3), json_values)
    template = {"key": one_of_or_junk("k1", "bad key"), "event": one_of_or_junk("ticket.created", "nope"),
                "channel_kind": one_of_or_junk("any", "email", "x"), "locale": one_of_or_junk("zh-CN", "en", "fr"),
                "subject": one_of_or_junk("{{ ticket.number }}", "{% if %}"),
                "body": one_of_or_junk("{{ ticket.subject }}", "{% debug %}", "{% for %}", "{{ a|nosuch }}")}
    patterns = st.one_of(st.lists(one_of_or_junk("sla.*", "ticket.created", "*", "[", "x" * 120), max_size=3),
                         json_values)
    return {
        "create_channel": ("post", "notification-channels", body({"name": text, "kind": kinds, "config": config,
                                                                  "secrets": secrets, "is_active": json_values}), 0),
        "patch_channel": ("patch", "notification-channels/{id}", body({"name": text, "config": config,
                                                                       "secrets": secrets}), w["channel"]),
        "create_template": ("post", "notification-templates", body(template), 0),
        "patch_template": ("patch", "notification-templates/{id}", body(template), w["template"]),
        "preview": ("post", "notification-templates/{id}/preview", body({
            "ticket_id": ids(w["ticket"]), "event": text, "payload": json_values}), w["template"]),
        "create_rule": ("post", "notification-rules", body({
            "name": text, "event_pattern": one_of_or_junk("sla.*", "[", "nope"), "channel_id": ids(w["channel"]),
            "template_key": one_of_or_junk("fuzz", "missing"), "locale": one_of_or_junk("en", "xx")}), 0),
        "patch_rule": ("patch", "notification-rules/{id}", body({
            "event_pattern": one_of_or_junk("sla.*", "]"), "channel_id": ids(w["channel"]),
            "template_key": one_of_or_junk("fuzz", "no")}), w["rule"]),
        "create_webhook": ("post", "webhooks", body({
            "name": text, "url": one_of_or_junk("http://127.0.0.1:9/w", "javascript:x", ""), "secret": text,
            "event_patterns": patterns, "enabled": st.just(False)}), 0),
        "patch_webhook": ("patch", "webhooks/{id}", body({
            "url": one_of_or_junk("http://127.0.0.1:9/w", "nope"), "event_patterns": patterns, "secret": text}),
            w["webhook"]),
        "read": ("post", "notifications/{id}/read", json_values, 1),
        "enable": ("post", "webhooks/{id}/enable", json_values, w["webhook"]),
        "retry": ("post", "notification-deliveries/{id}/retry", json_values, 1),
    }


NAMES = ["create_channel", "patch_channel", "create_template", "patch_template", "preview", "create_rule",
         "patch_rule", "create_webhook", "patch_webhook", "read", "enable", "retry"]


@pytest.mark.parametrize("name", NAMES)
def test_random_bodies_never_break_the_notifications_api(org, world, name):
    api = org.client(org.admin)
    method, path, bodies, real_id = _endpoints(world)[name]

    @FUZZ
    @given(payload=bodies, segment=path_ids(real_id))
    def run(payload: Any, segment: str) -> None:
        url = "/api/v1/" + path.replace("{id}", segment)
        raw = json.dumps(payload)
        assert_well_formed(send(api, method, url, raw, "application/json"), (method, url, raw[:300]))

    run()


@pytest.mark.parametrize("path", ["notifications", "notification-deliveries", "notification-templates",
                                  "webhooks/{webhook}/deliveries"])
def test_random_queries_on_notification_lists(org, world, path):
    api = org.client(org.admin)
    url = path.replace("{webhook}", str(world["webhook"]))
    params = st.dictionaries(
        st.sampled_from(["page", "page_size", "unread", "status", "channel_kind", "purpose", "event", "channel_id",
                         "webhook_id", "ticket_id", "key", "locale"]),
        query_value(st.sampled_from([1, "true", "sent", "email", 2**63])), max_size=5)

    @FEW
    @given(params=params)
    def run(params: dict[str, Any]) -> None:
        assert_well_formed(api.get(url, params), (url, params))

    run()
