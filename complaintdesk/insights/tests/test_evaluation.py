"""Evaluating alert rules: levels on counts and on growth, one open alert per group, rising,
lowering and clearing, the automatic improvement action, and the periodic job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from complaintdesk.improvement.choices import ImprovementSource
from complaintdesk.improvement.models import ImprovementAction
from complaintdesk.insights.actions import (
    do_evaluate_alert_rule,
    do_update_alert_rule,
    evaluate_all_alert_rules,
)
from complaintdesk.insights.models import Alert, AlertRule
from complaintdesk.insights.tasks import evaluate_alert_rules
from complaintdesk.insights.tests.conftest import published
from complaintdesk.tickets.actions import do_transition_ticket
from complaintdesk.tickets.choices import EventType
from complaintdesk.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def open_alerts(rule: AlertRule) -> list[Alert]:
    return list(Alert.objects.filter(rule=rule, status="open").order_by("group_key"))


def test_count_levels_rise_per_threshold_and_notify_the_owners(org, complain, make_rule, frozen_clock):
    rule = make_rule()
    complain(1, days_ago=8)  # outside the 7-day window
    complain(1, days_ago=3)
    assert do_evaluate_alert_rule(rule).opened == []

    complain(1, days_ago=1)
    result = do_evaluate_alert_rule(rule)
    [alert] = open_alerts(rule)
    assert result.opened == [alert.pk]
    assert (alert.level, alert.value, alert.count, alert.group_key) == ("blue", 2.0, 2, str(org.product.pk))
    assert alert.group_label == "星辰 X1 手机 (PH-001)"
    assert alert.window_end == frozen_clock.now() and alert.window_start == frozen_clock.now() - timedelta(days=7)
    assert len(alert.sample_ticket_ids) == 2
    [fired] = published("alert.fired", alert_id=alert.pk)
    assert fired["level"] == "blue" and fired["user_ids"] == [org.quality.pk] and fired["escalation"] is False
    assert sorted(fired["sample_ticket_ids"]) == sorted(alert.sample_ticket_ids)

    complain(2)
    result = do_evaluate_alert_rule(rule)
    assert result.escalated == [alert.pk]
    alert.refresh_from_db()
    assert (alert.level, alert.count) == ("yellow", 4)
    complain(2)
    do_evaluate_alert_rule(rule)
    alert.refresh_from_db()
    assert (alert.level, alert.peak_level, alert.count) == ("red", "red", 6)
    levels = [(p["previous_level"], p["level"], p["escalation"]) for p in published("alert.fired", alert_id=alert.pk)]
    assert levels == [(None, "blue", False), ("blue", "yellow", True), ("yellow", "red", True)]
    assert Alert.objects.filter(rule=rule).count() == 1


def test_re_evaluation_keeps_one_open_alert_and_publishes_nothing_new(org, complain, make_rule, frozen_clock):
    rule = make_rule()
    complain(3, days_ago=2)
    do_evaluate_alert_rule(rule)
    for _ in range(3):
        frozen_clock.advance(timedelta(minutes=15))
        result = do_evaluate_alert_rule(rule)
        assert result.opened == [] and result.escalated == [] and len(result.unchanged) == 1
    assert len(open_alerts(rule)) == 1
    assert len(published("alert.fired", rule_id=rule.pk)) == 1


def test_the_database_refuses_a_second_open_alert_for_a_group(org, complain, make_rule):
    rule = make_rule()
    complain(3, days_ago=1)
    do_evaluate_alert_rule(rule)
    [alert] = open_alerts(rule)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(rule=rule, group_key=alert.group_key, level="red", peak_level="red", value=9,
                             window_start=alert.window_start, window_end=alert.window_end)
    # A cleared alert of the same group does not count.
    Alert.objects.create(rule=rule, group_key=alert.group_key, level="red", peak_level="red", value=9,
                         status="cleared", window_start=alert.window_start, window_end=alert.window_end)


def test_levels_fall_quietly_then_clear_and_a_new_breach_opens_a_new_alert(org, complain, make_rule, frozen_clock):
    rule = make_rule()
    complain(4, days_ago=6)
    complain(2, days_ago=1)
    do_evaluate_alert_rule(rule)
    [alert] = open_alerts(rule)
    assert alert.level == "red"

    frozen_clock.advance(timedelta(days=1, hours=1))  # the 4 old ones leave the window: 2 left
    result = do_evaluate_alert_rule(rule)
    assert result.lowered == [alert.pk]
    alert.refresh_from_db()
    assert (alert.status, alert.level, alert.peak_level, alert.count) == ("open", "blue", "red", 2)
    assert len(published("alert.fired", alert_id=alert.pk)) == 1  # lowering notifies no one

    frozen_clock.advance(timedelta(days=6))
    result = do_evaluate_alert_rule(rule)
    assert result.cleared == [alert.pk]
    alert.refresh_from_db()
    assert (alert.status, alert.cleared_at, alert.count) == ("cleared", frozen_clock.now(), 0)
    [cleared] = published("alert.cleared", alert_id=alert.pk)
    assert cleared["previous_level"] == "blue" and cleared["reason"] == "below_threshold"
    assert cleared["user_ids"] == [org.quality.pk]

    complain(2)
    do_evaluate_alert_rule(rule)
    [again] = open_alerts(rule)
    assert again.pk != alert.pk and again.level == "blue"


def test_cancelled_and_merged_tickets_and_the_scope_decide_what_counts(org, complain, make_rule):
    rule = make_rule(scope={"field": "channel", "op": "eq", "value": "phone"})
    complain(2, channel="phone")
    complain(3, channel="email")
    [cancelled] = complain(1, channel="phone")
    do_transition_ticket(cancelled, actor=org.agent_a, to_status="cancelled")
    do_evaluate_alert_rule(rule)
    [alert] = open_alerts(rule)
    assert alert.count == 2


def test_groups_by_category_region_channel_line_and_none(org, complain, make_rule, second_product):
    from complaintdesk.customers.actions import do_create_customer

    north = do_create_customer(name="王五", phone="13700000001", region="华北", actor=None)
    complain(2, customer=north, category=org.categories["malfunction"], channel="phone")
    complain(2, product=second_product, customer=org.customer, category=org.categories["malfunction"],
             channel="email")
    expected = {
        "category": {str(org.categories["malfunction"].pk): 4},
        "region": {"华北": 2},
        "channel": {"phone": 2, "email": 2},
        "product_line": {str(org.product.line_id): 4},
        "product": {str(org.product.pk): 2, str(second_product.pk): 2},
        "none": {"all": 4},
    }
    for grouping, counts in expected.items():
        rule = make_rule(name=f"by {grouping}", grouping=grouping)
        do_evaluate_alert_rule(rule)
        assert {a.group_key: a.count for a in open_alerts(rule)} == counts, grouping
    labels = {a.group_key: a.group_label for a in Alert.objects.filter(rule__grouping="channel")}
    assert labels == {"phone": "电话", "email": "邮件"}


def test_growth_against_the_mean_of_four_earlier_weeks(org, complain, make_rule, second_product):
    rule = make_rule(metric="growth", baseline_windows=4, min_count=5, threshold_blue=25, threshold_yellow=50,
                     threshold_red=100)
    for week in range(1, 5):  # four earlier weeks with 4 complaints each: a mean of 4
        complain(4, days_ago=7 * week + 3)
    complain(6, days_ago=2)  # this week: 6 = +50 %
    # The second product went from 1 a week to 2 (+100 %) but stays below the minimum count of 5.
    for week in range(1, 5):
        complain(1, days_ago=7 * week + 1, product=second_product)
    complain(2, days_ago=1, product=second_product)
    do_evaluate_alert_rule(rule)
    [alert] = open_alerts(rule)
    assert (alert.group_key, alert.level, alert.value, alert.baseline, alert.count) == (
        str(org.product.pk), "yellow", 50.0, 4.0, 6)
    [fired] = published("alert.fired", alert_id=alert.pk)
    assert fired["metric"] == "growth" and fired["baseline"] == 4.0

    rule = make_rule(name="growth, 5 this week", metric="growth", min_count=5, threshold_blue=25,
                     threshold_yellow=50, threshold_red=100, scope={"field": "product_id", "op": "eq",
                                                                    "value": org.product.pk})
    do_evaluate_alert_rule(rule)
    [alert] = open_alerts(rule)
    assert alert.level == "yellow"


def test_growth_from_nothing_counts_against_a_baseline_of_one(org, complain, make_rule):
    rule = make_rule(metric="growth", min_count=3, threshold_blue=100, threshold_yellow=200, threshold_red=400)
    complain(3, days_ago=1)
    do_evaluate_alert_rule(rule)
    [alert] = open_alerts(rule)
    assert (alert.baseline, alert.value, alert.level) == (0.0, 300.0, "yellow")


def test_an_improvement_action_opens_once_per_alert_at_the_minimum_level(org, complain, make_rule, frozen_clock):
    from complaintdesk.accounts.actions import do_update_department

    do_update_department(org.quality_dept, manager=org.quality, actor=None)
    rule = make_rule(auto_improvement=True, improvement_min_level="yellow",
                     improvement_department=org.quality_dept, improvement_due_days=10)
    complain(2, days_ago=1)
    do_evaluate_alert_rule(rule)
    [alert] = open_alerts(rule)
    assert alert.level == "blue" and alert.improvement_id is None
    assert not ImprovementAction.objects.exists()

    complain(3)
    result = do_evaluate_alert_rule(rule)
    alert.refresh_from_db()
    [action] = ImprovementAction.objects.all()
    assert result.improvements == [action.pk]
    assert alert.improvement_id == action.pk and action.source_alert_id == alert.pk
    assert action.source == ImprovementSource.ALERT and action.status == "open"
    assert action.department == org.quality_dept and action.owner == org.quality  # the department's manager
    assert action.due_date == (frozen_clock.now() + timedelta(hours=8)).date() + timedelta(days=10)
    assert "黄色预警" in action.title and "星辰 X1 手机" in action.title
    assert sorted(action.tickets.values_list("pk", flat=True)) == sorted(alert.sample_ticket_ids)
    linked = TicketEvent.objects.filter(type=EventType.IMPROVEMENT_LINKED)
    assert linked.count() == 3  # a few sample tickets, not all five
    [created] = published("improvement.created", improvement_id=action.pk)
    assert created["alert_id"] == alert.pk and created["user_ids"] == [org.quality.pk]

    complain(2)
    do_evaluate_alert_rule(rule)  # red now: still the same one action
    frozen_clock.advance(timedelta(minutes=15))
    do_evaluate_alert_rule(rule)
    alert.refresh_from_db()
    assert alert.level == "red" and ImprovementAction.objects.count() == 1


def test_switching_a_rule_off_clears_its_alerts_and_versions_its_definition(org, complain, make_rule):
    rule = make_rule()
    complain(3, days_ago=1)
    do_evaluate_alert_rule(rule)
    [alert] = open_alerts(rule)
    rule = do_update_alert_rule(rule, actor=org.admin, threshold_blue=3)
    assert rule.version == 2
    rule = do_update_alert_rule(rule, actor=org.admin, enabled=False)
    assert rule.version == 2  # on/off is not a new definition
    alert.refresh_from_db()
    assert alert.status == "cleared"
    [cleared] = published("alert.cleared", alert_id=alert.pk)
    assert cleared["reason"] == "rule_disabled"
    assert [v.snapshot["thresholds"]["blue"] for v in rule.versions.order_by("version")] == [2, 3]


def test_the_periodic_job_evaluates_enabled_rules_and_skips_a_failing_one(org, complain, make_rule, caplog):
    good = make_rule(name="good")
    broken = make_rule(name="broken")
    off = make_rule(name="off", enabled=False)
    # A stored definition that no longer compiles (e.g. written by an older version): simulated here.
    AlertRule.objects.filter(pk=broken.pk).update(scope={"field": "no_such_field", "op": "eq", "value": 1})
    complain(3, days_ago=1)
    outcome = evaluate_all_alert_rules()
    assert outcome["failed"] == 1 and outcome["evaluated"] >= 1
    assert len(open_alerts(good)) == 1 and open_alerts(off) == []
    broken.refresh_from_db()
    assert "no_such_field" in broken.last_error or broken.last_error
    assert "alert rule" in caplog.text
    # The huey task runs the same sweep; a second run changes nothing.
    evaluate_alert_rules.call_local()
    assert len(open_alerts(good)) == 1 and len(published("alert.fired", rule_id=good.pk)) == 1


def test_the_shipped_example_rule_exists():
    rule = AlertRule.objects.get(name="同一产品7天投诉量")
    assert (rule.grouping, rule.window_days, rule.metric) == ("product", 7, "count")
    assert (rule.threshold_blue, rule.threshold_yellow, rule.threshold_red) == (5, 10, 20)
    assert rule.versions.get().version == 1
