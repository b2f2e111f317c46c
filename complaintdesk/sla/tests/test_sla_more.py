"""Calendar changes move running clocks; the rule action "apply_sla"; the sweep skips a broken row;
workflow-node deadlines; the reopen window option."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput
from complaintdesk.core.events import DomainEvent
from complaintdesk.core.options import do_set_option
from complaintdesk.rules.registry import ActionContext, get_action_type
from complaintdesk.sla.actions import do_create_policy, do_import_schedule, do_set_calendar_day
from complaintdesk.sla.clocks import do_sweep, node_due_at
from complaintdesk.sla.holidays import parse_schedule
from complaintdesk.sla.models import BusinessCalendar, TicketSla
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.models import Ticket

SH = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc, arg-type]


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture(autouse=True)
def _clock() -> Any:
    yield
    clock.set_now(None)


def ticket_at(commit: Any, org: Any, when: datetime, **kw: Any) -> Ticket:
    clock.set_now(when.astimezone(UTC))
    ticket, _ = commit(do_create_ticket, actor=org.agent_a, subject="电视无法开机", team=org.team_a,
                       assignee=org.agent_a, **kw)
    ticket.refresh_from_db()
    return ticket


def test_importing_next_years_holidays_moves_running_clocks(org: Any, commit: Any) -> None:
    # P2 (8 h) on Thu 2026-12-31 17:30: without 2027 data, Fri 01-01 counts as a workday.
    ticket = ticket_at(commit, org, sh(2026, 12, 31, 17, 30), urgency="high", impact="medium")
    assert ticket.resolution_due_at == sh(2027, 1, 1, 18, 0)  # 0.5 h + 7.5 h on Fri 01-01
    calendar = BusinessCalendar.objects.get(is_default=True)
    days = parse_schedule({"year": 2027, "holidays": [
        {"name": "元旦 New Year's Day", "start": "2027-01-01", "end": "2027-01-03"}]}, year=2027)
    commit(do_import_schedule, calendar, actor=org.admin, year=2027, days=days, dry_run=False)
    ticket.refresh_from_db()
    # 0.5 h on 12-31, then Mon 01-04: 3 h + 4 h 30 → 7.5 h at 18:00.
    assert ticket.resolution_due_at == sh(2027, 1, 4, 18, 0)
    # A company holiday on Mon 01-04 moves it again.
    commit(do_set_calendar_day, calendar, actor=org.admin, day=datetime(2027, 1, 4).date(), kind="holiday",
           name="年会")
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == sh(2027, 1, 5, 18, 0)


def test_apply_sla_rule_action(org: Any, commit: Any) -> None:
    action = get_action_type("apply_sla")
    assert action is not None and action.label_en == "Apply an SLA policy"
    ticket = ticket_at(commit, org, sh(2026, 3, 10, 10, 0))
    fast = commit(do_create_policy, actor=org.admin, name="快速", order=500,
                  calendar=BusinessCalendar.objects.get(key="24x7"))
    assert action.validate({"policy": "快速"}) == []
    assert action.validate({"policy": fast.pk}) == []
    assert action.validate({"policy": "nope"}) and action.validate({}) and action.validate({"policy": True})
    assert "快速" in action.describe(ticket, {"policy": fast.pk})
    ctx = ActionContext(ticket=ticket, event=DomainEvent("ticket.created", {"ticket_id": ticket.pk}), rule_id=1,
                        rule_version=1, depth=0)
    out = commit(action.run, ctx, {"policy": "快速"})
    assert out["policy_id"] == fast.pk
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == sh(2026, 3, 11, 10, 0)  # P3 24 h on 24x7
    with pytest.raises(InvalidInput):
        action.run(ctx, {"policy": "gone"})


def test_sweep_skips_a_broken_row_and_continues(org: Any, commit: Any) -> None:
    good = ticket_at(commit, org, sh(2026, 3, 10, 10, 0))
    bad = ticket_at(commit, org, sh(2026, 3, 10, 10, 0))
    TicketSla.objects.filter(ticket=bad).update(schedule=[["fr:w0.75", "not a time", "warning", None, 0.75, None]])
    result = commit(do_sweep, now=sh(2026, 3, 10, 15, 0))
    assert result.failed == 1 and result.tickets == 1 and result.fired == 1
    assert TicketSla.objects.get(ticket=good).done == ["fr:w0.75"]
    # The broken row is left for the next run (and fails again), the good one is done.
    assert commit(do_sweep, now=sh(2026, 3, 10, 15, 0)).failed == 1


def test_node_deadline_from_policy(org: Any, commit: Any) -> None:
    commit(do_create_policy, actor=org.admin, name="节点", order=1, node_targets={"review": 4})
    ticket = ticket_at(commit, org, sh(2026, 3, 10, 10, 0))
    assert node_due_at(ticket, "review", sh(2026, 3, 10, 11, 0)) == sh(2026, 3, 10, 16, 30)
    assert node_due_at(ticket, "other", sh(2026, 3, 10, 11, 0)) is None


def test_reopen_window_option_is_validated() -> None:
    with pytest.raises(InvalidInput):
        do_set_option("sla.reopen_window_days", -1, actor=None)


def test_ticket_clock_warns_about_a_year_without_holiday_data(org: Any, commit: Any) -> None:
    ticket = ticket_at(commit, org, sh(2026, 12, 31, 17, 30), urgency="high", impact="medium")
    res = org.client(org.agent_a).get(f"tickets/{ticket.pk}/sla")
    assert res.status_code == 200
    assert res.json()["warnings"] == [
        "2027年无节假日数据，按普通周末计算 / no holiday data for 2027: plain weekends are used until the schedule "
        "is imported"
    ]
