"""Helpers for the alert tests: complaints registered through ``do_create_ticket`` at chosen
moments of the frozen clock, and alert rules created through the action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from complaintdesk.core import clock
from complaintdesk.core.models import Outbox
from complaintdesk.customers.actions import do_create_product
from complaintdesk.customers.models import Product
from complaintdesk.insights.actions import do_create_alert_rule
from complaintdesk.insights.models import AlertRule
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.models import Ticket


@pytest.fixture
def second_product(org: Any) -> Product:
    return do_create_product(sku="PH-002", name="星辰 X2 手机", line=org.product.line, actor=None)


@pytest.fixture
def complain(org: Any, frozen_clock: Any) -> Callable[..., list[Ticket]]:
    """``complain(n, at=datetime | days_ago=float, **ticket fields)``: ``n`` complaints registered at
    that moment (the clock goes back to where it was afterwards). ``days_ago=0`` means a minute
    ago: a window ends *before* the moment it is evaluated at."""

    def make(n: int = 1, *, at: datetime | None = None, days_ago: float = 0, **fields: Any) -> list[Ticket]:
        here = clock.now()
        moment = at if at is not None else here - (timedelta(days=days_ago) or timedelta(minutes=1))
        fields.setdefault("product", org.product)
        made = []
        try:
            clock.set_now(moment)
            for i in range(n):
                ticket, _ = do_create_ticket(actor=org.agent_a, subject=f"投诉 {moment:%m%d%H%M} #{i}", **fields)
                made.append(ticket)
        finally:
            clock.set_now(here)
        return made

    return make


@pytest.fixture
def make_rule(org: Any) -> Callable[..., AlertRule]:
    """An alert rule by product over 7 days with blue 2 / yellow 4 / red 6 unless told otherwise."""

    def make(**fields: Any) -> AlertRule:
        values: dict[str, Any] = {
            "name": "产品7天投诉量", "grouping": "product", "window_days": 7, "metric": "count",
            "threshold_blue": 2, "threshold_yellow": 4, "threshold_red": 6, "owners": [org.quality],
        }
        values.update(fields)
        return do_create_alert_rule(actor=org.admin, **values)

    return make


def published(topic: str, **match: Any) -> list[dict[str, Any]]:
    """Payloads of the outbox rows of ``topic`` whose payload contains ``match``."""
    rows = Outbox.objects.filter(topic=topic).order_by("id")
    return [r.payload for r in rows if all(r.payload.get(k) == v for k, v in match.items())]
