from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "complaintdesk.improvement"
    label = "improvement"
    verbose_name = "Improvement 整改"
