"""The dashboard overview (GET /dashboard/overview): exact figures from known tickets built through
actions on a frozen clock, the viewer's data scope, filters, local-day bucketing and the number of
queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from complaintdesk.core import clock
from complaintdesk.rules.models import Rule
from complaintdesk.sla.actions import do_create_policy
from complaintdesk.sla.clocks import do_sweep
from complaintdesk.sla.models import BusinessCalendar
from complaintdesk.tickets.actions import do_add_comment, do_create_ticket, do_merge_tickets, do_transition_ticket
from complaintdesk.tickets.choices import TicketStatus
from complaintdesk.workflows.actions import do_complete_work_item, do_start_process
from complaintdesk.workflows.models import WorkItem
from complaintdesk.workflows.tests import fixtures as F
from complaintdesk.workflows.tests.conftest import publish  # noqa: F401  (fixture)

# "Now" for every test: Tuesday 2026-03-10 10:00 in Shanghai.
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A Shanghai wall-clock time in 2026 as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run an action as if its transaction committed (the SLA app's subscribers run)."""

    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def world(org: Any, commit: Any, publish: Any) -> dict[str, Any]:  # noqa: F811
    """Seven tickets with known times (all P3: 60 min first response, 4 h resolution, 24x7):

    ===  ==============  ========  ==========  =====================================================
    T    created (local)  channel   category    then
    ===  ==============  ========  ==========  =====================================================
    t1   03-08 10:00     web_form  product     reply +30 min, resolved +2 h, closed +3 h (SLA met)
    t2   03-08 10:00     phone     product     reply +90 min, resolved +5 h (both SLA breached)
    t3   03-09 23:30     phone     logistics   nothing: overdue now, breached by the sweep
    t4   03-10 00:30     web_form  none        open (today in Shanghai, yesterday in UTC), overdue
    t5   03-10 09:00     email     product     cancelled
    t6   01-20 10:00     phone     product     resolved and closed long ago (outside the window)
    t7   03-09 12:00     phone     product     merged into t4 (never counted)
    b1   03-09 11:00     email     logistics   team B, agent B: outside agent A's scope
    ===  ==============  ========  ==========  =====================================================

    t1's follow-up call (回访) was answered satisfied, t2's unsatisfied, t6's (long ago) satisfied.
    """
    Rule.objects.filter(is_shipped=True).update(enabled=False)  # no routing: the tickets stay put
    do_create_policy(actor=None, name="dash 24x7", order=1, escalation=[],
                     calendar=BusinessCalendar.objects.get(key="24x7"),
                     targets={p: {"first_response_minutes": 60, "resolution_minutes": 240}
                              for p in ("P1", "P2", "P3", "P4")})
    follow_up = publish(F.linear(("follow_up", "回访", {"assignee": {"type": "users", "users": ["supervisor"]},
                                                     "outcomes": ["satisfied", "unsatisfied"]}), pid="fu"),
                        key="follow_up_only")
    cat = org.categories
    product, logistics = cat["product_quality"], cat["logistics"]
    agent = org.agent_a

    def make(at: datetime, channel: str, category: Any, **kw: Any) -> Any:
        clock.set_now(at)
        kw.setdefault("team", org.team_a)
        kw.setdefault("assignee", agent)
        ticket, _ = commit(do_create_ticket, actor=kw.pop("actor", agent), subject=f"{channel} 投诉",
                           channel=channel, category=category, **kw)
        return ticket

    def reply(ticket: Any, at: datetime) -> None:
        clock.set_now(at)
        commit(do_add_comment, ticket, actor=agent, body="您好，已收到。", is_public=True)

    def move(ticket: Any, at: datetime, status: str) -> None:
        clock.set_now(at)
        commit(do_transition_ticket, ticket, actor=agent, to_status=status)

    def rate(ticket: Any, at: datetime, outcome: str) -> None:
        clock.set_now(at)
        commit(do_start_process, ticket, definition=follow_up, actor=agent)
        item = WorkItem.objects.get(ticket=ticket, node_id="follow_up")
        commit(do_complete_work_item, item, actor=org.supervisor, outcome=outcome)

    t1 = make(local(8, 10), "web_form", product)
    reply(t1, local(8, 10, 30))
    move(t1, local(8, 12), TicketStatus.RESOLVED)
    rate(t1, local(8, 12, 30), "satisfied")
    move(t1, local(8, 13), TicketStatus.CLOSED)
    t2 = make(local(8, 10), "phone", product)
    reply(t2, local(8, 11, 30))
    move(t2, local(8, 15), TicketStatus.RESOLVED)
    rate(t2, local(8, 16), "unsatisfied")
    t3 = make(local(9, 23, 30), "phone", logistics)
    t4 = make(local(10, 0, 30), "web_form", None)
    t5 = make(local(10, 9), "email", product)
    move(t5, local(10, 9, 10), TicketStatus.CANCELLED)
    t6 = make(local(20, 10, month=1), "phone", product)
    move(t6, local(20, 11, month=1), TicketStatus.RESOLVED)
    rate(t6, local(20, 11, 30, month=1), "satisfied")
    move(t6, local(20, 12, month=1), TicketStatus.CLOSED)
    t7 = make(local(9, 12), "phone", product)
    clock.set_now(local(9, 12, 5))
    commit(do_merge_tickets, t7, into=t4, actor=agent)
    b1 = make(local(9, 11), "email", logistics, team=org.team_b, assignee=org.agent_b, actor=org.agent_b)
    clock.set_now(NOW)
    commit(do_sweep, now=NOW)
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6, "t7": t7, "b1": b1}


def _overview(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get("dashboard/overview", params)
    assert response.status_code == 200, response.json()
    return dict(response.json())


def test_overview_figures_in_the_agents_scope(org: Any, world: dict[str, Any]) -> None:
    clock.set_now(NOW)
    body = _overview(org.client(org.agent_a), days=7)
    assert body["time_zone"] == "Asia/Shanghai"
    assert body["days"] == 7
    assert body["window_start"] == "2026-03-03T16:00:00Z"  # local midnight of 03-04
    assert body["open"] == 2  # t3, t4 (t7 merged, b1 out of scope)
    assert body["new_today"] == 2  # t4 (00:30 local) and t5
    assert body["overdue"] == 2  # t3, t4 (4 h after 00:30)
    assert body["created_in_window"] == 5  # t1..t5
    assert body["closed_in_window"] == 1  # t1
    # First response: t1 30 min, t2 90 min. Resolution: t1 2 h, t2 5 h.
    assert body["first_response"] == {"count": 2, "median_seconds": 3600.0, "mean_seconds": 3600.0}
    assert body["resolution"] == {"count": 2, "median_seconds": 12600.0, "mean_seconds": 12600.0}
    # SLA: t1 met both; t2 breached both; t3 and t4 breached both (the sweep); t5 stopped undecided.
    assert body["first_response_sla"] == {"met": 1, "breached": 3, "rate": 25.0}
    assert body["resolution_sla"] == {"met": 1, "breached": 3, "rate": 25.0}
    assert body["csat"] == {"responses": 2, "satisfied": 1, "rate": 50.0}
    assert body["by_channel"] == [{"key": "phone", "count": 2}, {"key": "web_form", "count": 2},
                                  {"key": "email", "count": 1}]
    product, logistics = org.categories["product_quality"], org.categories["logistics"]
    # Ties by id, uncategorised last (on both databases).
    assert [(c["id"], c["count"]) for c in body["by_category"]] == [(product.pk, 3), (logistics.pk, 1), (None, 1)]
    assert body["by_category"][0]["name"] == product.name
    assert body["other_categories"] == 0
    days = {d["date"]: (d["new"], d["closed"]) for d in body["by_day"]}
    assert list(days) == [f"2026-03-{d:02d}" for d in range(4, 11)]
    assert days["2026-03-08"] == (2, 1)
    assert days["2026-03-09"] == (1, 0)  # t3 at 23:30 local (t7 merged)
    assert days["2026-03-10"] == (2, 0)  # t4 at 00:30 local = 03-09 16:30 UTC
    assert sum(n for n, _ in days.values()) == body["created_in_window"]


def test_a_wider_window_and_the_supervisors_scope(org: Any, world: dict[str, Any]) -> None:
    clock.set_now(NOW)
    body = _overview(org.client(org.supervisor), days=60)
    assert body["open"] == 3  # + b1
    assert body["created_in_window"] == 7  # t1..t6, b1
    assert body["closed_in_window"] == 2  # t1, t6
    assert body["csat"] == {"responses": 3, "satisfied": 2, "rate": 66.7}
    assert body["resolution"]["count"] == 3  # + t6 (1 h)
    assert body["resolution"]["median_seconds"] == 7200.0
    assert body["resolution"]["mean_seconds"] == pytest.approx((3600 + 7200 + 18000) / 3)
    assert len(body["by_day"]) == 60
    # Default window is 30 days.
    assert _overview(org.client(org.supervisor))["days"] == 30


def test_filters_by_team_and_department(org: Any, world: dict[str, Any]) -> None:
    clock.set_now(NOW)
    supervisor = org.client(org.supervisor)
    team_b = _overview(supervisor, days=7, team_id=org.team_b.pk)
    assert (team_b["open"], team_b["created_in_window"], team_b["csat"]) == (1, 1, None)
    assert team_b["first_response"] == {"count": 0, "median_seconds": None, "mean_seconds": None}
    assert team_b["resolution_sla"] == {"met": 0, "breached": 1, "rate": 0.0}
    # No ticket has a department: the department filter finds nothing (and says so with zeros).
    dept = _overview(supervisor, days=7, department_id=org.after_sales.pk)
    assert (dept["open"], dept["created_in_window"], dept["by_channel"], dept["by_category"]) == (0, 0, [], [])
    assert all(d["new"] == 0 and d["closed"] == 0 for d in dept["by_day"])


def test_empty_organisation_answers_zeros_and_nulls(org: Any) -> None:
    clock.set_now(NOW)
    body = _overview(org.client(org.auditor))
    assert (body["open"], body["new_today"], body["overdue"]) == (0, 0, 0)
    assert body["csat"] is None
    assert body["first_response_sla"] == {"met": 0, "breached": 0, "rate": None}
    assert body["first_response"]["median_seconds"] is None
    assert len(body["by_day"]) == 30


def test_bad_parameters_and_permissions(org: Any) -> None:
    assert org.client(None).get("dashboard/overview").status_code == 401
    assert org.client(org.nobody).get("dashboard/overview").status_code == 403
    admin = org.client(org.admin)
    for params in ({"days": 0}, {"days": 367}, {"days": "x"}, {"team_id": 0}, {"department_id": -1}):
        response = admin.get("dashboard/overview", params)
        assert response.status_code == 422, params
        assert response.json()["code"] == "validation_error"


def test_a_fixed_number_of_queries(org: Any, world: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    clock.set_now(NOW)
    client = org.client(org.agent_a)
    client.get("dashboard/overview")  # warm the token and access caches the way a second call would see them
    # token, user, the access (roles, teams), the department path; then open/overdue, the pass over the
    # tickets touched in the window, CSAT, channels, categories, new per day.
    with django_assert_max_num_queries(10):
        body = _overview(client, days=30, department_id=org.service.pk)
    assert body["days"] == 30
