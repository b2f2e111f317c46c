from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "complaintdesk.improvement"
    label = "improvement"
    verbose_name = "Improvement 整改"

    def ready(self) -> None:
        from complaintdesk.improvement import rule_actions

        rule_actions.register()
