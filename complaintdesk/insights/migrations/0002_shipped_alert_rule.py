"""The shipped example alert rule: complaints per product over 7 days, blue 5 / yellow 10 / red 20.

Shipped enabled: it has no owners, so it notifies no one until an administrator adds owners, but
its alerts show up in the alert list from the first evaluation — a working example to copy."""

from __future__ import annotations

from typing import Any

from django.db import migrations

NAME = "同一产品7天投诉量"
DEFINITION: dict[str, Any] = {
    "name": NAME,
    "description": "同一产品最近7天的投诉量：≥5 蓝色、≥10 黄色、≥20 红色预警。"
                   "Complaints per product over the last 7 days: blue at 5, yellow at 10, red at 20.",
    "enabled": True, "scope": None, "grouping": "product", "window_days": 7, "metric": "count",
    "baseline_windows": 4, "min_count": 0,
}
THRESHOLDS = {"blue": 5.0, "yellow": 10.0, "red": 20.0}


def add_rule(apps: Any, schema_editor: Any) -> None:
    AlertRule = apps.get_model("insights", "AlertRule")
    AlertRuleVersion = apps.get_model("insights", "AlertRuleVersion")
    if AlertRule.objects.filter(name=NAME).exists():
        return
    rule = AlertRule.objects.create(
        **DEFINITION, threshold_blue=THRESHOLDS["blue"], threshold_yellow=THRESHOLDS["yellow"],
        threshold_red=THRESHOLDS["red"], auto_improvement=False, improvement_min_level="red",
        improvement_due_days=14, version=1,
    )
    snapshot = {
        **DEFINITION, "thresholds": THRESHOLDS, "owner_ids": [],
        "auto_improvement": {"enabled": False, "min_level": "red", "department_id": None, "owner_id": None,
                             "due_days": 14},
    }
    AlertRuleVersion.objects.create(rule=rule, version=1, snapshot=snapshot)


def remove_rule(apps: Any, schema_editor: Any) -> None:
    AlertRule = apps.get_model("insights", "AlertRule")
    AlertRule.objects.filter(name=NAME, alerts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial")]

    operations = [migrations.RunPython(add_rule, remove_rule)]
