"""Bad input never breaks the rules endpoints: random JSON bodies and query strings; every 4xx keeps
the one error shape (the shared helpers of tests/fuzzing.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintdesk.rules.actions import do_create_rule
from tests.fuzzing import (
    EDGE_INTS,
    FEW,
    FUZZ,
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

EVENTS = ["ticket.created", "ticket.updated", "sla.breached", "nope"]
ACTION_TYPES = ["set_fields", "set_category", "set_priority", "add_tags", "remove_tags", "assign",
                "add_internal_note", "teleport"]
text = st.one_of(st.text(max_size=60), huge_text)
weekday_keys = st.one_of(st.sampled_from(["1", "7", "8"]), st.text(max_size=3))
conditions = st.one_of(
    json_values,
    st.fixed_dictionaries({"field": one_of_or_junk("subject", "customer.tier", "category", "data.x", "nope"),
                           "op": one_of_or_junk("eq", "in", "contains", "any_keyword", "gt", "is_empty"),
                           "value": json_values}),
    st.builds(lambda c: {"all": c}, st.lists(json_values, max_size=3)),
    st.builds(lambda f: {"formula": f}, st.text(max_size=40)),
)
params = st.one_of(json_values, st.fixed_dictionaries({}, optional={
    "to": one_of_or_junk("user", "team", "department", "account_owner"), "team": json_values, "user": json_values,
    "department": json_values, "strategy": one_of_or_junk("round_robin", "skill", "x"), "fallback": json_values,
    "priority": one_of_or_junk("P1", "P9"), "raise": json_values, "tags": json_values, "body": text,
    "fields": json_values, "category": json_values,
}))
actions = st.one_of(json_values, st.lists(st.one_of(json_values, st.fixed_dictionaries(
    {"type": one_of_or_junk(*ACTION_TYPES)}, optional={"params": params})), max_size=4))
rule_fields = {
    "name": text, "description": text, "events": st.one_of(st.lists(one_of_or_junk(*EVENTS), max_size=4), json_values),
    "condition": conditions, "actions": actions, "order": st.one_of(st.sampled_from(EDGE_INTS), json_values),
    "stop_after": json_values, "enabled": json_values,
}


@pytest.fixture
def rule_id(org) -> int:
    return do_create_rule(actor=None, body={"name": "fuzz", "events": ["ticket.created"]}).pk


def _endpoints(rule_id: int, user_id: int) -> dict[str, tuple[str, str, st.SearchStrategy[Any]]]:
    return {
        "create_rule": ("post", "rules", body(rule_fields)),
        "patch_rule": ("patch", "rules/{id}", body(rule_fields)),
        "reorder": ("post", "rules/reorder", body({"ids": st.one_of(st.lists(ids(rule_id), max_size=5),
                                                                     json_values)})),
        "dry_run": ("post", "rules/dry-run", body({"rule": body(rule_fields), "days": ids(7, 30)})),
        "dry_run_saved": ("post", "rules/{id}/dry-run", body({"days": ids(7, 30)})),
        "enable": ("post", "rules/{id}/enable", json_values),
        "skills": ("put", "users/{id}/skills", body({"skills": st.one_of(st.lists(body({
            "category": one_of_or_junk("product_quality", "nope"), "product_line": json_values,
            "product": one_of_or_junk("PH-001"), "level": ids(1, 5)}), max_size=3), json_values)})),
        "working_hours": ("put", "users/{id}/working-hours", body({"working_hours": st.one_of(
            st.dictionaries(weekday_keys, json_values, max_size=3), json_values)})),
    }


@pytest.mark.parametrize("name", ["create_rule", "patch_rule", "reorder", "dry_run", "dry_run_saved", "enable",
                                  "skills", "working_hours"])
def test_random_json_bodies_never_break_the_rules_api(org, rule_id, name):
    api = org.client(org.admin)
    method, path, bodies = _endpoints(rule_id, org.agent_b.pk)[name]
    real = org.agent_b.pk if path.startswith("users") else rule_id

    @FUZZ
    @given(payload=bodies, segment=path_ids(real))
    def run(payload: Any, segment: str) -> None:
        url = "/api/v1/" + path.replace("{id}", segment)
        raw = json.dumps(payload)
        assert_well_formed(send(api, method, url, raw, "application/json"), (method, url, raw[:300]))

    run()


@pytest.mark.parametrize("path", ["rules/{id}/runs", "tickets/{id}/rule-runs"])
def test_random_queries_on_run_logs(org, rule_id, path):
    from complaintdesk.tickets.actions import do_create_ticket

    ticket, _ = do_create_ticket(actor=org.agent_a, subject="x")
    api = org.client(org.admin)
    query = st.dictionaries(st.sampled_from(["page", "page_size", "matched", "x"]),
                            st.one_of(st.sampled_from(EDGE_INTS).map(str), st.text(max_size=10),
                                      st.sampled_from(["true", "false", "1", "0", "yes"])), max_size=3)

    @FEW
    @given(params=query, segment=path_ids(rule_id if path.startswith("rules") else ticket.pk))
    def run(params: dict[str, Any], segment: str) -> None:
        url = "/api/v1/" + path.replace("{id}", segment)
        assert_well_formed(api.get(url, params), (url, params))

    run()
