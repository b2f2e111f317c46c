"""Bad input never breaks the SLA endpoints: random JSON bodies, path segments and query strings
(the helpers and checks of tests/test_api_robustness.py) answer 2xx or the one 4xx error shape."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintdesk.sla.models import BusinessCalendar, SlaPolicy
from complaintdesk.tickets.actions import do_create_ticket
from tests.fuzzing import (
    FEW,
    FUZZ,
    assert_well_formed,
    body,
    datetimes_text,
    ids,
    json_values,
    one_of_or_junk,
    path_ids,
    query_value,
    send,
)

pytestmark = pytest.mark.django_db

text = st.text(max_size=60)
clock_text = one_of_or_junk("09:00", "12:00", "24:00", "24:01", "9:00", "18:00", "")
interval = st.one_of(st.lists(clock_text, min_size=2, max_size=2), json_values)
hours = st.one_of(st.lists(interval, max_size=3), json_values)
weekday_keys = st.sampled_from(["0", "1", "6", "7", "x"]) | st.text(max_size=3)
weekly = st.one_of(st.dictionaries(weekday_keys, hours, max_size=4), json_values)
date_text = one_of_or_junk("2027-01-01", "2027-02-30", "2026-10-01", "0001-01-01", "9999-12-31", "x")
date_segments = st.one_of(
    st.sampled_from(["2026-10-01", "2027-02-30", "x", "0001-01-01", "9999-12-31", "2026-1-1"]),
    st.text(min_size=1, max_size=12).map(lambda t: quote(t, safe="")),
)
condition = st.one_of(json_values, st.sampled_from([
    {"field": "priority", "op": "eq", "value": "P1"}, {"formula": "1"}, {"all": []}, {"any": [{"not": {}}]},
    {"field": "customer.tier", "op": "in", "value": ["vip"]},
]))
targets = st.one_of(json_values, st.dictionaries(
    st.sampled_from(["P1", "P2", "P9"]) | st.text(max_size=3),
    st.one_of(body({"first_response_minutes": json_values, "resolution_minutes": json_values}), json_values),
    max_size=3,
))
escalation = st.one_of(json_values, st.lists(body({
    "level": one_of_or_junk(1, 2, 3, 4), "after_minutes": json_values,
    "to": one_of_or_junk("supervisor", "department_manager", "user", "role", "x"),
    "user_id": json_values, "role": one_of_or_junk("admin", "nope")}), max_size=4))


@pytest.fixture
def world(org):
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="屏幕碎裂", team=org.team_a)
    return {"org": org, "ticket": ticket.pk, "calendar": BusinessCalendar.objects.get(key="24x7").pk,
            "policy": SlaPolicy.objects.get().pk}


def _endpoints(w: dict[str, Any]) -> dict[str, tuple[str, str, Any, int]]:
    calendar = {
        "key": one_of_or_junk("fuzz", "Bad Key", ""), "name": text, "time_zone": one_of_or_junk(
            "Asia/Shanghai", "UTC", "Mars/Base", "../../etc/passwd", ""), "working_hours": weekly,
        "workday_hours": hours, "is_24x7": json_values, "is_default": json_values,
        "uses_statutory_holidays": json_values, "seed_statutory": json_values,
    }
    policy = {
        "name": text, "description": text, "condition": condition, "order": json_values, "is_active": json_values,
        "calendar_id": ids(w["calendar"]), "targets": targets, "warning_fractions": json_values,
        "escalation": escalation, "node_targets": json_values,
    }
    schedule = body({"year": one_of_or_junk(2027, 1899, 2201, -1), "dry_run": json_values, "holidays": st.one_of(
        st.lists(body({"name": text, "start": date_text, "end": date_text,
                       "workdays": st.one_of(st.lists(date_text, max_size=3), json_values)}), max_size=3),
        json_values)})
    return {
        "create_calendar": ("post", "calendars", body(calendar), 0),
        "patch_calendar": ("patch", "calendars/{id}", body(calendar), w["calendar"]),
        "set_day": ("put", "calendars/" + str(w["calendar"]) + "/days/{id}",
                    body({"kind": one_of_or_junk("holiday", "workday", "x"), "name": text}), 0),
        "import": ("post", "calendars/{id}/import", schedule, w["calendar"]),
        "create_policy": ("post", "sla-policies", body(policy), 0),
        "patch_policy": ("patch", "sla-policies/{id}", body(policy), w["policy"]),
        "reorder": ("post", "sla-policies/reorder", body({"ids": st.one_of(st.lists(ids(w["policy"])),
                                                                             json_values)}), 0),
        "apply": ("put", "tickets/{id}/sla", body({"policy_id": ids(w["policy"])}), w["ticket"]),
        "reopen": ("post", "tickets/{id}/reopen", body({"reason": text}), w["ticket"]),
    }


@pytest.mark.parametrize("name", ["create_calendar", "patch_calendar", "set_day", "import", "create_policy",
                                  "patch_policy", "reorder", "apply", "reopen"])
def test_random_bodies_never_break_the_sla_endpoints(world, name):
    api = world["org"].client(world["org"].admin)
    method, path, bodies, real_id = _endpoints(world)[name]
    real = "2026-10-01" if name == "set_day" else real_id or 1

    @FUZZ
    @given(payload=bodies, segment=path_ids(real) if isinstance(real, int) else date_segments)
    def run(payload: Any, segment: str) -> None:
        url = "/api/v1/" + path.replace("{id}", segment)
        raw = json.dumps(payload)
        assert_well_formed(send(api, method, url, raw, "application/json"), (method, url, raw[:300]))

    run()


@pytest.mark.parametrize(("path", "keys"), [
    ("calendars/{cal}/days", ["year"]),
    ("calendars/{cal}/preview", ["start", "minutes"]),
])
def test_random_queries_never_break_the_calendar_reads(world, path, keys):
    api = world["org"].client(world["org"].admin)
    url = path.replace("{cal}", str(world["calendar"]))
    params = st.dictionaries(st.sampled_from(keys), st.one_of(
        query_value(st.sampled_from([2026, 2027, 0, -1, 10**6, 1e309, "x"])), datetimes_text), max_size=2)

    @FEW
    @given(params=params)
    def run(params: dict[str, Any]) -> None:
        assert_well_formed(api.get(url, params), (url, params))

    run()


def test_import_file_junk(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = world["org"].client(world["org"].admin)

    @FEW
    @given(content=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
           name=st.sampled_from(["a.csv", "a.json", "a.txt", ""]), year=query_value(st.sampled_from([2027, -1])))
    def run(content: bytes, name: str, year: Any) -> None:
        res = api.client.post(f"/api/v1/calendars/{world['calendar']}/import-file",
                              {"file": SimpleUploadedFile(name or "x", content), "year": year}, **api.headers)
        assert_well_formed(res, (name, content[:50], year))

    run()
