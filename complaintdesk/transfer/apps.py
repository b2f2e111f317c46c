from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "complaintdesk.transfer"
    label = "transfer"
    verbose_name = "导入导出 Import & export"

    def ready(self) -> None:
        from complaintdesk.transfer import tasks  # noqa: F401  (registers the huey jobs)
