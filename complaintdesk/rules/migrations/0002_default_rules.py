"""The shipped default routing rules (editable and deletable like any other rule; listed in
docs/rules.md). Organisation-specific ones (product line, region) ship disabled, as templates."""

from typing import Any

from django.db import migrations


def _keywords(words: list[str]) -> dict[str, Any]:
    return {"any": [{"field": "subject", "op": "any_keyword", "value": words},
                    {"field": "description", "op": "any_keyword", "value": words}]}


def _unrouted(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"all": [{"field": "department_id", "op": "is_empty"}, *conditions]}


DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "name": "VIP 客户优先 / VIP customers first",
        "description": "VIP 客户的投诉优先级提高一级并打上 VIP 标签。/ Raise the priority of VIP customers' complaints "
                       "by one level and tag them VIP.",
        "events": ["ticket.created"],
        "condition": {"field": "customer.tier", "op": "eq", "value": "vip"},
        "actions": [{"type": "set_priority", "params": {"raise": 1}},
                    {"type": "add_tags", "params": {"tags": ["VIP"]}}],
        "order": 10, "enabled": True,
    },
    {
        "name": "社交媒体渠道：舆情风险 / Social media channel: reputation risk",
        "description": "来自社交媒体的投诉可能公开发酵：提高一级优先级并标记“舆情风险”。/ Complaints from social media "
                       "may spread publicly: raise the priority by one level and tag them.",
        "events": ["ticket.created"],
        "condition": {"field": "channel", "op": "eq", "value": "social"},
        "actions": [{"type": "set_priority", "params": {"raise": 1}},
                    {"type": "add_tags", "params": {"tags": ["舆情风险"]}}],
        "order": 20, "enabled": True,
    },
    {
        "name": "关键词路由：发票 → 财务部 / Keyword routing: invoice → Finance",
        "description": "主题或描述包含“发票”的新投诉分派到财务部。/ New complaints mentioning 发票 (invoice) go to the "
                       "department named 财务部.",
        "events": ["ticket.created"],
        "condition": _unrouted(_keywords(["发票"])),
        "actions": [{"type": "assign", "params": {"to": "department", "department": "财务部"}}],
        "order": 30, "enabled": True,
    },
    {
        "name": "关键词路由：物流/快递 → 物流部 / Keyword routing: logistics → Logistics",
        "description": "主题或描述包含“物流”或“快递”的新投诉分派到物流部。/ New complaints mentioning 物流 or 快递 go to "
                       "the department named 物流部.",
        "events": ["ticket.created"],
        "condition": _unrouted(_keywords(["物流", "快递"])),
        "actions": [{"type": "assign", "params": {"to": "department", "department": "物流部"}}],
        "order": 40, "enabled": True,
    },
    {
        "name": "关键词路由：故障/坏了 → 售后维修 / Keyword routing: faults → After-sales repair",
        "description": "主题或描述包含“故障”或“坏了”的新投诉分派到售后维修。/ New complaints mentioning 故障 or 坏了 go "
                       "to the department named 售后维修.",
        "events": ["ticket.created"],
        "condition": _unrouted(_keywords(["故障", "坏了"])),
        "actions": [{"type": "assign", "params": {"to": "department", "department": "售后维修"}}],
        "order": 50, "enabled": True,
    },
    {
        "name": "产品线路由：家用电器 → 家电售后部（模板）/ Product line routing: home appliances (template)",
        "description": "按产品线分派；启用前请改成贵司的产品线与部门名称。/ Route by product line; edit the product line and "
                       "department names to yours before enabling.",
        "events": ["ticket.created"],
        "condition": _unrouted({"field": "product.line", "op": "eq", "value": "家用电器"}),
        "actions": [{"type": "assign", "params": {"to": "department", "department": "家电售后部",
                                                  "strategy": "least_loaded"}}],
        "order": 60, "enabled": False,
    },
    {
        "name": "地区路由：广东 → 华南服务中心（模板）/ Region routing: Guangdong → South China (template)",
        "description": "按客户地区分派；启用前请改成贵司的地区与部门。/ Route by the customer's region; edit region and "
                       "department before enabling.",
        "events": ["ticket.created"],
        "condition": _unrouted({"field": "customer.region", "op": "starts_with", "value": "广东"}),
        "actions": [{"type": "assign", "params": {"to": "department", "department": "华南服务中心",
                                                  "strategy": "round_robin"}}],
        "order": 70, "enabled": False,
    },
]

SNAPSHOT_KEYS = ("name", "description", "events", "condition", "actions", "order", "stop_after", "enabled")


def create_default_rules(apps: Any, schema_editor: Any) -> None:
    Rule = apps.get_model("rules", "Rule")
    RuleVersion = apps.get_model("rules", "RuleVersion")
    for spec in DEFAULT_RULES:
        if Rule.objects.filter(name=spec["name"], is_shipped=True).exists():
            continue
        rule = Rule.objects.create(**spec, stop_after=False, version=1, is_shipped=True)
        RuleVersion.objects.create(rule=rule, version=1,
                                   snapshot={k: getattr(rule, k) for k in SNAPSHOT_KEYS})


def remove_default_rules(apps: Any, schema_editor: Any) -> None:
    apps.get_model("rules", "Rule").objects.filter(is_shipped=True, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]

    operations = [migrations.RunPython(create_default_rules, remove_default_rules)]
