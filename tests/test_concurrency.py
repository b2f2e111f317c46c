"""Concurrency through real HTTP against a live threaded server, on SQLite (WAL + BEGIN IMMEDIATE) and
PostgreSQL: idempotent intake, gap-free numbering, and one winner for a contested status change.

The tests are transactional (the server's threads must see committed rows), so they start from
whatever the last flush left: the roles and categories that data migrations seed are seeded again.

The server is Django's live test server shaped like a production worker pool: every client connects
at once (a large listen backlog, as gunicorn's) and a fixed number of requests run in parallel, each
with its own database connection (PostgreSQL's connection limit is shared with other test runs).
Django's defaults — a backlog of 10 and unbounded threads — would make the kernel reset connections
or PostgreSQL refuse clients, which tests the harness, not us.
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from django.apps import apps as django_apps
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection, transaction
from django.test.testcases import LiveServerThread

from complaintdesk.accounts.actions import do_create_api_token
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.choices import EventType, TicketStatus
from complaintdesk.tickets.models import Ticket, TicketEvent

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NUMBER = re.compile(r"^(?P<prefix>TS\d{8})(?P<seq>\d{4,})$")


PARALLEL_REQUESTS = 16
SEEDS = (("complaintdesk.accounts.migrations.0002_default_roles", "seed_roles"),
         ("complaintdesk.tickets.migrations.0002_seed_and_search", "seed_categories"))


@pytest.fixture(autouse=True)
def _seeded(transactional_db: None) -> None:
    # The flush after a transactional test empties every table; the seeds are idempotent.
    # (serialized_rollback would restore them, but clashes with the content types that the
    # flush of a transactional test without it re-creates.)
    for module, name in SEEDS:
        getattr(importlib.import_module(module), name)(django_apps, None)


class _PooledServer(ThreadedWSGIServer):
    request_queue_size = 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._slots = threading.BoundedSemaphore(PARALLEL_REQUESTS)
        self._count_lock = threading.Lock()
        self.in_flight = 0

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        # The slot is released after the request's database connection has been closed.
        with self._slots:
            with self._count_lock:
                self.in_flight += 1
            try:
                super().process_request_thread(request, client_address)
            finally:
                with self._count_lock:
                    self.in_flight -= 1


class _ServerThread(LiveServerThread):
    server_class = _PooledServer


@dataclass
class Server:
    url: str
    httpd: _PooledServer


@pytest.fixture
def server(transactional_db: None) -> Iterator[Server]:
    """A threaded live server sharing the test database."""
    thread = _ServerThread("127.0.0.1", static_handler=lambda handler: handler)  # type: ignore[arg-type]
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield Server(f"http://127.0.0.1:{thread.port}", thread.httpd)  # type: ignore[arg-type]
    thread.terminate()


@contextmanager
def _tickets_write_gate(server: Server, expected: int) -> Iterator[None]:
    """Keep writes to tickets blocked until ``expected`` requests are being served, so that they all
    read the same state before any of them may change it — the worst interleaving, made likely.

    Without the gate, the GIL and SQLite's speed let one request finish before the next one reads,
    and a missing re-check under lock would go unnoticed. SQLite: BEGIN IMMEDIATE holds the database's
    write lock. PostgreSQL: EXCLUSIVE mode on the ticket table still allows plain reads only.
    """
    locked, opened = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(f"LOCK TABLE {Ticket._meta.db_table} IN EXCLUSIVE MODE")
                locked.set()
                opened.wait(timeout=120)
        except BaseException as exc:
            failures.append(exc)
            locked.set()
        finally:
            connection.close()

    def open_when_busy() -> None:
        waited = 0.0
        while server.httpd.in_flight < min(expected, PARALLEL_REQUESTS) and waited < 60:
            time.sleep(0.02)
            waited += 0.02
        time.sleep(0.5)  # let the last arrivals get past their reads
        opened.set()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    locked.wait(timeout=60)
    if failures:
        raise failures[0]
    opener = threading.Thread(target=open_when_busy, daemon=True)
    opener.start()
    try:
        yield
    finally:
        opened.set()
        holder.join(timeout=60)
        opener.join(timeout=60)
    if failures:
        raise failures[0]


def _token(server: Server, user: Any) -> str:
    """A token already in use: its first use writes last_used_at, which on SQLite would queue the
    racing requests one behind the other before they reach the code under test."""
    _, secret = do_create_api_token(user=user, name="concurrency", actor=None)
    assert httpx.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    return secret


def _together(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads released at once by a barrier; re-raise the first failure."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = work(i)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a request thread hung"
    if failures:
        raise failures[0]
    return results


def _post(base: str, token: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    # One connection per call: every thread is a separate client, as redelivering webhooks are.
    response = httpx.post(f"{base}/api/v1/{path}", json=body, headers={"Authorization": f"Bearer {token}"},
                          timeout=120)
    try:
        payload = response.json()
    except ValueError:
        payload = response.text
    return response.status_code, payload


@pytest.fixture(autouse=True)
def _quiet_client_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="httpx")


def _assert_no_server_errors(results: list[tuple[int, Any]], caplog: pytest.LogCaptureFixture) -> None:
    statuses = Counter(status for status, _ in results)
    assert all(status < 500 for status in statuses), (statuses, [b for s, b in results if s >= 500][:3])
    assert "database is locked" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text[:2000]


def test_same_channel_message_posted_by_50_clients_at_once_makes_one_ticket(server, org, caplog):
    token = _token(server, org.agent_a)
    body = {"subject": "微信重复推送：手机无法开机", "channel": "wechat", "external_id": "wx-msg-concurrent-1",
            "category_key": "malfunction", "description": "同一条消息被推送多次"}

    with _tickets_write_gate(server, expected=50):
        results = _together(50, lambda i: _post(server.url, token, "tickets", body))

    _assert_no_server_errors(results, caplog)
    statuses = Counter(status for status, _ in results)
    assert statuses[201] == 1, statuses
    assert statuses[200] == 49, statuses
    assert len({payload["id"] for _, payload in results}) == 1
    assert len({payload["number"] for _, payload in results}) == 1
    tickets = Ticket.objects.filter(channel="wechat", external_id="wx-msg-concurrent-1")
    assert tickets.count() == 1
    assert Ticket.objects.count() == 1
    ticket = tickets.get()
    assert TicketEvent.objects.filter(ticket=ticket, type=EventType.CREATED).count() == 1
    # The losers' rolled-back transactions returned their numbers: the one ticket is the day's first.
    assert NUMBER.match(ticket.number) and int(NUMBER.match(ticket.number)["seq"]) == 1  # type: ignore[index,unused-ignore]


def test_200_distinct_posts_make_200_tickets_with_gap_free_numbers(server, org, caplog):
    assert Ticket.objects.count() == 0
    token = _token(server, org.agent_a)

    def post(i: int) -> tuple[int, Any]:
        return _post(server.url, token, "tickets", {
            "subject": f"并发登记 {i}", "channel": "api", "external_id": f"load-{i}", "urgency": "high",
        })

    results = _together(200, post)

    _assert_no_server_errors(results, caplog)
    assert Counter(status for status, _ in results) == {201: 200}
    ids = {payload["id"] for _, payload in results}
    numbers = [payload["number"] for _, payload in results]
    assert len(ids) == 200
    assert len(set(numbers)) == 200
    assert Ticket.objects.count() == 200
    assert set(Ticket.objects.values_list("number", flat=True)) == set(numbers)
    assert {t.external_id for t in Ticket.objects.all()} == {f"load-{i}" for i in range(200)}
    # Numbers restart per local day; within each day (a run may straddle midnight) they are 1..n.
    by_day: dict[str, list[int]] = defaultdict(list)
    for number in numbers:
        match = NUMBER.match(number)
        assert match, number
        by_day[match["prefix"]].append(int(match["seq"]))
    for day, seqs in by_day.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), (day, sorted(seqs))


def test_20_clients_accepting_the_same_ticket_one_wins(server, org, caplog):
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="屏幕闪烁", channel="phone")
    token = _token(server, org.supervisor)

    with _tickets_write_gate(server, expected=20):
        results = _together(20, lambda i: _post(server.url, token, f"tickets/{ticket.pk}/transition",
                                                {"status": "accepted", "reason": f"client {i}"}))

    _assert_no_server_errors(results, caplog)
    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 1, 409: 19}, statuses
    winner = next(payload for status, payload in results if status == 200)
    assert winner["status"] == TicketStatus.ACCEPTED
    for status, payload in results:
        if status == 409:
            assert payload["code"] == "invalid_transition", payload
            assert payload["details"]["from"] == TicketStatus.ACCEPTED
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ACCEPTED
    assert ticket.accepted_at is not None
    changes = TicketEvent.objects.filter(ticket=ticket, type=EventType.STATUS_CHANGED)
    assert changes.count() == 1
    event = changes.get()
    assert (event.data["old"], event.data["new"]) == (TicketStatus.NEW, TicketStatus.ACCEPTED)
    assert event.actor_id == org.supervisor.pk
