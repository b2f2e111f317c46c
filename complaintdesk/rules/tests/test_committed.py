"""The engine with real commits (no test transaction around it): subscribers run when each
transaction commits, rule runs nest inside the commit of the change that triggered them."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from complaintdesk.rules import engine
from complaintdesk.rules.actions import do_create_rule
from complaintdesk.rules.models import Rule, RuleRun
from complaintdesk.tickets.actions import do_create_ticket, do_update_ticket
from complaintdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seeded(transactional_db: None) -> None:
    for module, name in (("complaintdesk.accounts.migrations.0002_default_roles", "seed_roles"),
                         ("complaintdesk.tickets.migrations.0002_seed_and_search", "seed_categories")):
        getattr(importlib.import_module(module), name)(django_apps, None)
    Rule.objects.all().delete()


def test_the_depth_limit_holds_with_real_commits(org):
    rules = [do_create_rule(actor=None, body={
        "name": f"step {i}", "order": -i, "events": ["ticket.updated"],
        "condition": {"field": "data.step", "op": "eq", "value": i},
        "actions": [{"type": "set_fields", "params": {"fields": {"data.step": i + 1}}}],
    }) for i in range(6)]
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="x")
    do_update_ticket(ticket, actor=org.supervisor, data={"step": 0})
    assert Ticket.objects.get(pk=ticket.pk).data["step"] == engine.MAX_DEPTH + 1
    matched = list(RuleRun.objects.filter(matched=True).order_by("id").values_list("rule_id", "depth"))
    assert matched == [(rules[i].pk, i) for i in range(engine.MAX_DEPTH + 1)]


def test_a_rule_change_is_seen_at_the_next_event(org):
    rule = do_create_rule(actor=None, body={"name": "tag", "events": ["ticket.created"],
                                            "actions": [{"type": "add_tags", "params": {"tags": ["a"]}}]})
    first, _ = do_create_ticket(actor=org.agent_a, subject="x")
    assert list(first.tags.values_list("name", flat=True)) == ["a"]
    from complaintdesk.rules.actions import do_update_rule

    do_update_rule(rule, actor=None, actions=[{"type": "add_tags", "params": {"tags": ["b"]}}])
    second, _ = do_create_ticket(actor=org.agent_a, subject="y")
    assert list(second.tags.values_list("name", flat=True)) == ["b"]


def test_rules_removed_behind_the_actions_back_are_noticed(org, caplog):
    do_create_rule(actor=None, body={"name": "tag", "events": ["ticket.created"],
                                     "actions": [{"type": "add_tags", "params": {"tags": ["a"]}}]})
    do_create_ticket(actor=org.agent_a, subject="x")
    assert RuleRun.objects.count() == 1
    Rule.objects.all().delete()  # e.g. a database flush or a data migration: no rule action ran
    second, _ = do_create_ticket(actor=org.agent_a, subject="y")
    assert second.tags.count() == 0 and RuleRun.objects.filter(ticket=second).count() == 0
    assert "rules:" not in caplog.text
