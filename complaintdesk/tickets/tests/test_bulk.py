"""POST /tickets/bulk: one action per ticket, each in its own transaction, a result per ticket."""

from __future__ import annotations

import pytest

from complaintdesk.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_bulk_assign_reports_each_ticket_and_skips_what_the_actor_cannot_see(org, make_ticket):
    mine = make_ticket(team=org.team_a)
    also_mine = make_ticket(team=org.team_a)
    hidden = make_ticket(actor=org.handler, department=org.after_sales)  # outside agent_a's team scope
    api = org.client(org.agent_a)
    body = _ok(api.post("tickets/bulk", {"ids": [mine.pk, hidden.pk, also_mine.pk, mine.pk],
                                         "operation": "assign", "assignee_id": org.agent_a.pk}))
    assert body["succeeded"] == 2 and body["failed"] == 1
    by_id = {r["id"]: r for r in body["results"]}
    assert [r["id"] for r in body["results"]] == [mine.pk, hidden.pk, also_mine.pk]  # duplicates once, in order
    assert by_id[mine.pk] == {"id": mine.pk, "number": mine.number, "ok": True, "code": "", "message": ""}
    assert by_id[hidden.pk]["ok"] is False and by_id[hidden.pk]["code"] == "not_found"
    assert by_id[hidden.pk]["number"] is None  # not even its number leaks
    assert set(Ticket.objects.filter(assignee=org.agent_a).values_list("pk", flat=True)) == {mine.pk, also_mine.pk}
    assert Ticket.objects.get(pk=hidden.pk).assignee_id is None
    # The same timeline entry as a single assignment, once per changed ticket.
    assert TicketEvent.objects.filter(ticket_id__in=[mine.pk, also_mine.pk], type="assigned").count() == 2


def test_bulk_transition_refuses_an_illegal_move_and_keeps_the_others(org, make_ticket):
    fresh = make_ticket(team=org.team_a)
    closed = make_ticket(team=org.team_a, status="closed")
    api = org.client(org.agent_a)
    body = _ok(api.post("tickets/bulk", {"ids": [fresh.pk, closed.pk], "operation": "transition",
                                         "status": "in_progress", "reason": "批量受理"}))
    assert (body["succeeded"], body["failed"]) == (1, 1)
    refused = body["results"][1]
    assert refused["code"] == "invalid_transition" and "closed" in refused["message"]
    assert Ticket.objects.get(pk=fresh.pk).status == "in_progress"
    assert Ticket.objects.get(pk=closed.pk).status == "closed"


def test_bulk_checks_permission_per_ticket(org, make_ticket):
    ticket = make_ticket(actor=org.supervisor)
    # The auditor sees every ticket but may not assign.
    body = _ok(org.client(org.auditor).post("tickets/bulk", {"ids": [ticket.pk], "operation": "assign",
                                                            "team_id": org.team_b.pk}))
    assert body["results"][0]["code"] == "permission_denied"
    assert Ticket.objects.get(pk=ticket.pk).team_id is None


def test_bulk_tags_add_and_remove(org, make_ticket):
    a = make_ticket(team=org.team_a, tags=["已核实"])
    b = make_ticket(team=org.team_a)
    api = org.client(org.agent_a)
    _ok(api.post("tickets/bulk", {"ids": [a.pk, b.pk], "operation": "add_tag", "tag": "媒体关注"}))
    assert sorted(Ticket.objects.get(pk=a.pk).tags.values_list("name", flat=True)) == ["媒体关注", "已核实"]
    assert list(Ticket.objects.get(pk=b.pk).tags.values_list("name", flat=True)) == ["媒体关注"]
    body = _ok(api.post("tickets/bulk", {"ids": [a.pk, b.pk], "operation": "remove_tag", "tag": "已核实"}))
    assert body["succeeded"] == 2
    assert list(Ticket.objects.get(pk=a.pk).tags.values_list("name", flat=True)) == ["媒体关注"]


def test_bulk_bad_requests(org, make_ticket):
    api = org.client(org.agent_a)
    too_many = api.post("tickets/bulk", {"ids": list(range(1, 502)), "operation": "add_tag", "tag": "x"})
    assert too_many.status_code == 422
    assert too_many.json()["code"] == "too_many" and "500" in too_many.json()["message"]
    assert api.post("tickets/bulk", {"ids": [], "operation": "add_tag", "tag": "x"}).status_code == 422
    assert api.post("tickets/bulk", {"ids": [1], "operation": "explode"}).status_code == 422
    assert api.post("tickets/bulk", {"ids": [1], "operation": "assign"}).status_code == 422
    assert api.post("tickets/bulk", {"ids": [1], "operation": "transition"}).status_code == 422
    assert api.post("tickets/bulk", {"ids": [1], "operation": "assign", "assignee_id": 999999}).status_code == 422
    assert org.client(None).post("tickets/bulk", {"ids": [1], "operation": "add_tag", "tag": "x"}).status_code == 401
