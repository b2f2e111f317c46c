"""Evaluations of one rule racing each other (the periodic job and "evaluate now") open one alert,
publish one ``alert.fired`` and open one improvement action — on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.apps import apps as django_apps
from django.db import connection

from complaintdesk.core import clock
from complaintdesk.improvement.models import ImprovementAction
from complaintdesk.insights.actions import do_evaluate_alert_rule
from complaintdesk.insights.models import Alert, AlertRule
from complaintdesk.insights.tests.conftest import published

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SEEDS = (("complaintdesk.accounts.migrations.0002_default_roles", "seed_roles"),
         ("complaintdesk.tickets.migrations.0002_seed_and_search", "seed_categories"))


@pytest.fixture(autouse=True)
def _seeded(transactional_db: None) -> None:
    # A transactional test starts from a flushed database: seed what the data migrations seed.
    for module, name in SEEDS:
        getattr(importlib.import_module(module), name)(django_apps, None)


def test_racing_evaluations_open_one_alert_and_one_improvement(org, complain, make_rule):
    rule = make_rule(auto_improvement=True, improvement_min_level="blue", improvement_department=org.quality_dept)
    complain(3, days_ago=1)
    now = clock.now()
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def evaluate() -> None:
        try:
            start.wait(timeout=10)
            do_evaluate_alert_rule(AlertRule.objects.get(pk=rule.pk), now)
        except BaseException as exc:  # reported below: a thread's exception would vanish otherwise
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=evaluate) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    [alert] = Alert.objects.filter(rule=rule)
    assert alert.status == "open" and alert.level == "blue"
    assert len(published("alert.fired", rule_id=rule.pk)) == 1
    assert ImprovementAction.objects.filter(source_alert=alert).count() == 1
