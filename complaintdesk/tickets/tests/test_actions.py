"""The ticket actions: numbering, priority, the created record, repeat detection and the lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from complaintdesk.core.errors import Conflict, InvalidInput, InvalidTransition
from complaintdesk.core.models import Outbox, Sequence
from complaintdesk.core.options import REPEAT_WINDOW_DAYS, TICKET_NUMBER_PATTERN, do_set_option
from complaintdesk.tickets.actions import (
    do_create_ticket,
    do_merge_tickets,
    do_transition_ticket,
    do_update_ticket,
)
from complaintdesk.tickets.choices import PRIORITY_MATRIX, TRANSITIONS, EventType, LinkKind, TicketStatus
from complaintdesk.tickets.models import Ticket, TicketEvent, TicketLink

from .conftest import PATH_TO

pytestmark = pytest.mark.django_db


def _events(ticket: Ticket, type_: str) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, type=type_).order_by("id"))


# --- numbering ------------------------------------------------------------------------------


def test_number_uses_the_local_date_and_a_daily_sequence(org, frozen_clock, make_ticket):
    # 2026-03-10 10:00 in Shanghai.
    assert make_ticket().number == "TS202603100001"
    assert make_ticket().number == "TS202603100002"
    # 23:30 UTC on the 10th is 07:30 on the 11th in Shanghai: a new local day, a new sequence.
    frozen_clock.set(datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    assert make_ticket().number == "TS202603110001"
    assert make_ticket().number == "TS202603110002"
    # 15:59 UTC on the 11th is still the 11th locally (23:59); 16:00 UTC is the 12th.
    frozen_clock.set(datetime(2026, 3, 11, 15, 59, tzinfo=UTC))
    assert make_ticket().number == "TS202603110003"
    frozen_clock.set(datetime(2026, 3, 11, 16, 0, tzinfo=UTC))
    assert make_ticket().number == "TS202603120001"


def test_number_grows_a_digit_past_the_padding(org, frozen_clock, make_ticket):
    do_set_option(TICKET_NUMBER_PATTERN.key, "TS{yyyyMMdd}{seq:1}", actor=None)
    numbers = [make_ticket().number for _ in range(11)]
    assert numbers[0] == "TS202603101"
    assert numbers[8] == "TS202603109"
    assert numbers[9] == "TS2026031010"
    assert numbers[10] == "TS2026031011"
    assert len(set(numbers)) == 11


def test_number_grows_past_9999_with_the_default_pattern(org, frozen_clock, make_ticket):
    # Ten thousand tickets would make a slow test; the counter for the day is placed at 9998
    # instead (its key is the pattern rendered up to the sequence, see tickets/numbering.py).
    Sequence.objects.create(key="ticket:TS20260310{seq}", value=9998)
    assert make_ticket().number == "TS202603109999"
    assert make_ticket().number == "TS2026031010000"
    assert make_ticket().number == "TS2026031010001"


def test_failed_creation_does_not_consume_a_number(org, frozen_clock, make_ticket):
    assert make_ticket().number == "TS202603100001"
    with pytest.raises(InvalidInput):
        do_create_ticket(actor=org.agent_a, subject="x", urgency="extreme")
    with pytest.raises(InvalidInput):
        do_create_ticket(actor=org.agent_a, subject="   ")
    assert make_ticket().number == "TS202603100002"


# --- priority -------------------------------------------------------------------------------


@pytest.mark.parametrize(("urgency", "impact"), sorted(PRIORITY_MATRIX))
def test_priority_follows_the_urgency_impact_matrix(org, frozen_clock, make_ticket, urgency, impact):
    ticket = make_ticket(urgency=urgency, impact=impact)
    ticket.refresh_from_db()
    assert ticket.priority == PRIORITY_MATRIX[(urgency, impact)]


def test_matrix_corners():
    # A regression in the matrix itself (not only in its use) must show.
    assert PRIORITY_MATRIX[("high", "high")] == "P1"
    assert PRIORITY_MATRIX[("medium", "medium")] == "P3"
    assert PRIORITY_MATRIX[("low", "low")] == "P4"
    assert len(PRIORITY_MATRIX) == 9


def test_explicit_priority_overrides_the_matrix(org, frozen_clock, make_ticket):
    ticket = make_ticket(urgency="low", impact="low", priority="P1")
    ticket.refresh_from_db()
    assert ticket.priority == "P1"


# --- the created record ---------------------------------------------------------------------


def test_creation_writes_a_created_event_and_an_outbox_row(org, frozen_clock):
    ticket, created = do_create_ticket(actor=org.agent_a, subject="屏幕碎裂", channel="phone",
                                       customer=org.customer, category=org.categories["malfunction"],
                                       product=org.product, tags=["媒体关注", "批量问题", "媒体关注"],
                                       data={"model": "X1", "amount": 12.5})
    assert created
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW
    assert ticket.created_by == org.agent_a
    assert ticket.created_at == frozen_clock.now()
    assert ticket.data == {"model": "X1", "amount": 12.5}
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["媒体关注", "批量问题"]
    assert "张三" in ticket.search_text and "13800138000" in ticket.search_text
    [event] = _events(ticket, EventType.CREATED)
    assert event.actor == org.agent_a
    assert event.data["number"] == ticket.number
    assert event.data["channel"] == "phone"
    [row] = Outbox.objects.filter(topic="ticket.created")
    assert row.payload["ticket_id"] == ticket.pk
    assert row.payload["number"] == ticket.number
    assert row.payload["customer_id"] == org.customer.pk
    assert row.payload["category_id"] == org.categories["malfunction"].pk


@pytest.mark.parametrize("subject", ["", "   ", None])
def test_subject_is_required(org, frozen_clock, subject):
    with pytest.raises(InvalidInput) as info:
        do_create_ticket(actor=org.agent_a, subject=subject)
    assert "subject" in info.value.details
    assert not Ticket.objects.exists()
    assert not Outbox.objects.filter(topic="ticket.created").exists()


def test_unknown_channel_and_levels_are_rejected_with_details(org, frozen_clock):
    with pytest.raises(InvalidInput) as info:
        do_create_ticket(actor=org.agent_a, subject="x", channel="fax")
    assert "channel" in info.value.details
    with pytest.raises(InvalidInput) as info:
        do_create_ticket(actor=org.agent_a, subject="x", urgency="urgent", impact="huge", priority="P9")
    assert set(info.value.details) == {"urgency", "impact", "priority"}
    assert not Ticket.objects.exists()


def test_assignee_department_is_taken_at_creation(org, frozen_clock, make_ticket):
    ticket = make_ticket(assignee=org.repair_handler)
    ticket.refresh_from_db()
    assert ticket.department == org.repair
    explicit = make_ticket(assignee=org.repair_handler, department=org.quality_dept)
    explicit.refresh_from_db()
    assert explicit.department == org.quality_dept


def test_same_external_id_returns_the_existing_ticket(org, frozen_clock):
    first, created = do_create_ticket(actor=org.agent_a, subject="a", channel="wechat", external_id="m-1")
    again, created_again = do_create_ticket(actor=org.agent_a, subject="b", channel="wechat", external_id=" m-1 ")
    assert created and not created_again
    assert again.pk == first.pk
    other, created_other = do_create_ticket(actor=org.agent_a, subject="c", channel="email", external_id="m-1")
    assert created_other and other.pk != first.pk
    assert [first.number, other.number] == ["TS202603100001", "TS202603100002"]
    assert Outbox.objects.filter(topic="ticket.created").count() == 2


# --- repeat detection -----------------------------------------------------------------------


def _repeat_setup(org, make_ticket, **fields):
    return make_ticket(customer=org.customer, category=org.categories["malfunction"], **fields)


def test_repeat_within_the_window_is_marked_and_linked(org, frozen_clock, make_ticket):
    first = _repeat_setup(org, make_ticket)
    frozen_clock.advance(timedelta(days=29))
    second = _repeat_setup(org, make_ticket)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.is_repeat and second.repeat_of == first
    assert not first.is_repeat
    assert TicketLink.objects.filter(source=second, target=first, kind=LinkKind.REPEAT_OF).count() == 1
    [event] = _events(second, EventType.REPEAT_DETECTED)
    assert event.data["previous_id"] == first.pk
    assert event.data["previous_number"] == first.number
    assert event.data["window_days"] == 30
    assert Outbox.objects.filter(topic="ticket.repeat_detected", payload__ticket_id=second.pk).count() == 1


def test_repeat_points_at_the_latest_earlier_ticket(org, frozen_clock, make_ticket):
    _repeat_setup(org, make_ticket)
    frozen_clock.advance(timedelta(days=1))
    second = _repeat_setup(org, make_ticket)
    frozen_clock.advance(timedelta(days=1))
    third = _repeat_setup(org, make_ticket)
    third.refresh_from_db()
    assert third.repeat_of == second


def test_repeat_outside_the_window_is_not_marked(org, frozen_clock, make_ticket):
    _repeat_setup(org, make_ticket)
    frozen_clock.advance(timedelta(days=31))
    later = _repeat_setup(org, make_ticket)
    later.refresh_from_db()
    assert not later.is_repeat and later.repeat_of is None
    assert not _events(later, EventType.REPEAT_DETECTED)
    assert not TicketLink.objects.filter(source=later).exists()


def test_repeat_window_is_an_option(org, frozen_clock, make_ticket):
    do_set_option(REPEAT_WINDOW_DAYS.key, 60, actor=None)
    first = _repeat_setup(org, make_ticket)
    frozen_clock.advance(timedelta(days=45))
    later = _repeat_setup(org, make_ticket)
    later.refresh_from_db()
    assert later.is_repeat and later.repeat_of == first
    assert _events(later, EventType.REPEAT_DETECTED)[0].data["window_days"] == 60


def test_repeat_window_zero_disables_detection(org, frozen_clock, make_ticket):
    do_set_option(REPEAT_WINDOW_DAYS.key, 0, actor=None)
    _repeat_setup(org, make_ticket)
    second = _repeat_setup(org, make_ticket)
    second.refresh_from_db()
    assert not second.is_repeat
    with pytest.raises(InvalidInput):
        do_set_option(REPEAT_WINDOW_DAYS.key, -1, actor=None)


def test_repeat_needs_the_same_category_and_customer(org, frozen_clock, make_ticket):
    make_ticket(customer=org.customer, category=org.categories["malfunction"])
    other_category = make_ticket(customer=org.customer, category=org.categories["delivery_delay"])
    other_customer = make_ticket(customer=org.vip, category=org.categories["malfunction"])
    no_category = make_ticket(customer=org.customer)
    no_customer = make_ticket(category=org.categories["malfunction"])
    for ticket in (other_category, other_customer, no_category, no_customer):
        ticket.refresh_from_db()
        assert not ticket.is_repeat, ticket.subject


def test_repeat_ignores_a_cancelled_earlier_ticket(org, frozen_clock, make_ticket):
    _repeat_setup(org, make_ticket, status="cancelled")
    later = _repeat_setup(org, make_ticket)
    later.refresh_from_db()
    assert not later.is_repeat and later.repeat_of is None


def test_repeat_ignores_a_merged_earlier_ticket(org, frozen_clock, make_ticket):
    earlier = _repeat_setup(org, make_ticket)
    do_merge_tickets(earlier, into=make_ticket(), actor=org.supervisor)
    later = _repeat_setup(org, make_ticket)
    later.refresh_from_db()
    assert not later.is_repeat


# --- lifecycle ------------------------------------------------------------------------------

ALL_PAIRS = [(a, b) for a in TicketStatus.values for b in TicketStatus.values]


@pytest.mark.parametrize(("start", "target"), [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]])
def test_every_allowed_transition(org, frozen_clock, make_ticket, start, target):
    ticket = make_ticket(status=start)
    before = Ticket.objects.get(pk=ticket.pk)
    outbox_before = Outbox.objects.filter(topic="ticket.status_changed").count()
    frozen_clock.advance(timedelta(hours=1))
    now = frozen_clock.now()
    do_transition_ticket(ticket, actor=org.supervisor, to_status=target, reason="测试")
    after = Ticket.objects.get(pk=ticket.pk)
    assert after.status == target
    assert after.updated_at == now
    if target in ("accepted", "in_progress"):
        assert after.accepted_at == (before.accepted_at or now)
    if target == "resolved":
        assert after.resolved_at == now and after.closed_at is None
    if target == "closed":
        assert after.closed_at == now
        assert after.resolved_at == before.resolved_at  # closing keeps when it was resolved
    if target == "reopened":
        assert after.resolved_at is None and after.closed_at is None
        assert after.reopen_count == before.reopen_count + 1
    else:
        assert after.reopen_count == before.reopen_count
    if target == "cancelled":
        assert after.resolved_at is None and after.closed_at is None
    event = _events(ticket, EventType.STATUS_CHANGED)[-1]
    assert event.data == {"old": start, "new": target, "reason": "测试"}
    assert event.actor == org.supervisor
    rows = list(Outbox.objects.filter(topic="ticket.status_changed").order_by("id"))
    assert len(rows) == outbox_before + 1
    assert rows[-1].payload["ticket_id"] == ticket.pk
    assert (rows[-1].payload["old"], rows[-1].payload["new"]) == (start, target)


@pytest.mark.parametrize(("start", "target"), [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]])
def test_every_disallowed_transition_is_refused(org, frozen_clock, make_ticket, start, target):
    ticket = make_ticket(status=start)
    with pytest.raises(InvalidTransition) as info:
        do_transition_ticket(ticket, actor=org.supervisor, to_status=target)
    assert info.value.details == {"from": start, "to": target, "allowed": list(TRANSITIONS[start])}
    assert Ticket.objects.get(pk=ticket.pk).status == start


def test_paths_used_by_the_fixtures_are_legal():
    for status, path in PATH_TO.items():
        current = "new"
        for step in path:
            assert step in TRANSITIONS[current]
            current = step
        assert current == status


def test_reopen_twice_counts_twice_and_keeps_first_acceptance(org, frozen_clock, make_ticket):
    ticket = make_ticket(status="in_progress")
    accepted_at = Ticket.objects.get(pk=ticket.pk).accepted_at
    for _ in range(2):
        frozen_clock.advance(timedelta(hours=1))
        do_transition_ticket(ticket, actor=org.supervisor, to_status="resolved")
        do_transition_ticket(ticket, actor=org.supervisor, to_status="closed")
        do_transition_ticket(ticket, actor=org.supervisor, to_status="reopened")
        do_transition_ticket(ticket, actor=org.supervisor, to_status="in_progress")
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.reopen_count == 2
    assert fresh.accepted_at == accepted_at
    assert fresh.resolved_at is None and fresh.closed_at is None


def test_unknown_status_is_invalid_input(org, frozen_clock, make_ticket):
    ticket = make_ticket()
    with pytest.raises(InvalidInput) as info:
        do_transition_ticket(ticket, actor=org.supervisor, to_status="archived")
    assert "status" in info.value.details


def test_a_merged_ticket_cannot_change(org, frozen_clock, make_ticket):
    source, master = make_ticket(), make_ticket()
    do_merge_tickets(source, into=master, actor=org.supervisor)
    with pytest.raises(Conflict):
        do_transition_ticket(source, actor=org.supervisor, to_status="reopened")
    source.refresh_from_db()
    assert source.status == "closed"


def test_update_without_changes_writes_nothing(org, frozen_clock, make_ticket):
    ticket = make_ticket(subject="同样", tags=["a"])
    do_update_ticket(ticket, actor=org.agent_a, subject="同样", tags=["a"])
    assert not _events(ticket, EventType.UPDATED)
    assert not Outbox.objects.filter(topic="ticket.updated").exists()
    with pytest.raises(InvalidInput):
        do_update_ticket(ticket, actor=org.agent_a, status="closed")
