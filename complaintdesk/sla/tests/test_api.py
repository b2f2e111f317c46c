"""The SLA API: calendars (days, import with dry run, preview), policies, the ticket's clock, reopen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaintdesk.core import clock
from complaintdesk.sla.models import BusinessCalendar, SlaPolicy
from complaintdesk.tickets.actions import do_create_ticket, do_transition_ticket
from complaintdesk.tickets.choices import TicketStatus
from complaintdesk.tickets.models import TicketLink

SH = ZoneInfo("Asia/Shanghai")

SCHEDULE_2027: dict[str, Any] = {
    "year": 2027,
    "holidays": [
        {"name": "元旦 New Year's Day", "start": "2027-01-01", "end": "2027-01-03"},
        {"name": "春节 Spring Festival", "start": "2027-02-06", "end": "2027-02-13",
         "workdays": ["2027-02-14", "2027-02-20"]},
        {"name": "国庆节 National Day", "start": "2027-10-01", "end": "2027-10-07", "workdays": ["2027-09-26"]},
    ],
}


@pytest.fixture
def admin(org: Any) -> Any:
    return org.client(org.admin)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def default_id() -> int:
    return BusinessCalendar.objects.get(is_default=True).pk


def test_list_calendars_warns_about_next_year_in_november(org: Any, admin: Any) -> None:
    clock.set_now(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    try:
        res = admin.get("calendars")
    finally:
        clock.set_now(None)
    assert res.status_code == 200
    by_key = {c["key"]: c for c in res.json()}
    assert by_key["cn-default"]["is_default"] and 2026 in by_key["cn-default"]["years"]
    assert any("2027年无节假日数据" in w for w in by_key["cn-default"]["warnings"])
    assert by_key["24x7"]["warnings"] == []


def test_days_by_year_and_warning(org: Any, admin: Any) -> None:
    res = admin.get(f"calendars/{default_id()}/days", {"year": 2026})
    body = res.json()
    assert res.status_code == 200 and body["has_data"] and body["warnings"] == []
    assert {"date": "2026-10-10", "kind": "workday", "name": "国庆节 National Day"} in body["days"]
    res = admin.get(f"calendars/{default_id()}/days", {"year": 2027})
    assert res.json()["has_data"] is False and "no holiday data for 2027" in res.json()["warnings"][0]


def test_import_2027_with_dry_run_then_for_real(org: Any, admin: Any) -> None:
    cid = default_id()
    res = admin.post(f"calendars/{cid}/import", {**SCHEDULE_2027, "dry_run": True})
    assert res.status_code == 200, res.json()
    body = res.json()
    assert body["dry_run"] and len(body["added"]) == 3 + 8 + 2 + 7 + 1 and body["removed"] == []
    assert admin.get(f"calendars/{cid}/days", {"year": 2027}).json()["days"] == []  # nothing written
    # Preview on the (still unknown) 2027: New Year's Day counts as a Friday, with a warning.
    prev = admin.get(f"calendars/{cid}/preview", {"start": "2026-12-31T17:30:00+08:00", "minutes": 60}).json()
    assert prev["due_at_local"] == "2027-01-01T09:30:00+08:00" and prev["warnings"]
    res = admin.post(f"calendars/{cid}/import", SCHEDULE_2027)
    assert res.status_code == 200 and not res.json()["dry_run"]
    days = admin.get(f"calendars/{cid}/days", {"year": 2027}).json()
    assert days["has_data"] and days["warnings"] == []
    prev = admin.get(f"calendars/{cid}/preview", {"start": "2026-12-31T17:30:00+08:00", "minutes": 60}).json()
    assert prev["due_at_local"] == "2027-01-04T09:30:00+08:00" and prev["warnings"] == []
    assert prev["business_minutes_until_due"] == 60
    # Re-importing with a change reports it.
    changed = {**SCHEDULE_2027, "holidays": SCHEDULE_2027["holidays"][:2], "dry_run": True}
    diff = admin.post(f"calendars/{cid}/import", changed).json()
    assert len(diff["removed"]) == 8 and diff["unchanged"] == 13


def test_import_csv_file(org: Any, admin: Any) -> None:
    cid = default_id()
    csv_text = ("name,start,end,workdays\n元旦,2027-01-01,2027-01-03,\n"
                "春节,2027-02-06,2027-02-13,2027-02-14;2027-02-20\n")
    res = admin.client.post(
        f"/api/v1/calendars/{cid}/import-file",
        {"file": SimpleUploadedFile("2027.csv", csv_text.encode()), "year": "2027", "dry_run": "false"},
        **admin.headers,
    )
    assert res.status_code == 200, res.json()
    assert len(res.json()["added"]) == 3 + 8 + 2
    bad = admin.client.post(
        f"/api/v1/calendars/{cid}/import-file",
        {"file": SimpleUploadedFile("2027.csv", b"name,start\nX,2026-01-01\n"), "year": "2027"}, **admin.headers,
    )
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


def test_import_rejects_bad_schedules(org: Any, admin: Any) -> None:
    cid = default_id()
    for holidays in (
        [{"name": "X", "start": "2027-13-01"}],
        [{"name": "X", "start": "2027-02-10", "end": "2027-02-01"}],
        [{"name": "", "start": "2027-02-10"}],
        [{"name": "X", "start": "2026-02-10"}],
        [{"name": "X", "start": "2027-02-10", "workdays": ["2027-02-10"]}],
    ):
        res = admin.post(f"calendars/{cid}/import", {"year": 2027, "holidays": holidays})
        assert res.status_code == 422, holidays
        assert set(res.json()) == {"code", "message", "details"}


def test_calendar_crud_and_days(org: Any, admin: Any) -> None:
    res = admin.post("calendars", {"key": "factory", "name": "工厂日历", "working_hours": {
        str(d): [["08:00", "12:00"], ["13:00", "17:00"]] for d in range(6)}, "seed_statutory": True})
    assert res.status_code == 201, res.json()
    cal = res.json()
    assert cal["version"] == 1 and 2026 in cal["years"]
    # Saturday is a working day here.
    prev = admin.get(f"calendars/{cal['id']}/preview", {"start": "2026-03-14T11:00:00+08:00", "minutes": 120})
    assert prev.json()["due_at_local"] == "2026-03-14T14:00:00+08:00"
    # A company day off (e.g. 年会) on that Saturday moves it to Monday.
    res = admin.put(f"calendars/{cal['id']}/days/2026-03-14", {"kind": "holiday", "name": "年会"})
    assert res.status_code == 200
    prev = admin.get(f"calendars/{cal['id']}/preview", {"start": "2026-03-14T11:00:00+08:00", "minutes": 120})
    assert prev.json()["due_at_local"] == "2026-03-16T10:00:00+08:00"
    assert admin.delete(f"calendars/{cal['id']}/days/2026-03-14").status_code == 204
    res = admin.patch(f"calendars/{cal['id']}", {"working_hours": {"0": [["09:00", "17:00"]]}, "name": "工厂"})
    assert res.status_code == 200 and res.json()["version"] > 1
    prev = admin.get(f"calendars/{cal['id']}/preview", {"start": "2026-03-14T11:00:00+08:00", "minutes": 120})
    assert prev.json()["due_at_local"] == "2026-03-16T11:00:00+08:00"
    res = admin.patch(f"calendars/{cal['id']}", {"is_default": True})
    assert res.status_code == 200 and not BusinessCalendar.objects.get(key="cn-default").is_default
    assert admin.delete(f"calendars/{cal['id']}").status_code == 409  # the default
    assert admin.patch(f"calendars/{default_id()}", {"working_hours": {"0": [["18:00", "09:00"]]}}).status_code == 422
    assert admin.post("calendars", {"key": "factory", "name": "dup"}).status_code == 409
    assert admin.post("calendars", {"key": "x y", "name": "bad"}).status_code == 422
    assert admin.post("calendars", {"key": "tz", "name": "bad", "time_zone": "Mars/Base"}).status_code == 422
    assert admin.post("calendars", {"key": "empty", "name": "e", "working_hours": {}}).status_code == 422
    res = admin.post("calendars", {"key": "always", "name": "24x7", "is_24x7": True})
    assert res.status_code == 201 and res.json()["years"] == [] and res.json()["warnings"] == []
    assert admin.delete(f"calendars/{res.json()['id']}").status_code == 204


def test_preview_bad_input(org: Any, admin: Any) -> None:
    cid = default_id()
    assert admin.get(f"calendars/{cid}/preview", {"start": "2026-03-14T11:00:00", "minutes": 5}).status_code == 422
    assert admin.get(f"calendars/{cid}/preview", {"start": "x", "minutes": 5}).status_code == 422
    assert admin.get(f"calendars/{cid}/preview", {"start": "2026-03-14T11:00:00Z", "minutes": -5}).status_code == 422
    assert admin.get("calendars/999999/preview", {"start": "2026-03-14T11:00:00Z", "minutes": 5}).status_code == 404


def test_policies_crud_order_versions(org: Any, admin: Any) -> None:
    res = admin.post("sla-policies", {
        "name": "VIP", "order": 10, "condition": {"field": "customer.tier", "op": "eq", "value": "vip"},
        "escalation": [{"level": 1, "after_minutes": 0, "to": "supervisor"},
                       {"level": 3, "after_minutes": 120, "to": "user", "user_id": org.admin.pk}],
        "node_targets": {"review": 4},
    })
    assert res.status_code == 201, res.json()
    vip = res.json()
    assert vip["targets"]["P1"] == {"first_response_minutes": 15, "resolution_minutes": 120}
    assert vip["warning_fractions"] == [0.75, 0.9] and vip["version"] == 1
    res = admin.patch(f"sla-policies/{vip['id']}", {"targets": {"P1": {"first_response_minutes": 10}}})
    assert res.status_code == 200 and res.json()["version"] == 2
    versions = admin.get(f"sla-policies/{vip['id']}/versions").json()
    assert [v["version"] for v in versions] == [2, 1]
    default = SlaPolicy.objects.get(name="默认 SLA Default").pk
    res = admin.post("sla-policies/reorder", {"ids": [default, vip["id"]]})
    assert res.status_code == 200 and [p["id"] for p in res.json()] == [default, vip["id"]]
    for bad in (
        {"name": "b1", "targets": {"P9": {"first_response_minutes": 1}}},
        {"name": "b2", "targets": {"P1": {"first_response_minutes": -1}}},
        {"name": "b3", "warning_fractions": [1.5]},
        {"name": "b4", "condition": {"field": "nope", "op": "eq", "value": 1}},
        {"name": "b5", "escalation": [{"level": 4, "to": "supervisor"}]},
        {"name": "b6", "escalation": [{"level": 1, "to": "user", "user_id": 999999}]},
        {"name": "b7", "calendar_id": 999999},
        {"name": "b8", "node_targets": {"n": 0}},
        {"name": ""},
    ):
        r = admin.post("sla-policies", bad)
        assert r.status_code == 422, (bad, r.json())
    assert admin.post("sla-policies", {"name": "VIP"}).status_code == 409
    assert admin.delete(f"sla-policies/{vip['id']}").status_code == 204
    assert admin.get(f"sla-policies/{vip['id']}").status_code == 404


def test_ticket_sla_endpoint_apply_and_reopen(org: Any, admin: Any, commit: Any) -> None:
    clock.set_now(datetime(2026, 9, 30, 9, 0, tzinfo=UTC))  # 17:00 Shanghai
    try:
        ticket, _ = commit(do_create_ticket, actor=org.agent_a, subject="屏幕闪烁", team=org.team_a,
                           assignee=org.agent_a, urgency="high", impact="medium")
        agent = org.client(org.agent_a)
        res = agent.get(f"tickets/{ticket.pk}/sla")
        assert res.status_code == 200, res.json()
        body = res.json()
        assert body["status"] == "running" and body["priority"] == "P2"
        res_target = next(t for t in body["targets"] if t["target"] == "resolution")
        assert res_target["due_at"] == "2026-10-08T09:30:00Z" and res_target["remaining_seconds"] == 8 * 3600
        # Re-apply a 24x7 policy through the API.
        policy = admin.post("sla-policies", {"name": "24x7", "calendar_id": BusinessCalendar.objects.get(
            key="24x7").pk, "order": 500}).json()
        res = agent.put(f"tickets/{ticket.pk}/sla", {"policy_id": policy["id"]})
        assert res.status_code == 200 and res.json()["policy"]["id"] == policy["id"]
        res_target = next(t for t in res.json()["targets"] if t["target"] == "resolution")
        assert res_target["due_at"] == "2026-09-30T17:00:00Z"
        assert agent.put(f"tickets/{ticket.pk}/sla", {"policy_id": 999999}).status_code == 404
        # Resolve, then reopen through the endpoint after the window → a follow-up.
        commit(do_transition_ticket, ticket, actor=org.agent_a, to_status=TicketStatus.RESOLVED)
        clock.set_now(datetime(2026, 10, 20, 2, 0, tzinfo=UTC))
        res = commit(agent.post, f"tickets/{ticket.pk}/reopen", {"reason": "又出现了"})
        assert res.status_code == 201, res.json()
        assert res.json()["reopened"] is False
        assert TicketLink.objects.filter(source_id=res.json()["ticket_id"], target=ticket).exists()
        assert agent.post(f"tickets/{res.json()['ticket_id']}/reopen", {}).status_code == 409  # not resolved
    finally:
        clock.set_now(None)


def test_permissions(org: Any, commit: Any) -> None:
    ticket, _ = commit(do_create_ticket, actor=org.agent_a, subject="权限测试", team=org.team_a,
                       assignee=org.agent_a)
    agent = org.client(org.agent_a)
    cid = default_id()
    assert agent.get("calendars").status_code == 200  # reading: ticket.view
    assert agent.get("sla-policies").status_code == 200
    for res in (
        agent.post("calendars", {"key": "k", "name": "n"}),
        agent.patch(f"calendars/{cid}", {"name": "n"}),
        agent.delete(f"calendars/{cid}"),
        agent.put(f"calendars/{cid}/days/2026-03-14", {"kind": "holiday"}),
        agent.delete(f"calendars/{cid}/days/2026-10-01"),
        agent.post(f"calendars/{cid}/import", SCHEDULE_2027),
        agent.post("sla-policies", {"name": "x"}),
        agent.patch(f"sla-policies/{SlaPolicy.objects.first().pk}", {"name": "x"}),  # type: ignore[union-attr]
        agent.delete(f"sla-policies/{SlaPolicy.objects.first().pk}"),  # type: ignore[union-attr]
        agent.post("sla-policies/reorder", {"ids": []}),
    ):
        assert res.status_code == 403, res.json()
    nobody = org.client(org.nobody)
    assert nobody.get("calendars").status_code == 403
    assert nobody.get(f"tickets/{ticket.pk}/sla").status_code in (403, 404)
    # agent_b (team scope, other team) cannot see the ticket's clock.
    other = org.client(org.agent_b)
    assert other.get(f"tickets/{ticket.pk}/sla").status_code == 404
    auditor = org.client(org.auditor)  # may view, may not edit
    assert auditor.get(f"tickets/{ticket.pk}/sla").status_code == 200
    assert auditor.put(f"tickets/{ticket.pk}/sla", {"policy_id": None}).status_code == 403
    assert auditor.post(f"tickets/{ticket.pk}/reopen", {}).status_code == 403
    assert org.client(None).get("calendars").status_code == 401
