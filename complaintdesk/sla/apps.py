from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "complaintdesk.sla"
    label = "sla"
    verbose_name = "SLA 服务时效"
