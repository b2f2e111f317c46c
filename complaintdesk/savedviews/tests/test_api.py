"""Saved views: CRUD, sharing and its permissions, validation per field, the audit trail."""

from __future__ import annotations

import pytest

from complaintdesk.accounts.models import Role
from complaintdesk.core.models import AuditLog
from complaintdesk.savedviews.models import SavedView

pytestmark = pytest.mark.django_db

COND = {"all": [{"field": "priority", "op": "in", "value": ["P1", "P2"]},
                {"any": [{"field": "customer.tier", "op": "eq", "value": "vip"},
                         {"not": {"field": "tags", "op": "contains", "value": "已核实"}}]}]}


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_create_read_update_delete_round_trip(org):
    api = org.client(org.agent_a)
    created = _ok(api.post("views", {"name": " 我的紧急 ", "condition": COND, "columns": ["number", "subject"],
                                     "sort": "sla_remaining", "page_size": 50, "search": "屏幕"}), 201)
    assert created["name"] == "我的紧急" and created["mine"] and created["can_edit"]
    assert created["condition"] == COND  # stored exactly as sent
    assert (created["columns"], created["sort"], created["page_size"], created["sharing"]) == (
        ["number", "subject"], "sla_remaining", 50, "private")
    assert _ok(api.get(f"views/{created['id']}")) == created
    changed = _ok(api.patch(f"views/{created['id']}", {"name": "紧急", "columns": ["subject", "number", "status"]}))
    assert changed["name"] == "紧急" and changed["columns"] == ["subject", "number", "status"]
    assert changed["condition"] == COND
    assert [v["name"] for v in _ok(api.get("views"))] == ["紧急"]
    assert api.delete(f"views/{created['id']}").status_code == 204
    assert not SavedView.objects.filter(pk=created["id"]).exists()
    actions = list(AuditLog.objects.filter(object_type="savedview").order_by("id").values_list("action", flat=True))
    assert actions == ["view.created", "view.updated", "view.deleted"]


def test_validation_reports_every_field(org):
    api = org.client(org.agent_a)
    _ok(api.post("views", {"name": "已有"}), 201)
    response = api.post("views", {"name": "已有", "condition": {"field": "nope", "op": "eq", "value": 1},
                                  "columns": ["number", "bogus"], "sort": "sideways", "page_size": 7})
    assert response.status_code == 422
    details = response.json()["details"]
    assert set(details) == {"name", "condition", "columns", "sort", "page_size"}
    assert "/" in details["name"]  # bilingual
    formula = api.post("views", {"name": "公式", "condition": {"formula": "1=1"}})
    assert formula.status_code == 422 and "condition" in formula.json()["details"]
    empty = api.post("views", {"name": "  ", "columns": []})
    assert set(empty.json()["details"]) == {"name", "columns"}
    assert api.post("views", {"name": "角色", "sharing": "role"}).status_code in (403, 422)


def test_sharing_permissions_and_visibility(org):
    agent = org.client(org.agent_a)
    sup = org.client(org.supervisor)
    # An agent may not share with everyone or a role, but may share with their own team.
    assert agent.post("views", {"name": "全员", "sharing": "everyone"}).status_code == 403
    role_id = Role.objects.get(key="agent").pk
    assert agent.post("views", {"name": "角色", "sharing": "role", "role_id": role_id}).status_code == 403
    assert agent.post("views", {"name": "别组", "sharing": "team", "team_id": org.team_b.pk}).status_code == 403
    team_view = _ok(agent.post("views", {"name": "一组", "sharing": "team", "team_id": org.team_a.pk}), 201)
    assert team_view["team"]["id"] == org.team_a.pk
    everyone = _ok(sup.post("views", {"name": "全员紧急", "sharing": "everyone", "condition": COND}), 201)
    for_agents = _ok(sup.post("views", {"name": "专员", "sharing": "role", "role_id": role_id}), 201)
    private = _ok(sup.post("views", {"name": "主管私有"}), 201)
    seen_by_a = {v["name"]: v for v in _ok(agent.get("views"))}
    assert set(seen_by_a) == {"一组", "全员紧急", "专员"}
    assert seen_by_a["一组"]["mine"] and not seen_by_a["全员紧急"]["mine"]
    assert seen_by_a["全员紧急"]["can_edit"] is False
    assert {v["name"] for v in _ok(org.client(org.agent_b).get("views"))} == {"全员紧急", "专员"}
    assert {v["name"] for v in _ok(org.client(org.handler).get("views"))} == {"全员紧急"}
    # Someone else's private view does not exist; a shared one is read-only for non-sharers.
    assert agent.get(f"views/{private['id']}").status_code == 404
    assert agent.patch(f"views/{everyone['id']}", {"name": "x"}).status_code == 403
    assert agent.delete(f"views/{for_agents['id']}").status_code == 403
    assert agent.delete(f"views/{private['id']}").status_code == 404
    # An agent cannot widen their own view's sharing either.
    assert agent.patch(f"views/{team_view['id']}", {"sharing": "everyone"}).status_code == 403
    # The nobody user (no roles) has no ticket.view at all.
    assert org.client(org.nobody).get("views").status_code == 403
    assert org.client(None).get("views").status_code == 401


def test_options_and_condition_fields(org):
    api = org.client(org.agent_a)
    options = _ok(api.get("views/options"))
    assert "sla_remaining" in options["sorts"] and options["can_share"] is False
    assert set(options["default_columns"]) <= set(options["columns"])
    assert _ok(org.client(org.supervisor).get("views/options"))["can_share"] is True
    fields = {f["name"]: f for f in _ok(api.get("conditions/fields"))}
    assert fields["status"]["type"] == "choice" and "new" in fields["status"]["choices"]
    assert fields["category"]["type"] == "tree" and "in" in fields["category"]["operators"]
    assert "within_last" in fields["created_at"]["operators"]
    assert org.client(org.nobody).get("conditions/fields").status_code == 403
