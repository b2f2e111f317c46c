"""Field-level permissions (字段级权限): hidden fields are absent from what a role reads, read-only
ones cannot be written through any endpoint that changes ticket data."""

from __future__ import annotations

import pytest

from complaintdesk.accounts.actions import do_update_user
from complaintdesk.accounts.models import Role
from complaintdesk.forms.actions import do_set_field_permissions
from complaintdesk.forms.models import FieldPermission
from complaintdesk.forms.permissions import field_rights, form_field_rights
from complaintdesk.tickets.actions import do_update_ticket
from complaintdesk.tickets.models import Ticket
from complaintdesk.tickets.tests.test_forms import form  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def rules(org, form):  # noqa: F811
    admin = org.client(org.admin)
    agent_role = Role.objects.get(key="agent")
    return _ok(admin.put(f"forms/{form.pk}/field-permissions", {"rules": [
        {"field_key": "amount", "role_id": agent_role.pk, "access": "hidden"},
        {"field_key": "invoice", "role_id": agent_role.pk, "access": "read_only"},
    ]}))


@pytest.fixture
def refund_ticket(org, form, frozen_clock):  # noqa: F811
    sup = org.client(org.supervisor)
    return _ok(sup.post("tickets", {"subject": "退款", "form_key": "refund",
                                    "team_id": org.team_a.pk,
                                    "data": {"kind": "refund", "amount": "50", "invoice": "F-9"}}), 201)


def test_rules_are_listed_and_replaced(org, form, rules):  # noqa: F811
    assert sorted((r["field_key"], r["role"]["key"], r["access"]) for r in rules) == [
        ("amount", "agent", "hidden"), ("invoice", "agent", "read_only")]
    admin = org.client(org.admin)
    assert _ok(admin.get(f"forms/{form.pk}/field-permissions")) == rules
    assert _ok(admin.put(f"forms/{form.pk}/field-permissions", {"rules": []})) == []
    assert not FieldPermission.objects.exists()


def test_rules_need_form_admin_and_valid_input(org, form):  # noqa: F811
    agent_role = Role.objects.get(key="agent")
    body = {"rules": [{"field_key": "amount", "role_id": agent_role.pk, "access": "hidden"}]}
    assert org.client(org.supervisor).put(f"forms/{form.pk}/field-permissions", body).status_code == 403
    assert org.client(org.agent_a).get(f"forms/{form.pk}/field-permissions").status_code == 403
    admin = org.client(org.admin)
    for bad in ({"field_key": "nope", "role_id": agent_role.pk, "access": "hidden"},
                {"field_key": "amount", "role_id": agent_role.pk, "access": "invisible"},
                {"field_key": "amount", "role_id": 10**9, "access": "hidden"}):
        response = admin.put(f"forms/{form.pk}/field-permissions", {"rules": [bad]})
        assert response.status_code == 422, bad
    twice = admin.put(f"forms/{form.pk}/field-permissions", {"rules": [body["rules"][0], body["rules"][0]]})
    assert twice.status_code == 422
    assert not FieldPermission.objects.exists()


def test_hidden_fields_are_absent_when_read(org, rules, refund_ticket):
    agent_view = _ok(org.client(org.agent_a).get(f"tickets/{refund_ticket['id']}"))
    assert "amount" not in agent_view["data"]
    assert agent_view["data"]["invoice"] == "F-9"
    # The page needs the keys (not the values) to leave the field out of the edit form.
    assert "amount" in agent_view["hidden_fields"] and "amount" not in agent_view["read_only_fields"]
    assert _ok(org.client(org.agent_a).get(f"tickets/by-number/{refund_ticket['number']}"))["data"] == \
        agent_view["data"]
    assert _ok(org.client(org.supervisor).get(f"tickets/{refund_ticket['id']}"))["data"]["amount"] == "50.00"
    # Not through the timeline either.
    do_update_ticket(Ticket.objects.get(pk=refund_ticket["id"]), actor=org.supervisor, data={"amount": "60"})
    events = _ok(org.client(org.agent_a).get(f"tickets/{refund_ticket['id']}/events"))
    updated = [e for e in events if e["type"] == "updated"]
    assert updated and "amount" not in str(updated)
    sup_events = _ok(org.client(org.supervisor).get(f"tickets/{refund_ticket['id']}/events"))
    assert "60.00" in str([e for e in sup_events if e["type"] == "updated"])


def test_read_only_and_hidden_fields_cannot_be_written(org, rules, refund_ticket):
    agent = org.client(org.agent_a)
    tid = refund_ticket["id"]
    for change in ({"invoice": "F-10"}, {"amount": "1"}):
        response = agent.patch(f"tickets/{tid}", {"data": change})
        assert response.status_code == 422, change
        assert response.json()["details"]["errors"] == {next(iter(change)): [
            {"code": "read_only", "zh-CN": "此字段为只读，不能修改", "en": "This field is read-only"}]}
    # Writing what they see back, unchanged, and other fields is fine; the hidden value survives.
    seen = _ok(agent.get(f"tickets/{tid}"))["data"]
    changed = _ok(agent.patch(f"tickets/{tid}", {"data": {**seen, "qty": 2}}))
    assert "amount" not in changed["data"]
    stored = Ticket.objects.get(pk=tid).data
    assert (stored["amount"], stored["total"], stored["invoice"]) == ("50.00", "100.00", "F-9")
    # At creation too.
    response = agent.post("tickets", {"subject": "x", "form_key": "refund", "data": {"kind": "repair", "invoice": "Z"}})
    assert response.status_code == 422
    assert set(response.json()["details"]["errors"]) == {"invoice"}
    _ok(agent.post("tickets", {"subject": "x", "form_key": "refund", "data": {"kind": "repair"}}), 201)


def test_rights_of_several_roles_and_superusers(org, form, rules, refund_ticket):  # noqa: F811
    ticket = Ticket.objects.select_related("form_version").get(pk=refund_ticket["id"])
    assert field_rights(org.agent_a, ticket).hidden == {"amount"}
    assert field_rights(org.admin, ticket).unwritable == frozenset()
    assert field_rights(None, ticket).unwritable == frozenset()
    # A second role without rules opens the fields; one with its own rule keeps the stricter one open.
    do_update_user(org.agent_b, roles=list(Role.objects.filter(key__in=["agent", "supervisor"])), actor=None)
    assert form_field_rights(org.agent_b, form.pk).unwritable == frozenset()
    do_set_field_permissions(form, actor=None, rules=[
        ("amount", Role.objects.get(key="agent"), "hidden"), ("amount", Role.objects.get(key="supervisor"),
                                                             "read_only")])
    rights = form_field_rights(org.agent_b, form.pk)
    assert (rights.hidden, rights.read_only) == (frozenset(), {"amount"})
