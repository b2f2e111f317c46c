"""The engine through its actions: routing, signing modes, assignee rules and every operation."""

from __future__ import annotations

from typing import Any

import pytest

from complaintdesk.accounts.actions import do_create_user
from complaintdesk.accounts.models import Department, Role
from complaintdesk.core.errors import Conflict, InvalidInput, PermissionDenied
from complaintdesk.core.models import Outbox
from complaintdesk.tickets.models import TicketEvent
from complaintdesk.workflows import actions as A
from complaintdesk.workflows.models import ProcessInstance, WorkItem
from complaintdesk.workflows.tests import fixtures as F

pytestmark = pytest.mark.django_db


def open_items(instance: ProcessInstance, node: str | None = None) -> list[WorkItem]:
    qs = WorkItem.objects.filter(instance=instance, kind="task", state__in=["ready", "claimed"]).order_by("id")
    return list(qs.filter(node_id=node) if node else qs)


def events(ticket: Any) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("id").values_list("type", flat=True))


def test_review_loop_with_return_path_and_ticket_status(org: Any, make_ticket: Any, publish: Any) -> None:
    definition = publish(F.REVIEW_LOOP)
    ticket = make_ticket()
    instance = A.do_start_process(ticket, definition=definition, actor=org.agent_a)
    [handle] = open_items(instance)
    assert (handle.node_id, handle.assignee_id, handle.state) == ("handle", org.handler.pk, "claimed")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    A.do_complete_work_item(handle, actor=org.handler, fields={"resolution": "换新"}, comment="已换新")
    [review] = open_items(instance)
    assert review.node_id == "review"
    A.do_complete_work_item(review, actor=org.supervisor, outcome="reject", comment="再查")
    [again] = open_items(instance)
    assert (again.node_id, again.round) == ("handle", 2)
    A.do_complete_work_item(again, actor=org.handler)
    A.do_complete_work_item(open_items(instance)[0], actor=org.supervisor, outcome="approve")
    instance.refresh_from_db()
    assert instance.status == "completed" and instance.ended_at is not None
    assert events(ticket).count("task_completed") == 4
    assert "process_completed" in events(ticket)
    payload = Outbox.objects.filter(topic="task.completed").order_by("id")[0].payload
    assert payload["ticket_id"] == ticket.pk and payload["work_item_id"] == handle.pk
    assert payload["user_ids"] == [org.agent_a.pk]


def test_fast_track_p1_skips_review(org: Any, make_ticket: Any, publish: Any) -> None:
    definition = publish(F.REVIEW_LOOP)
    ticket = make_ticket(urgency="high", impact="high")
    assert ticket.priority == "P1"
    instance = A.do_start_process(ticket, definition=definition, actor=org.agent_a)
    A.do_complete_work_item(open_items(instance)[0], actor=org.handler, fields={"resolution": "x"})
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert not WorkItem.objects.filter(instance=instance, node_id="review").exists()


def test_required_and_non_editable_fields(org: Any, make_ticket: Any, publish: Any) -> None:
    instance = A.do_start_process(make_ticket(), definition=publish(F.REVIEW_LOOP), actor=org.agent_a)
    [handle] = open_items(instance)
    with pytest.raises(InvalidInput) as err:
        A.do_complete_work_item(handle, actor=org.handler, fields={"amount": 5})
    assert err.value.code == "field_not_editable" and "amount" in err.value.details
    with pytest.raises(InvalidInput) as err:
        A.do_complete_work_item(handle, actor=org.handler)
    assert err.value.code == "required_fields" and "resolution" in err.value.details
    with pytest.raises(InvalidInput) as err:
        A.do_complete_work_item(handle, actor=org.handler, outcome="maybe", fields={"resolution": "x"})
    assert err.value.code == "invalid_outcome"
    A.do_complete_work_item(handle, actor=org.handler, fields={"resolution": "x", "root_cause": "批次"})
    handle.ticket.refresh_from_db()
    assert handle.ticket.data == {"resolution": "x", "root_cause": "批次"}


def test_only_the_assignee_completes(org: Any, make_ticket: Any, publish: Any) -> None:
    instance = A.do_start_process(make_ticket(), definition=publish(F.REVIEW_LOOP), actor=org.agent_a)
    with pytest.raises(PermissionDenied):
        A.check_complete_work_item(org.agent_b, open_items(instance)[0])
    with pytest.raises(PermissionDenied):
        A.do_complete_work_item(open_items(instance)[0], actor=org.agent_b, fields={"resolution": "x"})


def test_second_completion_is_a_conflict(org: Any, make_ticket: Any, publish: Any) -> None:
    instance = A.do_start_process(make_ticket(), definition=publish(F.REVIEW_LOOP), actor=org.agent_a)
    [handle] = open_items(instance)
    A.do_complete_work_item(handle, actor=org.handler, fields={"resolution": "x"})
    with pytest.raises(Conflict) as err:
        A.do_complete_work_item(handle, actor=org.handler, fields={"resolution": "y"})
    assert err.value.status_code == 409 and "/" in err.value.message


# --- signing modes -------------------------------------------------------------------------------


def _sign(mode: dict[str, Any], users: list[str]) -> str:
    return F.linear(("sign", "会签", {"assignee": {"type": "users", "users": users}, "multi": mode}),
                    ("after", "后续", {"assignee": {"type": "initiator"}}), pid="sign")


@pytest.fixture
def three(org: Any) -> list[Any]:
    return [org.handler, org.quality, org.supervisor]


def test_countersign_all_must_approve(org: Any, make_ticket: Any, publish: Any, three: list[Any]) -> None:
    definition = publish(_sign({"mode": "all"}, ["handler", "quality", "supervisor"]))
    instance = A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a)
    items = open_items(instance, "sign")
    assert sorted(i.assignee_id or 0 for i in items) == sorted(u.pk for u in three)
    A.do_complete_work_item(items[0], actor=items[0].assignee)
    A.do_complete_work_item(items[1], actor=items[1].assignee)
    assert not open_items(instance, "after")
    A.do_complete_work_item(items[2], actor=items[2].assignee)
    assert len(open_items(instance, "after")) == 1


def test_countersign_reject_decides_at_once(org: Any, make_ticket: Any, publish: Any, three: list[Any]) -> None:
    xml = F.process(
        F.start() + F.end() + F.gateway("gw", default="ok")
        + F.user_task("sign", "会签", assignee={"type": "users", "users": ["handler", "quality", "supervisor"]},
                      multi={"mode": "all"})
        + F.user_task("fix", "整改", assignee={"type": "initiator"})
        + F.flow("f1", "start", "sign") + F.flow("f2", "sign", "gw")
        + F.flow("rej", "gw", "fix", '{"field": "outcome", "op": "eq", "value": "reject"}')
        + F.flow("ok", "gw", "end") + F.flow("f3", "fix", "end"), pid="cs")
    instance = A.do_start_process(make_ticket(), definition=publish(xml), actor=org.agent_a)
    items = open_items(instance, "sign")
    A.do_complete_work_item(items[0], actor=items[0].assignee, outcome="reject", comment="不同意")
    assert [i.state for i in WorkItem.objects.filter(pk__in=[i.pk for i in items]).order_by("id")] == [
        "completed", "cancelled", "cancelled"]
    assert [i.node_id for i in open_items(instance)] == ["fix"]


def test_any_sign_first_approval(org: Any, make_ticket: Any, publish: Any, three: list[Any]) -> None:
    definition = publish(_sign({"mode": "any"}, ["handler", "quality", "supervisor"]))
    instance = A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a)
    items = open_items(instance, "sign")
    A.do_complete_work_item(items[0], actor=items[0].assignee, outcome="reject")
    assert len(open_items(instance, "sign")) == 2
    A.do_complete_work_item(items[1], actor=items[1].assignee)
    assert not open_items(instance, "sign")
    assert len(open_items(instance, "after")) == 1


def test_quorum_two_of_three(org: Any, make_ticket: Any, publish: Any, three: list[Any]) -> None:
    definition = publish(_sign({"mode": "quorum", "quorum": 2}, ["handler", "quality", "supervisor"]))
    instance = A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a)
    items = open_items(instance, "sign")
    A.do_complete_work_item(items[0], actor=items[0].assignee)
    assert len(open_items(instance, "sign")) == 2
    A.do_complete_work_item(items[1], actor=items[1].assignee)
    assert not open_items(instance, "sign") and open_items(instance, "after")


def test_quorum_unreachable_rejects(org: Any, make_ticket: Any, publish: Any, three: list[Any]) -> None:
    definition = publish(_sign({"mode": "quorum", "quorum": 2}, ["handler", "quality", "supervisor"]))
    instance = A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a)
    items = open_items(instance, "sign")
    A.do_complete_work_item(items[0], actor=items[0].assignee, outcome="reject")
    A.do_complete_work_item(items[1], actor=items[1].assignee, outcome="reject")
    assert not open_items(instance, "sign")
    task_data = WorkItem.objects.get(pk=items[2].pk)
    assert task_data.state == "cancelled"


def test_departments_countersign(org: Any, make_ticket: Any, publish: Any) -> None:
    tech = Department.objects.create(name="技术部", code="tech", manager=org.repair_handler)
    Department.objects.filter(pk=org.quality_dept.pk).update(manager=org.quality)
    Department.objects.filter(pk=org.after_sales.pk).update(manager=org.handler)
    assert tech.pk
    xml = F.linear(("cs", "会签", {"assignee": {"type": "departments", "departments": ["质量部", "技术部", "售后部"]},
                                  "multi": {"mode": "all"}}), pid="depts")
    instance = A.do_start_process(make_ticket(), definition=publish(xml), actor=org.agent_a)
    items = open_items(instance, "cs")
    assert sorted((i.department.name if i.department else "", i.assignee_id) for i in items) == sorted(
        [("质量部", org.quality.pk), ("技术部", org.repair_handler.pk), ("售后部", org.handler.pk)])


# --- assignee rules ------------------------------------------------------------------------------


def _one(org: Any, make_ticket: Any, publish: Any, rule: dict[str, Any], **ticket: Any) -> WorkItem:
    xml = F.linear(("t", "任务", {"assignee": rule}), pid="rule")
    instance = A.do_start_process(make_ticket(**ticket), definition=publish(xml, key="rule"), actor=org.agent_a)
    [item] = open_items(instance)
    return item


def test_role_within_ticket_department(org: Any, make_ticket: Any, publish: Any) -> None:
    item = _one(org, make_ticket, publish, {"type": "role", "role": "handler", "within": "ticket_department"})
    # 售后部 and its sub-department 维修组 hold the role: a pool of two candidates.
    assert item.assignee_id is None
    assert sorted(item.candidate_users) == sorted([org.handler.pk, org.repair_handler.pk])
    assert item.candidate_role == "handler"


def test_role_global_single_holder(org: Any, make_ticket: Any, publish: Any) -> None:
    assert _one(org, make_ticket, publish, {"type": "role", "role": "quality"}).assignee_id == org.quality.pk


def test_department_head_of_ticket_and_region(org: Any, make_ticket: Any, publish: Any) -> None:
    Department.objects.filter(pk=org.after_sales.pk).update(manager=org.supervisor)
    assert _one(org, make_ticket, publish, {"type": "department_head", "of": "ticket"}).assignee_id == org.supervisor.pk


def test_department_head_of_customer_region(org: Any, make_ticket: Any, publish: Any) -> None:
    Department.objects.create(name="华东区", code="310000", manager=org.quality)
    org.customer.region_code = "310000"
    org.customer.save(update_fields=["region_code"])
    item = _one(org, make_ticket, publish, {"type": "department_head", "of": "customer_region"},
                customer=org.customer)
    assert item.assignee_id == org.quality.pk


def test_field_initiator_and_node_handler(org: Any, make_ticket: Any, publish: Any) -> None:
    item = _one(org, make_ticket, publish, {"type": "field", "field": "owner"}, data={"owner": org.quality.pk})
    assert item.assignee_id == org.quality.pk
    xml = F.linear(("a", "受理", {"assignee": {"type": "initiator"}}),
                   ("b", "复核", {"assignee": {"type": "node_handler", "node": "a"}}), pid="nh")
    instance = A.do_start_process(make_ticket(), definition=publish(xml, key="nh"), actor=org.agent_b)
    [a] = open_items(instance)
    assert a.assignee_id == org.agent_b.pk
    A.do_transfer_work_item(a, actor=org.agent_b, to_user=org.handler, reason="请处理")
    A.do_complete_work_item(open_items(instance)[0], actor=org.handler)
    assert open_items(instance)[0].assignee_id == org.handler.pk


def test_team_round_robin_and_least_loaded(org: Any, make_ticket: Any, publish: Any) -> None:
    extra = do_create_user(username="agent_c", password=None, teams=[org.team_a], actor=None,
                           roles=list(Role.objects.filter(key="agent")))
    xml = F.linear(("t", "任务", {"assignee": {"type": "team", "team": "客服一组", "strategy": "round_robin"}}),
                   pid="rr")
    definition = publish(xml, key="rr")
    chosen = [open_items(A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a))[0].assignee_id
              for _ in range(4)]
    assert chosen == [org.agent_a.pk, extra.pk, org.agent_a.pk, extra.pk]
    # agent_a holds 2 open items, agent_c 2: least loaded picks the lowest id on ties, then balances.
    xml = F.linear(("t", "任务", {"assignee": {"type": "team", "team": "客服一组", "strategy": "least_loaded"}}),
                   pid="ll")
    definition = publish(xml, key="ll")
    first = open_items(A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a))[0]
    second = open_items(A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a))[0]
    assert {first.assignee_id, second.assignee_id} == {org.agent_a.pk, extra.pk}
    assert A.open_work_item_load([org.agent_a.pk])[org.agent_a.pk] == 3.0


def test_nobody_matches_gives_an_unassigned_item(org: Any, make_ticket: Any, publish: Any) -> None:
    item = _one(org, make_ticket, publish, {"type": "users", "users": ["ghost"]})
    assert item.assignee_id is None and item.candidate_users == []


# --- claim, release, transfer, add signer ---------------------------------------------------------


def test_claim_and_release_pool(org: Any, make_ticket: Any, publish: Any) -> None:
    item = _one(org, make_ticket, publish, {"type": "users", "users": ["handler", "repair_handler"]})
    with pytest.raises(PermissionDenied):
        A.check_claim_work_item(org.quality, item)
    A.do_claim_work_item(item, actor=org.handler)
    with pytest.raises(Conflict):
        A.do_claim_work_item(item, actor=org.repair_handler)
    A.do_release_work_item(item, actor=org.handler)
    item.refresh_from_db()
    assert (item.state, item.assignee_id) == ("ready", None)
    A.do_complete_work_item(item, actor=org.repair_handler)  # a candidate may complete directly
    item.refresh_from_db()
    assert (item.state, item.assignee_id, item.completed_by_id) == ("completed", org.repair_handler.pk,
                                                                     org.repair_handler.pk)
    assert {"task_claimed", "task_released", "task_completed"} <= set(events(item.ticket))


def test_transfer(org: Any, make_ticket: Any, publish: Any) -> None:
    item = _one(org, make_ticket, publish, {"type": "users", "users": ["handler"]})
    new = A.do_transfer_work_item(item, actor=org.handler, to_user=org.quality, reason="质量问题")
    item.refresh_from_db()
    assert (item.state, item.outcome) == ("cancelled", "transferred")
    assert (new.assignee_id, new.parent_id, new.origin) == (org.quality.pk, item.pk, "transfer")
    event = TicketEvent.objects.get(ticket=item.ticket, type="task_transferred")
    assert (event.actor_id, event.data["reason"], event.data["to_user_id"]) == (org.handler.pk, "质量问题",
                                                                                 org.quality.pk)
    assert Outbox.objects.filter(topic="task.transferred").get().payload["user_ids"] == [org.quality.pk]
    with pytest.raises(Conflict):
        A.do_complete_work_item(item, actor=org.handler)
    A.do_complete_work_item(new, actor=org.quality)


def test_add_signer_before_and_after(org: Any, make_ticket: Any, publish: Any) -> None:
    xml = F.linear(("t", "审批", {"assignee": {"type": "users", "users": ["handler"]}}),
                   ("next", "后续", {"assignee": {"type": "initiator"}}), pid="signer")
    instance = A.do_start_process(make_ticket(), definition=publish(xml, key="signer"), actor=org.agent_a)
    [mine] = open_items(instance)
    before = A.do_add_signer(mine, actor=org.handler, user=org.quality, position="before", reason="先请质量看")
    mine.refresh_from_db()
    assert mine.state == "waiting" and before.state == "claimed"
    with pytest.raises(Conflict):
        A.do_complete_work_item(mine, actor=org.handler)
    A.do_complete_work_item(before, actor=org.quality)
    mine.refresh_from_db()
    assert mine.state == "claimed"
    after = A.do_add_signer(mine, actor=org.handler, user=org.supervisor, position="after")
    assert after.state == "waiting"
    A.do_complete_work_item(mine, actor=org.handler)
    after.refresh_from_db()
    assert after.state == "claimed" and not open_items(instance, "next")
    A.do_complete_work_item(after, actor=org.supervisor)
    assert open_items(instance, "next")


def test_added_signer_reject_rejects_the_node(org: Any, make_ticket: Any, publish: Any) -> None:
    xml = F.process(
        F.start() + F.end() + F.gateway("gw", default="ok")
        + F.user_task("t", "审批", assignee={"type": "users", "users": ["handler"]})
        + F.user_task("fix", "整改", assignee={"type": "initiator"})
        + F.flow("f1", "start", "t") + F.flow("f2", "t", "gw")
        + F.flow("rej", "gw", "fix", '{"field": "outcome", "op": "eq", "value": "reject"}')
        + F.flow("ok", "gw", "end") + F.flow("f3", "fix", "end"), pid="sr")
    instance = A.do_start_process(make_ticket(), definition=publish(xml, key="sr"), actor=org.agent_a)
    [mine] = open_items(instance)
    signer = A.do_add_signer(mine, actor=org.handler, user=org.quality, position="before")
    A.do_complete_work_item(signer, actor=org.quality, outcome="reject")
    assert [i.node_id for i in open_items(instance)] == ["fix"]


# --- return, withdraw, cc, urge, terminate ---------------------------------------------------------


def test_return_to_an_earlier_node(org: Any, make_ticket: Any, publish: Any) -> None:
    xml = F.linear(("accept", "受理", {"assignee": {"type": "initiator"}}),
                   ("handle", "处理", {"assignee": {"type": "users", "users": ["handler"]}}),
                   ("review", "审核", {"assignee": {"type": "users", "users": ["supervisor"]}}), pid="ret")
    instance = A.do_start_process(make_ticket(), definition=publish(xml, key="ret"), actor=org.agent_a)
    A.do_complete_work_item(open_items(instance)[0], actor=org.agent_a)
    A.do_complete_work_item(open_items(instance)[0], actor=org.handler)
    [review] = open_items(instance)
    with pytest.raises(InvalidInput) as err:
        A.do_return_work_item(review, actor=org.supervisor, to_node="review", reason="x")
    assert err.value.details["allowed"] == ["handle", "accept"]
    with pytest.raises(InvalidInput):
        A.do_return_work_item(review, actor=org.supervisor, to_node="accept", reason=" ")
    A.do_return_work_item(review, actor=org.supervisor, to_node="accept", reason="信息不全")
    [again] = open_items(instance)
    assert (again.node_id, again.assignee_id, again.round) == ("accept", org.agent_a.pk, 2)
    event = TicketEvent.objects.get(ticket=review.ticket, type="task_returned")
    assert event.data["reason"] == "信息不全" and event.data["to_node"] == "accept"
    assert Outbox.objects.get(topic="task.returned").payload["user_ids"] == [org.agent_a.pk]
    A.do_complete_work_item(again, actor=org.agent_a)
    A.do_complete_work_item(open_items(instance)[0], actor=org.handler)
    A.do_complete_work_item(open_items(instance)[0], actor=org.supervisor)
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_withdraw_only_before_anyone_handled(org: Any, make_ticket: Any, publish: Any) -> None:
    definition = publish(F.REVIEW_LOOP)
    ticket = make_ticket()
    instance = A.do_start_process(ticket, definition=definition, actor=org.agent_a)
    with pytest.raises(PermissionDenied):
        A.do_withdraw_process(ticket, actor=org.agent_b)
    A.do_withdraw_process(ticket, actor=org.agent_a, reason="登记错了")
    instance.refresh_from_db()
    assert instance.status == "withdrawn" and not open_items(instance)
    assert "process_withdrawn" in events(ticket)
    # Handled once: no withdrawing any more.
    instance = A.do_start_process(ticket, definition=definition, actor=org.agent_a)
    A.do_complete_work_item(open_items(instance)[0], actor=org.handler, fields={"resolution": "x"})
    with pytest.raises(Conflict):
        A.do_withdraw_process(ticket, actor=org.agent_a)


def test_cc_urge_terminate(org: Any, make_ticket: Any, publish: Any, frozen_clock: Any) -> None:
    from datetime import timedelta

    ticket = make_ticket()
    instance = A.do_start_process(ticket, definition=publish(F.REVIEW_LOOP), actor=org.agent_a)
    cc = A.do_cc(ticket, actor=org.agent_a, users=[org.quality, org.supervisor], comment="请关注")
    assert sorted(i.assignee_id or 0 for i in cc) == sorted([org.quality.pk, org.supervisor.pk])
    assert {i.kind for i in cc} == {"cc"}
    assert sorted(Outbox.objects.get(topic="task.cc").payload["user_ids"]) == sorted([org.quality.pk,
                                                                                      org.supervisor.pk])
    [handle] = open_items(instance)
    A.do_urge_work_item(handle, actor=org.agent_a, comment="客户催了")
    with pytest.raises(Conflict):
        A.do_urge_work_item(handle, actor=org.agent_a)
    frozen_clock.advance(timedelta(minutes=11))
    A.do_urge_work_item(handle, actor=org.agent_a)
    assert Outbox.objects.filter(topic="task.urged").count() == 2
    assert Outbox.objects.filter(topic="task.urged")[0].payload["user_ids"] == [org.handler.pk]
    with pytest.raises(PermissionDenied):
        A.check_terminate_process(org.agent_a)
    with pytest.raises(InvalidInput):
        A.do_terminate_process(ticket, actor=org.admin, reason="")
    A.do_terminate_process(ticket, actor=org.admin, reason="客户撤诉")
    instance.refresh_from_db()
    assert instance.status == "terminated" and not open_items(instance)
    with pytest.raises(Conflict):
        A.do_complete_work_item(handle, actor=org.handler, fields={"resolution": "x"})


def test_one_running_instance_per_ticket(org: Any, make_ticket: Any, publish: Any) -> None:
    definition = publish(F.REVIEW_LOOP)
    ticket = make_ticket()
    A.do_start_process(ticket, definition=definition, actor=org.agent_a)
    with pytest.raises(Conflict) as err:
        A.do_start_process(ticket, definition=definition, actor=org.agent_a)
    assert err.value.code == "process_running"


def test_running_instance_stays_on_its_version(org: Any, make_ticket: Any, publish: Any) -> None:
    definition = publish(F.linear(("a", "一", {"assignee": {"type": "initiator"}}), pid="v"), key="ver")
    instance = A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a)
    publish(F.linear(("b", "二", {"assignee": {"type": "initiator"}}), pid="v"), key="ver")
    A.do_complete_work_item(open_items(instance)[0], actor=org.agent_a)
    instance.refresh_from_db()
    assert instance.version.version == 1 and instance.status == "completed"
    newer = A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a)
    assert newer.version.version == 2 and open_items(newer)[0].node_id == "b"


def test_end_event_status_and_node_cc(org: Any, make_ticket: Any, publish: Any) -> None:
    xml = F.process(
        F.start() + '<bpmn:endEvent id="end"><bpmn:extensionElements><cd:ticketStatus>resolved</cd:ticketStatus>'
        "</bpmn:extensionElements></bpmn:endEvent>"
        + F.user_task("t", "处理", assignee={"type": "initiator"}, ticketStatus="in_progress",
                      cc={"type": "role", "role": "supervisor"})
        + F.chain("start", "t", "end"), pid="endstatus")
    ticket = make_ticket()
    instance = A.do_start_process(ticket, definition=publish(xml, key="es"), actor=org.agent_a)
    assert list(WorkItem.objects.filter(instance=instance, kind="cc").values_list("assignee_id", flat=True)) == [
        org.supervisor.pk]
    A.do_complete_work_item(open_items(instance)[0], actor=org.agent_a)
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_node_status_passes_through_the_lifecycle(org: Any, make_ticket: Any, publish: Any) -> None:
    from complaintdesk.tickets.actions import do_transition_ticket

    ticket = make_ticket()
    do_transition_ticket(ticket, actor=None, to_status="resolved")
    xml = F.linear(("t", "处理", {"assignee": {"type": "initiator"}, "ticketStatus": "in_progress"}), pid="life")
    A.do_start_process(ticket, definition=publish(xml, key="life"), actor=org.agent_a)
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.reopen_count == 1


def test_return_from_a_parallel_branch_cancels_both_branches(org: Any, make_ticket: Any, publish: Any) -> None:
    xml = F.process(
        F.start() + F.end()
        + '<bpmn:parallelGateway id="split"/><bpmn:parallelGateway id="join"/>\n'
        + F.user_task("accept", "受理", assignee={"type": "initiator"})
        + F.user_task("a", "质量分析", assignee={"type": "users", "users": ["quality"]})
        + F.user_task("b", "售后处理", assignee={"type": "users", "users": ["handler"]})
        + F.flow("f0", "start", "accept") + F.flow("f1", "accept", "split") + F.flow("fa", "split", "a")
        + F.flow("fb", "split", "b") + F.flow("ja", "a", "join") + F.flow("jb", "b", "join")
        + F.flow("fe", "join", "end"), pid="par_return")
    instance = A.do_start_process(make_ticket(), definition=publish(xml, key="parret"), actor=org.agent_a)
    A.do_complete_work_item(open_items(instance)[0], actor=org.agent_a)
    [b] = open_items(instance, "b")
    A.do_return_work_item(b, actor=org.handler, to_node="accept", reason="客户信息有误")
    assert [i.node_id for i in open_items(instance)] == ["accept"]
    assert WorkItem.objects.get(instance=instance, node_id="a").state == "cancelled"
    A.do_complete_work_item(open_items(instance)[0], actor=org.agent_a)
    assert sorted(i.node_id for i in open_items(instance)) == ["a", "b"]
