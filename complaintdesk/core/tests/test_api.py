"""Kernel endpoints: health, the audit log, the event catalogue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from complaintdesk.core import events as ev
from complaintdesk.customers.actions import do_create_customer, do_update_customer


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    if code is not None:
        assert body["code"] == code
    return body


def test_health_needs_no_authentication(db):
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}


def test_event_types_list_the_registry(org):
    response = org.client(org.nobody).get("event-types")
    assert response.status_code == 200
    listed = {e["name"]: e["description"] for e in response.json()}
    assert listed == {name: t.description for name, t in ev.REGISTRY.items()}
    assert "ticket.created" in listed and "customer.updated" in listed
    assert_error(Client().get("/api/v1/event-types"), 401, "unauthenticated")


# --- audit --------------------------------------------------------------------------------


@pytest.fixture
def history(frozen_clock, org):
    """Three customer changes a minute apart (tests request ``frozen_clock`` before ``org`` so that
    the fixture's own rows are older than these)."""
    frozen_clock.advance(timedelta(minutes=1))
    first = do_create_customer(name="王五", actor=org.agent_a)
    frozen_clock.advance(timedelta(minutes=1))
    second = do_create_customer(name="赵六", actor=org.supervisor)
    frozen_clock.advance(timedelta(minutes=1))
    do_update_customer(first, tier="gold", actor=org.agent_a)
    return first, second


def test_audit_lists_newest_first_with_actor(frozen_clock, org, history):
    first, second = history
    items = org.client(org.auditor).get("audit", {"object_type": "customer"}).json()["items"]
    keys = [(i["action"], i["object_id"]) for i in items]
    assert keys[:3] == [("customer.updated", str(first.pk)), ("customer.created", str(second.pk)),
                        ("customer.created", str(first.pk))]
    assert items[0]["actor"]["username"] == "agent_a"
    assert items[0]["data"]["tier"] == {"old": "normal", "new": "gold"}
    stamps = [i["created_at"] for i in items]
    assert stamps == sorted(stamps, reverse=True)


def test_audit_filters(org, history):
    first, second = history
    api = org.client(org.supervisor)

    def actions(**params):
        return [(i["action"], i["object_id"]) for i in api.get("audit", params).json()["items"]]

    assert actions(object_type="customer", object_id=str(first.pk)) == [
        ("customer.updated", str(first.pk)), ("customer.created", str(first.pk))]
    assert actions(object_type="customer", actor_id=org.supervisor.pk) == [("customer.created", str(second.pk))]
    assert actions(action="customer.updated") == [("customer.updated", str(first.pk))]
    assert actions(action="nothing.happened") == []
    # Users created by the fixture were audited too.
    assert ("user.created", str(org.agent_a.pk)) in actions(object_type="user", page_size=200)


def test_audit_pagination(org, history):
    api = org.client(org.auditor)
    page1 = api.get("audit", {"object_type": "customer", "page_size": 2}).json()
    assert page1["count"] == 5  # 张三, 李四 from the fixture, 王五, 赵六 and one update
    assert page1["count_exact"] is True
    assert len(page1["items"]) == 2
    page3 = api.get("audit", {"object_type": "customer", "page_size": 2, "page": 3}).json()
    assert len(page3["items"]) == 1
    ids = [i["id"] for i in page1["items"]] + [i["id"] for i in page3["items"]]
    assert len(set(ids)) == 3
    for params in ({"page": 0}, {"page_size": 0}, {"page_size": 201}, {"page": 10**30}, {"page": "x"}):
        assert_error(api.get("audit", params), 422, "validation_error")


@pytest.mark.parametrize("who", ["agent_a", "handler", "quality", "nobody"])
def test_audit_needs_audit_view(org, who):
    body = assert_error(org.client(getattr(org, who)).get("audit"), 403, "permission_denied")
    assert body["details"] == {"permission": "audit.view"}


def test_audit_needs_authentication(db):
    assert_error(Client().get("/api/v1/audit"), 401, "unauthenticated")
