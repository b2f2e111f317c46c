from __future__ import annotations

from typing import Any

import pytest

from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.models import Ticket
from complaintdesk.workflows.actions import do_import_process
from complaintdesk.workflows.models import ProcessDefinition


@pytest.fixture
def make_ticket(org: Any) -> Any:
    def make(**kwargs: Any) -> Ticket:
        kwargs.setdefault("subject", "屏幕闪烁")
        kwargs.setdefault("department", org.after_sales)
        ticket, _ = do_create_ticket(actor=kwargs.pop("actor", org.agent_a), **kwargs)
        return ticket

    return make


@pytest.fixture
def publish() -> Any:
    def do(xml: str, key: str = "test") -> ProcessDefinition:
        version = do_import_process(key=key, name=key, bpmn_xml=xml)
        return version.definition

    return do
