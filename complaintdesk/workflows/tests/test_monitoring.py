"""Process monitoring: per-node counts, time spent (mean / median / p90), backlog and overdue,
computed by the database from WorkItem — the same figures on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from complaintdesk.workflows.actions import do_complete_work_item, do_start_process
from complaintdesk.workflows.models import ProcessDefinition, WorkItem
from complaintdesk.workflows.monitoring import instance_counts, node_stats, version_stats

ACCEPT_SECONDS = [60, 120, 180, 240, 600]


@pytest.fixture
def standard(db: Any) -> ProcessDefinition:
    return ProcessDefinition.objects.get(key="standard_complaint")


def _started(org: Any, make_ticket: Any, standard: ProcessDefinition, frozen_clock: Any) -> list[Any]:
    """Five tickets whose 受理 took 1, 2, 3, 4 and 10 minutes; all wait at 分派 afterwards."""
    tickets = []
    for _ in ACCEPT_SECONDS:
        ticket = make_ticket()
        do_start_process(ticket, definition=standard, actor=org.agent_a)
        tickets.append(ticket)
    elapsed = 0
    for ticket, seconds in zip(tickets, ACCEPT_SECONDS, strict=True):
        frozen_clock.advance(timedelta(seconds=seconds - elapsed))
        elapsed = seconds
        # Each item was created at the start; completing them at 60 s, 120 s ... after it.
        item = WorkItem.objects.get(ticket=ticket, node_id="accept")
        do_complete_work_item(item, actor=org.agent_a)
    return tickets


def _node(stats: list[Any], node_id: str) -> Any:
    return next(s for s in stats if s.node_id == node_id)


def test_node_figures(org: Any, make_ticket: Any, standard: ProcessDefinition, frozen_clock: Any) -> None:
    _started(org, make_ticket, standard, frozen_clock)
    version = standard.versions.get(version=1)
    stats = node_stats(version=version)
    # Every user task of the definition appears, in definition order, even without work yet.
    assert [s.node_id for s in stats] == ["accept", "dispatch", "handle", "review", "reply", "follow_up"]
    accept = _node(stats, "accept")
    assert accept.node_name == "受理"
    assert accept.count == 5
    assert accept.mean_seconds == pytest.approx(240, abs=0.01)
    assert accept.median_seconds == pytest.approx(180, abs=0.01)
    assert accept.p90_seconds == pytest.approx(240 + 0.6 * (600 - 240), abs=0.01)  # interpolated like numpy
    assert (accept.backlog, accept.overdue) == (0, 0)
    dispatch = _node(stats, "dispatch")
    assert (dispatch.count, dispatch.mean_seconds, dispatch.median_seconds) == (0, None, None)
    assert (dispatch.backlog, dispatch.overdue) == (5, 0)
    # Three days later every 分派 is past its 4-business-hour deadline.
    later = node_stats(version=version, now=frozen_clock.now() + timedelta(days=3))
    assert (_node(later, "dispatch").backlog, _node(later, "dispatch").overdue) == (5, 5)
    assert instance_counts(version=version)["running"] == 5


def test_single_item_and_empty_version(org: Any, make_ticket: Any, standard: ProcessDefinition,
                                       frozen_clock: Any) -> None:
    version = standard.versions.get(version=1)
    assert all(s.count == 0 and s.backlog == 0 and s.p90_seconds is None for s in node_stats(version=version))
    ticket = make_ticket()
    do_start_process(ticket, definition=standard, actor=org.agent_a)
    frozen_clock.advance(timedelta(seconds=90))
    do_complete_work_item(WorkItem.objects.get(ticket=ticket, node_id="accept"), actor=org.agent_a)
    accept = _node(node_stats(version=version), "accept")
    assert (accept.count, accept.mean_seconds, accept.median_seconds, accept.p90_seconds) == (1, 90, 90, 90)


def test_cancelled_and_other_versions_do_not_count(org: Any, make_ticket: Any, standard: ProcessDefinition,
                                                   frozen_clock: Any) -> None:
    quality = ProcessDefinition.objects.get(key="quality_countersign")
    ticket = make_ticket()
    do_start_process(ticket, definition=quality, actor=org.agent_a)
    frozen_clock.advance(timedelta(minutes=5))
    do_complete_work_item(WorkItem.objects.get(ticket=ticket, node_id="accept"), actor=org.agent_a)
    assert all(s.count == 0 for s in node_stats(version=standard.versions.get(version=1)))
    accept = _node(node_stats(version=quality.versions.get(version=1)), "accept")
    assert (accept.count, accept.mean_seconds) == (1, 300)


def test_stats_endpoint(org: Any, make_ticket: Any, standard: ProcessDefinition, frozen_clock: Any) -> None:
    _started(org, make_ticket, standard, frozen_clock)
    response = org.client(org.supervisor).get("processes/standard_complaint/versions/1/stats")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body == [{k: v for k, v in row.items() if k in body[0]}
                    for row in version_stats(version=standard.versions.get(version=1))]
    accept = next(r for r in body if r["node_id"] == "accept")
    assert (accept["count"], accept["median_seconds"], accept["backlog"]) == (5, 180, 0)
    assert next(r for r in body if r["node_id"] == "dispatch")["backlog"] == 5


def test_stats_endpoint_refuses_and_404s(org: Any) -> None:
    assert org.client(org.agent_a).get("processes/standard_complaint/versions/1/stats").status_code == 403
    assert org.client(None).get("processes/standard_complaint/versions/1/stats").status_code == 401
    supervisor = org.client(org.supervisor)
    assert supervisor.get("processes/standard_complaint/versions/99/stats").status_code == 404
    assert supervisor.get("processes/nope/versions/1/stats").status_code == 404
