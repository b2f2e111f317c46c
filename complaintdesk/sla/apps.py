from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "complaintdesk.sla"
    label = "sla"
    verbose_name = "SLA 服务时效"

    def ready(self) -> None:
        from complaintdesk.sla import options, rule_actions, subscribers, tasks  # noqa: F401  (declare, subscribe)

        rule_actions.register()
