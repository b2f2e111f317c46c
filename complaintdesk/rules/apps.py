from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "complaintdesk.rules"
    label = "rules"
    verbose_name = "Rules 规则引擎"

    def ready(self) -> None:
        from complaintdesk.rules.builtin import register_builtin_actions
        from complaintdesk.rules.engine import subscribe_all

        register_builtin_actions()
        subscribe_all()
