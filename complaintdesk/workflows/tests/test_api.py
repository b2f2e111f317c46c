"""The workflow endpoints: definitions, a ticket's process, the inbox and the operations."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_save_draft
from complaintdesk.workflows import actions as A
from complaintdesk.workflows.models import ProcessDefinition, WorkItem
from complaintdesk.workflows.tests import fixtures as F
from complaintdesk.workflows.tests.test_validation import BROKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(org: Any) -> Any:
    class C:
        admin = org.client(org.admin)
        agent = org.client(org.agent_a)
        agent_b = org.client(org.agent_b)
        handler = org.client(org.handler)
        supervisor = org.client(org.supervisor)
        quality = org.client(org.quality)
        nobody = org.client(org.nobody)

    return C


def _publish_via_api(c: Any, key: str, xml: str) -> Any:
    assert c.admin.post("processes", {"key": key, "name": "标准投诉处理", "name_en": "Standard"}).status_code == 201
    r = c.admin.post(f"processes/{key}/versions", {"bpmn_xml": xml})
    assert r.status_code == 201, r.json()
    return c.admin.post(f"processes/{key}/versions/{r.json()['version']}/publish")


def test_definitions_and_publish_problems(clients: Any) -> None:
    r = _publish_via_api(clients, "broken", BROKEN)
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_process" and " / " in body["message"]
    assert {"node", "message"} <= set(body["details"]["problems"][0])
    nodes = {p["node"] for p in body["details"]["problems"]}
    assert {"script", "no_rule", "bad_rule", "py", "gw"} <= nodes
    draft = clients.admin.get("processes/broken/versions/1").json()
    assert draft["status"] == "draft" and draft["problems"]
    r = clients.admin.post("processes/broken/versions", {"bpmn_xml": F.REVIEW_LOOP})
    assert clients.admin.post("processes/broken/versions/2/publish").status_code == 200
    [listing] = [p for p in clients.agent.get("processes").json() if p["key"] == "broken"]
    assert listing["published_version"] == 2 and [v["status"] for v in listing["versions"]] == [
        "draft", "published"]
    version = clients.admin.get("processes/broken/versions/2").json()
    assert version["process_id"] == "review_loop"
    assert {n["id"] for n in version["nodes"]} >= {"handle", "review", "gw"}
    assert clients.admin.post("processes/broken/versions/2/publish").status_code == 409
    assert clients.admin.get("processes/nope").status_code == 404


def test_permissions(clients: Any, org: Any, make_ticket: Any, publish: Any) -> None:
    assert clients.agent.post("processes", {"key": "x", "name": "x"}).status_code == 403
    publish(F.REVIEW_LOOP, key="std")
    assert clients.agent.post("processes/std/versions", {"bpmn_xml": F.REVIEW_LOOP}).status_code == 403
    assert clients.agent.get("processes/std/versions/1").status_code == 403
    assert clients.nobody.get("processes").status_code == 403
    ticket = make_ticket()
    assert clients.handler.post(f"tickets/{ticket.pk}/process", {"process": "std"}).status_code in (403, 404)
    assert clients.agent.post(f"tickets/{ticket.pk}/process", {"process": "std"}).status_code == 201
    item = WorkItem.objects.get(ticket=ticket)
    assert clients.nobody.get(f"work-items/{item.pk}").status_code == 404
    r = clients.agent_b.post(f"work-items/{item.pk}/complete", {"fields": {"resolution": "x"}})
    assert r.status_code in (403, 404)
    assert clients.agent.post(f"tickets/{ticket.pk}/process/terminate", {"reason": "x"}).status_code == 403
    assert clients.agent.get("work-items", {"box": "all"}).status_code == 403
    assert clients.agent.get("work-items", {"box": "bogus"}).status_code == 422


def test_full_round_through_the_api(clients: Any, org: Any, make_ticket: Any, publish: Any) -> None:
    publish(F.REVIEW_LOOP, key="std")
    ticket = make_ticket()
    r = clients.agent.post(f"tickets/{ticket.pk}/process", {"process": "std"})
    assert r.status_code == 201
    view = r.json()
    assert view["node_states"]["handle"] == "active" and view["node_states"]["start"] == "done"
    assert view["node_states"]["review"] == "pending" and view["current_nodes"] == ["handle"]
    assert "<bpmn:definitions" in view["bpmn_xml"]
    assert view["operations"] == ["cc", "withdraw"]
    assert clients.agent.post(f"tickets/{ticket.pk}/process", {"process": "std"}).status_code == 409
    inbox = clients.handler.get("work-items").json()
    assert inbox["count"] == 1
    item = inbox["items"][0]
    assert (item["node_id"], item["ticket"]["id"], item["due_at"] is not None) == ("handle", ticket.pk, True)
    # The inbox shows the process by name, not by key.
    definition = ProcessDefinition.objects.get(key="std")
    assert (item["process"], item["process_name"]) == ("std", definition.name)
    assert item["process_name_en"] == (definition.name_en or definition.name)
    detail = clients.handler.get(f"work-items/{item['id']}").json()
    assert detail["outcomes"] == ["approve", "reject"]
    assert detail["field_rights"]["resolution"] == "required"
    assert set(detail["operations"]) >= {"complete", "transfer", "return", "add_signer"}
    r = clients.handler.post(f"work-items/{item['id']}/complete", {"fields": {"amount": 3}})
    assert r.status_code == 422 and r.json()["code"] == "field_not_editable"
    r = clients.handler.post(f"work-items/{item['id']}/complete",
                             {"outcome": "approve", "comment": "已处理", "fields": {"resolution": "换新"}})
    assert r.status_code == 200 and r.json()["state"] == "completed"
    r = clients.handler.post(f"work-items/{item['id']}/complete", {"fields": {"resolution": "换新"}})
    assert r.status_code == 409 and " / " in r.json()["message"]
    review = clients.supervisor.get("work-items").json()["items"][0]
    r = clients.supervisor.post(f"work-items/{review['id']}/return", {"to_node": "handle", "reason": "证据不足"})
    assert r.status_code == 200
    view = r.json()
    assert view["node_states"]["handle"] == "active"
    assert [h["outcome"] for h in view["history"]["handle"]] == ["approve", ""]
    assert view["history"]["review"][0]["outcome"] == "returned"
    assert view["history"]["handle"][0]["duration_seconds"] is not None
    again = clients.handler.get("work-items").json()["items"][0]
    r = clients.handler.post(f"work-items/{again['id']}/transfer", {"user_id": org.repair_handler.pk,
                                                                    "reason": "维修组负责"})
    assert r.status_code == 200 and r.json()["assignee"]["id"] == org.repair_handler.pk
    moved = r.json()["id"]
    r = clients.agent.post(f"work-items/{moved}/urge", {"comment": "快点"})
    assert r.status_code == 200
    assert clients.agent.post(f"work-items/{moved}/urge", {}).status_code == 409
    repair = org.client(org.repair_handler)
    r = repair.post(f"work-items/{moved}/add-signer", {"user_id": org.quality.pk, "position": "after"})
    assert r.status_code == 200 and r.json()["state"] == "waiting"
    assert repair.post(f"work-items/{moved}/complete", {"fields": {"resolution": "x"}}).status_code == 200
    signer = clients.quality.get("work-items").json()["items"][0]
    assert clients.quality.post(f"work-items/{signer['id']}/complete", {}).status_code == 200
    r = clients.agent.post(f"tickets/{ticket.pk}/process/cc", {"user_ids": [org.quality.pk], "comment": "知悉"})
    assert r.status_code == 200
    [cc] = clients.quality.get("work-items", {"box": "cc"}).json()["items"]
    assert cc["read_at"] is None and cc["kind"] == "cc"
    assert clients.handler.post(f"work-items/{cc['id']}/read").status_code in (403, 404)
    r = clients.quality.post(f"work-items/{cc['id']}/read")
    assert r.status_code == 200 and r.json()["read_at"] is not None and r.json()["state"] == "completed"
    assert clients.agent.post(f"tickets/{ticket.pk}/process/withdraw", {}).status_code == 409
    r = clients.admin.post(f"tickets/{ticket.pk}/process/terminate", {"reason": "测试结束"})
    assert r.status_code == 200 and r.json()["status"] == "terminated"
    assert "active" not in r.json()["node_states"].values() and r.json()["operations"] == []
    timeline = [e["type"] for e in clients.agent.get(f"tickets/{ticket.pk}/events").json()]
    for expected in ("process_started", "task_completed", "task_returned", "task_transferred", "task_urged",
                     "task_signer_added", "task_cc", "process_terminated"):
        assert expected in timeline


def test_claim_release_endpoints(clients: Any, org: Any, make_ticket: Any, publish: Any) -> None:
    publish(F.linear(("t", "处理", {"assignee": {"type": "users", "users": ["handler", "quality"]}}), pid="pool"),
            key="pool")
    ticket = make_ticket()
    clients.agent.post(f"tickets/{ticket.pk}/process", {"process": "pool"})
    [item] = clients.quality.get("work-items").json()["items"]
    assert item["assignee"] is None and sorted(item["candidate_user_ids"]) == sorted([org.handler.pk,
                                                                                      org.quality.pk])
    assert clients.quality.post(f"work-items/{item['id']}/claim").json()["state"] == "claimed"
    r = clients.handler.post(f"work-items/{item['id']}/claim")
    assert r.status_code in (403, 409)
    assert clients.handler.get("work-items").json()["count"] == 0
    assert clients.quality.post(f"work-items/{item['id']}/release").json()["state"] == "ready"
    assert clients.handler.get("work-items").json()["count"] == 1


def test_withdraw_endpoint(clients: Any, org: Any, make_ticket: Any, publish: Any) -> None:
    publish(F.REVIEW_LOOP, key="std")
    ticket = make_ticket()
    clients.agent.post(f"tickets/{ticket.pk}/process", {"process": "std"})
    assert clients.agent_b.post(f"tickets/{ticket.pk}/process/withdraw", {}).status_code in (403, 404)
    r = clients.agent.post(f"tickets/{ticket.pk}/process/withdraw", {"reason": "重复登记"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert clients.handler.get("work-items").json()["count"] == 0


def test_inbox_costs_a_fixed_number_of_queries(clients: Any, org: Any, make_ticket: Any, publish: Any,
                                               frozen_clock: Any) -> None:
    from datetime import timedelta

    definition = publish(F.REVIEW_LOOP, key="std")

    def count(box: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = clients.handler.get("work-items", {"box": box})
            assert r.status_code == 200
        return len(ctx.captured_queries)

    first = make_ticket()
    A.do_start_process(first, definition=definition, actor=org.agent_a)
    A.do_cc(first, actor=org.agent_a, users=[org.handler])
    frozen_clock.advance(timedelta(hours=9))
    few = {box: count(box) for box in ("mine", "team", "overdue", "cc")}
    for _ in range(5):
        ticket = make_ticket()
        A.do_start_process(ticket, definition=definition, actor=org.agent_a)
        A.do_cc(ticket, actor=org.agent_a, users=[org.handler])
    frozen_clock.advance(timedelta(hours=9))
    many = {box: count(box) for box in ("mine", "team", "overdue", "cc")}
    assert few == many
    assert clients.handler.get("work-items", {"box": "overdue"}).json()["count"] == 6
    assert many["mine"] <= 6


def test_node_field_rights_guard_every_endpoint(clients: Any, org: Any, make_ticket: Any, publish: Any) -> None:
    form = do_create_form(key="complaint", name="投诉", actor=org.admin)
    do_save_draft(form, schema={"fields": [
        {"key": "resolution", "type": "text", "label": "处理结果"},
        {"key": "root_cause", "type": "text", "label": "根因"},
        {"key": "secret_note", "type": "text", "label": "内部备注"},
        {"key": "remark", "type": "text", "label": "备注"},
    ]}, actor=org.admin)
    version = do_publish_draft(form, actor=org.admin)
    publish(F.REVIEW_LOOP, key="std")
    ticket = make_ticket(form_version=version, values={"remark": "r", "secret_note": "s"})
    clients.agent.post(f"tickets/{ticket.pk}/process", {"process": "std"})
    # The handler holds 处理: resolution/root_cause editable there; the agent holds nothing.
    r = clients.agent.patch(f"tickets/{ticket.pk}", {"data": {"resolution": "偷改"}})
    assert r.status_code == 422, r.json()
    r = clients.handler.patch(f"tickets/{ticket.pk}", {"data": {"root_cause": "批次问题"}})
    assert r.status_code == 200, r.json()
    r = clients.handler.patch(f"tickets/{ticket.pk}", {"data": {"secret_note": "x"}})
    assert r.status_code == 422
    # Fields no node names keep the roles' rights.
    assert clients.agent.patch(f"tickets/{ticket.pk}", {"data": {"remark": "ok"}}).status_code == 200
    shown = clients.handler.get(f"tickets/{ticket.pk}").json()
    assert "secret_note" not in (shown.get("data") or {})
    item = WorkItem.objects.get(ticket=ticket, node_id="handle")
    r = clients.handler.post(f"work-items/{item.pk}/complete", {"fields": {"resolution": "换新"}})
    assert r.status_code == 200
    # Now at 审核 (no field is editable there): the handler cannot change it any more.
    assert clients.handler.patch(f"tickets/{ticket.pk}", {"data": {"resolution": "再改"}}).status_code in (403, 422)


def test_stats_endpoint(clients: Any, org: Any, make_ticket: Any, publish: Any) -> None:
    definition = publish(F.REVIEW_LOOP, key="std")
    A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a)
    r = clients.supervisor.get("processes/std/versions/1/stats")
    assert r.status_code == 200
    rows = {row["node_id"]: row for row in r.json()}
    assert rows["handle"]["backlog"] == 1
    assert clients.handler.get("processes/std/versions/1/stats").status_code == 403


def test_validate_endpoint_and_running_counts(clients: Any, org: Any, make_ticket: Any, publish: Any) -> None:
    """The designer checks XML without storing a version, and the list counts running tickets per version."""
    publish(F.REVIEW_LOOP, key="std")
    r = clients.admin.post("processes/std/validate", {"bpmn_xml": BROKEN})
    assert r.status_code == 200
    assert {"script", "no_rule", "gw"} <= {p["node"] for p in r.json()["problems"]}
    assert clients.admin.post("processes/std/validate", {"bpmn_xml": F.REVIEW_LOOP}).json() == {"problems": []}
    assert [v["version"] for v in clients.admin.get("processes/std").json()["versions"]] == [1]
    assert clients.agent.post("processes/std/validate", {"bpmn_xml": F.REVIEW_LOOP}).status_code == 403
    assert clients.admin.post("processes/nope/validate", {"bpmn_xml": F.REVIEW_LOOP}).status_code == 404
    for _ in range(2):
        ticket = make_ticket()
        assert clients.agent.post(f"tickets/{ticket.pk}/process", {"process": "std"}).status_code == 201
    [listing] = [p for p in clients.agent.get("processes").json() if p["key"] == "std"]
    assert listing["versions"][0]["running"] == 2
    assert clients.agent.get("processes/std").json()["versions"][0]["running"] == 2
