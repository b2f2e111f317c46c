"""SLA clocks driven through the ticket actions with a frozen clock: exact due times through
weekends, holidays, make-up workdays, lunch breaks, pauses, priority and policy changes; the sweep
fires warnings, breaches and escalation steps exactly once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.core import clock
from complaintdesk.core.errors import Conflict
from complaintdesk.core.models import Outbox
from complaintdesk.core.options import do_set_option
from complaintdesk.sla.actions import do_create_policy
from complaintdesk.sla.clocks import clock_state, do_apply_sla, do_sweep
from complaintdesk.sla.models import BusinessCalendar, SlaPolicy, SlaStatus, TicketSla
from complaintdesk.sla.reopen import do_reopen_or_follow_up
from complaintdesk.tickets.actions import (
    do_add_comment,
    do_create_ticket,
    do_transition_ticket,
    do_update_ticket,
)
from complaintdesk.tickets.choices import EventType, Level, LinkKind, TicketStatus
from complaintdesk.tickets.models import Ticket, TicketEvent, TicketLink

SH = ZoneInfo("Asia/Shanghai")
PRIORITIES = ("P1", "P2", "P3", "P4")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc, arg-type]


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run an action and then its after-commit subscribers (the SLA app reacts to ticket events there)."""

    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def at() -> Iterator[Callable[[datetime], None]]:
    def set_(when: datetime) -> None:
        clock.set_now(when.astimezone(UTC))

    yield set_
    clock.set_now(None)


def new_ticket(commit: Callable[..., Any], org: Any, *, urgency: str = Level.MEDIUM, impact: str = Level.MEDIUM,
               **kw: Any) -> Ticket:
    ticket, _ = commit(do_create_ticket, actor=org.agent_a, subject="手机屏幕显示异常", urgency=urgency,
                       impact=impact, customer=org.customer, team=org.team_a, assignee=org.agent_a, **kw)
    ticket.refresh_from_db()
    return ticket


def sla_of(ticket: Ticket) -> TicketSla:
    return TicketSla.objects.get(ticket=ticket)


def events(ticket: Ticket, type_: str) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, type=type_).order_by("created_at", "id"))


def test_created_ticket_gets_default_policy_and_exact_due_times(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))  # Tuesday
    ticket = new_ticket(commit, org)  # P3: 4 h / 24 h
    sla = sla_of(ticket)
    assert sla.policy is not None and sla.policy.name == "默认 SLA Default" and sla.policy_version == 1
    assert sla.status == SlaStatus.RUNNING and sla.priority == "P3"
    # 10:00-12:00 + 13:30-15:30 = 4 h.
    assert ticket.first_response_due_at == sh(2026, 3, 10, 15, 30)
    # Tue 6.5 h + Wed 7.5 + Thu 7.5 = 21.5 h; Fri 09:00-11:30 = 2.5 h.
    assert ticket.resolution_due_at == sh(2026, 3, 13, 11, 30)
    assert sla.next_check_at == sh(2026, 3, 10, 14, 30)  # fr warning at 75% = 3 h: 2 h + 13:30-14:30
    assert len(events(ticket, EventType.SLA_APPLIED)) == 1


def test_sweep_fires_warnings_breach_and_escalation_exactly_once(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))
    ticket = new_ticket(commit, org)
    at(sh(2026, 3, 10, 14, 45))  # past the fr warning at 75% (14:30), before 90% (15:06)
    result = commit(do_sweep)
    assert result.fired == 1
    [warning] = events(ticket, EventType.SLA_WARNING)
    assert warning.data["target"] == "first_response" and warning.data["level"] == 0.75
    assert warning.created_at == sh(2026, 3, 10, 14, 30)
    assert warning.data["user_ids"] == [org.agent_a.pk]
    assert sla_of(ticket).status == SlaStatus.WARNING
    assert commit(do_sweep).fired == 0  # idempotent
    at(sh(2026, 3, 10, 16, 45))  # fr 90% 15:06, fr breach 15:30, L1 at breach, L2 at +60 min = 16:30
    commit(do_sweep)
    commit(do_sweep)
    sla = sla_of(ticket)
    assert sla.first_response_breached_at == sh(2026, 3, 10, 15, 30)
    assert sla.status == SlaStatus.BREACHED and sla.escalation_level == 2
    assert set(sla.done) == {"fr:w0.75", "fr:w0.9", "fr:breach", "esc:1", "esc:2"}
    # Caught up at once: the 90 % warning is announced within the breach, L1 within L2.
    assert [e.data["level"] for e in events(ticket, EventType.SLA_WARNING)] == [0.75]
    [breach] = events(ticket, EventType.SLA_BREACHED)
    assert breach.data["target"] == "first_response"
    assert [s["key"] for s in breach.data["skipped"]] == ["fr:w0.9"]
    escalations = events(ticket, EventType.SLA_ESCALATED)
    assert [(e.data["level"], e.created_at) for e in escalations] == [("L2", sh(2026, 3, 10, 16, 30))]
    assert escalations[0].data["skipped"] == [
        {"key": "esc:1", "kind": "escalation", "level": "L1",
         "at": sh(2026, 3, 10, 15, 30).astimezone(UTC).isoformat()},
    ]
    # L1 = the team lead, else the supervisors; L2 = the department's manager (none here → nobody):
    # whoever a superseded step would have told is told once by the announced one.
    assert escalations[0].data["user_ids"] == [org.supervisor.pk]
    # Domain events went to the outbox, once each.
    assert Outbox.objects.filter(topic="sla.escalated", payload__ticket_id=ticket.pk).count() == 1
    assert Outbox.objects.filter(topic="sla.breached", payload__ticket_id=ticket.pk).count() == 1
    # L3 (role admin) at breach + 240 business minutes: 15:30 + 2.5 h → Wed 10:30.
    assert sla.next_check_at == sh(2026, 3, 11, 10, 30)


def test_first_response_stops_its_clock(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))
    ticket = new_ticket(commit, org)
    at(sh(2026, 3, 10, 11, 0))
    commit(do_add_comment, ticket, actor=org.agent_a, body="您好，已收到", is_public=True)
    sla = sla_of(ticket)
    assert sla.first_response_met_at == sh(2026, 3, 10, 11, 0)
    # Only the resolution checkpoints remain: 75% of 24 h = 18 h = Tue 6.5 + Wed 7.5 + Thu 4 h → Thu 14:30.
    assert sla.next_check_at == sh(2026, 3, 12, 14, 30)
    at(sh(2026, 3, 10, 16, 0))
    commit(do_sweep)
    assert events(ticket, EventType.SLA_BREACHED) == [] and events(ticket, EventType.SLA_WARNING) == []
    state = clock_state(ticket)
    fr = next(t for t in state["targets"] if t["target"] == "first_response")
    assert fr["elapsed_seconds"] == 3600 and fr["remaining_seconds"] == 3 * 3600


def test_pause_while_waiting_for_customer_and_resume_exactly(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))
    ticket = new_ticket(commit, org)
    commit(do_add_comment, ticket, actor=org.agent_a, body="请提供购买凭证", is_public=True)
    at(sh(2026, 3, 10, 11, 0))
    commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.ACCEPTED)
    commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.PENDING_CUSTOMER)
    sla = sla_of(ticket)
    assert sla.status == SlaStatus.PAUSED and sla.next_check_at is None
    # Two days later nothing fired while paused.
    at(sh(2026, 3, 12, 10, 0))
    commit(do_sweep)
    assert events(ticket, EventType.SLA_WARNING) == []
    state = clock_state(ticket)
    res = next(t for t in state["targets"] if t["target"] == "resolution")
    assert state["paused"] and res["remaining_seconds"] == 23 * 3600
    commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.IN_PROGRESS)
    ticket.refresh_from_db()
    sla = sla_of(ticket)
    # Paused Tue 11:00 → Thu 10:00 = 1 + 4.5 + 7.5 + 1 = 14 business hours; 23 h remain from Thu 10:00:
    # Thu 6.5, Fri 7.5, Mon 7.5 (21.5), Tue 1.5 h → 2026-03-17 10:30.
    assert sla.paused_business == timedelta(hours=14)
    assert ticket.resolution_due_at == sh(2026, 3, 17, 10, 30)
    assert sla.status == SlaStatus.RUNNING
    assert [e.type for e in TicketEvent.objects.filter(ticket=ticket, type__startswith="sla_").order_by("id")] == [
        "sla_applied", "sla_paused", "sla_resumed",
    ]
    res = next(t for t in clock_state(ticket)["targets"] if t["target"] == "resolution")
    assert res["remaining_seconds"] == 23 * 3600


def test_priority_change_recomputes_from_the_start(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))
    ticket = new_ticket(commit, org)
    at(sh(2026, 3, 10, 10, 5))
    commit(do_update_ticket, ticket, actor=org.agent_a, priority="P1")
    ticket.refresh_from_db()
    sla = sla_of(ticket)
    assert sla.priority == "P1"
    assert ticket.first_response_due_at == sh(2026, 3, 10, 10, 15)
    assert ticket.resolution_due_at == sh(2026, 3, 10, 12, 0)  # exactly the end of the morning
    # 10:05: the 75% warning (10:11:15) is still ahead.
    assert sla.next_check_at == sh(2026, 3, 10, 10, 11, 15)
    at(sh(2026, 3, 10, 10, 30))
    commit(do_sweep)
    sla = sla_of(ticket)
    assert sla.first_response_breached_at == sh(2026, 3, 10, 10, 15) and sla.escalation_level == 1
    # Lowered to P4 (8 h / 72 h) before anyone answered: the breach no longer holds, escalation clears.
    commit(do_update_ticket, ticket, actor=org.agent_a, priority="P4")
    ticket.refresh_from_db()
    sla = sla_of(ticket)
    assert sla.first_response_breached_at is None and sla.escalation_level == 0
    assert sla.status == SlaStatus.RUNNING
    # 8 h from Tue 10:00: Tue 6.5 h, Wed 09:00 + 1.5 h.
    assert ticket.first_response_due_at == sh(2026, 3, 11, 10, 30)
    # The timeline keeps what happened.
    assert len(events(ticket, EventType.SLA_BREACHED)) == 1
    assert len(events(ticket, EventType.SLA_APPLIED)) == 3


def test_policy_change_and_condition_matching(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))
    vip = commit(do_create_policy, actor=org.admin, name="VIP 24x7", order=10,
                 condition={"field": "customer.tier", "op": "eq", "value": "vip"},
                 calendar=BusinessCalendar.objects.get(key="24x7"),
                 targets={p: {"first_response_minutes": 30, "resolution_minutes": 240} for p in PRIORITIES})
    plain = new_ticket(commit, org)
    vip_ticket, _ = commit(do_create_ticket, actor=org.agent_a, subject="VIP 投诉", customer=org.vip)
    vip_ticket.refresh_from_db()
    assert sla_of(plain).policy_id != vip.pk
    assert sla_of(vip_ticket).policy_id == vip.pk
    assert vip_ticket.first_response_due_at == sh(2026, 3, 10, 10, 30)
    assert vip_ticket.resolution_due_at == sh(2026, 3, 10, 14, 0)  # wall time: no lunch break
    # Switching the plain ticket to the VIP policy at 10:20: due times from its start on 24x7.
    at(sh(2026, 3, 10, 10, 20))
    commit(do_apply_sla, plain, policy=vip, reason="manual")
    plain.refresh_from_db()
    assert plain.first_response_due_at == sh(2026, 3, 10, 10, 30)
    assert plain.resolution_due_at == sh(2026, 3, 10, 14, 0)
    # A later edit of the policy does not move running clocks (they keep their version).
    from complaintdesk.sla.actions import do_update_policy

    commit(do_update_policy, vip, actor=org.admin,
           targets={p: {"first_response_minutes": 60, "resolution_minutes": 480} for p in PRIORITIES})
    assert SlaPolicy.objects.get(pk=vip.pk).version == 2
    assert sla_of(plain).policy_version == 1
    commit(do_update_ticket, plain, actor=org.agent_a, priority="P3")  # no change → nothing recomputed
    plain.refresh_from_db()
    assert plain.resolution_due_at == sh(2026, 3, 10, 14, 0)


def test_national_day_holiday_and_make_up_workday(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 9, 30, 17, 0))
    ticket = new_ticket(commit, org, urgency=Level.HIGH, impact=Level.MEDIUM)  # P2: 1 h / 8 h
    assert ticket.priority == "P2"
    assert ticket.first_response_due_at == sh(2026, 9, 30, 18, 0)
    # 1 h on 09-30, holidays 10-01..10-07, then 7 h on Thu 10-08: 09:00-12:00 + 13:30-17:30.
    assert ticket.resolution_due_at == sh(2026, 10, 8, 17, 30)
    # Pause over the make-up Saturday 10-10 counts it as business time.
    at(sh(2026, 10, 9, 17, 0))
    commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.ACCEPTED)
    commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.PENDING_CUSTOMER)
    at(sh(2026, 10, 12, 9, 0))
    commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.IN_PROGRESS)
    assert sla_of(ticket).paused_business == timedelta(hours=8, minutes=30)  # Fri 1 h + Sat 7.5 h
    ticket.refresh_from_db()
    # 8 h + 8.5 h paused = 16.5 h from 09-30 17:00: 1 + 7.5 (10-08) + 7.5 (10-09) + 0.5 on Sat 10-10.
    assert ticket.resolution_due_at == sh(2026, 10, 10, 9, 30)
    # The breach happened before the pause (no sweep ran: it was caught up at the pause) and stays.
    sla = sla_of(ticket)
    assert sla.resolution_breached_at == sh(2026, 10, 8, 17, 30)
    assert sla.first_response_breached_at == sh(2026, 9, 30, 18, 0)
    assert sla.status == SlaStatus.BREACHED


def test_resolution_stops_the_clock_and_reopen_within_window_resumes(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))
    ticket = new_ticket(commit, org)
    commit(do_add_comment, ticket, actor=org.agent_a, body="已处理", is_public=True)
    at(sh(2026, 3, 10, 12, 0))
    commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.RESOLVED)
    sla = sla_of(ticket)
    assert sla.status == SlaStatus.MET and sla.next_check_at is None and sla.stopped_at == sh(2026, 3, 10, 12, 0)
    at(sh(2026, 3, 12, 10, 0))
    reopened, was_reopened = commit(do_reopen_or_follow_up, ticket, actor=org.agent_a, reason="又坏了")
    assert was_reopened and reopened.pk == ticket.pk and reopened.status == TicketStatus.REOPENED
    sla = sla_of(ticket)
    # Stopped Tue 12:00 → Thu 10:00 = 4.5 + 7.5 + 1 = 13 h; used 2 h of 24 → 22 h from Thu 10:00:
    # Thu 6.5, Fri 7.5, Mon 7.5 (21.5), Tue 09:30.
    assert sla.paused_business == timedelta(hours=13) and sla.status == SlaStatus.RUNNING
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == sh(2026, 3, 17, 9, 30)


def test_reopen_after_window_opens_linked_follow_up(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))
    ticket = new_ticket(commit, org)
    at(sh(2026, 3, 10, 12, 0))
    commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.RESOLVED)
    at(sh(2026, 3, 18, 12, 0))  # 8 days later; the window is 7 days
    with pytest.raises(Conflict) as err:
        commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.REOPENED)
    assert err.value.code == "reopen_window_passed"
    follow_up, reopened = commit(do_reopen_or_follow_up, ticket, actor=org.agent_a, reason="问题复发")
    assert not reopened and follow_up.pk != ticket.pk
    assert TicketLink.objects.filter(source=follow_up, target=ticket, kind=LinkKind.RELATED).exists()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    follow_up.refresh_from_db()
    assert sla_of(follow_up).started_at == sh(2026, 3, 18, 12, 0)  # a new clock
    # The window is a runtime option.
    do_set_option("sla.reopen_window_days", 30, actor=None)
    again, reopened = commit(do_reopen_or_follow_up, ticket, actor=org.agent_a)
    assert reopened and again.pk == ticket.pk
