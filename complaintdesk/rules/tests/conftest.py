from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from complaintdesk.rules import engine
from complaintdesk.rules.actions import do_create_rule
from complaintdesk.rules.models import Rule
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.models import Ticket


@pytest.fixture(autouse=True)
def _fresh_rule_cache() -> Iterator[None]:
    engine.forget_cache()
    yield
    engine.forget_cache()


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """``with commits():`` runs what would run after commit (subscribers: the rules engine)."""

    def run() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def no_shipped_rules(db: Any) -> None:
    """Most tests look at their own rules only."""
    Rule.objects.filter(is_shipped=True).update(enabled=False)


@pytest.fixture
def make_rule(db: Any) -> Callable[..., Rule]:
    def make(**body: Any) -> Rule:
        body.setdefault("name", "rule")
        body.setdefault("events", ["ticket.created"])
        return do_create_rule(actor=None, body=body)

    return make


@pytest.fixture
def make_ticket(org: Any, commits: Callable[[], Any]) -> Callable[..., Ticket]:
    def make(**fields: Any) -> Ticket:
        fields.setdefault("subject", "屏幕闪烁")
        fields.setdefault("actor", org.agent_a)
        with commits():
            ticket, _ = do_create_ticket(**fields)
        return Ticket.objects.get(pk=ticket.pk)

    return make
