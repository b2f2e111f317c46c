"""Bad input never breaks the alert and improvement endpoints: random JSON bodies and query strings
(the helpers and checks of tests/test_api_robustness.py) answer 2xx or the one 4xx error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintdesk.improvement.actions import do_create_improvement
from complaintdesk.insights.actions import do_create_alert_rule, do_evaluate_alert_rule
from complaintdesk.insights.models import Alert
from complaintdesk.tickets.actions import do_create_ticket
from tests.fuzzing import (
    FEW,
    FUZZ,
    assert_well_formed,
    body,
    ids,
    json_values,
    one_of_or_junk,
    path_ids,
    query_value,
    send,
)

pytestmark = pytest.mark.django_db

text = st.text(max_size=60)
thresholds = st.one_of(body({"blue": json_values, "yellow": json_values, "red": json_values}),
                       st.fixed_dictionaries({"blue": st.integers(-3, 30), "yellow": st.integers(-3, 30),
                                              "red": st.integers(-3, 30)}))
condition = st.one_of(json_values, st.sampled_from([
    {"field": "channel", "op": "eq", "value": "phone"}, {"formula": "1"}, {"all": []}, {"any": [{"not": {}}]},
    {"field": "category", "op": "in", "value": ["malfunction", "nope"]},
]))


def _rule_body(user_id: int, dept_id: int) -> st.SearchStrategy[Any]:
    return body({
        "name": text, "description": text, "enabled": json_values, "scope": condition,
        "grouping": one_of_or_junk("category", "product", "product_line", "region", "channel", "none"),
        "window_days": one_of_or_junk(1, 7, 365, 366, 0), "metric": one_of_or_junk("count", "growth"),
        "baseline_windows": one_of_or_junk(1, 4, 52, 53), "min_count": one_of_or_junk(0, 5, -1),
        "thresholds": thresholds, "owner_ids": st.one_of(st.lists(ids(user_id), max_size=3), json_values),
        "auto_improvement": st.one_of(body({"enabled": json_values, "min_level": one_of_or_junk("blue", "red", "x"),
                                            "department_id": ids(dept_id), "owner_id": ids(user_id),
                                            "due_days": json_values}), json_values),
        "days": one_of_or_junk(1, 90, 0, 367), "top": one_of_or_junk(1, 10, 0, 101),
    })


@pytest.fixture
def world(org):
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="屏幕碎裂", product=org.product)
    do_create_ticket(actor=org.agent_a, subject="屏幕又碎了", product=org.product)
    rule = do_create_alert_rule(actor=org.admin, name="fuzz", grouping="product", threshold_blue=1,
                                owners=[org.quality])
    do_evaluate_alert_rule(rule)
    action = do_create_improvement(actor=org.admin, title="fuzz", tickets=[ticket])
    return {"org": org, "ticket": ticket.pk, "rule": rule.pk, "alert": Alert.objects.get(rule=rule).pk,
            "improvement": action.pk}


def _endpoints(w: dict[str, Any]) -> dict[str, tuple[str, str, Any, int]]:
    org = w["org"]
    rule = _rule_body(org.quality.pk, org.quality_dept.pk)
    improvement = {
        "title": text, "description": text, "kind": one_of_or_junk("corrective", "preventive", "x"),
        "ticket_ids": st.one_of(st.lists(ids(w["ticket"]), max_size=3), json_values),
        "department_id": ids(org.quality_dept.pk), "owner_id": ids(org.handler.pk),
        "due_date": one_of_or_junk("2026-03-31", "2026-02-30", "0001-01-01", "9999-12-31"),
    }
    return {
        "create_rule": ("post", "alert-rules", rule, 0),
        "patch_rule": ("patch", "alert-rules/{id}", rule, w["rule"]),
        "preview_unsaved": ("post", "alert-rules/preview", rule, 0),
        "evaluate": ("post", "alert-rules/{id}/evaluate", json_values, w["rule"]),
        "acknowledge": ("post", "alerts/{id}/acknowledge", json_values, w["alert"]),
        "create_improvement": ("post", "improvements", body(improvement), 0),
        "patch_improvement": ("patch", "improvements/{id}", body({
            **improvement, "add_ticket_ids": st.one_of(st.lists(ids(w["ticket"]), max_size=3), json_values)}),
            w["improvement"]),
        "transition_improvement": ("post", "improvements/{id}/transition", body({
            "status": one_of_or_junk("in_progress", "verifying", "closed", "cancelled", "open"), "note": text}),
            w["improvement"]),
    }


@pytest.mark.parametrize("name", ["create_rule", "patch_rule", "preview_unsaved", "evaluate", "acknowledge",
                                  "create_improvement", "patch_improvement", "transition_improvement"])
def test_random_bodies_never_break_the_alert_endpoints(world, name):
    api = world["org"].client(world["org"].admin)
    method, path, bodies, real_id = _endpoints(world)[name]

    @FUZZ
    @given(payload=bodies, segment=path_ids(real_id or 1))
    def run(payload: Any, segment: str) -> None:
        url = "/api/v1/" + path.replace("{id}", segment)
        raw = json.dumps(payload)
        assert_well_formed(send(api, method, url, raw, "application/json"), (method, url, raw[:300]))

    run()


@pytest.mark.parametrize(("path", "keys"), [
    ("alerts", ["status", "level", "rule_id", "group_key", "page", "page_size"]),
    ("improvements", ["status", "source", "owner_id", "department_id", "alert_id", "ticket_id", "overdue", "q",
                      "page", "page_size"]),
    ("alert-rules/{rule}/preview", ["days", "top"]),
])
def test_random_queries_never_break_the_alert_lists(world, path, keys):
    api = world["org"].client(world["org"].admin)
    url = path.replace("{rule}", str(world["rule"]))
    params = st.dictionaries(st.sampled_from(keys), query_value(st.sampled_from(
        [1, 0, -1, 90, 367, "open", "red", "alert", "true", world["rule"]])), max_size=4)

    @FEW
    @given(params=params)
    def run(params: dict[str, Any]) -> None:
        assert_well_formed(api.get(url, params), (url, params))

    run()
