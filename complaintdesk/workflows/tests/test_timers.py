"""BPMN timers and node deadlines, driven by the controllable clock (never the wall clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from complaintdesk.accounts.models import Department
from complaintdesk.core.models import Outbox
from complaintdesk.tickets.models import TicketEvent
from complaintdesk.workflows import actions as A
from complaintdesk.workflows.models import ProcessInstance, WorkItem
from complaintdesk.workflows.tests import fixtures as F

pytestmark = pytest.mark.django_db


def open_items(instance: ProcessInstance, node: str | None = None) -> list[WorkItem]:
    qs = WorkItem.objects.filter(instance=instance, kind="task", state__in=["ready", "claimed"]).order_by("id")
    return list(qs.filter(node_id=node) if node else qs)


# 处理 → 审核 with an interrupting 8h timer on 审核 leading to 升级; 审核 may return to 处理.
TIMED_REVIEW = F.process(
    F.start() + F.end() + F.end("end_escalated")
    + F.user_task("handle", "处理", assignee={"type": "users", "users": ["handler"]})
    + F.user_task("review", "审核", assignee={"type": "users", "users": ["supervisor"]})
    + F.user_task("escalated", "升级处理", assignee={"type": "users", "users": ["admin"]})
    + F.timer("review_timer", "review", "PT8H")
    + F.chain("start", "handle", "review", "end")
    + F.flow("t1", "review_timer", "escalated") + F.flow("t2", "escalated", "end_escalated"),
    pid="timed_review",
)


def test_boundary_timer_fires_from_the_job_by_our_clock(org: Any, make_ticket: Any, publish: Any,
                                                        frozen_clock: Any) -> None:
    instance = A.do_start_process(make_ticket(), definition=publish(TIMED_REVIEW), actor=org.agent_a)
    A.do_complete_work_item(open_items(instance)[0], actor=org.handler)
    instance.refresh_from_db()
    assert instance.next_timer_at == frozen_clock.now() + timedelta(hours=8)
    frozen_clock.advance(timedelta(hours=7, minutes=59))
    assert A.do_fire_due_timers() == 0
    frozen_clock.advance(timedelta(minutes=2))
    assert A.do_fire_due_timers() == 1
    assert [i.node_id for i in open_items(instance)] == ["escalated"]
    assert WorkItem.objects.get(instance=instance, node_id="review").state == "cancelled"
    instance.refresh_from_db()
    assert instance.next_timer_at is None


def test_return_while_a_boundary_timer_waits_leaves_no_orphan(org: Any, make_ticket: Any, publish: Any,
                                                              frozen_clock: Any) -> None:
    instance = A.do_start_process(make_ticket(), definition=publish(TIMED_REVIEW), actor=org.agent_a)
    A.do_complete_work_item(open_items(instance)[0], actor=org.handler)
    [review] = open_items(instance)
    frozen_clock.advance(timedelta(hours=1))
    A.do_return_work_item(review, actor=org.supervisor, to_node="handle", reason="补充材料")
    instance.refresh_from_db()
    assert instance.next_timer_at is None  # the review's timer went with the review
    assert instance.state["tasks"] is not None
    # The old timer's time passes: nothing fires, nothing crashes, the process goes on.
    frozen_clock.advance(timedelta(hours=10))
    assert A.do_fire_due_timers() == 0
    [handle] = open_items(instance)
    A.do_complete_work_item(handle, actor=org.handler)
    instance.refresh_from_db()
    assert instance.next_timer_at == frozen_clock.now() + timedelta(hours=8)
    [review] = open_items(instance)
    assert review.round == 2
    frozen_clock.advance(timedelta(hours=8, seconds=1))
    assert A.do_fire_due_timers() == 1
    assert [i.node_id for i in open_items(instance)] == ["escalated"]
    A.do_complete_work_item(open_items(instance)[0], actor=org.admin)
    instance.refresh_from_db()
    assert instance.status == "completed"


def _deadline_process(action: str, **extra: Any) -> str:
    return F.linear(("handle", "处理", {"assignee": {"type": "users", "users": ["handler"]},
                                        "deadline": {"hours": 2, "onTimeout": action, **extra}}),
                    ("next", "后续", {"assignee": {"type": "initiator"}}), pid=f"deadline_{action}")


def _start_with_deadline(org: Any, make_ticket: Any, publish: Any, action: str, **extra: Any) -> ProcessInstance:
    Department.objects.filter(pk=org.after_sales.pk).update(manager=org.supervisor)
    return A.do_start_process(make_ticket(), definition=publish(_deadline_process(action, **extra), key=action),
                              actor=org.agent_a)


def test_deadline_sets_due_at_and_remind_fires_once(org: Any, make_ticket: Any, publish: Any,
                                                    frozen_clock: Any) -> None:
    instance = _start_with_deadline(org, make_ticket, publish, "remind")
    [item] = open_items(instance)
    assert item.due_at == frozen_clock.now() + timedelta(hours=2)
    assert A.do_sweep_overdue_work_items() == 0
    frozen_clock.advance(timedelta(hours=2, seconds=1))
    assert A.do_sweep_overdue_work_items() == 1
    assert A.do_sweep_overdue_work_items() == 0
    payload = Outbox.objects.get(topic="task.overdue").payload
    assert payload["user_ids"] == [org.handler.pk] and payload["action"] == "remind"
    assert TicketEvent.objects.filter(ticket=item.ticket, type="task_timed_out").count() == 1
    item.refresh_from_db()
    assert item.state == "claimed" and item.timed_out_at == frozen_clock.now()


def test_deadline_escalate_to_supervisor(org: Any, make_ticket: Any, publish: Any, frozen_clock: Any) -> None:
    instance = _start_with_deadline(org, make_ticket, publish, "escalate")
    frozen_clock.advance(timedelta(hours=3))
    A.do_sweep_overdue_work_items()
    payload = Outbox.objects.get(topic="task.overdue").payload
    assert payload["supervisor_id"] == org.supervisor.pk
    assert sorted(payload["user_ids"]) == sorted([org.handler.pk, org.supervisor.pk])
    assert WorkItem.objects.filter(instance=instance, kind="cc", assignee=org.supervisor).exists()


def test_deadline_auto_transfer(org: Any, make_ticket: Any, publish: Any, frozen_clock: Any) -> None:
    instance = _start_with_deadline(org, make_ticket, publish, "transfer",
                                    transferTo={"type": "users", "users": ["repair_handler"]})
    frozen_clock.advance(timedelta(hours=3))
    A.do_sweep_overdue_work_items()
    [item] = open_items(instance)
    assert (item.assignee_id, item.origin) == (org.repair_handler.pk, "timeout_transfer")
    assert item.due_at == frozen_clock.now() + timedelta(hours=2)  # a new deadline for the new person
    assert A.do_sweep_overdue_work_items() == 0
    assert len(open_items(instance)) == 1


def test_deadline_auto_approve(org: Any, make_ticket: Any, publish: Any, frozen_clock: Any) -> None:
    # Even with a required field left empty: the system approves on timeout.
    instance = A.do_start_process(
        make_ticket(), actor=org.agent_a, definition=publish(F.linear(
            ("handle", "处理", {"assignee": {"type": "users", "users": ["handler"]},
                                "fieldRights": {"resolution": "required"},
                                "deadline": {"hours": 2, "onTimeout": "approve"}}),
            ("next", "后续", {"assignee": {"type": "initiator"}}), pid="deadline_approve"), key="approve"))
    frozen_clock.advance(timedelta(hours=3))
    A.do_sweep_overdue_work_items()
    done = WorkItem.objects.get(instance=instance, node_id="handle")
    assert (done.state, done.outcome, done.completed_by_id) == ("completed", "approve", None)
    assert [i.node_id for i in open_items(instance)] == ["next"]


def test_business_hours_deadline(org: Any, make_ticket: Any, publish: Any, frozen_clock: Any) -> None:
    # Friday 2026-03-13 17:00 Asia/Shanghai: 2 business hours end on Monday morning.
    frozen_clock.set(datetime(2026, 3, 13, 9, 0, tzinfo=UTC))
    xml = F.linear(("h", "处理", {"assignee": {"type": "initiator"},
                                 "deadline": {"hours": 2, "business": True}}), pid="biz")
    instance = A.do_start_process(make_ticket(), definition=publish(xml, key="biz"), actor=org.agent_a)
    [item] = open_items(instance)
    assert item.due_at is not None
    assert item.due_at > frozen_clock.now() + timedelta(hours=24)
    assert item.due_at.astimezone(UTC).weekday() == 0


def test_parallel_branches_and_an_intermediate_timer(org: Any, make_ticket: Any, publish: Any,
                                                     frozen_clock: Any) -> None:
    xml = F.process(
        F.start() + F.end()
        + '<bpmn:parallelGateway id="split"/><bpmn:parallelGateway id="join"/>\n'
        + F.user_task("a", "质量分析", assignee={"type": "users", "users": ["quality"]})
        + F.user_task("b", "售后处理", assignee={"type": "users", "users": ["handler"]})
        + '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D'
          "</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>\n"
        + F.user_task("visit", "回访", assignee={"type": "initiator"})
        + F.flow("f0", "start", "split") + F.flow("fa", "split", "a") + F.flow("fb", "split", "b")
        + F.flow("ja", "a", "join") + F.flow("jb", "b", "join") + F.chain("join", "wait", "visit", "end", prefix="g"),
        pid="parallel")
    instance = A.do_start_process(make_ticket(), definition=publish(xml, key="par"), actor=org.agent_a)
    assert sorted(i.node_id for i in open_items(instance)) == ["a", "b"]
    [b] = open_items(instance, "b")
    A.do_complete_work_item(b, actor=org.handler)
    assert [i.node_id for i in open_items(instance)] == ["a"]
    A.do_complete_work_item(open_items(instance, "a")[0], actor=org.quality)
    assert open_items(instance) == []
    instance.refresh_from_db()
    assert instance.next_timer_at == frozen_clock.now() + timedelta(days=1)
    frozen_clock.advance(timedelta(days=1, minutes=1))
    assert A.do_fire_due_timers() == 1
    assert [i.node_id for i in open_items(instance)] == ["visit"]
