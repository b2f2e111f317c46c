"""The alert endpoints: rules (CRUD, versions, evaluate, preview), alerts (list, detail,
acknowledge), with the permission checks each one makes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaintdesk.insights.models import Alert, AlertRule

pytestmark = pytest.mark.django_db

RULE = {
    "name": "产品7天投诉量", "grouping": "product", "window_days": 7, "metric": "count",
    "thresholds": {"blue": 2, "yellow": 4, "red": 6},
}


def test_rule_administrators_create_change_and_version_alert_rules(org):
    api = org.client(org.admin)
    body = {**RULE, "owner_ids": [org.quality.pk], "scope": {"field": "channel", "op": "in", "value": ["phone"]},
            "auto_improvement": {"enabled": True, "min_level": "yellow", "department_id": org.quality_dept.pk,
                                 "due_days": 7}}
    created = api.post("alert-rules", body)
    assert created.status_code == 201, created.json()
    rule = created.json()
    assert rule["version"] == 1 and rule["owners"][0]["id"] == org.quality.pk and rule["open_alerts"] == 0
    assert rule["auto_improvement"]["department"]["id"] == org.quality_dept.pk
    assert rule["thresholds"] == {"blue": 2.0, "yellow": 4.0, "red": 6.0}

    changed = api.patch(f"alert-rules/{rule['id']}", {"thresholds": {"blue": 3, "yellow": 5, "red": 8},
                                                     "window_days": 14})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["version"] == 2 and changed.json()["window_days"] == 14
    versions = api.get(f"alert-rules/{rule['id']}/versions").json()
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["snapshot"]["thresholds"] == {"blue": 2, "yellow": 4, "red": 6}
    assert versions[1]["snapshot"]["auto_improvement"]["min_level"] == "yellow"

    listed = api.get("alert-rules").json()
    assert rule["id"] in [r["id"] for r in listed] and "同一产品7天投诉量" in [r["name"] for r in listed]
    assert api.get(f"alert-rules/{rule['id']}").json()["version"] == 2
    assert api.delete(f"alert-rules/{rule['id']}").status_code == 204
    assert api.get(f"alert-rules/{rule['id']}").status_code == 404


@pytest.mark.parametrize(("change", "field"), [
    ({"thresholds": {"blue": 5, "yellow": 5, "red": 9}}, "thresholds"),
    ({"thresholds": {"blue": 9, "yellow": None, "red": 3}}, "thresholds"),
    ({"thresholds": {}}, "thresholds"),
    ({"thresholds": {"blue": 0}}, "threshold_blue"),
    ({"metric": "growth", "thresholds": {"blue": -10, "red": 50}}, "threshold_blue"),
    ({"grouping": "planet"}, "grouping"),
    ({"metric": "mood"}, "metric"),
    ({"scope": {"formula": "{amount} > 1"}}, "scope"),
    ({"scope": {"field": "nope", "op": "eq", "value": 1}}, "scope"),
    ({"metric": "growth", "window_days": 300, "baseline_windows": 4}, "baseline_windows"),
    ({"auto_improvement": {"enabled": True}}, "improvement_department"),
    ({"auto_improvement": {"enabled": False, "min_level": "purple"}}, "improvement_min_level"),
])
def test_invalid_rules_are_refused_with_every_problem_named(org, change, field):
    response = org.client(org.admin).post("alert-rules", {**RULE, **change})
    assert response.status_code == 422, response.json()
    assert field in response.json()["details"]
    assert not AlertRule.objects.filter(name=RULE["name"]).exists()


def test_unknown_references_are_refused(org):
    api = org.client(org.admin)
    assert api.post("alert-rules", {**RULE, "owner_ids": [987654]}).status_code == 422
    response = api.post("alert-rules", {**RULE, "auto_improvement": {"enabled": True, "department_id": 987654}})
    assert response.status_code == 422


def test_evaluate_now_lists_alerts_and_owners_acknowledge(org, complain):
    admin = org.client(org.admin)
    rule = admin.post("alert-rules", {**RULE, "owner_ids": [org.quality.pk]}).json()
    tickets = complain(3, days_ago=1)
    result = admin.post(f"alert-rules/{rule['id']}/evaluate")
    assert result.status_code == 200, result.json()
    [alert_id] = result.json()["opened"]

    quality = org.client(org.quality)  # report.view and an owner
    page = quality.get("alerts", {"status": "open", "level": ["blue"]}).json()
    assert [a["id"] for a in page["items"]] == [alert_id]
    assert quality.get("alerts", {"level": ["red"]}).json()["items"] == []
    assert quality.get("alerts", {"rule_id": rule["id"], "status": "cleared"}).json()["items"] == []
    detail = quality.get(f"alerts/{alert_id}").json()
    assert detail["level"] == "blue" and detail["count"] == 3 and detail["rule"]["id"] == rule["id"]
    assert sorted(t["id"] for t in detail["sample_tickets"]) == sorted(t.pk for t in tickets)

    # An agent with team scope sees only the sample tickets of their own scope: here, their own.
    assert org.client(org.agent_b).get(f"alerts/{alert_id}").status_code == 403
    acked = quality.post(f"alerts/{alert_id}/acknowledge")
    assert acked.status_code == 200 and acked.json()["acknowledged_by"]["id"] == org.quality.pk
    assert org.client(org.auditor).post(f"alerts/{alert_id}/acknowledge").status_code == 403
    assert org.client(org.auditor).get(f"alerts/{alert_id}").status_code == 200  # report.view may read

    # An alert with alerts cannot be deleted, only switched off (which clears the alert).
    assert admin.delete(f"alert-rules/{rule['id']}").status_code == 409
    assert admin.patch(f"alert-rules/{rule['id']}", {"enabled": False}).json()["open_alerts"] == 0
    assert Alert.objects.get(pk=alert_id).status == "cleared"


def test_owners_without_report_rights_see_only_their_rules_alerts(org, complain, make_rule):
    mine = make_rule(name="mine", owners=[org.handler])
    other = make_rule(name="other", owners=[org.quality])
    complain(3, days_ago=1)
    api = org.client(org.admin)
    api.post(f"alert-rules/{mine.pk}/evaluate")
    api.post(f"alert-rules/{other.pk}/evaluate")
    handler = org.client(org.handler)
    items = handler.get("alerts").json()["items"]
    assert {a["rule"]["id"] for a in items} == {mine.pk}
    other_alert = Alert.objects.get(rule=other)
    assert handler.get(f"alerts/{other_alert.pk}").status_code == 404
    assert handler.post(f"alerts/{items[0]['id']}/acknowledge").status_code == 200
    assert handler.get(f"alerts/{items[0]['id']}").json()["sample_tickets"] == []  # outside their data scope


def test_preview_of_a_saved_and_of_an_unsaved_rule(org, complain, frozen_clock):
    api = org.client(org.admin)
    complain(3, days_ago=2)
    complain(4, days_ago=20)
    rule = api.post("alert-rules", RULE).json()
    saved = api.get(f"alert-rules/{rule['id']}/preview", {"days": 30})
    assert saved.status_code == 200, saved.json()
    data = saved.json()
    assert len(data["days"]) == 30 and data["days"][-1] == "2026-03-10" and data["total_groups"] == 1
    [group] = data["groups"]
    assert group["group_label"] == "星辰 X1 手机 (PH-001)" and group["max_level"] == "yellow"
    assert group["levels"][-1] == "blue" and group["counts"][-1] == 3
    assert group["days_at_level"]["yellow"] == 7

    unsaved = api.post("alert-rules/preview", {**RULE, "thresholds": {"red": 3}, "days": 10, "top": 5})
    assert unsaved.status_code == 200, unsaved.json()
    assert unsaved.json()["groups"][0]["levels"][-1] == "red" and len(unsaved.json()["days"]) == 10
    bad = api.post("alert-rules/preview", {**RULE, "thresholds": {"red": 3, "blue": 5}})
    assert bad.status_code == 422
    assert api.get(f"alert-rules/{rule['id']}/preview", {"days": 0}).status_code == 422
    assert api.get(f"alert-rules/{rule['id']}/preview", {"days": 400}).status_code == 422


@pytest.mark.parametrize("who", ["agent_a", "quality", "nobody"])
def test_without_rule_admin_alert_rules_are_out_of_reach(org, who):
    rule = AlertRule.objects.get(name="同一产品7天投诉量")
    api = org.client(getattr(org, who))
    for response in (
        api.get("alert-rules"), api.post("alert-rules", RULE), api.get(f"alert-rules/{rule.pk}"),
        api.patch(f"alert-rules/{rule.pk}", {"enabled": False}), api.delete(f"alert-rules/{rule.pk}"),
        api.get(f"alert-rules/{rule.pk}/versions"), api.post(f"alert-rules/{rule.pk}/evaluate"),
        api.get(f"alert-rules/{rule.pk}/preview"), api.post("alert-rules/preview", RULE),
    ):
        assert response.status_code == 403, response.json()
        assert response.json()["code"] == "permission_denied"
    assert AlertRule.objects.get(pk=rule.pk).enabled


def test_people_without_any_alert_rights_cannot_list_alerts(org):
    for who in (org.nobody, org.agent_a):
        response = org.client(who).get("alerts")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert org.client(None).get("alerts").status_code == 401


def test_the_list_answers_in_a_fixed_number_of_queries(org, complain, make_rule, frozen_clock,
                                                        django_assert_max_num_queries):
    for i in range(4):
        rule = make_rule(name=f"r{i}", grouping="none")
        complain(3, days_ago=1)
        from complaintdesk.insights.actions import do_evaluate_alert_rule

        do_evaluate_alert_rule(rule)
        frozen_clock.advance(timedelta(minutes=1))
    api = org.client(org.quality)
    with django_assert_max_num_queries(8):
        page = api.get("alerts", {"page_size": 50}).json()
    assert page["count"] == 4
