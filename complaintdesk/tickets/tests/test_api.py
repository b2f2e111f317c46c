"""The tickets REST API: intake, lifecycle, comments, assignment, updates, links, merge, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaintdesk.accounts.actions import do_update_user
from complaintdesk.core.models import Outbox
from complaintdesk.customers.models import Customer
from complaintdesk.tickets.actions import do_merge_tickets
from complaintdesk.tickets.choices import TRANSITIONS
from complaintdesk.tickets.models import Ticket, TicketLink

pytestmark = pytest.mark.django_db


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def _error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    if code is not None:
        assert body["code"] == code
    return body


def _events(api, ticket_id, type_=None):
    events = _ok(api.get(f"tickets/{ticket_id}/events"))
    return [e for e in events if type_ is None or e["type"] == type_]


@pytest.fixture
def sup(org):
    return org.client(org.supervisor)


@pytest.fixture
def agent(org):
    return org.client(org.agent_a)


# --- creation -------------------------------------------------------------------------------


def test_create_derives_priority_and_records_everything(org, frozen_clock, agent):
    body = _ok(agent.post("tickets", {
        "subject": "充电发烫", "description": "充电时机身很烫", "channel": "phone", "urgency": "high",
        "impact": "high", "category_key": "fire_electric", "product_sku": "PH-001", "customer_id": org.vip.pk,
        "tags": ["安全", "媒体关注"], "data": {"imei": "861234", "amount": 2999},
        "order_number": "SO-1",
    }), 201)
    assert body["number"] == "TS202603100001"
    assert body["priority"] == "P1"
    assert body["status"] == "new"
    assert body["channel"] == "phone"
    assert body["category"]["key"] == "fire_electric"
    assert body["product"] == {"id": org.product.pk, "sku": "PH-001", "name": "星辰 X1 手机", "line": "智能手机"}
    assert body["customer"]["id"] == org.vip.pk and body["customer"]["tier"] == "vip"
    assert body["tags"] == sorted(["安全", "媒体关注"])
    assert body["data"] == {"imei": "861234", "amount": 2999}
    assert body["created_by"]["username"] == "agent_a"
    assert body["allowed_transitions"] == list(TRANSITIONS["new"])
    assert body["created_at"].startswith("2026-03-10T02:00:00")
    [created] = _events(agent, body["id"], "created")
    assert created["ticket_number"] == body["number"]
    assert created["channel"] == "api"
    assert created["actor"]["username"] == "agent_a"
    assert Outbox.objects.filter(topic="ticket.created", payload__ticket_id=body["id"]).count() == 1
    # What was answered is what is stored.
    assert _ok(agent.get(f"tickets/{body['id']}")) == body


def test_create_with_explicit_priority(org, frozen_clock, agent):
    body = _ok(agent.post("tickets", {"subject": "x", "urgency": "low", "impact": "low", "priority": "P2"}), 201)
    assert body["priority"] == "P2"
    default = _ok(agent.post("tickets", {"subject": "y"}), 201)
    assert (default["urgency"], default["impact"], default["priority"]) == ("medium", "medium", "P3")


def test_category_and_product_by_id(org, frozen_clock, agent):
    cat = org.categories["delivery_delay"]
    body = _ok(agent.post("tickets", {"subject": "x", "category_id": cat.pk, "product_id": org.product.pk}), 201)
    assert body["category"] == {"id": cat.pk, "key": "delivery_delay", "name": cat.name}
    assert body["product"]["id"] == org.product.pk


@pytest.mark.parametrize(("payload", "field"), [
    ({"category_id": 999999}, "category_id"),
    ({"category_key": "no_such_key"}, "category_key"),
    ({"product_id": 999999}, "product_id"),
    ({"product_sku": "NOPE"}, "product_sku"),
    ({"customer_id": 999999}, "customer_id"),
    ({"assignee_id": 999999}, "assignee_id"),
    ({"team_id": 999999}, "team_id"),
    ({"department_id": 999999}, "department_id"),
    ({"channel": "fax"}, "channel"),
    ({"urgency": "extreme"}, "urgency"),
    ({"impact": "global"}, "impact"),
    ({"priority": "P0"}, "priority"),
    ({"subject": "   "}, "subject"),
])
def test_unknown_reference_or_value_is_422_and_creates_nothing(org, frozen_clock, agent, payload, field):
    customers_before = Customer.objects.count()
    body = _error(agent.post("tickets", {"subject": "x", "customer": {"name": "新客户", "phone": "13500000000"},
                                         **payload}), 422, "validation_error")
    assert field in body["details"]
    assert not Ticket.objects.exists()
    # The inline customer is not left behind by a refused intake.
    assert Customer.objects.count() == customers_before
    # Nor was a number used up.
    assert _ok(agent.post("tickets", {"subject": "ok"}), 201)["number"] == "TS202603100001"


@pytest.mark.parametrize("payload", [{}, {"subject": ""}, {"subject": None}, {"description": "no subject"}])
def test_subject_is_required(org, frozen_clock, agent, payload):
    body = _error(agent.post("tickets", payload), 422, "validation_error")
    assert any("subject" in d["loc"] for d in body["details"])


def test_inline_customer_is_created_then_reused_by_phone(org, frozen_clock, agent):
    before = Customer.objects.count()
    first = _ok(agent.post("tickets", {"subject": "a", "customer": {"name": "王五", "phone": "13700137000",
                                                                     "tier": "vip"}}), 201)
    assert Customer.objects.count() == before + 1
    assert first["customer"]["name"] == "王五" and first["customer"]["tier"] == "vip"
    second = _ok(agent.post("tickets", {"subject": "b", "customer": {"name": "老王", "phone": "13700137000"}}), 201)
    assert second["customer"]["id"] == first["customer"]["id"]
    assert Customer.objects.count() == before + 1
    existing = _ok(agent.post("tickets", {"subject": "c", "customer": {"name": "张", "phone": "13800138000"}}), 201)
    assert existing["customer"]["id"] == org.customer.pk
    bad_tier = _error(agent.post("tickets", {"subject": "d", "customer": {"name": "赵六", "tier": "diamond"}}), 422)
    assert "customer.tier" in bad_tier["details"]


def test_empty_inline_customer_means_no_customer(org, frozen_clock, agent):
    body = _ok(agent.post("tickets", {"subject": "a", "customer": {}}), 201)
    assert body["customer"] is None


def test_tags_are_deduplicated_and_limited(org, frozen_clock, agent):
    body = _ok(agent.post("tickets", {"subject": "a", "tags": ["b", " a ", "b", ""]}), 201)
    assert body["tags"] == ["a", "b"]
    too_many = _error(agent.post("tickets", {"subject": "a", "tags": [f"t{i}" for i in range(21)]}), 422)
    assert "tags" in too_many["details"]
    _error(agent.post("tickets", {"subject": "a", "tags": ["x" * 51]}), 422)


# --- idempotent intake ----------------------------------------------------------------------


def test_same_channel_and_external_id_is_the_same_ticket(org, frozen_clock, agent):
    payload = {"subject": "屏幕碎了", "channel": "wechat", "external_id": "wx-1"}
    first = _ok(agent.post("tickets", payload), 201)
    again = _ok(agent.post("tickets", {**payload, "subject": "重发"}), 200)
    assert again["id"] == first["id"] and again["subject"] == "屏幕碎了"
    assert Ticket.objects.count() == 1
    assert Outbox.objects.filter(topic="ticket.created").count() == 1
    # Gap-free: the redelivery did not consume a number.
    nxt = _ok(agent.post("tickets", {**payload, "external_id": "wx-2"}), 201)
    assert nxt["number"] == "TS202603100002"
    other_channel = _ok(agent.post("tickets", {**payload, "channel": "email"}), 201)
    assert other_channel["id"] != first["id"]
    assert other_channel["number"] == "TS202603100003"
    assert other_channel["external_id"] == "wx-1"


def test_external_id_is_compared_without_surrounding_spaces(org, frozen_clock, agent):
    first = _ok(agent.post("tickets", {"subject": "a", "channel": "wecom", "external_id": "m-9"}), 201)
    again = _ok(agent.post("tickets", {"subject": "a", "channel": "wecom", "external_id": " m-9 "}), 200)
    assert again["id"] == first["id"]


# --- lifecycle ------------------------------------------------------------------------------


def test_transitions_through_the_api(org, frozen_clock, sup):
    ticket = _ok(sup.post("tickets", {"subject": "x"}), 201)
    tid = ticket["id"]
    accepted = _ok(sup.post(f"tickets/{tid}/transition", {"status": "accepted"}))
    assert accepted["status"] == "accepted"
    assert accepted["accepted_at"] is not None
    assert accepted["allowed_transitions"] == list(TRANSITIONS["accepted"])
    frozen_clock.advance(timedelta(hours=2))
    resolved = _ok(sup.post(f"tickets/{tid}/transition", {"status": "resolved", "reason": "已更换"}))
    assert resolved["resolved_at"] is not None and resolved["closed_at"] is None
    closed = _ok(sup.post(f"tickets/{tid}/transition", {"status": "closed"}))
    assert closed["closed_at"] is not None and closed["resolved_at"] == resolved["resolved_at"]
    reopened = _ok(sup.post(f"tickets/{tid}/transition", {"status": "reopened"}))
    assert reopened["resolved_at"] is None and reopened["closed_at"] is None
    assert reopened["reopen_count"] == 1
    assert reopened["accepted_at"] == accepted["accepted_at"]
    changes = [(e["data"]["old"], e["data"]["new"]) for e in _events(sup, tid, "status_changed")]
    assert changes == [("new", "accepted"), ("accepted", "resolved"), ("resolved", "closed"),
                       ("closed", "reopened")]
    assert _events(sup, tid, "status_changed")[1]["data"]["reason"] == "已更换"


def test_illegal_transition_is_409_with_details(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    body = _error(sup.post(f"tickets/{tid}/transition", {"status": "closed"}), 409, "invalid_transition")
    assert body["details"] == {"from": "new", "to": "closed", "allowed": list(TRANSITIONS["new"])}
    body = _error(sup.post(f"tickets/{tid}/transition", {"status": "new"}), 409, "invalid_transition")
    assert body["details"]["from"] == "new"
    assert _ok(sup.get(f"tickets/{tid}"))["status"] == "new"


def test_cancelled_is_final(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    cancelled = _ok(sup.post(f"tickets/{tid}/transition", {"status": "cancelled"}))
    assert cancelled["allowed_transitions"] == []
    for target in ("new", "accepted", "in_progress", "resolved", "closed", "reopened", "cancelled"):
        body = _error(sup.post(f"tickets/{tid}/transition", {"status": target}), 409, "invalid_transition")
        assert body["details"]["allowed"] == []


def test_unknown_status_is_422(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    body = _error(sup.post(f"tickets/{tid}/transition", {"status": "archived"}), 422, "validation_error")
    assert "status" in body["details"]
    _error(sup.post(f"tickets/{tid}/transition", {}), 422, "validation_error")


def test_closing_needs_the_close_permission(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x", "department_id": org.after_sales.pk}), 201)["id"]
    handler = org.client(org.handler)
    _ok(handler.post(f"tickets/{tid}/transition", {"status": "in_progress"}))
    _ok(handler.post(f"tickets/{tid}/transition", {"status": "resolved"}))
    body = _error(handler.post(f"tickets/{tid}/transition", {"status": "closed"}), 403, "permission_denied")
    assert body["details"] == {"permission": "ticket.close"}
    assert _ok(handler.get(f"tickets/{tid}"))["status"] == "resolved"
    _ok(sup.post(f"tickets/{tid}/transition", {"status": "closed"}))


# --- comments -------------------------------------------------------------------------------


def test_first_public_reply_sets_first_response_once(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    frozen_clock.advance(timedelta(minutes=5))
    note = _ok(sup.post(f"tickets/{tid}/comments", {"body": "内部：先查库存"}), 201)
    assert note["is_public"] is False
    assert _ok(sup.get(f"tickets/{tid}"))["first_response_at"] is None
    frozen_clock.advance(timedelta(minutes=5))
    reply = _ok(sup.post(f"tickets/{tid}/comments", {"body": "您好，已收到", "is_public": True}), 201)
    assert reply["author"]["username"] == "supervisor" and reply["channel"] == "api"
    first_response = _ok(sup.get(f"tickets/{tid}"))["first_response_at"]
    assert first_response is not None and first_response.startswith("2026-03-10T02:10:00")
    frozen_clock.advance(timedelta(hours=1))
    _ok(sup.post(f"tickets/{tid}/comments", {"body": "补充说明", "is_public": True}), 201)
    assert _ok(sup.get(f"tickets/{tid}"))["first_response_at"] == first_response
    comments = _ok(sup.get(f"tickets/{tid}/comments"))
    assert [c["body"] for c in comments] == ["内部：先查库存", "您好，已收到", "补充说明"]
    events = _events(sup, tid, "commented")
    assert [e["data"]["is_public"] for e in events] == [False, True, True]


@pytest.mark.parametrize("body", ["", "   \n ", None])
def test_empty_comment_is_422(org, frozen_clock, sup, body):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    _error(sup.post(f"tickets/{tid}/comments", {"body": body, "is_public": True}), 422, "validation_error")
    assert _ok(sup.get(f"tickets/{tid}/comments")) == []
    assert _ok(sup.get(f"tickets/{tid}"))["first_response_at"] is None


def test_comments_of_merged_tickets_appear_on_the_master(org, frozen_clock, sup):
    source = _ok(sup.post("tickets", {"subject": "重复"}), 201)
    master = _ok(sup.post("tickets", {"subject": "主单"}), 201)
    _ok(sup.post(f"tickets/{source['id']}/comments", {"body": "来自重复单"}), 201)
    frozen_clock.advance(timedelta(minutes=1))
    _ok(sup.post(f"tickets/{master['id']}/comments", {"body": "来自主单"}), 201)
    _ok(sup.post(f"tickets/{source['id']}/merge", {"into_id": master["id"]}))
    comments = _ok(sup.get(f"tickets/{master['id']}/comments"))
    assert [(c["body"], c["ticket_number"]) for c in comments] == [
        ("来自重复单", source["number"]), ("来自主单", master["number"])]
    # The duplicate keeps only its own.
    assert [c["body"] for c in _ok(sup.get(f"tickets/{source['id']}/comments"))] == ["来自重复单"]


# --- assignment -----------------------------------------------------------------------------


def test_assign_takes_the_assignees_department(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    body = _ok(sup.post(f"tickets/{tid}/assign", {"assignee_id": org.repair_handler.pk}))
    assert body["assignee"]["username"] == "repair_handler"
    assert body["department"] == {"id": org.repair.pk, "name": "维修组"}
    [event] = _events(sup, tid, "assigned")
    assert event["data"]["changes"]["assignee"] == {"old": None, "new": org.repair_handler.pk}
    assert event["data"]["changes"]["department"] == {"old": None, "new": org.repair.pk}
    assert event["actor"]["username"] == "supervisor"
    # Re-assigning shows the old value.
    _ok(sup.post(f"tickets/{tid}/assign", {"assignee_id": org.handler.pk}))
    second = _events(sup, tid, "assigned")[-1]
    assert second["data"]["changes"]["assignee"] == {"old": org.repair_handler.pk, "new": org.handler.pk}
    assert second["data"]["changes"]["department"] == {"old": org.repair.pk, "new": org.after_sales.pk}


def test_assign_team_and_explicit_department(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    body = _ok(sup.post(f"tickets/{tid}/assign", {"assignee_id": org.handler.pk, "team_id": org.team_b.pk,
                                                   "department_id": org.quality_dept.pk}))
    assert body["team"]["id"] == org.team_b.pk
    assert body["department"]["id"] == org.quality_dept.pk
    # Omitted keys stay; null clears.
    body = _ok(sup.post(f"tickets/{tid}/assign", {"assignee_id": None}))
    assert body["assignee"] is None and body["team"]["id"] == org.team_b.pk
    assert body["department"]["id"] == org.quality_dept.pk
    events = _events(sup, tid, "assigned")
    assert events[-1]["data"]["changes"] == {"assignee": {"old": org.handler.pk, "new": None}}
    # Assigning what is already there writes no event.
    _ok(sup.post(f"tickets/{tid}/assign", {"team_id": org.team_b.pk}))
    assert len(_events(sup, tid, "assigned")) == 2


def test_assign_to_a_deactivated_user_is_422(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    do_update_user(org.handler, is_active=False, actor=None)
    body = _error(sup.post(f"tickets/{tid}/assign", {"assignee_id": org.handler.pk}), 422, "validation_error")
    assert "assignee_id" in body["details"]
    assert _ok(sup.get(f"tickets/{tid}"))["assignee"] is None
    _error(sup.post("tickets", {"subject": "y", "assignee_id": org.handler.pk}), 422, "validation_error")


@pytest.mark.parametrize("final", ["closed", "cancelled"])
def test_assigning_a_closed_ticket_is_409(org, frozen_clock, sup, final):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    if final == "closed":
        _ok(sup.post(f"tickets/{tid}/transition", {"status": "resolved"}))
    _ok(sup.post(f"tickets/{tid}/transition", {"status": final}))
    _error(sup.post(f"tickets/{tid}/assign", {"assignee_id": org.handler.pk}), 409, "conflict")
    assert not _events(sup, tid, "assigned")


def test_assign_needs_something_to_assign(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    _error(sup.post(f"tickets/{tid}/assign", {}), 422)
    body = _error(sup.post(f"tickets/{tid}/assign", {"assignee_id": 999999}), 422)
    assert "assignee_id" in body["details"]


# --- update ---------------------------------------------------------------------------------


def test_patch_records_old_and_new(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "旧主题", "description": "旧"}), 201)["id"]
    frozen_clock.advance(timedelta(minutes=3))
    body = _ok(sup.patch(f"tickets/{tid}", {"subject": "新主题", "description": "新",
                                            "category_id": org.categories["malfunction"].pk}))
    assert body["subject"] == "新主题" and body["description"] == "新"
    assert body["category"]["key"] == "malfunction"
    assert body["updated_at"].startswith("2026-03-10T02:03:00")
    [event] = _events(sup, tid, "updated")
    assert event["data"]["changes"]["subject"] == {"old": "旧主题", "new": "新主题"}
    assert event["data"]["changes"]["description"] == {"old": "旧", "new": "新"}
    assert event["data"]["changes"]["category"] == {"old": None, "new": org.categories["malfunction"].pk}
    assert Outbox.objects.filter(topic="ticket.updated", payload__ticket_id=tid).count() == 1
    # null for a reference clears it; an unknown one is refused.
    assert _ok(sup.patch(f"tickets/{tid}", {"category_id": None}))["category"] is None
    _error(sup.patch(f"tickets/{tid}", {"category_id": 999999}), 422)
    _error(sup.patch(f"tickets/{tid}", {"subject": ""}), 422)
    _error(sup.patch(f"tickets/{tid}", {"urgency": "extreme"}), 422)


def test_patch_merges_data_and_null_removes_a_key(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x", "data": {"a": 1, "b": {"c": 2}, "keep": "yes"}}), 201)["id"]
    body = _ok(sup.patch(f"tickets/{tid}", {"data": {"a": None, "b": {"d": 3}, "new": [1, 2]}}))
    assert body["data"] == {"b": {"d": 3}, "keep": "yes", "new": [1, 2]}
    [event] = _events(sup, tid, "updated")
    assert event["data"]["changes"]["data"]["old"] == {"a": 1, "b": {"c": 2}, "keep": "yes"}
    # Removing a key that is not there changes nothing.
    _ok(sup.patch(f"tickets/{tid}", {"data": {"missing": None}}))
    assert len(_events(sup, tid, "updated")) == 1


def test_patch_urgency_rederives_priority(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    body = _ok(sup.patch(f"tickets/{tid}", {"urgency": "high"}))
    assert (body["urgency"], body["impact"], body["priority"]) == ("high", "medium", "P2")
    body = _ok(sup.patch(f"tickets/{tid}", {"impact": "high"}))
    assert body["priority"] == "P1"
    [*_, last] = _events(sup, tid, "updated")
    assert last["data"]["changes"]["priority"] == {"old": "P2", "new": "P1"}
    body = _ok(sup.patch(f"tickets/{tid}", {"urgency": "low", "priority": "P1"}))
    assert body["priority"] == "P1"  # an explicit priority wins over the matrix
    body = _ok(sup.patch(f"tickets/{tid}", {"priority": "P4"}))
    assert (body["urgency"], body["priority"]) == ("low", "P4")


def test_patch_tags_replace(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x", "tags": ["a", "b"]}), 201)["id"]
    body = _ok(sup.patch(f"tickets/{tid}", {"tags": ["c", "b"]}))
    assert body["tags"] == ["b", "c"]
    [event] = _events(sup, tid, "updated")
    assert event["data"]["changes"]["tags"] == {"old": ["a", "b"], "new": ["b", "c"]}
    assert _ok(sup.patch(f"tickets/{tid}", {"tags": []}))["tags"] == []
    assert _ok(sup.patch(f"tickets/{tid}", {"subject": "y"}))["tags"] == []  # omitted tags stay


def test_patch_customer_refreshes_search_text(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x", "customer_id": org.customer.pk}), 201)["id"]
    _ok(sup.patch(f"tickets/{tid}", {"customer_id": org.vip.pk}))
    assert _ok(sup.get("tickets", {"q": "李四"}))["count"] == 1
    assert _ok(sup.get("tickets", {"q": "张三"}))["count"] == 0


def test_a_merged_ticket_cannot_be_changed(org, frozen_clock, sup):
    source = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    master = _ok(sup.post("tickets", {"subject": "y"}), 201)["id"]
    _ok(sup.post(f"tickets/{source}/merge", {"into_id": master}))
    _error(sup.patch(f"tickets/{source}", {"subject": "z"}), 409, "conflict")
    _error(sup.post(f"tickets/{source}/transition", {"status": "reopened"}), 409)
    assert _ok(sup.get(f"tickets/{source}"))["subject"] == "x"
    assert _ok(sup.get(f"tickets/{source}"))["allowed_transitions"] == []


# --- links ----------------------------------------------------------------------------------


def _three(sup):
    return [_ok(sup.post("tickets", {"subject": f"t{i}"}), 201) for i in range(3)]


@pytest.mark.parametrize("kind", ["related", "duplicate_of", "parent_of"])
def test_link_kinds_write_events_on_both_tickets(org, frozen_clock, sup, kind):
    a, b, _ = _three(sup)
    link = _ok(sup.post(f"tickets/{a['id']}/links", {"target_id": b["id"], "kind": kind}), 201)
    assert (link["kind"], link["source_id"], link["target_id"]) == (kind, a["id"], b["id"])
    assert link["source_number"] == a["number"] and link["target_number"] == b["number"]
    assert [x["id"] for x in _ok(sup.get(f"tickets/{a['id']}/links"))] == [link["id"]]
    assert [x["id"] for x in _ok(sup.get(f"tickets/{b['id']}/links"))] == [link["id"]]
    [out] = _events(sup, a["id"], "linked")
    [inn] = _events(sup, b["id"], "linked")
    assert out["data"] == {"kind": kind, "other_id": b["id"], "other_number": b["number"], "direction": "out"}
    assert inn["data"] == {"kind": kind, "other_id": a["id"], "other_number": a["number"], "direction": "in"}


def test_link_to_self_and_bad_kinds_are_422(org, frozen_clock, sup):
    a, b, _ = _three(sup)
    body = _error(sup.post(f"tickets/{a['id']}/links", {"target_id": a["id"]}), 422, "validation_error")
    assert "target_id" in body["details"]
    _error(sup.post(f"tickets/{a['id']}/links", {"target_id": b["id"], "kind": "repeat_of"}), 422)
    _error(sup.post(f"tickets/{a['id']}/links", {"target_id": b["id"], "kind": "sibling"}), 422)
    _error(sup.post(f"tickets/{a['id']}/links", {"target_id": 999999}), 404, "not_found")
    assert not TicketLink.objects.exists()


def test_parent_cycles_are_refused(org, frozen_clock, sup):
    a, b, c = _three(sup)
    _ok(sup.post(f"tickets/{a['id']}/links", {"target_id": b["id"], "kind": "parent_of"}), 201)
    body = _error(sup.post(f"tickets/{b['id']}/links", {"target_id": a["id"], "kind": "parent_of"}), 422)
    assert body["details"] == {"kind": "cycle"}
    _ok(sup.post(f"tickets/{b['id']}/links", {"target_id": c["id"], "kind": "parent_of"}), 201)
    # a → b → c; c → a would close a longer loop.
    body = _error(sup.post(f"tickets/{c['id']}/links", {"target_id": a["id"], "kind": "parent_of"}), 422)
    assert body["details"] == {"kind": "cycle"}
    # Not a cycle: a sibling relation of another kind in the reverse direction.
    _ok(sup.post(f"tickets/{c['id']}/links", {"target_id": a["id"], "kind": "related"}), 201)
    assert TicketLink.objects.filter(kind="parent_of").count() == 2


def test_duplicate_link_is_idempotent(org, frozen_clock, sup):
    a, b, _ = _three(sup)
    first = _ok(sup.post(f"tickets/{a['id']}/links", {"target_id": b["id"], "kind": "duplicate_of"}), 201)
    again = _ok(sup.post(f"tickets/{a['id']}/links", {"target_id": b["id"], "kind": "duplicate_of"}), 201)
    assert again["id"] == first["id"]
    assert TicketLink.objects.count() == 1
    assert len(_events(sup, a["id"], "linked")) == 1
    assert len(_events(sup, b["id"], "linked")) == 1


def test_unlink(org, frozen_clock, sup):
    a, b, c = _three(sup)
    link = _ok(sup.post(f"tickets/{a['id']}/links", {"target_id": b["id"], "kind": "related"}), 201)
    # A link is removed through either of its tickets, not through an unrelated one.
    _error(sup.delete(f"tickets/{c['id']}/links/{link['id']}"), 404, "not_found")
    assert sup.delete(f"tickets/{b['id']}/links/{link['id']}").status_code == 204
    assert _ok(sup.get(f"tickets/{a['id']}/links")) == []
    [ua] = _events(sup, a["id"], "unlinked")
    [ub] = _events(sup, b["id"], "unlinked")
    assert ua["data"]["other_id"] == b["id"] and ub["data"]["other_id"] == a["id"]
    _error(sup.delete(f"tickets/{a['id']}/links/{link['id']}"), 404, "not_found")


# --- merge ----------------------------------------------------------------------------------


def test_merge_closes_the_duplicate_and_joins_the_timelines(org, frozen_clock, sup):
    source = _ok(sup.post("tickets", {"subject": "重复", "tags": ["来自重复"]}), 201)
    master = _ok(sup.post("tickets", {"subject": "主单"}), 201)
    _ok(sup.post(f"tickets/{source['id']}/comments", {"body": "备注"}), 201)
    frozen_clock.advance(timedelta(minutes=1))
    answer = _ok(sup.post(f"tickets/{source['id']}/merge", {"into_id": master["id"]}))
    assert answer["id"] == master["id"]
    assert answer["tags"] == ["来自重复"]
    merged = _ok(sup.get(f"tickets/{source['id']}"))
    assert merged["status"] == "closed" and merged["merged_into_id"] == master["id"]
    assert merged["closed_at"] is not None
    assert TicketLink.objects.filter(source_id=source["id"], target_id=master["id"], kind="duplicate_of").exists()
    events = _events(sup, master["id"])
    numbers = {(e["ticket_id"], e["ticket_number"]) for e in events}
    assert numbers == {(source["id"], source["number"]), (master["id"], master["number"])}
    types_from_source = [e["type"] for e in events if e["ticket_id"] == source["id"]]
    assert types_from_source[:2] == ["created", "commented"]
    assert "status_changed" in types_from_source and "merged" in types_from_source
    master_merge = [e for e in events if e["type"] == "merged" and e["ticket_id"] == master["id"]]
    assert master_merge[0]["data"]["role"] == "master"
    assert master_merge[0]["data"]["source_number"] == source["number"]
    # The timeline is in time order.
    assert [e["created_at"] for e in events] == sorted(e["created_at"] for e in events)
    assert Outbox.objects.filter(topic="ticket.merged", payload__ticket_id=master["id"]).count() == 1


def test_tickets_merged_into_the_source_move_to_the_master(org, frozen_clock, sup):
    a, b, c = _three(sup)
    _ok(sup.post(f"tickets/{a['id']}/merge", {"into_id": b["id"]}))
    _ok(sup.post(f"tickets/{b['id']}/merge", {"into_id": c["id"]}))
    assert _ok(sup.get(f"tickets/{a['id']}"))["merged_into_id"] == c["id"]
    ticket_ids = {e["ticket_id"] for e in _events(sup, c["id"])}
    assert ticket_ids == {a["id"], b["id"], c["id"]}


def test_merge_refusals(org, frozen_clock, sup):
    a, b, c = _three(sup)
    _error(sup.post(f"tickets/{a['id']}/merge", {"into_id": a["id"]}), 422, "validation_error")
    _ok(sup.post(f"tickets/{a['id']}/merge", {"into_id": b["id"]}))
    body = _error(sup.post(f"tickets/{c['id']}/merge", {"into_id": a["id"]}), 409, "conflict")
    assert body["details"] == {"master_id": b["id"]}
    _error(sup.post(f"tickets/{a['id']}/merge", {"into_id": c["id"]}), 409, "conflict")
    _error(sup.post(f"tickets/{c['id']}/merge", {"into_id": 999999}), 404, "not_found")
    assert _ok(sup.get(f"tickets/{c['id']}"))["merged_into_id"] is None


def test_merging_a_cancelled_ticket_keeps_it_cancelled(org, frozen_clock, sup, make_ticket):
    source = make_ticket(status="cancelled")
    master = make_ticket()
    do_merge_tickets(source, into=master, actor=org.supervisor)
    source.refresh_from_db()
    assert source.status == "cancelled" and source.merged_into_id == master.pk


# --- bad input never yields a 500 -------------------------------------------------------------


def test_malformed_json_is_a_client_error(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    endpoints = (("post", "/api/v1/tickets"), ("patch", f"/api/v1/tickets/{tid}"),
                 ("post", f"/api/v1/tickets/{tid}/transition"), ("post", f"/api/v1/tickets/{tid}/comments"),
                 ("post", f"/api/v1/tickets/{tid}/assign"), ("post", f"/api/v1/tickets/{tid}/links"),
                 ("post", f"/api/v1/tickets/{tid}/merge"))
    for method, path in endpoints:
        for raw in ('{"subject": ', "not json", b"\xff\xfe", "{'subject': 'x'}"):
            response = getattr(sup.client, method)(path, raw, content_type="application/json", **sup.headers)
            assert 400 <= response.status_code < 500, (method, path, raw, response.content)
            assert set(response.json()) == {"code", "message", "details"}
        # Well-formed JSON that is not an object: refused, or (for all-optional bodies) a no-op.
        for raw in ("[1, 2]", "null", "42", '"text"'):
            response = getattr(sup.client, method)(path, raw, content_type="application/json", **sup.headers)
            assert response.status_code < 500, (method, path, raw, response.content)
    after = _ok(sup.get(f"tickets/{tid}"))
    assert (after["subject"], after["status"], after["assignee"]) == ("x", "new", None)
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("payload", [
    {"subject": 123},
    {"subject": ["a"]},
    {"subject": "x", "tags": "a,b"},
    {"subject": "x", "tags": [1, {"a": 1}]},
    {"subject": "x", "data": [1, 2]},
    {"subject": "x", "data": "text"},
    {"subject": "x", "customer_id": "abc"},
    {"subject": "x", "category_id": 1.5},
    {"subject": "x", "urgency": 3},
    {"subject": "x", "customer_id": 10**30},
    {"subject": "x", "category_id": -1},
    {"subject": "x" * 301},
    {"subject": "x", "external_id": "e" * 201},
])
def test_wrong_types_on_create_are_422(org, frozen_clock, sup, payload):
    response = sup.post("tickets", payload)
    _error(response, 422)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("path", [
    "tickets/99999999999999999999999", "tickets/-1", "tickets/0", "tickets/abc",
    "tickets/99999999999999999999999/events", "tickets/by-number/%00", "tickets/by-number/" + "9" * 300,
])
def test_odd_ids_are_404_or_422(org, frozen_clock, sup, path):
    response = sup.get(path)
    assert response.status_code in (404, 422), response.content


def test_odd_ids_on_writes(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    huge = 10**25
    assert sup.post(f"tickets/{tid}/links", {"target_id": huge}).status_code in (404, 422)
    assert sup.post(f"tickets/{tid}/merge", {"into_id": huge}).status_code in (404, 422)
    assert sup.post(f"tickets/{tid}/assign", {"assignee_id": huge}).status_code == 422
    assert sup.patch(f"tickets/{tid}", {"category_id": huge}).status_code == 422
    assert sup.delete(f"tickets/{tid}/links/{huge}").status_code in (404, 422)
    assert sup.post(f"tickets/{tid}/transition", {"status": 5}).status_code == 422
    assert sup.post(f"tickets/{tid}/comments", {"body": {"x": 1}}).status_code == 422


@pytest.mark.parametrize("params", [
    {"page": "10000000000000000000000"},
    {"page": str(2**63)},
    {"page": "999999999"},
    {"page_size": "10000000000000000000000"},
    {"page": "abc"},
    {"page": "-5"},
    {"status": "unknown"},
    {"status": ["new", "nonsense"]},
    {"priority": "P9"},
    {"channel": "fax"},
    {"category_id": "99999999999999999999999"},
    {"department_id": "99999999999999999999999"},
    {"assignee_id": "x"},
    {"created_from": "yesterday"},
    {"created_to": "2026-13-45"},
    {"unassigned": "maybe"},
    {"q": "%_\\'\"; drop table"},
    {"q": "x" * 5000},
    {"number": "\x00"},
    {"sort": "subject"},
])
def test_odd_list_parameters_are_never_a_server_error(org, frozen_clock, sup, params):
    _ok(sup.post("tickets", {"subject": "x"}), 201)
    response = sup.get("tickets", params)
    assert response.status_code in (200, 422), response.content
    if response.status_code == 200:
        body = response.json()
        assert body["items"] == [] or params.get("status") == ["new", "nonsense"]


def test_nul_characters_are_refused_on_both_databases(org, frozen_clock, sup):
    tid = _ok(sup.post("tickets", {"subject": "x"}), 201)["id"]
    body = _error(sup.post("tickets", {"subject": "a\u0000b"}), 422, "validation_error")
    assert body["details"] == {"nul": "body"}
    _error(sup.post(f"tickets/{tid}/comments", {"body": "\u0000"}), 422, "validation_error")
    _error(sup.patch(f"tickets/{tid}", {"data": {"k": "v\u0000"}}), 422, "validation_error")
    _error(sup.get("tickets", {"q": "a\u0000"}), 422, "validation_error")
    _error(sup.get("tickets/by-number/TS%00"), 422, "validation_error")
    # An escaped backslash followed by "u0000" is ordinary text.
    raw = '{"subject": "path C:\\\\u0000dir"}'
    response = sup.client.post("/api/v1/tickets", raw, content_type="application/json", **sup.headers)
    assert _ok(response, 201)["subject"] == "path C:\\u0000dir"
    assert Ticket.objects.count() == 2
