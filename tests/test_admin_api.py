"""The endpoints the administration pages added: team changes, category moves and the full taxonomy,
and the audit log's time range and object-type filters. Each with its permission check."""

from __future__ import annotations

from datetime import timedelta

from complaintdesk.accounts.models import Team
from complaintdesk.core.models import AuditLog
from complaintdesk.tickets.models import Category


def _ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json()


# --- teams --------------------------------------------------------------------------------


def test_admin_changes_a_team_and_it_is_audited(org):
    admin = org.client(org.admin)
    body = _ok(admin.patch(f"teams/{org.team_a.pk}", {
        "name": "售后一组", "department_id": org.after_sales.pk, "lead_id": org.handler.pk,
        "member_ids": [org.handler.pk, org.agent_a.pk]}))
    assert body["name"] == "售后一组"
    assert body["department"] == {"id": org.after_sales.pk, "name": "售后部"}
    assert body["lead"]["id"] == org.handler.pk
    assert sorted(body["member_ids"]) == sorted([org.handler.pk, org.agent_a.pk])
    assert body["is_active"] is True
    team = Team.objects.get(pk=org.team_a.pk)
    assert team.name == "售后一组" and team.department_id == org.after_sales.pk
    row = AuditLog.objects.filter(action="team.updated", object_id=str(team.pk)).get()
    assert row.actor_id == org.admin.pk
    assert row.data["name"] == {"old": "客服一组", "new": "售后一组"}
    assert row.data["members"] == {"old": [org.agent_a.pk], "new": sorted([org.handler.pk, org.agent_a.pk])}

    # Clearing the department and lead with null; deactivating.
    body = _ok(admin.patch(f"teams/{team.pk}", {"department_id": None, "lead_id": None, "is_active": False}))
    assert body["department"] is None and body["lead"] is None and body["is_active"] is False


def test_team_changes_refuse_bad_input_and_need_user_manage(org):
    admin = org.client(org.admin)
    assert _ok(admin.patch(f"teams/{org.team_a.pk}", {"name": "客服二组"}), 409)["details"] == {"name": "taken"}
    assert admin.patch(f"teams/{org.team_a.pk}", {"name": "   "}).status_code == 422
    assert admin.patch(f"teams/{org.team_a.pk}", {"member_ids": [999999]}).status_code == 422
    assert admin.patch(f"teams/{org.team_a.pk}", {"department_id": 999999}).status_code == 422
    assert admin.patch("teams/999999", {"name": "x"}).status_code == 404
    assert org.client(org.supervisor).patch(f"teams/{org.team_a.pk}", {"name": "x"}).status_code == 403
    assert Team.objects.get(pk=org.team_a.pk).name == "客服一组"
    assert not AuditLog.objects.filter(action="team.updated").exists()


# --- categories ---------------------------------------------------------------------------


def test_category_moves_with_its_subtree(org):
    admin = org.client(org.admin)
    parent = _ok(admin.post("categories", {"key": "packaging", "name": "包装问题", "name_en": "Packaging"}), 201)
    child = _ok(admin.post("categories", {"key": "packaging_dent", "name": "外箱破损", "parent_id": parent["id"]}),
                201)
    target = org.categories["malfunction"]
    moved = _ok(admin.patch(f"categories/{parent['id']}", {"parent_id": target.pk}))
    assert moved["parent_id"] == target.pk
    assert moved["path"] == f"{target.path}{parent['id']}/"
    assert Category.objects.get(pk=child["id"]).path == f"{target.path}{parent['id']}/{child['id']}/"
    row = AuditLog.objects.filter(action="category.updated", object_id=str(parent["id"])).get()
    assert row.data["parent"] == {"old": None, "new": target.pk}

    # Back to the top level with null.
    top = _ok(admin.patch(f"categories/{parent['id']}", {"parent_id": None}))
    assert top["parent_id"] is None and top["path"] == f"/{parent['id']}/"
    assert Category.objects.get(pk=child["id"]).path == f"/{parent['id']}/{child['id']}/"


def test_category_cannot_move_under_itself(org):
    admin = org.client(org.admin)
    parent = _ok(admin.post("categories", {"key": "packaging", "name": "包装问题"}), 201)
    child = _ok(admin.post("categories", {"key": "packaging_dent", "name": "外箱破损", "parent_id": parent["id"]}),
                201)
    for target in (parent["id"], child["id"]):
        body = _ok(admin.patch(f"categories/{parent['id']}", {"parent_id": target}), 422)
        assert body["details"] == {"parent_id": "cycle"}
    assert Category.objects.get(pk=parent["id"]).path == f"/{parent['id']}/"
    assert _ok(admin.patch(f"categories/{parent['id']}", {"parent_id": 999999}), 422)
    assert org.client(org.agent_a).patch(f"categories/{parent['id']}", {"parent_id": None}).status_code == 403


def test_deactivated_categories_are_listed_only_on_request_to_managers(org):
    admin = org.client(org.admin)
    cat = org.categories["delivery_delay"]
    _ok(admin.patch(f"categories/{cat.pk}", {"is_active": False}))
    assert cat.pk not in {c["id"] for c in _ok(admin.get("categories"))}
    listed = {c["id"]: c for c in _ok(admin.get("categories", {"include_inactive": "true"}))}
    assert listed[cat.pk]["is_active"] is False
    # Agents see the active taxonomy but not the editor's view of it.
    assert _ok(org.client(org.agent_a).get("categories"))
    assert org.client(org.agent_a).get("categories", {"include_inactive": "true"}).status_code == 403


# --- audit log ------------------------------------------------------------------------------


def test_audit_log_filters_by_time_range_and_actor(org, frozen_clock):
    admin = org.client(org.admin)
    start = frozen_clock.now()
    _ok(admin.patch(f"teams/{org.team_a.pk}", {"name": "甲组"}))
    frozen_clock.advance(timedelta(hours=2))
    _ok(admin.patch(f"teams/{org.team_a.pk}", {"name": "乙组"}))
    later = frozen_clock.now()

    def names(params):
        body = _ok(admin.get("audit", {"object_type": "team", "actor_id": org.admin.pk, **params}))
        return [row["data"]["name"]["new"] for row in body["items"] if row["action"] == "team.updated"]

    assert names({}) == ["乙组", "甲组"]
    assert names({"since": start.isoformat(), "until": (start + timedelta(hours=1)).isoformat()}) == ["甲组"]
    assert names({"since": later.isoformat()}) == ["乙组"]
    # A naive time is UTC.
    assert names({"until": later.replace(tzinfo=None).isoformat()}) == ["甲组"]
    assert admin.get("audit", {"since": "not a date"}).status_code == 422
    other = _ok(admin.get("audit", {"object_type": "team", "actor_id": org.supervisor.pk}))
    assert other["items"] == []


def test_audit_object_types_need_audit_view(org):
    _ok(org.client(org.admin).patch(f"teams/{org.team_a.pk}", {"name": "甲组"}))
    types = _ok(org.client(org.auditor).get("audit/object-types"))
    assert "team" in types and "department" in types and types == sorted(types)
    assert org.client(org.agent_a).get("audit/object-types").status_code == 403
    assert org.client(org.agent_a).get("audit").status_code == 403


# --- product lines ------------------------------------------------------------------------------


def test_product_line_rename_is_audited_and_checked(org):
    admin = org.client(org.admin)
    line = org.product.line
    body = _ok(admin.patch(f"product-lines/{line.pk}", {"name": "手机", "code": "PHONE"}))
    assert body == {"id": line.pk, "name": "手机", "code": "PHONE"}
    row = AuditLog.objects.filter(action="product_line.updated", object_id=str(line.pk)).get()
    assert row.actor_id == org.admin.pk and row.data["name"] == {"old": "智能手机", "new": "手机"}
    _ok(admin.post("product-lines", {"name": "家电"}), 201)
    assert _ok(admin.patch(f"product-lines/{line.pk}", {"name": "家电"}), 409)["details"] == {"name": "taken"}
    assert admin.patch(f"product-lines/{line.pk}", {"name": ""}).status_code == 422
    assert admin.patch("product-lines/999999", {"name": "x"}).status_code == 404
    assert org.client(org.supervisor).patch(f"product-lines/{line.pk}", {"name": "x"}).status_code == 403
    line.refresh_from_db()
    assert line.name == "手机"
