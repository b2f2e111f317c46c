"""Bad input never yields a 500: random JSON bodies, query strings and malformed raw requests against
the write endpoints and the ticket list. Every 4xx answer keeps the one error shape
``{"code", "message", "details"}``.

Examples build up in one database per test (a ticket may get merged, a role renamed), which is the
point: later examples meet states that earlier ones created.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintdesk.accounts.models import Department, Role, Team
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.choices import Channel, Level, Priority, TicketStatus
from complaintdesk.tickets.queries import SORTS
from tests.fuzzing import (
    FEW,
    FUZZ,
    assert_well_formed,
    body,
    datetimes_text,
    huge_text,
    ids,
    json_values,
    one_of_or_junk,
    path_ids,
    query_value,
    send,
)

pytestmark = pytest.mark.django_db

# --- the organisation under test -----------------------------------------------------------


@dataclass
class World:
    org: Any
    ticket_id: int
    other_ticket_id: int
    customer_id: int
    user_id: int
    role_id: int
    department_id: int
    team_id: int
    category_id: int
    product_id: int


@pytest.fixture
def world(org) -> World:
    first, _ = do_create_ticket(actor=org.agent_a, subject="屏幕碎裂", channel=Channel.PHONE,
                                customer=org.customer, category=org.categories["malfunction"])
    second, _ = do_create_ticket(actor=org.agent_a, subject="电池鼓包", channel=Channel.WECHAT,
                                 external_id="wx-robust-1", customer=org.vip)
    return World(
        org=org, ticket_id=first.pk, other_ticket_id=second.pk, customer_id=org.customer.pk,
        user_id=org.agent_b.pk, role_id=Role.objects.get(key="handler").pk,
        department_id=Department.objects.get(code="repair").pk, team_id=Team.objects.get(name="客服二组").pk,
        category_id=org.categories["malfunction"].pk, product_id=org.product.pk,
    )


def _endpoints(w: World) -> dict[str, tuple[str, str, st.SearchStrategy[Any]]]:
    """name -> (method, path, body strategy); ``{id}`` in a path is filled by ``path_ids``."""
    levels = [lv.value for lv in Level]
    statuses = [s.value for s in TicketStatus]
    text = st.one_of(st.text(max_size=60), huge_text)
    ticket_fields = {
        "subject": text, "description": text, "channel": one_of_or_junk(*Channel.values),
        "external_id": text, "customer_id": ids(w.customer_id), "category_id": ids(w.category_id),
        "category_key": one_of_or_junk("malfunction", "nope"), "product_id": ids(w.product_id),
        "product_sku": one_of_or_junk("PH-001", ""), "order_number": text, "urgency": one_of_or_junk(*levels),
        "impact": one_of_or_junk(*levels), "priority": one_of_or_junk(*Priority.values),
        "tags": st.one_of(st.lists(text, max_size=25), json_values), "data": json_values,
        "assignee_id": ids(w.user_id), "team_id": ids(w.team_id), "department_id": ids(w.department_id),
        "customer": st.one_of(body({"name": text, "phone": text, "email": text, "tier": one_of_or_junk("vip", "normal"),
                                    "region": text, "external_ids": json_values}), json_values),
    }
    return {
        "create_ticket": ("post", "tickets", body(ticket_fields)),
        "patch_ticket": ("patch", "tickets/{id}", body({
            k: v for k, v in ticket_fields.items()
            if k in {"subject", "description", "customer_id", "category_id", "product_id", "order_number", "urgency",
                     "impact", "priority", "tags", "data"}})),
        "assign": ("post", "tickets/{id}/assign", body({
            "assignee_id": ids(w.user_id), "team_id": ids(w.team_id), "department_id": ids(w.department_id)})),
        "transition": ("post", "tickets/{id}/transition", body({
            "status": one_of_or_junk(*statuses), "reason": text})),
        "comment": ("post", "tickets/{id}/comments", body({"body": text, "is_public": json_values})),
        "link": ("post", "tickets/{id}/links", body({
            "target_id": ids(w.other_ticket_id, w.ticket_id),
            "kind": one_of_or_junk("related", "duplicate_of", "parent_of", "repeat_of")})),
        "merge": ("post", "tickets/{id}/merge", body({"into_id": ids(w.other_ticket_id, w.ticket_id)})),
        "create_customer": ("post", "customers", body({
            "name": text, "phone": text, "email": one_of_or_junk("a@example.com", "not-an-email"), "tier": text,
            "region": text, "region_code": text, "company": text, "tags": json_values, "external_ids": json_values,
            "account_owner_id": ids(w.user_id), "notes": text})),
        "patch_customer": ("patch", "customers/{id}", body({
            "name": text, "phone": text, "email": text, "tier": one_of_or_junk("vip", "normal"),
            "tags": json_values, "external_ids": json_values, "account_owner_id": ids(w.user_id)})),
        "create_user": ("post", "users", body({
            "username": text, "password": text, "display_name": text, "email": text, "phone": text,
            "department_id": ids(w.department_id), "roles": st.one_of(st.lists(one_of_or_junk("agent", "x")),
                                                                      json_values),
            "team_ids": st.one_of(st.lists(ids(w.team_id), max_size=3), json_values)})),
        "patch_user": ("patch", "users/{id}", body({
            "display_name": text, "email": text, "department_id": ids(w.department_id),
            "roles": json_values, "team_ids": json_values, "availability": one_of_or_junk("online", "away"),
            "is_active": json_values, "password": text})),
        "create_role": ("post", "roles", body({
            "key": one_of_or_junk("robust_role", "Bad Key"), "name": text, "name_en": text,
            "permissions": st.one_of(st.lists(one_of_or_junk("ticket.view", "nope")), json_values),
            "data_scope": one_of_or_junk("own", "team", "department", "all")})),
        "patch_role": ("patch", "roles/{id}", body({
            "name": text, "permissions": json_values, "data_scope": one_of_or_junk("own", "all", "galaxy")})),
        "create_department": ("post", "departments", body({
            "name": text, "code": text, "parent_id": ids(w.department_id), "manager_id": ids(w.user_id)})),
        "patch_department": ("patch", "departments/{id}", body({
            "name": text, "code": text, "parent_id": ids(w.department_id), "manager_id": ids(w.user_id),
            "is_active": json_values})),
        "create_team": ("post", "teams", body({
            "name": text, "department_id": ids(w.department_id), "lead_id": ids(w.user_id),
            "member_ids": st.one_of(st.lists(ids(w.user_id), max_size=3), json_values)})),
        "create_token": ("post", "tokens", body({"name": text, "expires_at": st.one_of(datetimes_text, json_values)})),
        "create_category": ("post", "categories", body({
            "key": one_of_or_junk("robust", "BAD"), "name": text, "parent_id": ids(w.category_id),
            "sort_order": json_values})),
        "create_product": ("post", "products", body({"sku": text, "name": text, "line_id": json_values})),
    }


def _path_id(w: World, name: str) -> int:
    return {"patch_customer": w.customer_id, "patch_user": w.user_id, "patch_role": w.role_id,
            "patch_department": w.department_id}.get(name, w.ticket_id)


ENDPOINT_NAMES = ["create_ticket", "patch_ticket", "assign", "transition", "comment", "link", "merge",
                  "create_customer", "patch_customer", "create_user", "patch_user", "create_role", "patch_role",
                  "create_department", "patch_department", "create_team", "create_token", "create_category",
                  "create_product"]


# --- JSON bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_random_json_bodies_never_break_the_api(world, name):
    api = world.org.client(world.org.admin)
    method, path, bodies = _endpoints(world)[name]

    @FUZZ
    @given(payload=bodies, segment=path_ids(_path_id(world, name)))
    def run(payload: Any, segment: str) -> None:
        url = "/api/v1/" + path.replace("{id}", segment)
        raw = json.dumps(payload)  # NaN and Infinity too: Python's encoder writes them
        assert_well_formed(send(api, method, url, raw, "application/json"), (method, url, raw[:300]))

    run()


@pytest.mark.parametrize("name", ["create_ticket", "patch_ticket", "assign", "transition", "comment", "merge"])
def test_random_json_bodies_as_an_agent(world, name):
    """An agent meets the permission and data-scope checks before validation: they must not crash either."""
    api = world.org.client(world.org.agent_a)
    method, path, bodies = _endpoints(world)[name]

    @FEW
    @given(payload=bodies)
    def run(payload: Any) -> None:
        url = "/api/v1/" + path.replace("{id}", str(world.ticket_id))
        raw = json.dumps(payload)
        assert_well_formed(send(api, method, url, raw, "application/json"), (method, url, raw[:300]))

    run()


# --- query strings --------------------------------------------------------------------------


def _list_params(w: World) -> st.SearchStrategy[dict[str, Any]]:
    flags = st.sampled_from(["true", "false", "1", "0", "yes", "maybe", ""])
    known = {
        "page": query_value(st.integers(min_value=-5, max_value=5)),
        "page_size": query_value(st.sampled_from([0, 1, 50, 200, 201])),
        "status": query_value(st.sampled_from([s.value for s in TicketStatus])),
        "priority": query_value(st.sampled_from(Priority.values)),
        "channel": query_value(st.sampled_from(Channel.values)),
        "sort": query_value(st.sampled_from([*sorted(SORTS), "-resolution_due_at", "customer__phone", "?"])),
        "created_from": query_value(datetimes_text), "created_to": query_value(datetimes_text),
        "q": query_value(st.sampled_from(["屏幕", "%", "_", "\\", "' OR 1=1 --"])),
        "category_id": query_value(st.just(w.category_id)), "assignee_id": query_value(st.just(w.user_id)),
        "team_id": query_value(st.just(w.team_id)), "department_id": query_value(st.just(w.department_id)),
        "customer_id": query_value(st.just(w.customer_id)), "tag": query_value(st.just("vip")),
        "number": query_value(st.just("TS202603100001")), "unassigned": query_value(flags),
        "overdue": query_value(flags), "is_repeat": query_value(flags), "open_only": query_value(flags),
        "include_subcategories": query_value(flags),
    }
    return st.builds(lambda k, e: {**e, **k}, st.fixed_dictionaries({}, optional=known),
                     st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=8), st.text(max_size=8),
                                     max_size=2))


@pytest.mark.parametrize("who", ["admin", "agent_a"])
def test_random_ticket_list_queries_never_break_the_api(world, who):
    api = world.org.client(getattr(world.org, who))

    @settings(FUZZ, max_examples=80 if who == "admin" else 30)
    @given(params=_list_params(world))
    def run(params: dict[str, Any]) -> None:
        response = api.get("tickets", params)
        assert_well_formed(response, params)
        if response.status_code == 200:
            page = response.json()
            assert set(page) >= {"count", "page", "page_size", "items"}

    run()


@pytest.mark.parametrize("path", ["customers", "users", "audit", "products", "tokens"])
def test_random_queries_on_other_lists(world, path):
    api = world.org.client(world.org.admin)
    params = st.dictionaries(
        st.sampled_from(["page", "page_size", "q", "tier", "phone", "department_id", "role", "team_id", "active",
                         "actor_id", "object_type", "object_id", "line_id", "all"]),
        query_value(st.sampled_from([1, "true", "vip", "agent"])), max_size=5)

    @FEW
    @given(params=params)
    def run(params: dict[str, Any]) -> None:
        assert_well_formed(api.get(path, params), (path, params))

    run()


# --- malformed raw requests -----------------------------------------------------------------

valid_json = st.sampled_from([
    '{"subject": "屏幕碎了", "channel": "wechat", "data": {"a": [1, 2, {"b": null}]}}',
    '{"status": "accepted", "reason": "ok"}',
    '{"body": "您好，已收到", "is_public": true}',
    '{"name": "王五", "phone": "13700137000"}',
])
raw_bodies = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda text, cut: text[:cut], valid_json, st.integers(min_value=0, max_value=60)),
    st.builds(lambda text, cut: text.encode()[:cut], valid_json, st.integers(min_value=0, max_value=90)),
    st.sampled_from([
        "", "null", "[]", "0", '"text"', "{", "}", "{}}", '{"subject": }', "{'subject': 'x'}",
        '{"subject": "x",}', '{"subject": NaN}', '{"subject": "x", "data": {"n": Infinity}}',
        '{"subject": "x", "data": {"n": -Infinity}}', '{"subject": "\\ud800"}',
        '{"subject": "x", "data": {"\\udfff": 1}}', '{"subject": "x", "description": "a\\u0000b"}',
        '{"subject": "x", "subject": 5}', '\ufeff{"subject": "x"}', '{"subject": "x"}\n{"subject": "y"}',
        "[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000,
        '{"subject": "x", "data": ' + "[" * 900 + "]" * 900 + "}", '{"subject": 1e999999}',
        '{"subject": "x", "customer_id": 1' + "0" * 5000 + "}",
    ]),
)
content_types = st.sampled_from([
    "application/json", "application/json; charset=utf-8", "application/json; charset=latin-1",
    "application/json; charset=nope", "text/plain", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz", "multipart/form-data", "application/xml", "",
])


@pytest.mark.parametrize("name", ["create_ticket", "patch_ticket", "transition", "comment", "create_customer",
                                  "create_user", "create_token"])
def test_malformed_raw_bodies_never_break_the_api(world, name):
    api = world.org.client(world.org.admin)
    method, path, _ = _endpoints(world)[name]
    url = "/api/v1/" + path.replace("{id}", str(world.ticket_id))

    @FUZZ
    @given(raw=raw_bodies, content_type=content_types)
    def run(raw: str | bytes, content_type: str) -> None:
        assert_well_formed(send(api, method, url, raw, content_type), (method, url, content_type, raw[:200]))

    run()


def test_random_uploads_never_break_the_api(world):
    api = world.org.client(world.org.admin)

    @FEW
    @given(content=st.one_of(st.binary(max_size=2000), st.sampled_from([b"", b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n",
                                                                         b"<html><script>x</script>"])),
           name=st.one_of(st.text(max_size=60), st.sampled_from(["a.txt", "../../etc/passwd", "x.exe", ".", ""])))
    def run(content: bytes, name: str) -> None:
        # Built by hand: the test client refuses names like "/" that a real client may send.
        boundary = "h5-boundary-7MA4YWxkTrZu0gW"
        raw = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
               "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        response = send(api, "post", f"/api/v1/tickets/{world.ticket_id}/attachments", raw,
                         f"multipart/form-data; boundary={boundary}")
        assert_well_formed(response, (name, content[:50]))

    run()


def test_unknown_paths_and_methods_answer_the_error_shape(world):
    api = world.org.client(world.org.admin)
    for response in (
        api.get("/api/v1/no-such-thing"),
        api.get(f"/api/v1/tickets/{world.ticket_id}/nope"),
        api.get("/api/v1/tickets/1%2F2"),
        api.put("tickets", {"subject": "x"}),
        api.delete(f"tickets/{world.ticket_id}"),
    ):
        assert 400 <= response.status_code < 500, response
        assert_well_formed(response, response.status_code)


def test_an_oversized_body_is_refused_with_413(world):
    api = world.org.client(world.org.admin)
    description = "投诉" * (3 * 1024 * 1024)  # 18 MB of UTF-8, beyond DATA_UPLOAD_MAX_MEMORY_SIZE
    response = api.post("tickets", {"subject": "太大了", "description": description})
    assert response.status_code == 413
    assert_well_formed(response, "oversized")
    assert response.json()["code"] == "too_large"


def test_non_standard_json_is_refused_before_it_reaches_the_database(world):
    api = world.org.client(world.org.admin)
    url = f"/api/v1/tickets/{world.ticket_id}"
    for raw in ('{"data": {"n": NaN}}', '{"data": {"n": -Infinity}}', '{"data": {"n": 1e999}}',
                '{"data": {"\\udfff": 1}}', '{"subject": "x", "data": {"k": "\\ud83d"}}'):
        response = send(api, "patch", url, raw, "application/json")
        assert response.status_code == 400, (raw, response.content)
        assert response.json()["code"] == "bad_request"
    # A surrogate pair is one ordinary character.
    response = send(api, "patch", url, '{"data": {"emoji": "\\ud83d\\ude00"}}', "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["emoji"] == "😀"


# Inputs that once answered 500; the fuzzers found them, these keep them found on every run.
REGRESSIONS = [
    ("get", "tickets?created_from=0001-01-01T00:00:00", "", ""),  # UTC conversion leaves year 1 (SQLite)
    ("get", "tickets?created_to=9999-12-31T23:59:59-14:00", "", ""),
    ("get", f"tickets?customer_id={2**63}", "", ""),  # beyond SQLite's 64-bit integers
    ("get", f"audit?actor_id={2**63}", "", ""),
    ("get", "products?q=" + "0" * 60_000, "", ""),  # SQLite refuses LIKE patterns over 50,000 bytes
    ("get", "users?q=" + "0" * 60_000, "", ""),
    ("post", "tokens", '{"name": "x", "expires_at": "0001-01-01T00:00:00"}', "application/json"),
    ("post", "tickets", '{"subject": "x", "description": "a\\u0000b"}', "text/plain"),  # NUL (PostgreSQL)
    ("post", "departments", '{"name": "x", "code": "' + "0" * 51 + '"}', "application/json"),  # varchar (PostgreSQL)
    ("patch", "roles/{role_id}", '{"name": "' + "0" * 101 + '"}', "application/json"),
    ("patch", "users/{user_id}", '{"display_name": "' + "0" * 101 + '"}', "application/json"),
    ("post", "tickets", '{"subject": "x", "data": {"\\udfff": 1}}', "application/json"),  # lone surrogate
    ("post", "tickets", '{"subject": "x", "data": {"n": NaN}}', "application/json"),
]


@pytest.mark.parametrize(("method", "path", "raw", "content_type"), REGRESSIONS,
                         ids=[f"{m} {p[:40]}" for m, p, _, _ in REGRESSIONS])
def test_inputs_that_once_crashed_the_api(world, method, path, raw, content_type):
    api = world.org.client(world.org.admin)
    url = "/api/v1/" + path.format(role_id=world.role_id, user_id=world.user_id)
    assert_well_formed(send(api, method, url, raw, content_type), (method, url[:80]))
