from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "complaintdesk.forms"
    label = "forms"
    verbose_name = "Forms 表单引擎"
