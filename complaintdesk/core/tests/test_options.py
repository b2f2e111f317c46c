"""Runtime options: declared defaults, typed validation, the API, audit, and their effect on tickets."""

from __future__ import annotations

import pytest

from complaintdesk.core.errors import InvalidInput, NotFound
from complaintdesk.core.models import AuditLog, Option
from complaintdesk.core.options import (
    REPEAT_WINDOW_DAYS,
    SPECS,
    TICKET_NUMBER_PATTERN,
    check_option_value,
    do_set_option,
    get_option,
)
from complaintdesk.tickets.actions import do_create_ticket

PATTERN = TICKET_NUMBER_PATTERN.key
WINDOW = REPEAT_WINDOW_DAYS.key


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    if code is not None:
        assert body["code"] == code
    return body


def test_defaults_apply_until_set(db):
    assert get_option(PATTERN) == "TS{yyyyMMdd}{seq:4}"
    assert get_option(WINDOW) == 30
    assert not Option.objects.exists()
    with pytest.raises(NotFound):
        get_option("no.such.option")


def test_set_option_is_read_back_at_once_and_audited(org):
    assert get_option(WINDOW) == 30  # primes the per-process cache
    do_set_option(WINDOW, 7, actor=org.admin)
    assert get_option(WINDOW) == 7
    do_set_option(WINDOW, 0, actor=None)
    assert get_option(WINDOW) == 0
    rows = list(AuditLog.objects.filter(action="option.set", object_id=WINDOW).order_by("id"))
    assert [r.data for r in rows] == [{"old": None, "new": 7}, {"old": 7, "new": 0}]
    assert rows[0].actor == org.admin
    assert rows[0].object_type == "option"
    option = Option.objects.get(key=WINDOW)
    assert option.value == 0


@pytest.mark.parametrize(("key", "value"), [
    (WINDOW, "7"), (WINDOW, 7.5), (WINDOW, True), (WINDOW, None), (WINDOW, -1), (WINDOW, [7]),
    (PATTERN, 42), (PATTERN, None),
    (PATTERN, "TS{yyyyMMdd}"),              # no sequence
    (PATTERN, "{seq:4}{seq:2}"),            # two sequences
    (PATTERN, "TS{seq}"),                   # no width
    (PATTERN, "TS{seq:0}"), (PATTERN, "TS{seq:13}"),
    (PATTERN, "TS{hh}{seq:4}"),             # unknown token
    (PATTERN, "TS/{seq:4}"), (PATTERN, "工单{seq:4}"), (PATTERN, "TS {seq:4}"),
    (PATTERN, "X" * 40 + "{seq:4}"),        # too long
])
def test_invalid_values_are_refused(db, key, value):
    with pytest.raises(InvalidInput):
        check_option_value(key, value)
    with pytest.raises(InvalidInput):
        do_set_option(key, value, actor=None)
    assert not Option.objects.exists()
    assert not AuditLog.objects.exists()


@pytest.mark.parametrize("pattern", ["TS{yyyyMMdd}{seq:4}", "CD-{yyMMdd}-{seq:3}", "{seq:6}", "C_{yyyy}{MM}{seq:12}",
                                     "A{yyyyMM}{dd}{seq:1}"])
def test_valid_patterns_are_accepted(db, pattern):
    assert check_option_value(PATTERN, pattern) == pattern


def test_unknown_option_key(db):
    with pytest.raises(NotFound):
        do_set_option("tickets.nope", 1, actor=None)


# --- API ----------------------------------------------------------------------------------


def test_list_options_shows_value_default_and_type(org):
    do_set_option(WINDOW, 14, actor=None)
    response = org.client(org.admin).get("options")
    assert response.status_code == 200
    by_key = {o["key"]: o for o in response.json()}
    assert set(by_key) == set(SPECS)
    assert by_key[WINDOW]["value"] == 14
    assert by_key[WINDOW]["default"] == 30
    assert by_key[WINDOW]["type"] == "int"
    assert by_key[PATTERN]["value"] == by_key[PATTERN]["default"] == "TS{yyyyMMdd}{seq:4}"
    assert by_key[PATTERN]["type"] == "str"
    assert all(o["description"] for o in by_key.values())


def test_set_option_via_api(org):
    api = org.client(org.admin)
    response = api.put(f"options/{WINDOW}", {"value": 45})
    assert response.status_code == 200, response.content
    assert response.json()["value"] == 45
    assert get_option(WINDOW) == 45
    audit = AuditLog.objects.get(action="option.set", object_id=WINDOW)
    assert audit.actor == org.admin
    assert audit.data == {"old": None, "new": 45}
    audit_via_api = api.get("audit", {"object_type": "option"}).json()["items"]
    assert audit_via_api[0]["data"] == {"old": None, "new": 45}


@pytest.mark.parametrize(("key", "payload"), [
    (WINDOW, {"value": "45"}),
    (WINDOW, {"value": -3}),
    (WINDOW, {"value": 10**30}),
    (WINDOW, {"value": None}),
    (PATTERN, {"value": "TS{yyyyMMdd}"}),
    (PATTERN, {"value": "TS{foo}{seq:4}"}),
    (PATTERN, {"value": 12}),
    (WINDOW, {}),
    (WINDOW, {"val": 3}),
    (WINDOW, [1]),
])
def test_set_option_via_api_rejects_bad_values(org, key, payload):
    response = org.client(org.admin).put(f"options/{key}", payload)
    assert_error(response, 422, "validation_error")
    assert not Option.objects.exists()
    assert get_option(WINDOW) == 30


def test_bad_pattern_reports_its_problems(org):
    response = org.client(org.admin).put(f"options/{PATTERN}", {"value": "TS {hh}"})
    body = assert_error(response, 422, "validation_error")
    problems = body["details"]["pattern"]
    assert any("{hh}" in p for p in problems)
    assert any("seq" in p for p in problems)
    assert any("outside tokens" in p for p in problems)


def test_set_option_malformed_json_and_unknown_key(org):
    api = org.client(org.admin)
    malformed = api.client.put(f"/api/v1/options/{WINDOW}", "{value: 3", content_type="application/json",
                               **api.headers)
    assert_error(malformed, 400, "bad_request")
    assert_error(api.put("options/tickets.nope", {"value": 1}), 404, "not_found")


@pytest.mark.parametrize("who", ["supervisor", "agent_a", "auditor", "nobody"])
def test_options_need_settings_manage(org, who):
    api = org.client(getattr(org, who))
    assert_error(api.get("options"), 403, "permission_denied")
    assert_error(api.put(f"options/{WINDOW}", {"value": 1}), 403, "permission_denied")
    assert not Option.objects.exists()


def test_changing_the_number_pattern_changes_the_next_ticket_number(org, frozen_clock):
    first, _ = do_create_ticket(actor=org.agent_a, subject="屏幕碎了")
    assert first.number == "TS202603100001"
    response = org.client(org.admin).put(f"options/{PATTERN}", {"value": "CD-{yyMMdd}-{seq:3}"})
    assert response.status_code == 200, response.content
    second, _ = do_create_ticket(actor=org.agent_a, subject="电池鼓包")
    third, _ = do_create_ticket(actor=org.agent_a, subject="无法开机")
    assert second.number == "CD-260310-001"
    assert third.number == "CD-260310-002"


def test_repeat_window_is_bounded_and_the_largest_value_still_works(org, frozen_clock):
    with pytest.raises(InvalidInput):
        do_set_option(WINDOW, 3651, actor=None)
    do_set_option(WINDOW, 3650, actor=None)
    category = org.categories["malfunction"]
    first, _ = do_create_ticket(actor=org.agent_a, subject="屏幕碎了", customer=org.customer, category=category)
    second, _ = do_create_ticket(actor=org.agent_a, subject="屏幕又碎了", customer=org.customer, category=category)
    assert second.is_repeat
    assert second.repeat_of == first
