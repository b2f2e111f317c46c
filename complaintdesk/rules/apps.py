from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "complaintdesk.rules"
    label = "rules"
    verbose_name = "Rules 规则引擎"
