"""The sweep after an outage: checkpoints due at once are announced once per target and escalation
chain (the highest level, the superseded ones listed in its data), every one is recorded as fired
exactly once, chunks and re-runs fire nothing twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from complaintdesk.core import clock
from complaintdesk.core.models import Outbox
from complaintdesk.sla.calendar import compile_calendar
from complaintdesk.sla.clocks import collapse, do_sweep, plan, snapshot_of
from complaintdesk.sla.models import SlaStatus, TicketSla
from complaintdesk.sla.tests.test_clocks import events, new_ticket, sh, sla_of
from complaintdesk.tickets.actions import do_transition_ticket
from complaintdesk.tickets.choices import EventType, TicketStatus
from complaintdesk.tickets.models import Ticket, TicketEvent


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
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


def utc(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def sla_rows(ticket: Ticket) -> list[tuple[str, str, list[str]]]:
    return [(e.type, e.data["level"], [s["key"] for s in e.data["skipped"]])
            for e in TicketEvent.objects.filter(ticket=ticket, type__in=[
                EventType.SLA_WARNING, EventType.SLA_BREACHED, EventType.SLA_ESCALATED]).order_by("created_at", "id")]


def test_catch_up_announces_the_highest_level_once_per_target(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))  # Tue; P3: fr 4 h (15:30), L1 at the breach, L2 +60 min, L3 +240 min
    ticket = new_ticket(commit, org)
    at(sh(2026, 3, 10, 17, 0))  # the sweep did not run all afternoon
    result = commit(do_sweep)
    assert (result.tickets, result.fired, result.announced, result.failed) == (1, 5, 2, 0)
    sla = sla_of(ticket)
    assert sorted(sla.done) == ["esc:1", "esc:2", "fr:breach", "fr:w0.75", "fr:w0.9"]
    assert sla.first_response_breached_at == sh(2026, 3, 10, 15, 30) and sla.escalation_level == 2
    assert sla.status == SlaStatus.BREACHED
    assert sla.next_check_at == sh(2026, 3, 11, 10, 30)  # L3 is still ahead
    assert [c[0] for c in sla.schedule] == ["esc:3", "res:w0.75", "res:w0.9", "res:breach"]
    assert events(ticket, EventType.SLA_WARNING) == []
    [breach] = events(ticket, EventType.SLA_BREACHED)
    assert breach.created_at == sh(2026, 3, 10, 15, 30)
    assert breach.data["skipped"] == [
        {"key": "fr:w0.75", "kind": "warning", "level": 0.75, "at": utc(sh(2026, 3, 10, 14, 30))},
        {"key": "fr:w0.9", "kind": "warning", "level": 0.9, "at": utc(sh(2026, 3, 10, 15, 6))},
    ]
    assert breach.data["user_ids"] == [org.agent_a.pk]
    [escalation] = events(ticket, EventType.SLA_ESCALATED)
    assert escalation.created_at == sh(2026, 3, 10, 16, 30) and escalation.data["level"] == "L2"
    assert [s["key"] for s in escalation.data["skipped"]] == ["esc:1"]
    assert escalation.data["user_ids"] == [org.supervisor.pk]  # L1's recipients, told once
    # One outbox event per announcement, with the same payload as the timeline.
    rows = list(Outbox.objects.filter(payload__ticket_id=ticket.pk, topic__startswith="sla.")
                .exclude(topic="sla.applied").order_by("id"))
    assert [(r.topic, r.payload) for r in rows] == [("sla.breached", breach.data), ("sla.escalated", escalation.data)]
    # Re-runs fire nothing.
    again = commit(do_sweep)
    assert (again.tickets, again.fired, again.announced) == (0, 0, 0)
    assert len(sla_rows(ticket)) == 2
    # Next morning L3 comes due on its own: announced alone, nothing superseded.
    at(sh(2026, 3, 11, 10, 31))
    assert commit(do_sweep).announced == 1
    assert sla_rows(ticket) == [("sla_breached", "breach", ["fr:w0.75", "fr:w0.9"]),
                                ("sla_escalated", "L2", ["esc:1"]), ("sla_escalated", "L3", [])]
    assert sla_of(ticket).escalation_level == 3


def test_catch_up_of_warnings_only_announces_the_higher_warning(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))
    ticket = new_ticket(commit, org)
    at(sh(2026, 3, 10, 15, 10))  # 75 % (14:30) and 90 % (15:06) passed, the breach (15:30) not yet
    result = commit(do_sweep)
    assert (result.fired, result.announced) == (2, 1)
    assert sla_rows(ticket) == [("sla_warning", 0.9, ["fr:w0.75"])]
    sla = sla_of(ticket)
    assert sla.status == SlaStatus.WARNING and sla.first_response_breached_at is None
    assert sla.next_check_at == sh(2026, 3, 10, 15, 30)


def test_catch_up_at_a_change_of_the_clock_collapses_too(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))
    ticket = new_ticket(commit, org)
    at(sh(2026, 3, 10, 16, 0))  # no sweep ran; the agent accepts then waits for the customer
    commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.ACCEPTED)
    commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.PENDING_CUSTOMER)
    assert sla_rows(ticket) == [("sla_breached", "breach", ["fr:w0.75", "fr:w0.9"]), ("sla_escalated", "L1", [])]
    sla = sla_of(ticket)
    assert sla.status == SlaStatus.PAUSED and set(sla.done) == {"fr:w0.75", "fr:w0.9", "fr:breach", "esc:1"}
    assert commit(do_sweep).fired == 0


def test_sweep_in_chunks_fires_each_clock_once(org: Any, commit: Any, at: Any) -> None:
    tickets = []
    for minute in range(5):
        at(sh(2026, 3, 10, 10, minute))
        tickets.append(new_ticket(commit, org))
    at(sh(2026, 3, 10, 15, 0))  # every fr 75 % warning (14:30 .. 14:34) is due, no 90 % yet
    result = commit(do_sweep, batch_size=2)
    assert (result.tickets, result.fired, result.announced, result.failed) == (5, 5, 5, 0)
    for ticket in tickets:
        assert sla_rows(ticket) == [("sla_warning", 0.75, [])]
        assert TicketSla.objects.get(ticket=ticket).done == ["fr:w0.75"]
    assert Outbox.objects.filter(topic="sla.warning").count() == 5
    assert commit(do_sweep, batch_size=2).fired == 0
    assert TicketEvent.objects.filter(type=EventType.SLA_WARNING).count() == 5


def test_collapse_groups_per_target_and_escalation_chain(org: Any, commit: Any, at: Any) -> None:
    at(sh(2026, 3, 10, 10, 0))
    ticket = new_ticket(commit, org, urgency="high", impact="high")  # P1: fr 15 min, res 2 h
    sla = sla_of(ticket)
    checkpoints = plan(sla, snapshot_of(sla.policy_id, sla.policy_version), compile_calendar(sla.calendar))
    pairs = collapse([c for c in checkpoints if c.kind != "escalation" or c.level in (1, 2)])
    assert [(c.key, [s.key for s in skipped]) for c, skipped in pairs] == [
        ("fr:breach", ["fr:w0.75", "fr:w0.9"]),
        ("esc:2", ["esc:1"]),
        ("res:breach", ["res:w0.75", "res:w0.9"]),
    ]
    assert collapse([]) == []
