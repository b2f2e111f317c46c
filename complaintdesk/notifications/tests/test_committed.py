"""With real commits (no test transaction around them): the after-commit chain of immediate job
mode, a consumer that dies mid-send, and two consumers sending the same due rows at once.

Transactional tests start from whatever the last flush left: the data migrations' seeds (roles,
categories, the shipped templates) are loaded again."""

from __future__ import annotations

import importlib
import threading
from collections import Counter

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction

from complaintdesk.core import events as ev
from complaintdesk.customers.actions import do_create_customer
from complaintdesk.notifications import actions
from complaintdesk.notifications.choices import DeliveryStatus
from complaintdesk.notifications.delivery import LEASE, _claim_next, deliver_due
from complaintdesk.notifications.models import NotificationDelivery
from complaintdesk.notifications.tests.conftest import WEBHOOK_SECRET
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.choices import Channel

pytestmark = pytest.mark.django_db(transaction=True)

SEEDS = (("complaintdesk.accounts.migrations.0002_default_roles", "seed_roles"),
         ("complaintdesk.tickets.migrations.0002_seed_and_search", "seed_categories"),
         ("complaintdesk.notifications.migrations.0002_shipped_templates", "load"))


@pytest.fixture(autouse=True)
def _seeded(transactional_db: None) -> None:
    for module, name in SEEDS:
        getattr(importlib.import_module(module), name)(django_apps, None)


def test_intake_commit_sends_acknowledgement_and_webhook_without_a_consumer(org, smtp_server, receiver):
    actions.do_create_webhook(actor=None, name="ERP", url=f"{receiver.url}/erp", event_patterns=["ticket.created"],
                              secret=WEBHOOK_SECRET)
    customer = do_create_customer(name="陈一", email="c1@example.com", actor=None)
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="洗衣机漏水", channel=Channel.EMAIL, customer=customer)
    # Immediate job mode: the commit ran the outbox, the fan-out and the sends.
    assert [rcpt for _, rcpt, _ in smtp_server.messages] == [["c1@example.com"]]
    assert ticket.number in smtp_server.bodies()[0]
    [hook] = receiver.requests
    assert hook.verified and hook.json()["data"]["ticket_id"] == ticket.pk
    assert set(NotificationDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_consumer_that_dies_mid_send_loses_nothing(org, receiver, frozen_clock):
    receiver.script = [200]
    webhook = actions.do_create_webhook(actor=None, name="ERP", url=f"{receiver.url}/erp",
                                        event_patterns=["sla.breached"], secret=WEBHOOK_SECRET, enabled=False)
    with transaction.atomic():
        actions.do_enable_webhook(webhook, actor=None)  # enabled only now: nothing was sent on commit
    from complaintdesk.notifications.delivery import enqueue_delivery

    with transaction.atomic():
        delivery = enqueue_delivery(idempotency_key="crash-test", purpose="webhook", channel_kind="webhook",
                                    webhook=webhook, target=webhook.url, event=ev.SLA_BREACHED, payload={"n": 1})
    # The commit's kick sent it at once; make it due again and let a "consumer" claim it and die.
    NotificationDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED,
                                                               next_attempt_at=frozen_clock.now())
    claimed = _claim_next()
    assert claimed is not None and claimed.pk == delivery.pk
    assert deliver_due() == 0  # leased: nobody else takes it
    frozen_clock.advance(LEASE)
    assert deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert {r.headers["x-complaintdesk-delivery"] for r in receiver.requests} == {delivery.delivery_id}


def test_two_consumers_send_each_due_delivery_once(org, receiver, frozen_clock):
    webhook = actions.do_create_webhook(actor=None, name="BI", url=f"{receiver.url}/bi", event_patterns=["sla.*"],
                                        secret=WEBHOOK_SECRET, enabled=False)
    # Rows written directly: enqueue_delivery would send each one on commit, and the point here is
    # forty rows that are due when both consumers start.
    with transaction.atomic():
        for n in range(40):
            NotificationDelivery.objects.create(
                idempotency_key=f"concurrent:{n}", purpose="webhook", channel_kind="webhook", webhook=webhook,
                target=webhook.url, event=ev.SLA_WARNING, payload={"n": n}, next_attempt_at=frozen_clock.now())
    actions.do_enable_webhook(webhook, actor=None)
    errors: list[BaseException] = []

    def consumer() -> None:
        try:
            deliver_due()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=consumer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    counts = Counter(r.headers["x-complaintdesk-delivery"] for r in receiver.requests)
    assert len(counts) == 40 and set(counts.values()) == {1}
    assert NotificationDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 40
