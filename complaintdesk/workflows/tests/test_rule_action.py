"""The "start_process" rule action: a routing rule puts new complaints into a process."""

from __future__ import annotations

from typing import Any

import pytest

from complaintdesk.core.errors import InvalidInput
from complaintdesk.rules.actions import do_create_rule
from complaintdesk.rules.models import RuleRun
from complaintdesk.workflows.choices import InstanceStatus
from complaintdesk.workflows.models import ProcessInstance, WorkItem
from complaintdesk.workflows.tests import fixtures as F

pytestmark = pytest.mark.django_db

HANDLE = F.linear(("handle", "处理", {"assignee": {"type": "users", "users": ["handler"]}}), pid="start_by_rule")


def _rule(process: str, **extra: Any) -> dict[str, Any]:
    return {"name": "P1 进入快速通道", "events": ["ticket.created"],
            "condition": {"field": "priority", "op": "eq", "value": "P1"},
            "actions": [{"type": "start_process", "params": {"process": process, **extra}}]}


def test_a_rule_starts_the_process_on_matching_new_tickets(org, make_ticket, publish,
                                                          django_capture_on_commit_callbacks):
    publish(HANDLE, key="fast")
    do_create_rule(actor=org.admin, body=_rule("fast"))
    with django_capture_on_commit_callbacks(execute=True):
        urgent = make_ticket(priority="P1", subject="燃气泄漏")
    with django_capture_on_commit_callbacks(execute=True):
        ordinary = make_ticket(priority="P4", subject="包装破损")

    instance = ProcessInstance.objects.get(ticket=urgent)
    assert instance.status == InstanceStatus.RUNNING and instance.version.definition.key == "fast"
    item = WorkItem.objects.get(ticket=urgent)
    assert (item.node_id, item.assignee) == ("handle", org.handler)
    assert not ProcessInstance.objects.filter(ticket=ordinary).exists()
    run = RuleRun.objects.get(ticket=urgent, matched=True)
    assert run.errors == []
    assert run.actions[0]["ok"] is True
    assert run.actions[0]["result"] == {"process": "fast", "instance_id": instance.pk, "version": 1}


def test_a_second_start_is_skipped_while_a_process_runs(org, make_ticket, publish,
                                                        django_capture_on_commit_callbacks):
    definition = publish(HANDLE, key="fast")
    do_create_rule(actor=org.admin, body={**_rule("fast"), "events": ["ticket.created", "ticket.updated"]})
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(priority="P1")
    from complaintdesk.tickets.actions import do_update_ticket

    with django_capture_on_commit_callbacks(execute=True):
        do_update_ticket(ticket, actor=org.agent_a, subject="燃气泄漏（补充）")
    assert ProcessInstance.objects.filter(ticket=ticket, version__definition=definition).count() == 1
    skipped = RuleRun.objects.filter(ticket=ticket, matched=True, event="ticket.updated").get()
    assert skipped.actions[0]["result"]["skipped"] == "process_running"


def test_an_unknown_process_is_refused_when_the_rule_is_saved(org):
    with pytest.raises(InvalidInput) as refused:
        do_create_rule(actor=org.admin, body=_rule("no_such_process"))
    assert "no_such_process" in str(refused.value.details)


def test_the_shipped_process_rules_route_new_complaints_when_enabled(org, make_ticket,
                                                                    django_capture_on_commit_callbacks):
    from complaintdesk.rules.actions import do_update_rule
    from complaintdesk.rules.models import Rule

    shipped = Rule.objects.filter(is_shipped=True, actions__0__type="start_process")
    assert shipped.count() == 3 and not shipped.filter(enabled=True).exists()
    for rule in shipped:
        do_update_rule(rule, actor=org.admin, enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        urgent = make_ticket(priority="P1", subject="燃气泄漏")
    with django_capture_on_commit_callbacks(execute=True):
        quality = make_ticket(priority="P3", category=org.categories["malfunction"], subject="屏幕闪烁")
    with django_capture_on_commit_callbacks(execute=True):
        other = make_ticket(priority="P4", subject="态度不好")
    keys = {t.pk: ProcessInstance.objects.get(ticket=t).version.definition.key for t in (urgent, quality, other)}
    assert keys == {urgent.pk: "urgent_fast_track", quality.pk: "quality_countersign",
                    other.pk: "standard_complaint"}
