"""The rules engine end to end: events → conditions → actions, run log, timeline, loop protection."""

from __future__ import annotations

import pytest

from complaintdesk.core import events as ev
from complaintdesk.rules import engine
from complaintdesk.rules.actions import do_update_rule
from complaintdesk.rules.models import RuleRun
from complaintdesk.tickets.actions import do_add_comment, do_update_ticket
from complaintdesk.tickets.choices import EventType
from complaintdesk.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.usefixtures("no_shipped_rules")

P1_IF_URGENT = {"field": "subject", "op": "contains", "value": "紧急"}


def _runs(ticket: Ticket, **filters: object) -> list[RuleRun]:
    return list(RuleRun.objects.filter(ticket=ticket, **filters).order_by("id"))


def test_a_matching_rule_runs_its_actions_and_is_logged_and_on_the_timeline(org, make_rule, make_ticket):
    rule = make_rule(name="紧急提级", condition=P1_IF_URGENT, actions=[
        {"type": "set_priority", "params": {"priority": "P1"}},
        {"type": "add_tags", "params": {"tags": ["加急"]}},
    ])
    other = make_rule(name="never", condition={"field": "subject", "op": "contains", "value": "不存在的词"})
    ticket = make_ticket(subject="紧急：手机无法开机")
    assert ticket.priority == "P1"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["加急"]
    run = RuleRun.objects.get(ticket=ticket, rule=rule)
    assert (run.matched, run.event, run.rule_version, run.depth, run.errors) == (True, "ticket.created", 1, 0, [])
    assert [a["type"] for a in run.actions] == ["set_priority", "add_tags"]
    assert all(a["ok"] for a in run.actions)
    assert "P3 → P1" in run.actions[0]["description"]
    not_matched = RuleRun.objects.get(ticket=ticket, rule=other, event="ticket.created")
    assert not not_matched.matched and not_matched.actions == []
    timeline = TicketEvent.objects.filter(ticket=ticket, type=EventType.RULE_RUN)
    assert [e.data["rule_id"] for e in timeline] == [rule.pk]  # only matched runs on the timeline
    assert timeline[0].channel == "rule"
    # The rule's changes are ordinary timeline entries made through the rules channel.
    updated = TicketEvent.objects.filter(ticket=ticket, type=EventType.UPDATED)
    assert updated.count() == 2 and {e.channel for e in updated} == {"rule"} and all(e.actor is None for e in updated)


def test_rules_run_in_order_and_stop_after_ends_the_evaluation(org, make_rule, make_ticket):
    first = make_rule(name="first", order=1, stop_after=True, actions=[{"type": "add_tags", "params": {"tags": ["a"]}}])
    second = make_rule(name="second", order=2, actions=[{"type": "add_tags", "params": {"tags": ["b"]}}])
    ticket = make_ticket()
    assert list(ticket.tags.values_list("name", flat=True)) == ["a"]
    assert not RuleRun.objects.filter(rule=second, event="ticket.created").exists()
    do_update_rule(first, actor=None, stop_after=False)
    ticket2 = make_ticket()
    assert sorted(ticket2.tags.values_list("name", flat=True)) == ["a", "b"]


def test_later_rules_see_the_changes_of_earlier_ones(org, make_rule, make_ticket):
    make_rule(name="classify", order=1, condition=P1_IF_URGENT,
              actions=[{"type": "set_category", "params": {"category": "malfunction"}}])
    make_rule(name="route", order=2, condition={"field": "category", "op": "in", "value": ["malfunction"]},
              actions=[{"type": "assign", "params": {"to": "department", "department": "维修组"}}])
    ticket = make_ticket(subject="紧急 开不了机")
    assert ticket.category.key == "malfunction"
    assert ticket.department == org.repair


def test_a_failing_action_is_recorded_and_the_others_still_run(org, make_rule, make_ticket):
    broken = make_rule(name="broken", order=1, actions=[
        {"type": "assign", "params": {"to": "department", "department": "不存在的部门"}},
        {"type": "add_tags", "params": {"tags": ["still"]}},
    ])
    fine = make_rule(name="fine", order=2, actions=[{"type": "set_priority", "params": {"priority": "P2"}}])
    ticket = make_ticket()
    run = RuleRun.objects.get(rule=broken, ticket=ticket)
    assert run.matched and len(run.errors) == 1 and "不存在的部门" in run.errors[0]
    assert [a["ok"] for a in run.actions] == [False, True]
    assert ticket.department_id is None
    assert list(ticket.tags.values_list("name", flat=True)) == ["still"]
    assert ticket.priority == "P2" and RuleRun.objects.get(rule=fine, ticket=ticket).errors == []
    entry = TicketEvent.objects.get(ticket=ticket, type=EventType.RULE_RUN, data__rule_id=broken.pk)
    assert entry.data["errors"] == run.errors


def test_an_unknown_action_type_is_a_run_error(org, make_rule, make_ticket):
    rule = make_rule(actions=[{"type": "add_tags", "params": {"tags": ["x"]}}])
    # An app that registered a type was removed after the rule was saved.
    type(rule).objects.filter(pk=rule.pk).update(actions=[{"type": "gone", "params": {}}])
    engine.forget_cache()
    ticket = make_ticket()
    run = RuleRun.objects.get(rule=rule, ticket=ticket)
    assert run.matched and "gone" in run.errors[0]


def test_a_rule_never_retriggers_itself(org, make_rule, make_ticket, commits):
    raise_on_update = make_rule(name="raise", events=["ticket.updated"],
                                actions=[{"type": "set_priority", "params": {"raise": 1}}])
    ticket = make_ticket()
    with commits():
        do_update_ticket(ticket, actor=org.supervisor, subject="改个主题")
    ticket.refresh_from_db()
    assert ticket.priority == "P2"  # raised once, though its own change published ticket.updated again
    assert RuleRun.objects.filter(rule=raise_on_update, matched=True).count() == 1


def test_ping_pong_rules_stop(org, make_rule, make_ticket, commits):
    up = make_rule(name="up", events=["ticket.updated"], condition={"field": "priority", "op": "eq", "value": "P3"},
                   actions=[{"type": "set_priority", "params": {"priority": "P2"}}])
    down = make_rule(name="down", events=["ticket.updated"], condition={"field": "priority", "op": "eq", "value": "P2"},
                     actions=[{"type": "set_priority", "params": {"priority": "P3"}}])
    ticket = make_ticket()
    with commits():
        do_update_ticket(ticket, actor=org.supervisor, subject="改个主题")
    runs = list(RuleRun.objects.filter(matched=True).order_by("id").values_list("rule_id", "depth"))
    # Each rule's change can trigger the other, never itself: the ping-pong ends after one more turn
    # (the exact interleaving depends on when the commit hooks run).
    assert runs[0] == (up.pk, 0)
    assert len(runs) <= 3 and {rule for rule, _ in runs} == {up.pk, down.pk}
    assert all(depth <= 1 for _, depth in runs)


def test_changes_made_by_rules_trigger_rules_only_up_to_the_max_depth(org, make_rule, make_ticket, commits):
    # rule i moves data.step from i to i + 1; evaluated last-first, so each step needs a new event
    # (one level deeper in the chain) to be taken.
    rules = [make_rule(name=f"step {i}", order=-i, events=["ticket.updated"],
                       condition={"field": "data.step", "op": "eq", "value": i},
                       actions=[{"type": "set_fields", "params": {"fields": {"data.step": i + 1}}}])
             for i in range(6)]
    ticket = make_ticket()
    with commits():
        do_update_ticket(ticket, actor=org.supervisor, data={"step": 0})
    ticket.refresh_from_db()
    assert ticket.data["step"] == engine.MAX_DEPTH + 1
    matched = list(RuleRun.objects.filter(matched=True).order_by("depth").values_list("rule_id", "depth"))
    assert matched == [(rules[i].pk, i) for i in range(engine.MAX_DEPTH + 1)]
    assert all(d <= engine.MAX_DEPTH for d in RuleRun.objects.values_list("depth", flat=True))


def test_events_deeper_than_the_limit_are_not_evaluated(org, make_rule, make_ticket, commits):
    rule = make_rule(events=["ticket.commented"], actions=[{"type": "add_tags", "params": {"tags": ["x"]}}])
    ticket = make_ticket()
    token = engine._chain.set(engine.Chain(depth=engine.MAX_DEPTH + 1))
    try:
        with commits():
            do_add_comment(ticket, actor=org.supervisor, body="deep", is_public=False)
    finally:
        engine._chain.reset(token)
    assert not RuleRun.objects.filter(rule=rule).exists()
    token = engine._chain.set(engine.Chain(depth=engine.MAX_DEPTH))
    try:
        with commits():
            do_add_comment(ticket, actor=org.supervisor, body="at the limit", is_public=False)
    finally:
        engine._chain.reset(token)
    assert RuleRun.objects.get(rule=rule).depth == engine.MAX_DEPTH


def test_disabled_rules_and_other_events_are_not_evaluated(org, make_rule, make_ticket):
    disabled = make_rule(enabled=False, actions=[{"type": "add_tags", "params": {"tags": ["x"]}}])
    on_comment = make_rule(events=["ticket.commented"])
    ticket = make_ticket()
    assert not RuleRun.objects.filter(rule__in=[disabled, on_comment]).exists()
    assert ticket.tags.count() == 0


def test_conditions_are_compiled_once_per_rule_version(org, make_rule, make_ticket):
    rule = make_rule(condition=P1_IF_URGENT)
    make_ticket()
    compiled = engine.active_ruleset().for_event("ticket.created")[0]
    make_ticket()
    assert engine.active_ruleset().for_event("ticket.created")[0] is compiled
    do_update_rule(rule, actor=None, condition={"field": "priority", "op": "eq", "value": "P1"})
    recompiled = engine.active_ruleset().for_event("ticket.created")[0]
    assert recompiled is not compiled and recompiled.version == 2


def test_a_run_records_the_rule_version(org, make_rule, make_ticket):
    rule = make_rule()
    make_ticket()
    do_update_rule(rule, actor=None, description="v2")
    make_ticket()
    assert sorted(RuleRun.objects.filter(rule=rule).values_list("rule_version", flat=True)) == [1, 2]


def test_an_event_for_several_tickets_evaluates_each(org, make_rule, make_ticket, commits):
    rule = make_rule(events=["alert.fired"], actions=[{"type": "add_tags", "params": {"tags": ["预警"]}}])
    a, b = make_ticket(), make_ticket()
    from django.db import transaction

    with commits(), transaction.atomic():
        ev.publish(ev.ALERT_FIRED, {"alert_id": 1, "ticket_ids": [a.pk, b.pk]})
    assert set(RuleRun.objects.filter(rule=rule).values_list("ticket_id", flat=True)) == {a.pk, b.pk}
    assert list(b.tags.values_list("name", flat=True)) == ["预警"]


def test_an_invalid_stored_condition_is_a_run_error_not_a_crash(org, make_rule, make_ticket):
    rule = make_rule()
    type(rule).objects.filter(pk=rule.pk).update(condition={"field": "nope", "op": "eq", "value": 1})
    engine.forget_cache()
    ticket = make_ticket()
    run = RuleRun.objects.get(rule=rule, ticket=ticket)
    assert not run.matched and "nope" in run.errors[0]


def test_the_ticket_is_loaded_with_what_the_conditions_read(org, make_rule):
    make_rule(condition={"all": [{"field": "customer.tier", "op": "eq", "value": "vip"},
                                 {"field": "product.line", "op": "eq", "value": "手机"},
                                 {"field": "tags", "op": "contains", "value": "x"}]})
    make_rule(condition={"field": "category.key", "op": "eq", "value": "other"})
    plan = engine.active_ruleset().load_plan("ticket.created")
    assert plan == engine.LoadPlan(("category", "customer", "product", "product__line"), True)
    make_rule(condition={"formula": "{priority} = \"P1\""})
    assert engine.active_ruleset().load_plan("ticket.created") == engine.FULL_PLAN


def test_time_passed_rules_run_once_per_ticket_and_version(org, make_rule, make_ticket, frozen_clock):
    from datetime import timedelta

    from complaintdesk.rules.timed import do_time_passed_sweep

    rule = make_rule(events=["ticket.time_passed"],
                     condition={"all": [{"not": {"field": "created_at", "op": "within_last", "value": "3d"}},
                                        {"field": "assignee_id", "op": "is_empty"}]},
                     actions=[{"type": "add_tags", "params": {"tags": ["超期未分派"]}},
                              {"type": "add_internal_note", "params": {"body": "超过 3 天未分派"}}])
    ticket = make_ticket()
    assigned = make_ticket(assignee=org.handler)
    assert do_time_passed_sweep() == 0
    frozen_clock.advance(timedelta(days=4))
    assert do_time_passed_sweep() == 1
    assert list(ticket.tags.values_list("name", flat=True)) == ["超期未分派"]
    assert assigned.tags.count() == 0
    run = RuleRun.objects.get(rule=rule, matched=True)
    assert run.event == "ticket.time_passed" and run.ticket_id == ticket.pk
    assert do_time_passed_sweep() == 0  # once per ticket and version: no second note
    assert ticket.comments.count() == 1
    do_update_rule(rule, actor=None, actions=[{"type": "add_tags", "params": {"tags": ["再次提醒"]}}])
    assert do_time_passed_sweep() == 1
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["再次提醒", "超期未分派"]


def test_unmatched_runs_are_pruned_after_30_days(org, make_rule, make_ticket, frozen_clock):
    from datetime import timedelta

    from complaintdesk.rules.actions import do_prune_rule_runs

    make_rule(name="hit")
    make_rule(name="miss", condition={"field": "priority", "op": "eq", "value": "P1"})
    make_ticket()
    frozen_clock.advance(timedelta(days=31))
    make_ticket()
    assert do_prune_rule_runs() == 1
    assert sorted(RuleRun.objects.values_list("matched", flat=True)) == [False, True, True]


def test_shared_evaluation_agrees_with_the_condition_interpreter(org, make_ticket):
    """The engine evaluates equal sub-conditions of different rules once per event; the answers must be
    exactly those of the shared interpreter, rule by rule."""
    import random

    from complaintdesk.expressions.conditions import compile_condition
    from complaintdesk.expressions.fields import TICKET_FIELDS
    from complaintdesk.rules.models import Rule

    leaves = [
        {"field": "subject", "op": "any_keyword", "value": ["发票", "快递"]},
        {"field": "subject", "op": "contains", "value": "x1"},
        {"field": "customer.tier", "op": "eq", "value": "vip"},
        {"field": "priority", "op": "in", "value": ["P1", "P2"]},
        {"field": "category", "op": "in", "value": ["product_quality"]},
        {"field": "tags", "op": "contains", "value": "加急"},
        {"field": "department_id", "op": "is_empty"},
        {"field": "data.amount", "op": "gt", "value": 500},
        {"field": "created_at", "op": "within_last", "value": "1d"},
        {"formula": 'LEN({subject}) > 4'},
    ]
    rng = random.Random(7)

    def tree(depth: int) -> object:
        if depth == 0 or rng.random() < 0.3:
            return rng.choice(leaves)
        kind = rng.choice(["all", "any", "not"])
        if kind == "not":
            return {"not": tree(depth - 1)}
        return {kind: [tree(depth - 1) for _ in range(rng.randint(0, 3))]}

    rules = []
    for i in range(60):
        rules.append(Rule.objects.create(name=f"p{i}", events=["ticket.created"], condition=tree(3), order=i))
    engine.forget_cache()
    compiled = engine.active_ruleset().for_event("ticket.created")
    tickets = [
        make_ticket(subject="发票 X1 问题", customer=org.vip, priority="P2", tags=["加急"], data={"amount": 800}),
        make_ticket(subject="快递", category=org.categories["malfunction"]),
        make_ticket(subject="其它", customer=org.customer, department=org.repair, data={"amount": "n/a"}),
    ]
    seen = set()
    for ticket in tickets:
        ticket = engine._load_ticket(ticket.pk, engine.active_ruleset().load_plan("ticket.created"))
        decisions = {d.rule.id: d.matched for d in engine.decide(compiled, ticket)}
        for rule in rules:
            expected = compile_condition(rule.condition, catalog=TICKET_FIELDS).evaluate(ticket)
            assert decisions[rule.pk] == expected, rule.condition
            seen.add(expected)
    assert seen == {True, False}
