"""The transactional outbox: rows written with the change, delivered at least once, retried with backoff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction

from complaintdesk.core import events as ev
from complaintdesk.core.models import AuditLog, Outbox, OutboxStatus
from complaintdesk.core.outbox import MAX_ATTEMPTS, MAX_BACKOFF_SECONDS, backoff_for, deliver_due
from complaintdesk.core.tasks import deliver_outbox, deliver_outbox_sweep
from complaintdesk.customers.actions import do_create_customer
from complaintdesk.customers.models import Customer


class Recorder:
    """An outbox handler that records what it was given and fails while ``failures`` > 0."""

    def __init__(self, failures: int = 0, side_effect=None) -> None:
        self.events: list[ev.DomainEvent] = []
        self.failures = failures
        self.side_effect = side_effect

    def __call__(self, event: ev.DomainEvent) -> None:
        self.events.append(event)
        if self.side_effect is not None:
            self.side_effect(event)
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("receiver is down")


@pytest.fixture
def register():
    """Register outbox handlers for one test and remove them afterwards."""
    registered: list[Recorder] = []

    def _register(pattern: str, **kwargs) -> Recorder:
        handler = Recorder(**kwargs)
        ev.outbox_handler(pattern)(handler)
        registered.append(handler)
        return handler

    yield _register
    for handler in registered:
        ev.remove_outbox_handler(handler)
    for topic in ev.REGISTRY:
        assert not set(ev.outbox_handlers_for(topic)) & set(registered)


def publish(name: str = ev.CUSTOMER_CREATED, payload: dict | None = None) -> Outbox:
    with transaction.atomic():
        event = ev.publish(name, payload if payload is not None else {"customer_id": 1})
    assert event.outbox_id is not None
    return Outbox.objects.get(pk=event.outbox_id)


def test_tests_run_jobs_immediately():
    assert settings.HUEY["immediate"] is True


def test_publish_inside_a_transaction_writes_a_pending_row(db, frozen_clock):
    row = publish(ev.CUSTOMER_UPDATED, {"customer_id": 7, "changes": ["name"]})
    assert row.topic == "customer.updated"
    assert row.payload == {"customer_id": 7, "changes": ["name"]}
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 0
    assert row.created_at == row.available_at == frozen_clock.now()
    assert row.delivered_at is None
    assert row.last_error == ""


def test_rolled_back_transaction_writes_nothing_and_delivers_nothing(db, register, django_capture_on_commit_callbacks):
    handler = register("*")
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        ev.publish(ev.CUSTOMER_CREATED, {"customer_id": 1})
        raise RuntimeError("the action failed after publishing")
    assert callbacks == []
    assert Outbox.objects.count() == 0
    assert handler.events == []


def test_rolled_back_action_leaves_no_trace(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        do_create_customer(name="张三", actor=None)
        raise RuntimeError("boom")
    assert callbacks == []
    assert not Customer.objects.exists()
    assert not Outbox.objects.exists()
    assert not AuditLog.objects.exists()


def test_commit_delivers_to_matching_handlers(db, frozen_clock, register, django_capture_on_commit_callbacks):
    customers = register("customer.*")
    users = register("user.*")
    everything = register("*")
    with django_capture_on_commit_callbacks(execute=True):
        customer = do_create_customer(name="张三", phone="13800138000", actor=None)
    row = Outbox.objects.get(topic="customer.created")
    assert [e.name for e in customers.events] == ["customer.created"]
    assert customers.events[0].payload == {"customer_id": customer.pk}
    assert customers.events[0].outbox_id == row.pk
    assert users.events == []
    assert [e.outbox_id for e in everything.events] == [row.pk]
    assert row.status == OutboxStatus.DELIVERED
    assert row.attempts == 1
    assert row.delivered_at == frozen_clock.now()
    assert row.last_error == ""


def test_in_process_subscribers_run_after_commit_and_cannot_break_delivery(
    db, register, django_capture_on_commit_callbacks
):
    handler = register("customer.created")
    seen: list[str] = []

    def broken(event: ev.DomainEvent) -> None:
        seen.append(event.name)
        raise ValueError("subscriber bug")

    ev.subscribe(ev.CUSTOMER_CREATED)(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            ev.publish(ev.CUSTOMER_CREATED, {"customer_id": 1})
            assert seen == []  # not before commit
    finally:
        ev.unsubscribe(ev.CUSTOMER_CREATED, broken)
    assert seen == ["customer.created"]
    assert len(handler.events) == 1
    assert Outbox.objects.get().status == OutboxStatus.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_triggers_delivery(register):
    handler = register("customer.*")
    with transaction.atomic():
        customer = do_create_customer(name="王五", actor=None)
        assert handler.events == []
    assert [e.payload["customer_id"] for e in handler.events] == [customer.pk]
    assert Outbox.objects.get().status == OutboxStatus.DELIVERED


def test_failing_handler_leaves_the_row_pending_with_backoff(db, frozen_clock, register):
    handler = register("customer.*", failures=100)
    row = publish()
    t0 = frozen_clock.now()

    assert deliver_due() == 0
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert "receiver is down" in row.last_error
    assert "Recorder" in row.last_error  # names the failing handler
    assert row.available_at == t0 + timedelta(seconds=10)
    assert row.delivered_at is None

    # Not due yet: nothing happens.
    frozen_clock.advance(timedelta(seconds=9))
    deliver_due()
    row.refresh_from_db()
    assert row.attempts == 1
    assert len(handler.events) == 1

    frozen_clock.advance(timedelta(seconds=1))
    deliver_due()
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.available_at == frozen_clock.now() + timedelta(seconds=20)

    frozen_clock.advance(timedelta(seconds=20))
    deliver_due()
    row.refresh_from_db()
    assert row.attempts == 3
    assert row.available_at == frozen_clock.now() + timedelta(seconds=40)
    assert len(handler.events) == 3


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 10), (2, 20), (3, 40), (4, 80), (9, 2560), (10, 3600),
                                                   (11, 3600), (30, 3600)])
def test_backoff_doubles_and_is_capped(attempts, seconds):
    assert backoff_for(attempts) == timedelta(seconds=seconds)
    assert backoff_for(attempts) <= timedelta(seconds=MAX_BACKOFF_SECONDS)


def test_row_is_dead_after_max_attempts(db, frozen_clock, register):
    handler = register("customer.*", failures=10**6)
    row = publish()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        deliver_due()
        row.refresh_from_db()
        assert row.attempts == attempt
        expected = OutboxStatus.DEAD if attempt == MAX_ATTEMPTS else OutboxStatus.PENDING
        assert row.status == expected
        frozen_clock.advance(timedelta(seconds=MAX_BACKOFF_SECONDS))
    assert len(handler.events) == MAX_ATTEMPTS
    assert "receiver is down" in row.last_error
    # A dead row is never tried again.
    frozen_clock.advance(timedelta(days=1))
    assert deliver_due() == 0
    assert len(handler.events) == MAX_ATTEMPTS


def test_failed_row_recovers_with_the_same_idempotency_key(db, frozen_clock, register):
    handler = register("customer.*", failures=1)
    row = publish()
    deliver_due()
    frozen_clock.advance(timedelta(seconds=10))
    assert deliver_due() == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED
    assert row.attempts == 2
    assert row.last_error == ""
    assert row.delivered_at == frozen_clock.now()
    assert [e.outbox_id for e in handler.events] == [row.pk, row.pk]


def test_every_handler_must_succeed_before_the_row_is_delivered(db, frozen_clock, register):
    ok = register("customer.*")
    flaky = register("customer.created", failures=1)
    row = publish()
    deliver_due()
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    frozen_clock.advance(timedelta(seconds=10))
    deliver_due()
    row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED
    # At least once: the handler that succeeded first ran again on the retry.
    assert len(ok.events) == 2
    assert len(flaky.events) == 2


def test_writes_of_a_failing_handler_are_rolled_back(db, register):
    def write_then_fail(event: ev.DomainEvent) -> None:
        AuditLog.objects.create(action="webhook.sent", object_type="outbox", object_id=str(event.outbox_id))

    register("customer.*", failures=1, side_effect=write_then_fail)
    row = publish()
    deliver_due()
    assert not AuditLog.objects.filter(action="webhook.sent").exists()
    row.refresh_from_db()
    assert row.attempts == 1  # yet the attempt itself was recorded


def test_running_delivery_twice_delivers_once(db, register):
    handler = register("customer.*")
    row = publish()
    assert deliver_due() == 1
    assert deliver_due() == 0
    assert deliver_outbox.call_local() == 0
    assert len(handler.events) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_rows_are_delivered_oldest_first_and_limit_is_respected(db, frozen_clock, register):
    handler = register("customer.*")
    first = publish(payload={"customer_id": 1})
    frozen_clock.advance(timedelta(seconds=1))
    second = publish(payload={"customer_id": 2})
    assert deliver_due(limit=1) == 1
    assert [e.outbox_id for e in handler.events] == [first.pk]
    assert deliver_due() == 1
    assert [e.outbox_id for e in handler.events] == [first.pk, second.pk]


def test_rows_without_handlers_are_marked_delivered(db):
    row = publish(ev.USER_CREATED, {"user_id": 1})
    assert deliver_outbox_sweep.call_local() == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED


def test_unknown_event_names_raise(db):
    with pytest.raises(ValueError), transaction.atomic():
        ev.publish("ticket.teleported", {})
    assert not Outbox.objects.exists()
    with pytest.raises(ValueError):
        ev.subscribe("ticket.teleported")
    with pytest.raises(ValueError):
        ev.define(ev.TICKET_CREATED, "again")


def test_handler_patterns(register):
    ticket_handler = register("ticket.*")
    exact = register("ticket.created")
    assert ticket_handler in ev.outbox_handlers_for("ticket.created")
    assert exact in ev.outbox_handlers_for("ticket.created")
    assert exact not in ev.outbox_handlers_for("ticket.created_again")
    assert ticket_handler not in ev.outbox_handlers_for("customer.created")
    ev.remove_outbox_handler(exact)
    assert exact not in ev.outbox_handlers_for("ticket.created")
