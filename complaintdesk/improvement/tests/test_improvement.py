"""Improvement actions (整改措施): the lifecycle, the API with its permission checks, and the
"create_improvement" rule action."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from complaintdesk.core.events import TICKET_CREATED, DomainEvent
from complaintdesk.core.models import AuditLog, Outbox
from complaintdesk.improvement.actions import do_create_improvement, do_transition_improvement
from complaintdesk.improvement.models import ImprovementAction
from complaintdesk.rules.registry import ActionContext, get_action_type
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.choices import EventType
from complaintdesk.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(org):
    return [do_create_ticket(actor=org.agent_a, subject=f"屏幕闪烁 {i}", product=org.product)[0] for i in range(3)]


def test_managers_open_work_and_close_an_action_through_the_api(org, tickets, frozen_clock):
    api = org.client(org.quality)
    created = api.post("improvements", {
        "title": "屏幕供应商来料检验", "description": "批次 B12 闪屏", "ticket_ids": [t.pk for t in tickets],
        "department_id": org.quality_dept.pk, "owner_id": org.handler.pk, "due_date": "2026-03-31",
    })
    assert created.status_code == 201, created.json()
    action = created.json()
    assert action["number"] == "IA-2026-0001" and action["source"] == "ticket" and action["status"] == "open"
    assert [t["id"] for t in action["tickets"]] == sorted(t.pk for t in tickets)
    assert action["allowed_transitions"] == ["in_progress", "verifying", "cancelled"] and not action["overdue"]
    assert TicketEvent.objects.filter(type=EventType.IMPROVEMENT_LINKED).count() == 3
    assert Outbox.objects.filter(topic="improvement.created").count() == 1

    patched = api.patch(f"improvements/{action['id']}", {"due_date": "2026-03-01", "kind": "preventive"})
    assert patched.status_code == 200 and patched.json()["overdue"] and patched.json()["kind"] == "preventive"
    assert api.get("improvements", {"overdue": "true"}).json()["count"] == 1
    assert api.get("improvements", {"ticket_id": tickets[0].pk, "status": ["open"]}).json()["count"] == 1
    assert api.get("improvements", {"source": "alert"}).json()["count"] == 0
    assert api.get("improvements", {"q": "来料"}).json()["count"] == 1

    handler = org.client(org.handler)  # the owner, without improvement.manage: may work it, not cancel it
    assert handler.post(f"improvements/{action['id']}/transition", {"status": "cancelled"}).status_code == 403
    moved = handler.post(f"improvements/{action['id']}/transition", {"status": "in_progress"})
    assert moved.status_code == 200 and moved.json()["started_at"] is not None
    assert handler.post(f"improvements/{action['id']}/transition", {"status": "closed"}).status_code == 409
    handler.post(f"improvements/{action['id']}/transition", {"status": "verifying"})
    closed = api.post(f"improvements/{action['id']}/transition", {"status": "closed", "note": "来料检验已加严"})
    assert closed.status_code == 200
    assert closed.json()["resolution"] == "来料检验已加严" and closed.json()["closed_at"] is not None
    assert api.patch(f"improvements/{action['id']}", {"title": "x"}).status_code == 409
    statuses = [a.data for a in AuditLog.objects.filter(action="improvement.status_changed").order_by("id")]
    assert [(s["old"], s["new"]) for s in statuses] == [("open", "in_progress"), ("in_progress", "verifying"),
                                                         ("verifying", "closed")]
    assert Outbox.objects.filter(topic="improvement.updated").count() == 4


def test_more_tickets_can_be_linked_later(org, tickets):
    api = org.client(org.quality)
    action = api.post("improvements", {"title": "包装改进"}).json()
    assert action["source"] == "manual"
    linked = api.patch(f"improvements/{action['id']}", {"add_ticket_ids": [tickets[0].pk, tickets[0].pk]})
    assert [t["id"] for t in linked.json()["tickets"]] == [tickets[0].pk]
    assert api.patch(f"improvements/{action['id']}", {"add_ticket_ids": [999999]}).status_code == 422


def test_permissions_on_improvement_actions(org, tickets):
    action = do_create_improvement(actor=org.quality, title="物流破损", owner=org.handler)
    for who in (org.nobody, org.agent_a, org.auditor):
        api = org.client(who)
        assert api.post("improvements", {"title": "x"}).status_code == 403
        assert api.get(f"improvements/{action.pk}").status_code == 404  # neither a manager nor the owner
        assert api.patch(f"improvements/{action.pk}", {"title": "y"}).status_code == 404
        assert api.post(f"improvements/{action.pk}/transition", {"status": "in_progress"}).status_code == 404
        assert api.get("improvements").json()["items"] == []
    handler = org.client(org.handler)
    assert handler.get(f"improvements/{action.pk}").status_code == 200
    assert handler.patch(f"improvements/{action.pk}", {"title": "y"}).status_code == 403
    assert [a["id"] for a in handler.get("improvements").json()["items"]] == [action.pk]
    assert org.client(None).get("improvements").status_code == 401


def test_transitions_follow_the_lifecycle(org):
    action = do_create_improvement(actor=None, title="话术优化")
    api = org.client(org.quality)
    assert api.post(f"improvements/{action.pk}/transition", {"status": "closed"}).status_code == 409
    assert api.post(f"improvements/{action.pk}/transition", {"status": "done"}).status_code == 422
    do_transition_improvement(action, actor=None, to_status="verifying")
    do_transition_improvement(action, actor=None, to_status="in_progress")  # verification failed
    do_transition_improvement(action, actor=None, to_status="cancelled")
    assert api.post(f"improvements/{action.pk}/transition", {"status": "open"}).status_code == 409


def test_numbers_count_per_year(org, frozen_clock):
    first = do_create_improvement(actor=None, title="a")
    frozen_clock.advance(timedelta(days=365))
    second = do_create_improvement(actor=None, title="b")
    third = do_create_improvement(actor=None, title="c")
    assert [first.number, second.number, third.number] == ["IA-2026-0001", "IA-2027-0001", "IA-2027-0002"]


def test_the_rule_action_opens_one_action_per_rule_and_ticket(org, tickets, frozen_clock):
    from complaintdesk.accounts.actions import do_update_department

    do_update_department(org.quality_dept, manager=org.quality, actor=None)
    action_type = get_action_type("create_improvement")
    assert action_type is not None and action_type.label == "创建整改措施"
    params = {"title": "{number} 屏幕问题整改", "department_id": org.quality_dept.pk, "due_days": 5}
    assert action_type.validate(params) == []
    assert action_type.validate({"due_days": -1, "owner_id": 10**20, "x": 1})[0].startswith("未知参数")
    assert len(action_type.validate({"due_days": -1, "owner_id": 10**20, "x": 1})) == 4
    ticket = tickets[0]
    assert ticket.number in action_type.describe(ticket, params)
    ctx = ActionContext(ticket=ticket, event=DomainEvent(TICKET_CREATED, {"ticket_id": ticket.pk}), rule_id=7,
                        rule_version=1, depth=0)
    first = action_type.run(ctx, params)
    again = action_type.run(ctx, params)
    assert first == again
    action = ImprovementAction.objects.get()
    assert action.title == f"{ticket.number} 屏幕问题整改" and action.owner == org.quality
    assert action.due_date == date(2026, 3, 15) and action.source == "ticket"
    assert list(action.tickets.all()) == [ticket]


def test_the_list_answers_in_a_fixed_number_of_queries(org, tickets, django_assert_max_num_queries):
    for i in range(5):
        do_create_improvement(actor=org.quality, title=f"整改 {i}", tickets=tickets, owner=org.handler,
                              department=org.quality_dept)
    api = org.client(org.quality)
    with django_assert_max_num_queries(8):
        page = api.get("improvements", {"page_size": 50}).json()
    assert page["count"] == 5 and all(len(a["tickets"]) == 3 for a in page["items"])
