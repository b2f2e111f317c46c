"""Real threads, real transactions: one winner per work item, no lost or doubled engine steps
(SQLite with BEGIN IMMEDIATE, PostgreSQL with row locks)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.db import connection

from complaintdesk.accounts.actions import do_create_api_token
from complaintdesk.core.errors import Conflict
from complaintdesk.tickets.models import TicketEvent
from complaintdesk.workflows import actions as A
from complaintdesk.workflows.models import ProcessInstance, WorkItem
from complaintdesk.workflows.tests import fixtures as F
from tests import test_concurrency as live

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The threaded live server and the re-seeding after each flush, shared with tests/test_concurrency.py.
Server = live.Server
server = live.server
_seeded = live._seeded


def race(calls: list[Callable[[], Any]]) -> list[str]:
    """Run ``calls`` at once, each in its own thread and connection; "ok" or the error class."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = [""] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            calls[i]()
            results[i] = "ok"
        except Conflict:
            results[i] = "conflict"
        except Exception as exc:  # surfaced in the assertion
            results[i] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_same_item_completed_twice_at_once(org: Any, make_ticket: Any, publish: Any) -> None:
    xml = F.linear(("t", "处理", {"assignee": {"type": "users", "users": ["handler", "quality"]}}),
                   ("next", "复核", {"assignee": {"type": "initiator"}}), pid="race")
    definition = publish(xml, key="race")
    for _ in range(4):
        ticket = make_ticket()
        instance = A.do_start_process(ticket, definition=definition, actor=org.agent_a)
        [item] = WorkItem.objects.filter(instance=instance)
        results = race([lambda u=u, i=item: A.do_complete_work_item(i, actor=u, comment=u.username)  # type: ignore[misc]
                        for u in (org.handler, org.quality)])
        assert Counter(results) == Counter({"ok": 1, "conflict": 1}), results
        item.refresh_from_db()
        assert item.state == "completed"
        assert WorkItem.objects.filter(instance=instance, node_id="next").count() == 1
        assert TicketEvent.objects.filter(ticket=ticket, type="task_completed").count() == 1
        instance.refresh_from_db()
        assert instance.lock_version == 2  # start + one completion: no step lost or doubled


def test_countersigners_completing_together(org: Any, make_ticket: Any, publish: Any) -> None:
    xml = F.linear(("cs", "会签", {"assignee": {"type": "users", "users": ["handler", "quality", "supervisor"]},
                                  "multi": {"mode": "all"}}),
                   ("next", "复核", {"assignee": {"type": "initiator"}}), pid="cs_race")
    definition = publish(xml, key="cs_race")
    for _ in range(3):
        instance = A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a)
        items = list(WorkItem.objects.filter(instance=instance).select_related("assignee"))
        results = race([lambda i=i: A.do_complete_work_item(i, actor=i.assignee) for i in items])  # type: ignore[misc]
        assert results == ["ok", "ok", "ok"], results
        assert WorkItem.objects.filter(instance=instance, node_id="next").count() == 1
        assert ProcessInstance.objects.get(pk=instance.pk).lock_version == 4


def test_claim_race(org: Any, make_ticket: Any, publish: Any) -> None:
    xml = F.linear(("t", "处理", {"assignee": {"type": "users", "users": ["handler", "quality"]}}), pid="claim")
    instance = A.do_start_process(make_ticket(), definition=publish(xml, key="claim"), actor=org.agent_a)
    [item] = WorkItem.objects.filter(instance=instance)
    results = race([lambda u=u: A.do_claim_work_item(item, actor=u) for u in (org.handler, org.quality)])  # type: ignore[misc]
    assert Counter(results) == Counter({"ok": 1, "conflict": 1}), results


def test_two_people_complete_the_same_item_over_http(org: Any, make_ticket: Any, publish: Any,
                                                     server: Server) -> None:
    xml = F.linear(("t", "处理", {"assignee": {"type": "users", "users": ["handler", "quality"]}}),
                   ("next", "复核", {"assignee": {"type": "initiator"}}), pid="http_race")
    definition = publish(xml, key="http_race")
    tokens = [do_create_api_token(user=u, name="race", actor=None)[1] for u in (org.handler, org.quality)]
    for _ in range(3):
        instance = A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a)
        [item] = WorkItem.objects.filter(instance=instance)
        barrier = threading.Barrier(2)
        answers: list[tuple[int, dict[str, Any]]] = []

        def post(token: str, item_id: int = item.pk, barrier: threading.Barrier = barrier,
                 answers: list[tuple[int, dict[str, Any]]] = answers) -> None:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                barrier.wait()
                r = client.post(f"/api/v1/work-items/{item_id}/complete", json={"comment": "mine"},
                                headers={"Authorization": f"Bearer {token}"})
                answers.append((r.status_code, r.json()))

        threads = [threading.Thread(target=post, args=(t,)) for t in tokens]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(code for code, _ in answers) == [200, 409], answers
        loser = next(body for code, body in answers if code == 409)
        assert loser["code"] == "work_item_handled" and " / " in loser["message"]
        assert WorkItem.objects.filter(instance=instance, node_id="next").count() == 1
