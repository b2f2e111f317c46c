"""Sensitive fields marked encrypted: sealed at rest (AES-GCM), found by their keyed hash,
shown masked unless the viewer holds field.view_sensitive."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.models import Role
from complaintdesk.forms import crypto
from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_save_draft
from complaintdesk.tickets.actions import do_update_ticket
from complaintdesk.tickets.formdata import filter_by_field_value
from complaintdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
SCHEMA = {"fields": [
    {"key": "mobile", "type": "phone", "label": "手机", "config": {"encrypted": True}, "unique": True},
    {"key": "id_no", "type": "id_card", "label": "身份证号"},  # encrypted by default
    {"key": "office", "type": "phone", "label": "座机"},  # not encrypted
    {"key": "note", "type": "text", "label": "备注"},
], "layout": []}


@pytest.fixture
def form(org):
    form = do_create_form(key="kyc", name="实名投诉", actor=org.admin)
    do_save_draft(form, schema=SCHEMA, actor=org.admin)
    do_publish_draft(form, actor=org.admin)
    return form


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def created(org, form, frozen_clock):
    return _ok(org.client(org.supervisor).post("tickets", {
        "subject": "实名", "form_key": "kyc", "team_id": org.team_a.pk,
        "data": {"mobile": "+86 138-1234-5678", "id_no": ID_NUMBER.lower(), "office": "010-12345678", "note": "x"}}),
        201)


def _raw_data(ticket_id):
    # What the database holds, read around the ORM.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {Ticket._meta.db_table} WHERE id = %s", [ticket_id])
        return str(cursor.fetchone()[0])


def test_values_are_encrypted_at_rest_with_a_keyed_hash(org, created):
    raw = _raw_data(created["id"])
    assert "13812345678" not in raw and ID_NUMBER not in raw
    assert "010-12345678" in raw  # a phone not marked encrypted is plain
    stored = Ticket.objects.get(pk=created["id"]).data
    assert set(stored["mobile"]) == {"$enc", "$hash"}
    assert crypto.unseal("mobile", stored["mobile"]) == "13812345678"
    assert stored["mobile"]["$hash"] == crypto.blind_index("mobile", "13812345678")
    assert crypto.unseal("id_no", stored["id_no"]) == ID_NUMBER
    # Bound to its field: the same ciphertext does not decrypt as another field.
    with pytest.raises(crypto.DecryptionFailed):
        crypto.unseal("id_no", stored["mobile"])


def test_masked_unless_permitted(org, created):
    assert P.FIELD_VIEW_SENSITIVE in Role.objects.get(key="supervisor").permissions
    assert P.FIELD_VIEW_SENSITIVE in Role.objects.get(key="admin").permissions
    assert P.FIELD_VIEW_SENSITIVE not in Role.objects.get(key="agent").permissions
    seen_by_agent = _ok(org.client(org.agent_a).get(f"tickets/{created['id']}"))["data"]
    assert seen_by_agent["mobile"] == "138****5678"
    assert seen_by_agent["id_no"] == "110***********002X"
    assert seen_by_agent["office"] == "010-12345678"
    assert created["data"]["mobile"] == "13812345678"  # the supervisor may see it
    assert _ok(org.client(org.supervisor).get(f"tickets/{created['id']}"))["data"]["id_no"] == ID_NUMBER


def test_updates_keep_seals_and_accept_masked_values_back(org, created):
    agent = org.client(org.agent_a)
    before = Ticket.objects.get(pk=created["id"]).data
    seen = _ok(agent.get(f"tickets/{created['id']}"))["data"]
    after_patch = _ok(agent.patch(f"tickets/{created['id']}", {"data": {**seen, "note": "更新"}}))
    assert after_patch["data"]["mobile"] == "138****5678"
    after = Ticket.objects.get(pk=created["id"]).data
    assert after["mobile"] == before["mobile"] and after["id_no"] == before["id_no"]  # not re-sealed
    events = _ok(org.client(org.supervisor).get(f"tickets/{created['id']}/events"))
    changed = [e["data"]["changes"] for e in events if e["type"] == "updated"]
    assert [sorted(c["data"]["new"]) for c in changed] and all(
        c["data"]["old"].get("mobile") == c["data"]["new"].get("mobile") for c in changed)
    # A new number is sealed afresh.
    _ok(agent.patch(f"tickets/{created['id']}", {"data": {"mobile": "13900001111"}}))
    stored = Ticket.objects.get(pk=created["id"]).data
    assert crypto.unseal("mobile", stored["mobile"]) == "13900001111"
    bad = agent.patch(f"tickets/{created['id']}", {"data": {"id_no": "123"}})
    assert bad.status_code == 422


def test_exact_match_search_and_uniqueness_use_the_hash(org, form, created):
    version = form.versions.get(status="published")
    found = filter_by_field_value(Ticket.objects.all(), version=version, field_key="mobile", value="138 1234 5678")
    assert list(found.values_list("pk", flat=True)) == [created["id"]]
    assert not filter_by_field_value(Ticket.objects.all(), version=version, field_key="mobile",
                                     value="13812345679").exists()
    assert list(filter_by_field_value(Ticket.objects.all(), version=version, field_key="office",
                                      value="010-12345678").values_list("pk", flat=True)) == [created["id"]]
    again = org.client(org.supervisor).post("tickets", {"subject": "重复", "form_key": "kyc",
                                                        "data": {"mobile": "13812345678"}})
    assert again.status_code == 422
    assert again.json()["details"]["errors"]["mobile"][0]["code"] == "not_unique"


def test_key_from_settings_and_wrong_key(org, form, frozen_clock):
    with override_settings(FIELD_ENCRYPTION_KEY="a-dedicated-field-key"):
        sealed = crypto.seal("mobile", "13812345678")
        assert crypto.unseal("mobile", sealed) == "13812345678"
        ticket = _ok(org.client(org.supervisor).post("tickets", {"subject": "x", "form_key": "kyc",
                                                                 "data": {"mobile": "13700000000"}}), 201)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.unseal("mobile", sealed)  # now derived from SECRET_KEY
    # A value sealed with another key is shown as unreadable, and survives unrelated updates.
    assert _ok(org.client(org.supervisor).get(f"tickets/{ticket['id']}"))["data"]["mobile"] == "******"
    do_update_ticket(Ticket.objects.get(pk=ticket["id"]), actor=org.supervisor, data={"note": "n"})
    with override_settings(FIELD_ENCRYPTION_KEY="a-dedicated-field-key"):
        assert crypto.unseal("mobile", Ticket.objects.get(pk=ticket["id"]).data["mobile"]) == "13700000000"


def test_mask():
    assert crypto.mask("13812345678") == "138****5678"
    assert crypto.mask("110101199003071234") == "110***********1234"
    assert crypto.mask("12345") == "*****"
