"""Public intake: the form schema, anonymous submissions (validation, honeypot, rate limit, size),
and tracking by token (public replies only)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from complaintdesk.core.models import Sequence
from complaintdesk.customers.models import Customer
from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_save_draft, do_update_form
from complaintdesk.forms.models import Form
from complaintdesk.tickets.actions import do_add_comment, do_assign_ticket, do_create_ticket
from complaintdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

VALID = {"contact_name": "赵六", "contact_phone": "+86 139-0013-9000", "contact_email": "Zhao@Example.COM",
         "complaint_type": "logistics", "subject": "快递三天未送达",
         "description": "订单显示已发货但一直没有收到包裹。",
         "expectation": "apology", "agree": True}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


class Anonymous:
    """An API client without credentials, from one IP address."""

    def __init__(self, ip: str = "203.0.113.7") -> None:
        self.client = Client(REMOTE_ADDR=ip)

    def get(self, path):
        return self.client.get(f"/api/v1/{path}")

    def post(self, path, data):
        return self.client.post(f"/api/v1/{path}", json.dumps(data), content_type="application/json")


@pytest.fixture
def anon():
    return Anonymous()


def _submit(anon, values=None, **extra):
    return anon.post("public/forms/general/submissions", {"values": values if values is not None else VALID, **extra})


def test_the_general_form_is_served_without_authentication(db, anon):
    response = anon.get("public/forms/general")
    assert response.status_code == 200, response.content
    body = response.json()
    form = Form.objects.get(key="general")
    assert (body["slug"], body["key"], body["name"], body["version"]) == ("general", "general", "通用投诉", 1)
    assert body["schema"] == form.versions.get(status="published").schema


def test_anonymous_submission_creates_a_web_form_ticket(org, anon, frozen_clock):
    response = _submit(anon, url_params={"utm_source": "weibo"})
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.select_related("customer", "form_version__form").get(number=body["number"])
    assert body["tracking_token"] == ticket.tracking_token
    assert body["tracking_url"] == f"/api/v1/public/tickets/{ticket.tracking_token}"
    assert ticket.channel == "web_form"
    assert ticket.created_by is None
    assert ticket.form_version is not None and ticket.form_version.form.key == "general"
    assert ticket.subject == "快递三天未送达"
    assert ticket.description == VALID["description"]
    assert ticket.data["contact_phone"] == "13900139000"
    assert ticket.data["utm_source"] == "weibo"
    assert ticket.data["days_since"] == 0
    # The customer comes from the contact fields (139 0013 9000 is 李四, already known).
    assert ticket.customer == org.vip
    assert ticket.events.get(type="created").channel == "web_form"
    new = _submit(anon, {**VALID, "contact_phone": "13700137000", "contact_name": "新客户"})
    assert new.status_code == 201
    created = Customer.objects.get(phone="13700137000")
    assert created.name == "新客户"


def test_invalid_submission_answers_every_error_and_stores_nothing(org, anon):
    counts = (Ticket.objects.count(), Customer.objects.count(), list(Sequence.objects.values_list("key", "value")))
    response = _submit(anon, {"contact_name": "赵六", "contact_phone": "12345", "expectation": "refund",
                              "agree": False, "not_a_field": 1})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_data"
    errors = body["details"]["errors"]
    assert {"contact_phone", "complaint_type", "subject", "description", "refund_amount", "agree",
            "not_a_field"} <= set(errors)
    assert all(e["zh-CN"] and e["en"] for errs in errors.values() for e in errs)
    assert (Ticket.objects.count(), Customer.objects.count(),
            list(Sequence.objects.values_list("key", "value"))) == counts


def test_honeypot_answers_success_and_stores_nothing(org, anon):
    before = (Ticket.objects.count(), Customer.objects.count())
    response = _submit(anon, website="http://spam.example")
    assert response.status_code == 201
    body = response.json()
    assert body["number"] and body["tracking_token"]
    assert (Ticket.objects.count(), Customer.objects.count()) == before
    assert anon.get(f"public/tickets/{body['tracking_token']}").status_code == 404


def test_repeated_submission_id_is_one_ticket(org, anon):
    first = _submit(anon, submission_id="page-42").json()
    again = _submit(anon, submission_id="page-42").json()
    assert first["number"] == again["number"]
    assert Ticket.objects.filter(channel="web_form").count() == 1


@override_settings(PUBLIC_SUBMISSIONS_PER_MINUTE=3)
def test_submissions_are_rate_limited_per_ip(org, anon, frozen_clock):
    for _ in range(3):
        assert _submit(anon, {}).status_code == 422  # invalid attempts count too
    limited = _submit(anon)
    assert limited.status_code == 429
    assert set(limited.json()) == {"code", "message", "details"}
    assert limited.json()["code"] == "rate_limited"
    assert Ticket.objects.count() == 0
    # Another address has its own budget; the next minute starts a new window.
    assert _submit(Anonymous("198.51.100.9")).status_code == 201
    from datetime import timedelta
    frozen_clock.advance(timedelta(minutes=1))
    assert _submit(anon).status_code == 201


@override_settings(PUBLIC_SUBMISSION_MAX_BYTES=2000)
def test_submissions_are_size_limited(org, anon):
    response = _submit(anon, {**VALID, "description": "很长" * 2000})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert Ticket.objects.count() == 0


def test_non_public_or_unpublished_forms_are_404(org, anon):
    for path in ("public/forms/product_quality", "public/forms/nope"):
        assert anon.get(path).status_code == 404
    unpublished = do_create_form(key="draft-public", name="草稿", actor=org.admin, is_public=True,
                                 public_slug="draft-public")
    do_save_draft(unpublished, schema={"fields": [{"key": "a", "type": "text", "label": "A"}], "layout": []},
                  actor=org.admin)
    assert anon.get("public/forms/draft-public").status_code == 404
    assert _submit_to(anon, "draft-public", {"a": "x"}).status_code == 404
    do_publish_draft(unpublished, actor=org.admin)
    assert anon.get("public/forms/draft-public").status_code == 200
    do_update_form(unpublished, is_public=False, actor=org.admin)
    assert anon.get("public/forms/draft-public").status_code == 404
    assert _submit_to(anon, "draft-public", {"a": "x"}).status_code == 404
    assert Ticket.objects.count() == 0


def _submit_to(anon, slug, values):
    return anon.post(f"public/forms/{slug}/submissions", {"values": values})


def test_related_ticket_numbers_cannot_be_probed(org, anon):
    existing, _ = do_create_ticket(actor=org.agent_a, subject="内部工单")
    form = do_create_form(key="follow-up", name="追加投诉", actor=org.admin, is_public=True, public_slug="follow-up")
    do_save_draft(form, schema={"fields": [{"key": "previous", "type": "related_ticket", "label": "原工单"}],
                                "layout": []}, actor=org.admin)
    do_publish_draft(form, actor=org.admin)
    answers = [_submit_to(anon, "follow-up", {"previous": number}) for number in (existing.number, "TS202603109999")]
    assert [a.status_code for a in answers] == [422, 422]
    assert [a.json()["details"]["errors"]["previous"][0]["code"] for a in answers] == ["unknown_ticket"] * 2
    # Signed-in staff still link tickets in their scope.
    agent = org.client(org.agent_a)
    ok = agent.post("tickets", {"subject": "x", "form_key": "follow-up", "data": {"previous": existing.number}})
    assert ok.status_code == 201, ok.content


def test_tracking_shows_status_and_public_replies_only(org, anon, frozen_clock):
    body = _submit(anon).json()
    ticket = Ticket.objects.get(number=body["number"])
    do_assign_ticket(ticket, actor=org.supervisor, assignee=org.agent_a)
    do_add_comment(ticket, actor=org.agent_a, body="内部备注：客户情绪激动", is_public=False)
    do_add_comment(ticket, actor=org.agent_a, body="您好，已联系快递加急处理。", is_public=True)
    response = anon.get(f"public/tickets/{body['tracking_token']}")
    assert response.status_code == 200, response.content
    shown = response.json()
    assert shown["number"] == ticket.number
    assert shown["status"] == "new"
    assert shown["status_label"] == {"zh-CN": "新建", "en": "New"}
    assert [r["body"] for r in shown["replies"]] == ["您好，已联系快递加急处理。"]
    text = response.content.decode()
    for secret in ("内部备注", "agent_a", "assignee", "contact_phone", "13900139000", "data"):
        assert secret not in text
    assert set(shown) == {"number", "subject", "status", "status_label", "created_at", "updated_at", "resolved_at",
                          "closed_at", "replies"}
    assert anon.get("public/tickets/not-a-token").status_code == 404


def _evaluate(anon, values, slug="general", **extra):
    return anon.post(f"public/forms/{slug}/evaluate", {"values": values, **extra})


def test_public_evaluation_answers_formulas_visibility_and_errors_and_stores_nothing(org, anon, frozen_clock):
    customers = Customer.objects.count()
    response = _evaluate(anon, {"complaint_type": "pricing", "expectation": "refund", "occurred_on": "2026-03-01",
                                "contact_phone": "12"}, url_params={"utm_source": "wechat"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] is False
    # The same engine as staff evaluation: conditional fields, formulas, URL-filled hidden fields.
    assert body["visibility"]["amount_involved"] is True and body["visibility"]["refund_amount"] is True
    assert body["visibility"]["expectation_other"] is False
    assert body["required"]["refund_amount"] is True
    assert body["values"]["days_since"] == (frozen_clock.now().date() - date(2026, 3, 1)).days
    assert body["values"]["utm_source"] == "wechat"
    # Messages in both languages, the same as a refused submission would give.
    assert body["errors"]["contact_phone"][0]["code"] == "invalid_phone"
    assert body["errors"]["subject"] == [{"code": "required", "zh-CN": "此项为必填项", "en": "This field is required"}]
    refused = _submit(anon, {"complaint_type": "pricing", "expectation": "refund", "contact_phone": "12"})
    assert refused.status_code == 422
    assert refused.json()["details"]["errors"]["contact_phone"] == body["errors"]["contact_phone"]
    assert Ticket.objects.count() == 0 and Customer.objects.count() == customers
    assert not Sequence.objects.exists()


def test_public_evaluation_refuses_related_tickets_and_unknown_forms(org, anon):
    existing, _ = do_create_ticket(actor=org.agent_a, subject="内部工单")
    form = do_create_form(key="follow-up", name="追加投诉", actor=org.admin, is_public=True, public_slug="follow-up")
    do_save_draft(form, schema={"fields": [{"key": "previous", "type": "related_ticket", "label": "原工单"}],
                                "layout": []}, actor=org.admin)
    do_publish_draft(form, actor=org.admin)
    answer = _evaluate(anon, {"previous": existing.number}, slug="follow-up").json()
    assert answer["errors"]["previous"][0]["code"] == "unknown_ticket"
    assert _evaluate(anon, {}, slug="product_quality").status_code == 404
    assert _evaluate(anon, {}, slug="nope").status_code == 404


@override_settings(PUBLIC_EVALUATIONS_PER_MINUTE=2)
def test_public_evaluation_is_rate_limited(org, anon, frozen_clock):
    assert [_evaluate(anon, {}).status_code for _ in range(3)] == [200, 200, 429]
    assert _evaluate(anon, {}).json()["code"] == "rate_limited"
    # Submitting has its own budget.
    assert _submit(anon).status_code == 201


def test_public_regions_are_served_without_authentication(db, anon):
    provinces = anon.get("public/regions")
    assert provinces.status_code == 200
    guangdong = next(p for p in provinces.json() if p["code"] == "440000")
    assert guangdong == {"code": "440000", "name": "广东省", "level": "province", "has_children": True}
    cities = anon.get("public/regions?parent=440000").json()
    assert {"code": "440300", "name": "深圳市", "level": "city", "has_children": True} in cities
    assert anon.get("public/regions?parent=999999").status_code == 404


def test_public_submission_with_a_written_address_instead_of_a_position(org, anon):
    form = do_create_form(key="where", name="现场", actor=org.admin, is_public=True, public_slug="where")
    do_save_draft(form, schema={"fields": [{"key": "spot", "type": "location", "label": "位置", "required": True}],
                                "layout": []}, actor=org.admin)
    do_publish_draft(form, actor=org.admin)
    created = _submit_to(anon, "where", {"spot": {"lat": None, "lng": None, "address": "深圳市南山区科技园"}})
    assert created.status_code == 201, created.content
    ticket = Ticket.objects.get(number=created.json()["number"])
    assert ticket.data["spot"] == {"lat": None, "lng": None, "address": "深圳市南山区科技园", "accuracy": None}
    assert _submit_to(anon, "where", {"spot": {"address": ""}}).json()["details"]["errors"]["spot"][0]["code"] \
        == "invalid_location"
