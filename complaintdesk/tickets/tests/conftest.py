"""Helpers for the tickets tests: tickets created through the action, and a throw-away media folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import override_settings

from complaintdesk.tickets.actions import do_create_ticket, do_transition_ticket
from complaintdesk.tickets.models import Ticket

# How to reach each status from "new" through the lifecycle (the shortest allowed path).
PATH_TO: dict[str, list[str]] = {
    "new": [],
    "accepted": ["accepted"],
    "in_progress": ["in_progress"],
    "pending_customer": ["accepted", "pending_customer"],
    "resolved": ["resolved"],
    "closed": ["resolved", "closed"],
    "reopened": ["resolved", "reopened"],
    "cancelled": ["cancelled"],
}


@pytest.fixture
def make_ticket(org: Any) -> Callable[..., Ticket]:
    """``make_ticket(subject=..., actor=..., status=..., **fields)``: a ticket registered through
    ``do_create_ticket`` (by agent_a unless told) and moved to ``status`` through the lifecycle."""

    counter = iter(range(1, 1_000_000))

    def make(*, actor: Any = "default", status: str = "new", **fields: Any) -> Ticket:
        fields.setdefault("subject", f"投诉 {next(counter)}")
        who = org.agent_a if actor == "default" else actor
        ticket, created = do_create_ticket(actor=who, **fields)
        assert created
        for step in PATH_TO[status]:
            do_transition_ticket(ticket, actor=who, to_status=step)
        return ticket

    return make


@pytest.fixture
def media_root(tmp_path: Any) -> Iterator[Any]:
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path
