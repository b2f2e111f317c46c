"""``complaintdesk demo`` runs its recent tickets through the shipped processes: the inbox, the
process view and the statistics have real data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db.models import Count

from complaintdesk.demo import generate_demo
from complaintdesk.tickets.models import TicketEvent
from complaintdesk.workflows.choices import OPEN_STATES
from complaintdesk.workflows.models import ProcessInstance, ProcessVersion, WorkItem
from complaintdesk.workflows.monitoring import node_stats
from complaintdesk.workflows.queries import list_work_items, process_view

NOW = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)


WINDOW_DAYS = 60  # wider than the demo's own window, so that a small demo has enough process tickets


@pytest.fixture
def demo(db: Any, tmp_path: Any, settings: Any, monkeypatch: Any) -> Any:
    settings.DATA_DIR = str(tmp_path)
    monkeypatch.setattr("complaintdesk.demo.processes.PROCESS_DAYS", WINDOW_DAYS)
    return generate_demo(tickets=500, customers=150, seed=5, now=NOW)


def test_demo_runs_recent_tickets_through_the_shipped_processes(demo: Any) -> None:
    """One test (the demo takes a while to generate): instances, steps, inbox, statistics."""
    instances = ProcessInstance.objects.select_related("ticket", "version__definition")
    assert instances.exists()
    # Only recent tickets run a process (the engine is new at the demo company).
    assert all(i.ticket.created_at >= NOW - timedelta(days=WINDOW_DAYS + 1) for i in instances)
    by_status = dict(instances.values_list("status").annotate(n=Count("id")).order_by())
    assert by_status.get("completed", 0) > 0 and by_status.get("running", 0) > 0
    keys = set(instances.values_list("version__definition__key", flat=True))
    assert {"standard_complaint", "quality_countersign"} <= keys
    # Finished instances closed their ticket through the end event 关闭.
    for instance in instances.filter(status="completed"):
        assert instance.ticket.status == "closed"
    # Steps were taken by the people of the work items, on the timeline.
    completed = WorkItem.objects.filter(state="completed", kind="task")
    assert completed.exists() and not completed.filter(completed_by__isnull=True).exists()
    assert TicketEvent.objects.filter(type="task_completed").count() == completed.count()

    # A live inbox and statistics.
    open_items = WorkItem.objects.filter(state__in=OPEN_STATES, kind="task").select_related("assignee")
    assert open_items.exists()
    assert not open_items.filter(assignee__isnull=True, candidate_users=[]).exists()  # nobody's work
    holder = next(i.assignee for i in open_items if i.assignee is not None)
    assert list_work_items(viewer=holder, box="mine").exists()
    held = open_items.filter(assignee=holder).first()
    assert held is not None
    view = process_view(viewer=holder, ticket=held.ticket)
    assert view["status"] == "running" and view["current_nodes"]
    version = ProcessVersion.objects.get(definition__key="standard_complaint", version=1)
    stats = {s.node_id: s for s in node_stats(version=version)}
    assert stats["accept"].count > 0 and stats["accept"].median_seconds
    assert sum(s.backlog for s in stats.values()) > 0
    overdue = WorkItem.objects.filter(state__in=OPEN_STATES, kind="task", due_at__lt=NOW)
    assert overdue.exists()
