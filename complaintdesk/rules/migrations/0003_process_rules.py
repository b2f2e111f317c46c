"""Shipped rules that put new complaints into the shipped processes: P1 → 紧急投诉快速通道, product quality
and safety → 质量投诉会签, everything else → 标准投诉处理. They run after the routing rules (order 900+),
so a complaint is routed first and its process's assignee rules see the department.

They ship DISABLED: an organisation enables them once it has the roles and departments the
processes assign to (客服主管, 处理人, 质量部 ...) — a process whose first node finds nobody would leave
new complaints unowned. `complaintdesk demo` enables them for the demo company."""

from typing import Any

from django.db import migrations

SNAPSHOT_KEYS = ("name", "description", "events", "condition", "actions", "order", "stop_after", "enabled")

PROCESS_RULES: list[dict[str, Any]] = [
    {
        "name": "P1 紧急投诉走快速通道 / P1 complaints take the fast track",
        "description": "P1 投诉直接进入“紧急投诉快速通道”流程。/ P1 complaints start the urgent fast-track process.",
        "events": ["ticket.created"],
        "condition": {"field": "priority", "op": "eq", "value": "P1"},
        "actions": [{"type": "start_process", "params": {"process": "urgent_fast_track"}}],
        "order": 900,
    },
    {
        "name": "质量与安全投诉会签 / Quality and safety complaints are countersigned",
        "description": "产品质量与安全隐患类投诉进入“质量投诉会签”流程。/ Product quality and safety complaints start "
                       "the quality countersign process.",
        "events": ["ticket.created"],
        "condition": {"field": "category", "op": "in", "value": ["product_quality", "safety"]},
        "actions": [{"type": "start_process", "params": {"process": "quality_countersign"}}],
        "order": 910,
    },
    {
        "name": "其余投诉走标准流程 / All other complaints take the standard process",
        "description": "尚未进入流程的新投诉启动“标准投诉处理”流程。/ New complaints without a process start the "
                       "standard complaint process.",
        "events": ["ticket.created"],
        "condition": {"all": []},
        "actions": [{"type": "start_process", "params": {"process": "standard_complaint", "if_running": "skip"}}],
        "order": 920,
    },
]


def create(apps: Any, schema_editor: Any) -> None:
    Rule = apps.get_model("rules", "Rule")
    RuleVersion = apps.get_model("rules", "RuleVersion")
    for spec in PROCESS_RULES:
        if Rule.objects.filter(name=spec["name"], is_shipped=True).exists():
            continue
        rule = Rule.objects.create(**spec, stop_after=False, enabled=False, version=1, is_shipped=True)
        RuleVersion.objects.create(rule=rule, version=1, snapshot={k: getattr(rule, k) for k in SNAPSHOT_KEYS})


def remove(apps: Any, schema_editor: Any) -> None:
    names = [spec["name"] for spec in PROCESS_RULES]
    apps.get_model("rules", "Rule").objects.filter(is_shipped=True, version=1, name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0002_default_rules"), ("workflows", "0002_shipped_processes")]

    operations = [migrations.RunPython(create, remove)]
