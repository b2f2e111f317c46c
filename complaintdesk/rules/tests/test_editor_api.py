"""What the rules editor (web UI) needs from the API: parameter descriptions of the action types, run
counts in the list, the English name, dry runs that also list the tickets a rule leaves alone (and look
at the N most recent only), and a form's custom fields for the condition builder."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaintdesk.rules.models import RuleRun

RULE = {
    "name": "漏水路由",
    "name_en": "Leak routing",
    "events": ["ticket.created"],
    "condition": {"any": [{"field": "subject", "op": "any_keyword", "value": ["漏水"]},
                          {"field": "description", "op": "any_keyword", "value": ["漏水"]}]},
    "actions": [{"type": "set_priority", "params": {"priority": "P2"}}],
}


@pytest.fixture
def admin(org):
    return org.client(org.admin)


def test_action_types_describe_their_parameters(admin, org):
    types = {t["type"]: t for t in admin.get("rule-action-types").json()}
    assign = {p["name"]: p for p in types["assign"]["params"]}
    assert assign["to"]["kind"] == "choice" and assign["to"]["required"]
    assert [c["value"] for c in assign["to"]["choices"]] == ["user", "team", "department", "account_owner"]
    assert assign["team"]["kind"] == "team" and assign["team"]["show_if"] == {"to": ["team"]}
    assert {c["value"] for c in assign["strategy"]["choices"]} == {"round_robin", "least_loaded", "skill",
                                                                   "account_owner"}
    priority = {p["name"]: p for p in types["set_priority"]["params"]}
    assert priority["priority"]["kind"] == "priority" and priority["raise"]["maximum"] == 3
    assert types["set_fields"]["params"][0]["kind"] == "fields"
    assert types["add_tags"]["params"][0]["kind"] == "tags"
    assert types["set_category"]["params"][0]["kind"] == "category"
    assert all(isinstance(t["params"], list) for t in types.values())
    assert org.client(org.agent_a).get("rule-action-types").status_code == 403


def test_english_name_is_kept_and_versioned(admin):
    rule = admin.post("rules", RULE).json()
    assert rule["name_en"] == "Leak routing"
    r = admin.patch(f"rules/{rule['id']}", {"name_en": "Water leak routing"})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert admin.get(f"rules/{rule['id']}/versions").json()[0]["snapshot"]["name_en"] == "Water leak routing"
    r = admin.patch(f"rules/{rule['id']}", {"name_en": "x" * 201})
    assert r.status_code == 422


def test_list_counts_runs(admin, org, make_ticket, no_shipped_rules):
    rule = admin.post("rules", RULE).json()
    make_ticket(subject="厨房漏水", customer=org.customer)
    make_ticket(subject="屏幕闪烁", customer=org.customer)
    rows = {r["id"]: r for r in admin.get("rules").json()}
    stats = rows[rule["id"]]["stats"]
    assert stats["runs"] == 2 and stats["matched"] == 1
    assert stats["last_run_at"] is not None and stats["last_matched_at"] is not None
    assert RuleRun.objects.filter(rule_id=rule["id"], matched=True).count() == 1
    others = [r for r in rows.values() if r["id"] != rule["id"]]
    assert all(r["stats"]["runs"] == 0 and r["stats"]["last_run_at"] is None for r in others)
    assert admin.get(f"rules/{rule['id']}").json()["stats"] is None  # counts only in the list


def test_dry_run_lists_unmatched_tickets_and_takes_a_limit(admin, org, make_ticket, frozen_clock):
    leak = make_ticket(subject="厨房漏水", customer=org.customer)
    frozen_clock.advance(timedelta(minutes=1))
    other = make_ticket(subject="屏幕闪烁", customer=org.customer)
    frozen_clock.advance(timedelta(minutes=1))
    newest = make_ticket(subject="卫生间漏水严重", customer=org.customer)
    body = {"rule": RULE, "days": 7}
    plain = admin.post("rules/dry-run", body).json()
    assert [t["id"] for t in plain["tickets"]] == [newest.pk, leak.pk]
    assert all(t["matched"] for t in plain["tickets"])
    full = admin.post("rules/dry-run", {**body, "include_unmatched": True}).json()
    rows = {t["id"]: t for t in full["tickets"]}
    assert rows[other.pk]["matched"] is False and rows[other.pk]["actions"] == []
    assert rows[leak.pk]["matched"] and "P2" in rows[leak.pk]["actions"][0]["description"]
    assert full["matched"] == 2 and full["scanned"] >= 3
    limited = admin.post("rules/dry-run", {**body, "include_unmatched": True, "limit": 2}).json()
    assert [t["id"] for t in limited["tickets"]] == [newest.pk, other.pk]
    assert limited["scanned"] == 2 and limited["matched"] == 1 and limited["truncated"]
    saved = admin.post("rules", RULE).json()
    by_id = admin.post(f"rules/{saved['id']}/dry-run", {"days": 7, "limit": 1, "include_unmatched": True}).json()
    assert [(t["id"], t["matched"]) for t in by_id["tickets"]] == [(newest.pk, True)]
    assert admin.post("rules/dry-run", {**body, "limit": 0}).status_code == 422


def test_condition_fields_with_a_forms_custom_fields(admin, org):
    plain = admin.get("conditions/fields").json()
    assert not any(f["name"].startswith("data.") for f in plain)
    r = admin.get("conditions/fields?form=general")
    assert r.status_code == 200, r.json()
    fields = {f["name"]: f for f in r.json()}
    assert [f["name"] for f in r.json()][: len(plain)] == [f["name"] for f in plain]  # ticket fields unchanged
    assert fields["data.amount_involved"]["type"] == "number" and "gt" in fields["data.amount_involved"]["operators"]
    assert fields["data.complaint_type"]["type"] == "choice" and fields["data.complaint_type"]["choices"]
    assert fields["data.agree"]["type"] == "bool"
    # A date needs a declared type in the ticket catalog: only emptiness can be tested.
    assert fields["data.occurred_on"]["operators"] == ["is_empty", "is_not_empty"]
    assert "data.photos" in fields and fields["data.photos"]["operators"] == ["is_empty", "is_not_empty"]
    assert "data.subject" not in fields  # the ticket's own subject is already there
    # What is offered is accepted by the rules' validation.
    cond = {"all": [{"field": "data.amount_involved", "op": "gt", "value": 1000},
                    {"field": "data.complaint_type", "op": "in", "value": fields["data.complaint_type"]["choices"][:1]},
                    {"field": "data.occurred_on", "op": "is_not_empty"}]}
    assert admin.post("rules", {**RULE, "condition": cond}).status_code == 201
    # Saved views compile to SQL: ask for the queryable fields only.
    queryable = admin.get("conditions/fields?form=general&queryable=true").json()
    assert all(f["queryable"] for f in queryable) and "data.amount_involved" in {f["name"] for f in queryable}
    assert admin.get("conditions/fields?form=nope").status_code == 404
    assert org.client(org.nobody).get("conditions/fields?form=general").status_code == 403
