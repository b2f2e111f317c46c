"""End-to-end smoke of the intake path through the public API."""

from __future__ import annotations


def test_intake_is_idempotent_and_numbered(org, frozen_clock):
    api = org.client(org.agent_a)
    payload = {"subject": "手机屏幕碎了", "channel": "wechat", "external_id": "wx-msg-1",
               "category_key": "malfunction", "customer": {"name": "王五", "phone": "13700137000"}}
    first = api.post("tickets", payload)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["number"] == "TS202603100001"
    assert body["customer"]["name"] == "王五"
    again = api.post("tickets", payload)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    second = api.post("tickets", {**payload, "external_id": "wx-msg-2"})
    assert second.json()["number"] == "TS202603100002"
