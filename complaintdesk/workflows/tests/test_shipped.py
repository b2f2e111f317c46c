"""The shipped processes (complaintdesk/workflows/shipped/*.bpmn): they publish cleanly, the
migration installed them, and they run through the API as the people of the ``org`` fixture."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from lxml import etree

from complaintdesk.accounts.actions import do_create_department, do_create_user, do_update_department
from complaintdesk.accounts.models import Role
from complaintdesk.core import clock
from complaintdesk.workflows.bpmn import read_document
from complaintdesk.workflows.models import ProcessDefinition, WorkItem
from complaintdesk.workflows.shipped import SHIPPED_PROCESSES
from complaintdesk.workflows.validation import validate_process_xml

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
KEYS = [p.key for p in SHIPPED_PROCESSES]


# --- definitions --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_shipped_file_is_valid_and_drawable(key: str) -> None:
    xml = next(p for p in SHIPPED_PROCESSES if p.key == key).read_xml()
    assert validate_process_xml(xml) == []
    doc = read_document(xml)
    assert doc.process_id == key
    root = etree.fromstring(xml.encode())
    shapes = {e.get("bpmnElement") for e in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    edges = {e.get("bpmnElement") for e in root.iter(f"{{{BPMNDI}}}BPMNEdge")}
    # Every node has a shape and every flow an edge with waypoints: bpmn-js draws the whole process.
    assert shapes == set(doc.nodes)
    assert edges == set(doc.flows)
    for edge in root.iter(f"{{{BPMNDI}}}BPMNEdge"):
        assert len(edge.findall(f"{{{'http://www.omg.org/spec/DD/20100524/DI'}}}waypoint")) >= 2
    for task in doc.user_tasks():
        assert task.name and "assignee" in task.props and "deadline" in task.props


@pytest.mark.django_db
def test_migration_published_every_shipped_process() -> None:
    for shipped in SHIPPED_PROCESSES:
        definition = ProcessDefinition.objects.get(key=shipped.key)
        assert definition.name == shipped.name
        version = definition.versions.get(version=1)
        assert version.status == "published"
        assert version.bpmn_xml == shipped.read_xml()
        assert version.process_id == shipped.key
        assert {n["id"] for n in version.nodes} == set(read_document(version.bpmn_xml).nodes)


@pytest.mark.parametrize("key", KEYS)
def test_shipped_process_publishes_through_the_api(org: Any, key: str) -> None:
    admin = org.client(org.admin)
    xml = next(p for p in SHIPPED_PROCESSES if p.key == key).read_xml()
    created = admin.post("processes", {"key": f"copy_{key}", "name": f"副本 {key}"})
    assert created.status_code == 201, created.json()
    draft = admin.post(f"processes/copy_{key}/versions", {"bpmn_xml": xml})
    assert draft.status_code == 201, draft.json()
    published = admin.post(f"processes/copy_{key}/versions/{draft.json()['version']}/publish")
    assert published.status_code == 200, published.json()
    assert published.json()["status"] == "published"
    assert published.json()["problems"] == []


# --- running them -------------------------------------------------------------------------------


@pytest.fixture
def heads(org: Any) -> dict[str, Any]:
    """Department heads (the org fixture has none) and 技术部 for the countersign."""
    role = Role.objects.get(key="handler")
    after_sales_head = do_create_user(username="as_head", password=None, display_name="售后经理",
                                      department=org.after_sales, roles=[role], actor=None)
    tech = do_create_department(name="技术部", code="tech", actor=None)
    tech_head = do_create_user(username="tech_head", password=None, display_name="技术经理", department=tech,
                               roles=[role], actor=None)
    do_update_department(org.after_sales, actor=None, manager=after_sales_head)
    do_update_department(tech, actor=None, manager=tech_head)
    do_update_department(org.quality_dept, actor=None, manager=org.quality)
    return {"after_sales": after_sales_head, "tech": tech_head, "tech_dept": tech}


def _ticket(org: Any, client: Any, **extra: Any) -> int:
    body = {"subject": "X1 手机开机后屏幕闪烁", "description": "买了一周就出现问题，要求换货。", "channel": "phone",
            "customer_id": org.customer.pk, **extra}
    response = client.post("tickets", body)
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


def _view(client: Any, ticket_id: int) -> dict[str, Any]:
    response = client.get(f"tickets/{ticket_id}/process")
    assert response.status_code == 200, response.json()
    return dict(response.json())


def _open(client: Any, ticket_id: int) -> list[dict[str, Any]]:
    return list(_view(client, ticket_id)["open_items"])


def _inbox_item(client: Any, ticket_id: int, node: str) -> dict[str, Any]:
    response = client.get("work-items", {"box": "mine"})
    assert response.status_code == 200, response.json()
    found = [i for i in response.json()["items"] if i["ticket"]["id"] == ticket_id and i["node_id"] == node]
    assert len(found) == 1, response.json()
    return dict(found[0])


def _complete(client: Any, item_id: int, outcome: str = "approve", **extra: Any) -> dict[str, Any]:
    response = client.post(f"work-items/{item_id}/complete", {"outcome": outcome, "comment": "已处理", **extra})
    assert response.status_code == 200, response.json()
    return dict(response.json())


def _status(client: Any, ticket_id: int) -> str:
    return str(client.get(f"tickets/{ticket_id}").json()["status"])


def _run_to_handle(org: Any, heads: dict[str, Any], **ticket: Any) -> tuple[int, dict[str, Any]]:
    agent, supervisor = org.client(org.agent_a), org.client(org.supervisor)
    ticket_id = _ticket(org, agent, **ticket)
    started = agent.post(f"tickets/{ticket_id}/process", {"process": "standard_complaint"})
    assert started.status_code == 201, started.json()
    assert started.json()["current_nodes"] == ["accept"]
    # 受理: a pool of every agent; agent_b sees it too, agent_a takes it.
    assert _inbox_item(org.client(org.agent_b), ticket_id, "accept")["assignee"] is None
    _complete(agent, _inbox_item(agent, ticket_id, "accept")["id"])
    assert _status(agent, ticket_id) == "accepted"
    # 分派: the supervisor sends the ticket to 售后部, then completes.
    dispatch = _inbox_item(supervisor, ticket_id, "dispatch")
    assert supervisor.post(f"tickets/{ticket_id}/assign", {"department_id": org.after_sales.pk}).status_code == 200
    _complete(supervisor, dispatch["id"])
    assert _status(agent, ticket_id) == "in_progress"
    clients = {"agent": agent, "supervisor": supervisor, "handler": org.client(org.handler),
               "head": org.client(heads["after_sales"])}
    return ticket_id, clients


def test_standard_complaint_happy_path(org: Any, heads: dict[str, Any], frozen_clock: Any) -> None:
    ticket_id, c = _run_to_handle(org, heads)
    # 处理: the handlers of 售后部 (and its sub-department 维修组) share a pool; fields editable here.
    handle = _inbox_item(c["handler"], ticket_id, "handle")
    assert handle["assignee"] is None
    assert _inbox_item(org.client(org.repair_handler), ticket_id, "handle")["id"] == handle["id"]
    claimed = c["handler"].post(f"work-items/{handle['id']}/claim")
    assert claimed.status_code == 200 and claimed.json()["assignee"]["username"] == "handler"
    refused = c["handler"].post(f"work-items/{handle['id']}/complete",
                                {"outcome": "approve", "fields": {"contact_phone": "13000000000"}})
    assert refused.status_code == 422  # contact_phone is only visible at 处理
    frozen_clock.advance(timedelta(hours=3))
    _complete(c["handler"], handle["id"], fields={"refund_amount": 199})
    # 审核 by the head of the ticket's department.
    review = _inbox_item(c["head"], ticket_id, "review")
    assert review["department"]["id"] == org.after_sales.pk
    _complete(c["head"], review["id"])
    # 答复客户 and 回访 by the agent who accepted it.
    _complete(c["agent"], _inbox_item(c["agent"], ticket_id, "reply")["id"])
    assert _status(c["agent"], ticket_id) == "resolved"
    bad = c["agent"].post(f"work-items/{_inbox_item(c['agent'], ticket_id, 'follow_up')['id']}/complete",
                          {"outcome": "approve"})
    assert bad.status_code == 422  # 回访 answers satisfied / unsatisfied
    _complete(c["agent"], _inbox_item(c["agent"], ticket_id, "follow_up")["id"], outcome="satisfied")
    view = _view(c["agent"], ticket_id)
    assert view["status"] == "completed"
    assert view["current_nodes"] == [] and view["open_items"] == []
    for node in ("accept", "dispatch", "handle", "review", "reply", "follow_up"):
        assert view["node_states"][node] == "done", node
        assert [h["state"] for h in view["history"][node]] == ["completed"]
    assert view["history"]["handle"][0]["actor"]["username"] == "handler"
    assert view["history"]["handle"][0]["duration_seconds"] == 3 * 3600
    assert _status(c["agent"], ticket_id) == "closed"  # the end event 关闭
    assert c["agent"].get(f"tickets/{ticket_id}").json()["data"].get("refund_amount") in (199, "199", "199.00")


def test_standard_review_reject_goes_back_to_handling(org: Any, heads: dict[str, Any]) -> None:
    ticket_id, c = _run_to_handle(org, heads)
    _complete(c["handler"], _inbox_item(c["handler"], ticket_id, "handle")["id"])
    _complete(c["head"], _inbox_item(c["head"], ticket_id, "review")["id"], outcome="reject")
    view = _view(c["agent"], ticket_id)
    assert view["current_nodes"] == ["handle"]
    rounds = WorkItem.objects.filter(ticket_id=ticket_id, node_id="handle").order_by("id")
    assert [(i.round, i.state) for i in rounds] == [(1, "completed"), (2, "ready")]
    assert view["history"]["review"][0]["outcome"] == "reject"
    # Second round passes.
    _complete(c["handler"], _inbox_item(c["handler"], ticket_id, "handle")["id"])
    _complete(c["head"], _inbox_item(c["head"], ticket_id, "review")["id"])
    assert _view(c["agent"], ticket_id)["current_nodes"] == ["reply"]


def test_standard_unsatisfied_customer_reopens_handling(org: Any, heads: dict[str, Any]) -> None:
    ticket_id, c = _run_to_handle(org, heads)
    _complete(c["handler"], _inbox_item(c["handler"], ticket_id, "handle")["id"])
    _complete(c["head"], _inbox_item(c["head"], ticket_id, "review")["id"])
    _complete(c["agent"], _inbox_item(c["agent"], ticket_id, "reply")["id"])
    assert _status(c["agent"], ticket_id) == "resolved"
    _complete(c["agent"], _inbox_item(c["agent"], ticket_id, "follow_up")["id"], outcome="unsatisfied")
    assert _view(c["agent"], ticket_id)["current_nodes"] == ["handle"]
    assert _status(c["agent"], ticket_id) == "in_progress"  # resolved → reopened → in_progress


def test_standard_p1_fast_track_skips_review(org: Any, heads: dict[str, Any]) -> None:
    ticket_id, c = _run_to_handle(org, heads, urgency="high", impact="high")
    assert c["agent"].get(f"tickets/{ticket_id}").json()["priority"] == "P1"
    _complete(c["handler"], _inbox_item(c["handler"], ticket_id, "handle")["id"])
    view = _view(c["agent"], ticket_id)
    assert view["current_nodes"] == ["reply"]
    assert view["node_states"]["review"] != "done"
    assert "review" not in view["history"]
    assert not WorkItem.objects.filter(ticket_id=ticket_id, node_id="review").exists()


def test_urgent_fast_track_cc_and_tight_deadline(org: Any, heads: dict[str, Any], frozen_clock: Any) -> None:
    agent = org.client(org.agent_a)
    ticket_id = _ticket(org, agent, urgency="high", impact="high", department_id=org.after_sales.pk)
    started = agent.post(f"tickets/{ticket_id}/process", {"process": "urgent_fast_track"})
    assert started.status_code == 201, started.json()
    assert started.json()["current_nodes"] == ["handle"]  # straight to handling
    handle = _inbox_item(org.client(org.handler), ticket_id, "handle")
    assert handle["due_at"] is not None
    assert _parse(handle["due_at"]) == clock.now() + timedelta(hours=2)  # wall-clock hours, not business
    cc = org.client(org.supervisor).get("work-items", {"box": "cc"}).json()["items"]
    assert [(i["ticket"]["id"], i["kind"]) for i in cc] == [(ticket_id, "cc")]


def _parse(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_deadlines_set_due_at(org: Any, heads: dict[str, Any], frozen_clock: Any) -> None:
    agent = org.client(org.agent_a)
    ticket_id = _ticket(org, agent)
    agent.post(f"tickets/{ticket_id}/process", {"process": "standard_complaint"})
    accept = _inbox_item(agent, ticket_id, "accept")
    due = _parse(accept["due_at"])
    # 2 business hours from Tuesday 10:00 Shanghai: later than 2 wall-clock hours only if the calendar
    # has a break in between; never earlier, and still the same working day.
    assert clock.now() + timedelta(hours=2) <= due <= clock.now() + timedelta(hours=4)
    _complete(agent, accept["id"])
    dispatch = _inbox_item(org.client(org.supervisor), ticket_id, "dispatch")
    assert _parse(dispatch["due_at"]) >= clock.now() + timedelta(hours=4)
    assert not dispatch["overdue"]
    frozen_clock.advance(timedelta(days=2))
    assert _inbox_item(org.client(org.supervisor), ticket_id, "dispatch")["overdue"] is True


def test_quality_countersign_needs_all_three_departments(org: Any, heads: dict[str, Any]) -> None:
    agent = org.client(org.agent_a)
    ticket_id = _ticket(org, agent, category_key="malfunction")
    assert agent.post(f"tickets/{ticket_id}/process", {"process": "quality_countersign"}).status_code == 201
    _complete(agent, _inbox_item(agent, ticket_id, "accept")["id"])
    signers = {"质量部": org.client(org.quality), "技术部": org.client(heads["tech"]),
               "售后部": org.client(heads["after_sales"])}
    items = {dept: _inbox_item(client, ticket_id, "countersign") for dept, client in signers.items()}
    assert {i["department"]["name"] for i in items.values()} == set(signers)
    # Two of three signed: still at 会签.
    _complete(signers["质量部"], items["质量部"]["id"])
    _complete(signers["技术部"], items["技术部"]["id"])
    assert _view(agent, ticket_id)["current_nodes"] == ["countersign"]
    # The last signature moves it to 质量审核.
    _complete(signers["售后部"], items["售后部"]["id"])
    assert _view(agent, ticket_id)["current_nodes"] == ["review"]
    # The review rejects: a new countersign round for all three departments.
    reviewer = org.client(org.quality)
    _complete(reviewer, _inbox_item(reviewer, ticket_id, "review")["id"], outcome="reject")
    open_items = _open(agent, ticket_id)
    assert sorted(i["node_id"] for i in open_items) == ["countersign"] * 3


def test_quality_countersign_one_objection_repeats_the_round(org: Any, heads: dict[str, Any]) -> None:
    agent = org.client(org.agent_a)
    ticket_id = _ticket(org, agent)
    agent.post(f"tickets/{ticket_id}/process", {"process": "quality_countersign"})
    _complete(agent, _inbox_item(agent, ticket_id, "accept")["id"])
    tech = org.client(heads["tech"])
    _complete(tech, _inbox_item(tech, ticket_id, "countersign")["id"], outcome="reject")
    items = WorkItem.objects.filter(ticket_id=ticket_id, node_id="countersign").order_by("round", "id")
    assert sorted((i.round, i.state) for i in items) == [
        (1, "cancelled"), (1, "cancelled"), (1, "completed"), (2, "claimed"), (2, "claimed"), (2, "claimed")]


def test_capa_8d_runs_d1_to_d8(org: Any, heads: dict[str, Any]) -> None:
    agent = org.client(org.agent_a)
    ticket_id = _ticket(org, agent, department_id=org.after_sales.pk)
    assert org.client(org.supervisor).post(f"tickets/{ticket_id}/process", {"process": "capa_8d"}).status_code == 201
    people = {"quality": org.client(org.quality), "handler": org.client(org.handler),
              "head": org.client(heads["after_sales"])}
    seen = []
    for _ in range(12):
        current = _view(agent, ticket_id)["current_nodes"]
        if not current:
            break
        node = current[0]
        seen.append(node)
        who = {"d3": "handler", "d6": "handler", "d8": "head"}.get(node, "quality")
        outcome = "reject" if node == "d6" and seen.count("d6") == 1 else "approve"
        _complete(people[who], _inbox_item(people[who], ticket_id, node)["id"], outcome=outcome)
    # D6 verification failed once: back to D4 root cause.
    assert seen == ["d1", "d2", "d3", "d4", "d5", "d6", "d4", "d5", "d6", "d7", "d8"]
    assert _view(agent, ticket_id)["status"] == "completed"


def test_starting_a_shipped_process_needs_permission(org: Any) -> None:
    ticket_id = _ticket(org, org.client(org.agent_a))
    response = org.client(org.auditor).post(f"tickets/{ticket_id}/process", {"process": "standard_complaint"})
    assert response.status_code in (403, 404)
