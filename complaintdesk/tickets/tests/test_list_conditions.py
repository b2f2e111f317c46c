"""The ticket list with a condition or a saved view, and the SLA-remaining sort."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from complaintdesk.core import clock
from complaintdesk.savedviews.actions import do_create_view
from complaintdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _ids(api, **params):
    response = api.get("tickets", params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def test_condition_parameter_filters_in_sql(org, make_ticket):
    vip = make_ticket(customer=org.vip, channel="phone", tags=["媒体关注"])
    plain = make_ticket(customer=org.customer, channel="phone")
    email = make_ticket(customer=org.vip, channel="email")
    api = org.client(org.supervisor)
    cond = {"all": [{"field": "customer.tier", "op": "in", "value": ["vip"]},
                    {"field": "channel", "op": "eq", "value": "phone"}]}
    assert _ids(api, condition=json.dumps(cond)) == [vip.pk]
    any_cond = {"any": [{"field": "tags", "op": "contains", "value": "媒体关注"},
                        {"field": "channel", "op": "eq", "value": "email"}]}
    assert set(_ids(api, condition=json.dumps(any_cond))) == {vip.pk, email.pk}
    # Combined with the plain filters (AND).
    assert _ids(api, condition=json.dumps(any_cond), channel=["email"]) == [email.pk]
    assert plain.pk in _ids(api, condition=json.dumps({"not": cond}))


def test_condition_parameter_errors(org):
    api = org.client(org.supervisor)
    bad_json = api.get("tickets", {"condition": "{nope"})
    assert bad_json.status_code == 422 and "condition" in bad_json.json()["details"]
    unknown = api.get("tickets", {"condition": json.dumps({"field": "nope", "op": "eq", "value": 1})})
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid_condition"
    formula = api.get("tickets", {"condition": json.dumps({"formula": "1=1"})})
    assert formula.status_code == 422 and formula.json()["code"] == "condition_not_queryable"


def test_view_parameter_applies_the_view_within_the_viewers_scope(org, make_ticket):
    p1 = make_ticket(priority="P1", team=org.team_a, subject="屏幕碎裂")
    make_ticket(priority="P3", team=org.team_a)
    other_team = make_ticket(actor=org.agent_b, priority="P1", team=org.team_b, subject="屏幕碎裂")
    view = do_create_view(owner=org.supervisor, name="紧急", sharing="everyone",
                          condition={"field": "priority", "op": "eq", "value": "P1"}, search="屏幕")
    assert set(_ids(org.client(org.supervisor), view_id=view.pk)) == {p1.pk, other_team.pk}
    # Shared with everyone, but agent_a still sees only their team's tickets.
    assert _ids(org.client(org.agent_a), view_id=view.pk) == [p1.pk]
    private = do_create_view(owner=org.supervisor, name="私有", condition={"all": []})
    assert org.client(org.agent_a).get("tickets", {"view_id": private.pk}).status_code == 404


def test_sla_remaining_sort_puts_running_clocks_first(org, make_ticket):
    now = clock.now()
    soon = make_ticket(status="in_progress")
    later = make_ticket(status="accepted")
    resolved_overdue = make_ticket(status="resolved")  # stopped clock: its old due time must not lead
    paused = make_ticket(status="pending_customer")
    no_clock = make_ticket()
    Ticket.objects.filter(pk=soon.pk).update(resolution_due_at=now + timedelta(hours=1))
    Ticket.objects.filter(pk=later.pk).update(resolution_due_at=now + timedelta(hours=5))
    Ticket.objects.filter(pk=resolved_overdue.pk).update(resolution_due_at=now - timedelta(days=3))
    Ticket.objects.filter(pk=paused.pk).update(resolution_due_at=now - timedelta(hours=1))
    ids = _ids(org.client(org.supervisor), sort="sla_remaining")
    assert ids[:2] == [soon.pk, later.pk]
    assert ids[2:4] == [resolved_overdue.pk, paused.pk]  # then by due time among the rest
    assert ids[4] == no_clock.pk
