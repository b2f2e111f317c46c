"""In-process reactions of the tickets app to other apps' domain events."""

from __future__ import annotations

from complaintdesk.core import events as ev
from complaintdesk.tickets.actions import do_refresh_customer_search_text


@ev.subscribe(ev.CUSTOMER_UPDATED)
def refresh_search_text(event: ev.DomainEvent) -> None:
    if {"name", "phone"} & set(event.payload.get("changes", [])):
        do_refresh_customer_search_text(int(event.payload["customer_id"]))
