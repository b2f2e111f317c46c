from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "complaintdesk.tickets"
    label = "tickets"
    verbose_name = "Tickets 投诉工单"

    def ready(self) -> None:
        from complaintdesk.tickets import subscribers  # noqa: F401  (event subscriptions)
