"""Random bodies and path segments against every workflow endpoint: never a 500, always the one
error shape (the helpers of tests/test_api_robustness.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintdesk.workflows import actions as A
from complaintdesk.workflows.models import WorkItem
from complaintdesk.workflows.tests import fixtures as F
from tests.fuzzing import (
    FEW,
    assert_well_formed,
    body,
    huge_text,
    ids,
    json_values,
    one_of_or_junk,
    path_ids,
    send,
)

pytestmark = pytest.mark.django_db

TEXT = st.one_of(st.text(max_size=60), huge_text)


@pytest.fixture
def world(org: Any, make_ticket: Any, publish: Any) -> dict[str, Any]:
    definition = publish(F.REVIEW_LOOP, key="std")
    ticket = make_ticket()
    A.do_start_process(ticket, definition=definition, actor=org.agent_a)
    item = WorkItem.objects.get(ticket=ticket)
    return {"org": org, "ticket": ticket.pk, "item": item.pk}


def _endpoints(w: dict[str, Any]) -> list[tuple[str, str, int, Any]]:
    org = w["org"]
    user = ids(org.quality.pk, org.handler.pk)
    return [
        ("post", "processes", 0, body({"key": one_of_or_junk("fuzz", "BAD KEY"), "name": TEXT, "name_en": TEXT,
                                       "description": TEXT})),
        ("post", "processes/std/versions", 0, body({"bpmn_xml": one_of_or_junk(F.REVIEW_LOOP, "<x/>", "")})),
        ("post", "processes/std/versions/{id}/publish", 1, st.just({})),
        ("get", "processes/std/versions/{id}", 1, st.just(None)),
        ("get", "processes/std/versions/{id}/stats", 1, st.just(None)),
        ("post", "tickets/{id}/process", w["ticket"], body({"process": one_of_or_junk("std", "nope")})),
        ("get", "tickets/{id}/process", w["ticket"], st.just(None)),
        ("post", "tickets/{id}/process/cc", w["ticket"], body({"user_ids": st.one_of(st.lists(user, max_size=60),
                                                                                      json_values),
                                                                "comment": TEXT})),
        ("post", "work-items/{id}/claim", w["item"], st.just({})),
        ("post", "work-items/{id}/release", w["item"], st.just({})),
        ("post", "work-items/{id}/complete", w["item"], body({
            "outcome": one_of_or_junk("approve", "reject"), "comment": TEXT,
            "fields": st.one_of(st.dictionaries(st.sampled_from(["resolution", "amount", "x"]), json_values),
                                json_values)})),
        ("post", "work-items/{id}/transfer", w["item"], body({"user_id": user, "reason": TEXT})),
        ("post", "work-items/{id}/return", w["item"], body({"to_node": one_of_or_junk("handle", "start"),
                                                            "reason": TEXT})),
        ("post", "work-items/{id}/add-signer", w["item"], body({"user_id": user, "reason": TEXT,
                                                                "position": one_of_or_junk("before", "after")})),
        ("post", "work-items/{id}/urge", w["item"], body({"comment": TEXT})),
        ("post", "work-items/{id}/read", w["item"], st.just({})),
        ("get", "work-items/{id}", w["item"], st.just(None)),
        ("post", "tickets/{id}/process/withdraw", w["ticket"], body({"reason": TEXT})),
        ("post", "tickets/{id}/process/terminate", w["ticket"], body({"reason": TEXT})),
    ]


@pytest.mark.parametrize("index", range(19))
@pytest.mark.parametrize("who", ["admin", "handler"])
def test_random_requests_never_break_workflow_endpoints(world: dict[str, Any], index: int, who: str) -> None:
    org = world["org"]
    api = org.client(getattr(org, who))
    method, path, real_id, bodies = _endpoints(world)[index]

    @FEW
    @given(payload=bodies, segment=path_ids(real_id))
    def run(payload: Any, segment: str) -> None:
        url = "/api/v1/" + path.replace("{id}", segment)
        if method == "get":
            response = api.client.get(url, **api.headers)
        else:
            response = send(api, method, url, json.dumps(payload), "application/json")
        assert_well_formed(response, (method, url, str(payload)[:300]))

    run()


@pytest.mark.parametrize("who", ["admin", "agent_a"])
def test_random_inbox_queries(world: dict[str, Any], who: str) -> None:
    org = world["org"]
    api = org.client(getattr(org, who))

    @FEW
    @given(box=one_of_or_junk("mine", "team", "overdue", "cc", "done", "all"), page=ids(1), size=ids(50))
    def run(box: Any, page: Any, size: Any) -> None:
        response = api.get("work-items", {"box": str(box), "page": str(page), "page_size": str(size)})
        assert_well_formed(response, (box, page, size))

    run()
