"""The shipped notification templates (zh-CN and en), loaded by migration 0002 and restorable.

Placeholders: ``ticket.*`` (number, subject, status_label, priority, priority_label, customer_name,
category, assignee, channel_label, created_at, first_response_due_at, resolution_due_at, link),
``event.*`` (the event's payload: e.g. ``event.level``, ``event.target`` for SLA events,
``event.rule_name`` / ``event.group_label`` / ``event.level`` for alerts), ``recipient.display_name``.
Times are in the organisation's time zone (Asia/Shanghai by default).
"""

from __future__ import annotations

_TICKET_LINE_ZH = "工单 {{ ticket.number }}《{{ ticket.subject }}》"
_TICKET_LINE_EN = "Ticket {{ ticket.number }} \"{{ ticket.subject }}\""
_DETAILS_ZH = (
    "- 客户：{{ ticket.customer_name|default:'—' }}\n- 优先级：{{ ticket.priority_label }}\n"
    "- 状态：{{ ticket.status_label }}\n{% if ticket.resolution_due_at %}- 解决时限：{{ ticket.resolution_due_at }}\n"
    "{% endif %}- 查看：{{ ticket.link }}"
)
_DETAILS_EN = (
    "- Customer: {{ ticket.customer_name|default:'—' }}\n- Priority: {{ ticket.priority }}\n"
    "- Status: {{ ticket.status }}\n{% if ticket.resolution_due_at %}- Resolve by: {{ ticket.resolution_due_at }}"
    " (Asia/Shanghai)\n{% endif %}- Open: {{ ticket.link }}"
)
_TARGET_ZH = "{% if event.target == 'first_response' %}首次响应{% else %}解决{% endif %}"
_TARGET_EN = "{% if event.target == 'first_response' %}first response{% else %}resolution{% endif %}"
_ALERT_LEVEL_ZH = ("{% if event.level == 'red' %}红色{% elif event.level == 'yellow' %}黄色"
                   "{% elif event.level == 'blue' %}蓝色{% else %}{{ event.level }}{% endif %}")

# key: (event, {locale: (subject, body)})
SHIPPED: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "task_assigned": ("task.created", {
        "zh-CN": (f"新待办：{_TICKET_LINE_ZH}",
                  f"您有一项新的待办任务{{% if event.node_name %}}（{{{{ event.node_name }}}}）{{% endif %}}："
                  f"{_TICKET_LINE_ZH}\n{_DETAILS_ZH}"),
        "en": (f"New task: {_TICKET_LINE_EN}",
               f"You have a new task{{% if event.node_name %}} ({{{{ event.node_name }}}}){{% endif %}}: "
               f"{_TICKET_LINE_EN}\n{_DETAILS_EN}"),
    }),
    "task_cc": ("task.cc", {
        "zh-CN": (f"抄送：{_TICKET_LINE_ZH}", f"{_TICKET_LINE_ZH} 抄送给您，请知悉。\n{_DETAILS_ZH}"),
        "en": (f"CC: {_TICKET_LINE_EN}", f"You were copied on {_TICKET_LINE_EN}.\n{_DETAILS_EN}"),
    }),
    "task_urged": ("task.urged", {
        "zh-CN": (f"催办：{_TICKET_LINE_ZH}",
                  f"{_TICKET_LINE_ZH} 的待办任务被催办，请尽快处理。"
                  f"{{% if event.message %}}\n留言：{{{{ event.message }}}}{{% endif %}}\n{_DETAILS_ZH}"),
        "en": (f"Reminder: {_TICKET_LINE_EN}",
               f"Please handle your task on {_TICKET_LINE_EN} as soon as possible.{{% if event.message %}}\n"
               f"Message: {{{{ event.message }}}}{{% endif %}}\n{_DETAILS_EN}"),
    }),
    "task_overdue": ("task.overdue", {
        "zh-CN": (f"任务超时：{_TICKET_LINE_ZH}", f"{_TICKET_LINE_ZH} 的待办任务已超过节点时限。\n{_DETAILS_ZH}"),
        "en": (f"Task overdue: {_TICKET_LINE_EN}",
               f"Your task on {_TICKET_LINE_EN} is past its deadline.\n{_DETAILS_EN}"),
    }),
    "task_transferred": ("task.transferred", {
        "zh-CN": (f"任务转交：{_TICKET_LINE_ZH}", f"{_TICKET_LINE_ZH} 的待办任务已转交给您。\n{_DETAILS_ZH}"),
        "en": (f"Task transferred: {_TICKET_LINE_EN}", f"A task on {_TICKET_LINE_EN} was transferred to you.\n"
                                                        f"{_DETAILS_EN}"),
    }),
    "sla_warning": ("sla.warning", {
        "zh-CN": (f"SLA 预警：{_TICKET_LINE_ZH}",
                  f"{_TICKET_LINE_ZH} 的{_TARGET_ZH}时限即将到期"
                  f"{{% if event.at %}}（预警时间 {{{{ event.at }}}}）{{% endif %}}。\n{_DETAILS_ZH}"),
        "en": (f"SLA warning: {_TICKET_LINE_EN}",
               f"The {_TARGET_EN} target of {_TICKET_LINE_EN} is close to its due time.\n{_DETAILS_EN}"),
    }),
    "sla_breached": ("sla.breached", {
        "zh-CN": (f"SLA 超时：{_TICKET_LINE_ZH}",
                  f"{_TICKET_LINE_ZH} 的{_TARGET_ZH}已超时，请立即处理。\n{_DETAILS_ZH}"),
        "en": (f"SLA breached: {_TICKET_LINE_EN}",
               f"The {_TARGET_EN} target of {_TICKET_LINE_EN} was missed. Please act now.\n{_DETAILS_EN}"),
    }),
    "sla_escalated": ("sla.escalated", {
        "zh-CN": (f"SLA 升级（{{{{ event.level }}}}）：{_TICKET_LINE_ZH}",
                  f"{_TICKET_LINE_ZH} 已升级至 {{{{ event.level }}}}，请跟进。\n{_DETAILS_ZH}"),
        "en": (f"SLA escalation ({{{{ event.level }}}}): {_TICKET_LINE_EN}",
               f"{_TICKET_LINE_EN} was escalated to {{{{ event.level }}}}. Please follow up.\n{_DETAILS_EN}"),
    }),
    "alert_fired": ("alert.fired", {
        "zh-CN": (f"{_ALERT_LEVEL_ZH}预警：{{{{ event.rule_name }}}} {{{{ event.group_label }}}}",
                  f"预警规则“{{{{ event.rule_name }}}}”触发{_ALERT_LEVEL_ZH}预警：{{{{ event.group_label }}}}，"
                  "近 {{ event.window_days }} 天 {{ event.count }} 件"
                  "{% if event.baseline %}（基线 {{ event.baseline }}）{% endif %}。\n请查看并安排整改。"),
        "en": ("{{ event.level|capfirst }} alert: {{ event.rule_name }} {{ event.group_label }}",
               "Alert rule \"{{ event.rule_name }}\" fired at level {{ event.level }} for {{ event.group_label }}: "
               "{{ event.count }} complaints in {{ event.window_days }} days"
               "{% if event.baseline %} (baseline {{ event.baseline }}){% endif %}."),
    }),
    "alert_cleared": ("alert.cleared", {
        "zh-CN": ("预警解除：{{ event.rule_name }} {{ event.group_label }}",
                  "预警规则“{{ event.rule_name }}”的预警已解除：{{ event.group_label }}。"),
        "en": ("Alert cleared: {{ event.rule_name }} {{ event.group_label }}",
               "The alert of rule \"{{ event.rule_name }}\" for {{ event.group_label }} has cleared."),
    }),
    "event_generic": ("", {
        "zh-CN": ("{{ event.description }}{% if ticket.number %}：{{ ticket.number }}{% endif %}",
                  "{% if ticket.number %}" + _TICKET_LINE_ZH + "\n" + _DETAILS_ZH + "{% else %}{{ event.name }}"
                  "{% endif %}"),
        "en": ("{{ event.description }}{% if ticket.number %}: {{ ticket.number }}{% endif %}",
               "{% if ticket.number %}" + _TICKET_LINE_EN + "\n" + _DETAILS_EN + "{% else %}{{ event.name }}"
               "{% endif %}"),
    }),
    "customer_ack": ("ticket.created", {
        "zh-CN": ("您的投诉已受理（工单号 {{ ticket.number }}）",
                  "{{ ticket.customer_name|default:'客户' }}，您好：\n\n"
                  "我们已收到您的投诉“{{ ticket.subject }}”，工单号 {{ ticket.number }}。"
                  "{% if ticket.resolution_due_at %}我们承诺在 {{ ticket.resolution_due_at }}（北京时间）"
                  "前给您处理结果。{% endif %}\n查询进度时请提供工单号。\n\n感谢您的反馈！"),
        "en": ("We have received your complaint (ticket {{ ticket.number }})",
               "Dear {{ ticket.customer_name|default:'customer' }},\n\n"
               "we have received your complaint \"{{ ticket.subject }}\" as ticket {{ ticket.number }}."
               "{% if ticket.resolution_due_at %} We will resolve it by {{ ticket.resolution_due_at }} "
               "(China Standard Time).{% endif %}\nPlease quote the ticket number when you contact us.\n\n"
               "Thank you for your feedback."),
    }),
}


def shipped_rows() -> list[dict[str, str]]:
    return [
        {"key": key, "event": event, "channel_kind": "any", "locale": locale, "subject": subject, "body": body}
        for key, (event, texts) in SHIPPED.items()
        for locale, (subject, body) in texts.items()
    ]
