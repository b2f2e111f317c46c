from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "complaintdesk.notifications"
    label = "notifications"
    verbose_name = "Notifications 通知"
