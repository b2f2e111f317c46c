from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "complaintdesk.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from complaintdesk.core import tasks  # noqa: F401  (registers huey jobs)
