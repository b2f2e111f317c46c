"""Tickets filled through forms: the pinned version, evaluation, every error at once, uniqueness,
re-validation on update against the pinned version."""

from __future__ import annotations

from typing import Any

import pytest

from complaintdesk.core.models import Sequence
from complaintdesk.customers.models import Customer
from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_save_draft
from complaintdesk.tickets.actions import do_create_ticket, do_update_ticket
from complaintdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "kind", "type": "radio", "label": {"zh-CN": "诉求", "en": "Request"}, "required": True,
         "options": [{"value": "refund", "label": {"zh-CN": "退款", "en": "Refund"}},
                     {"value": "repair", "label": {"zh-CN": "维修", "en": "Repair"}}]},
        {"key": "amount", "type": "money", "label": "金额", "min": 0,
         "required_when": {"field": "kind", "op": "eq", "value": "refund"}},
        {"key": "qty", "type": "integer", "label": "数量", "default": 1, "min": 1},
        {"key": "total", "type": "formula", "label": "合计", "formula": "{amount}*{qty}",
         "config": {"result_type": "money"}},
        {"key": "reason", "type": "textarea", "label": "原因",
         "visible_when": {"field": "kind", "op": "eq", "value": "refund"}},
        {"key": "invoice", "type": "text", "label": "发票号", "unique": True},
        {"key": "code", "type": "serial_number", "label": "受理号", "config": {"pattern": "QC-{yyyyMMdd}-{seq:3}"}},
        {"key": "source", "type": "text", "label": "来源", "read_only": True, "default": "hotline"},
    ],
    "layout": [],
}


@pytest.fixture
def form(org):
    form = do_create_form(key="refund", name="退款投诉", actor=org.admin)
    do_save_draft(form, schema=SCHEMA, actor=org.admin)
    do_publish_draft(form, actor=org.admin)
    return form


@pytest.fixture
def agent(org):
    return org.client(org.agent_a)


def _published(form):
    return form.versions.get(status="published")


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_action_evaluates_and_pins_the_version(org, form, frozen_clock):
    version = _published(form)
    ticket, created = do_create_ticket(actor=org.agent_a, subject="退款", form_version=version,
                                       values={"kind": "refund", "amount": "12.5", "qty": 2, "reason": "坏了"})
    assert created
    ticket.refresh_from_db()
    assert ticket.form_version_id == version.pk
    assert ticket.data == {"kind": "refund", "amount": "12.50", "qty": 2, "total": "25.00", "reason": "坏了",
                           "code": "QC-20260310-001", "source": "hotline"}


def test_hidden_field_is_dropped_and_default_applies(org, form, frozen_clock):
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="维修", form_version=_published(form),
                                 values={"kind": "repair", "reason": "不会存下"})
    assert "reason" not in ticket.data
    assert ticket.data["qty"] == 1


def test_invalid_submission_answers_every_error_and_stores_nothing(org, form, agent, frozen_clock):
    tickets, customers, sequences = Ticket.objects.count(), Customer.objects.count(), list(
        Sequence.objects.values_list("key", "value"))
    body = agent.post("tickets", {"subject": "退款", "form_key": "refund",
                                  "customer": {"name": "新客户", "phone": "13700137000"},
                                  "data": {"kind": "refund", "qty": 0, "nope": 1}})
    assert body.status_code == 422, body.content
    answer = body.json()
    assert answer["code"] == "invalid_data"
    errors = answer["details"]["errors"]
    assert set(errors) == {"amount", "qty", "nope"}
    assert errors["amount"][0]["code"] == "required"
    assert errors["qty"][0]["code"] == "too_small"
    assert all(e["zh-CN"] and e["en"] for errs in errors.values() for e in errs)
    # Nothing stored: no ticket, no customer, no ticket number or serial number consumed.
    assert Ticket.objects.count() == tickets
    assert Customer.objects.count() == customers
    assert list(Sequence.objects.values_list("key", "value")) == sequences
    first = _ok(agent.post("tickets", {"subject": "退款", "form_key": "refund", "data": {"kind": "repair"}}), 201)
    assert first["data"]["code"] == "QC-20260310-001"


def test_api_form_key_and_version_id(org, form, agent, frozen_clock):
    version = _published(form)
    created = _ok(agent.post("tickets", {"subject": "退款", "form_key": "refund",
                                         "data": {"kind": "refund", "amount": 3}}), 201)
    assert created["form_version_id"] == version.pk
    assert created["form_key"] == "refund"
    assert created["data"]["total"] == "3.00"
    again = _ok(agent.post("tickets", {"subject": "退款", "form_version_id": version.pk, "data": {"kind": "repair"}}),
                201)
    assert again["form_version_id"] == version.pk
    shown = _ok(agent.get(f"tickets/{again['id']}"))
    assert (shown["form_key"], shown["form_version_id"]) == ("refund", version.pk)
    free = _ok(agent.post("tickets", {"subject": "无表单", "data": {"anything": 1}}), 201)
    assert free["form_version_id"] is None and free["form_key"] is None and free["data"] == {"anything": 1}


@pytest.mark.parametrize("payload", [{"form_key": "nope"}, {"form_version_id": 999999},
                                     {"form_key": "other", "form_version_id": "own"}])
def test_unknown_form_or_version_is_422(org, form, agent, payload):
    if payload.get("form_version_id") == "own":
        payload = {**payload, "form_version_id": _published(form).pk}
    response = agent.post("tickets", {"subject": "x", "data": {}, **payload})
    assert response.status_code == 422, response.content
    assert Ticket.objects.count() == 0


def test_draft_version_is_refused(org, agent):
    draft_form = do_create_form(key="draft-only", name="草稿", actor=org.admin)
    do_save_draft(draft_form, schema=SCHEMA, actor=org.admin)
    draft = draft_form.versions.get()
    assert agent.post("tickets", {"subject": "x", "form_version_id": draft.pk}).status_code == 422
    assert agent.post("tickets", {"subject": "x", "form_key": "draft-only"}).status_code == 422


def test_unique_field_across_tickets(org, form, agent, frozen_clock):
    _ok(agent.post("tickets", {"subject": "a", "form_key": "refund", "data": {"kind": "repair", "invoice": "F-1"}}),
        201)
    response = agent.post("tickets", {"subject": "b", "form_key": "refund",
                                      "data": {"kind": "repair", "invoice": "F-1"}})
    assert response.status_code == 422
    assert response.json()["details"]["errors"]["invoice"][0]["code"] == "not_unique"
    other = _ok(agent.post("tickets", {"subject": "c", "form_key": "refund",
                                       "data": {"kind": "repair", "invoice": "F-2"}}), 201)
    # Changing a ticket to a taken value is refused; keeping its own value is not a clash.
    clash = agent.patch(f"tickets/{other['id']}", {"data": {"invoice": "F-1"}})
    assert clash.status_code == 422
    assert clash.json()["details"]["errors"]["invoice"][0]["code"] == "not_unique"
    _ok(agent.patch(f"tickets/{other['id']}", {"data": {"invoice": "F-2", "qty": 3}}))


def test_patch_revalidates_against_the_pinned_version(org, form, agent, frozen_clock):
    created = _ok(agent.post("tickets", {"subject": "a", "form_key": "refund",
                                         "data": {"kind": "refund", "amount": "10"}}), 201)
    # A new version (amount now at least 100, a new required field) does not touch the ticket.
    new_schema = {**SCHEMA, "fields": [
        *[dict(f, min=100) if f["key"] == "amount" else f for f in SCHEMA["fields"]],
        {"key": "extra", "type": "text", "label": "新字段", "required": True}]}
    do_save_draft(form, schema=new_schema, actor=org.admin)
    do_publish_draft(form, actor=org.admin)
    ticket = Ticket.objects.get(pk=created["id"])
    assert ticket.form_version_id == created["form_version_id"]
    assert ticket.data["amount"] == "10.00"
    changed = _ok(agent.patch(f"tickets/{created['id']}", {"data": {"qty": 3}}))
    assert changed["form_version_id"] == created["form_version_id"]
    assert changed["data"]["total"] == "30.00"  # recomputed
    assert changed["data"]["code"] == created["data"]["code"]  # the serial number is kept
    bad = agent.patch(f"tickets/{created['id']}", {"data": {"qty": 0, "unknown": "x"}})
    assert bad.status_code == 422
    assert set(bad.json()["details"]["errors"]) == {"qty", "unknown"}
    # New tickets follow the new version.
    newer = agent.post("tickets", {"subject": "b", "form_key": "refund", "data": {"kind": "refund", "amount": "10"}})
    assert newer.status_code == 422
    assert set(newer.json()["details"]["errors"]) == {"amount", "extra"}


def test_patch_refuses_computed_and_read_only_fields(org, form, agent, frozen_clock):
    created = _ok(agent.post("tickets", {"subject": "a", "form_key": "refund",
                                         "data": {"kind": "refund", "amount": "10", "source": "ignored"}}), 201)
    assert created["data"]["source"] == "hotline"  # read-only: the submitted value is ignored
    for change in ({"total": "99.00"}, {"code": "X"}, {"source": "web"}):
        response = agent.patch(f"tickets/{created['id']}", {"data": change})
        assert response.status_code == 422, change
        assert set(response.json()["details"]["errors"]) == set(change)
        assert response.json()["details"]["errors"][next(iter(change))][0]["code"] == "read_only"
    # Sending the whole data back unchanged is fine.
    _ok(agent.patch(f"tickets/{created['id']}", {"data": created["data"]}))
    # The system (no actor) may set read-only fields.
    ticket = Ticket.objects.get(pk=created["id"])
    do_update_ticket(ticket, actor=None, data={"source": "crm"})
    assert Ticket.objects.get(pk=created["id"]).data["source"] == "crm"


def test_with_a_form_free_data_is_refused(org, form):
    with pytest.raises(Exception) as exc:
        do_create_ticket(actor=org.agent_a, subject="x", form_version=_published(form), data={"kind": "refund"})
    assert getattr(exc.value, "status_code", None) == 422
