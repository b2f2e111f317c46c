from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "complaintdesk.notifications"
    label = "notifications"
    verbose_name = "Notifications 通知"

    def ready(self) -> None:
        # The outbox handler (fan-out), the jobs, and the rule actions "notify", "reply_customer",
        # "call_webhook".
        from complaintdesk.notifications import fanout, rule_actions, tasks  # noqa: F401

        rule_actions.register()
